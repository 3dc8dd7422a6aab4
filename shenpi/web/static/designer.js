// The approval designer (templates/designer.html): the page works with plain form posts; this script only
// redraws the preview and the diagram while the admin types, and shows the controls that apply to the choice
// made (named people for "Named people", levels for a supervisor or department manager).
(function () {
  "use strict";
  var form = document.querySelector("form[data-designer]");
  var live = document.getElementById("designer-live");
  if (!form || !live) return;
  var LEVELLED = ["Supervisor", "SupervisorTopDown", "DepartmentManager", "DepartmentManagerTopDown"];

  function applies(box) {
    var who = box.querySelector("select[name$='.who']");
    if (!who) return;
    box.querySelectorAll("[data-show-when]").forEach(function (el) {
      var want = el.getAttribute("data-show-when");
      var on = want === "levelled" ? LEVELLED.indexOf(who.value) >= 0 : who.value === want;
      el.hidden = !on;
    });
  }

  function viewers() {
    var kind = form.querySelector("select[name='viewer_kind']");
    if (!kind) return;
    form.querySelectorAll("[data-viewers]").forEach(function (el) {
      el.hidden = el.getAttribute("data-viewers") !== kind.value;
    });
  }

  function refreshAll() {
    form.querySelectorAll(".dstep-edit").forEach(applies);
    viewers();
  }

  var timer = null;
  var seq = 0;
  function redraw() {
    var data = new FormData(form);
    data.set("op", "preview");
    var mine = ++seq;
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"x-shenpi-fragment": "1"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && mine === seq) {
          live.innerHTML = html;
          live.setAttribute("data-fresh", String(mine));
        }
      })
      .catch(function () { /* the preview stays as it was; the buttons still work */ });
  }

  function changed(event) {
    var box = event.target.closest ? event.target.closest(".dstep-edit") : null;
    if (box) applies(box);
    if (event.target.name === "viewer_kind") viewers();
    clearTimeout(timer);
    timer = setTimeout(redraw, 300);
  }

  // Enter in a one-line box redraws the preview here rather than posting the page.
  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key === "Enter" && el.tagName === "INPUT" && el.type !== "checkbox") {
      event.preventDefault();
      clearTimeout(timer);
      redraw();
    }
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  refreshAll();
  var focused = form.querySelector("[autofocus]");
  if (focused && focused.scrollIntoView) focused.scrollIntoView({block: "center"});
})();
