// The bell's unread count: asked of the server once per page (the pages are rendered without it).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var bell = document.querySelector("[data-unread-url]");
  var count = bell && bell.querySelector("[data-bell-count]");
  if (!count || !count.hidden) return; // the notifications page wrote its count itself
  fetch(bell.getAttribute("data-unread-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) {
      if (body && typeof body.unread === "number") {
        count.textContent = String(body.unread);
        count.hidden = body.unread === 0;
      }
    })
    .catch(function () {});
});
