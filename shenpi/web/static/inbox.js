// shenpi web inbox: the result of an action (a bulk approval, an approval that went on to the next task) takes the
// keyboard focus when the page opens, so a screen reader reads it first and Tab continues from it. Progressive
// enhancement only: without this file the message is still the first thing in the page's main content.
"use strict";

(function () {
  function focusResult() {
    var result = document.querySelector("[data-focus-on-load]");
    if (result) { result.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusResult);
  } else {
    focusResult();
  }
})();
