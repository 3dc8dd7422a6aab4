// shenpi web inbox: progressive enhancement only. Every page works without this file; with it, forms check
// themselves before posting (with the API's own messages, which the server puts in data-msg-* attributes),
// buttons cannot double-post, long people lists can be filtered, and times show in the browser's time zone.
"use strict";

(function () {
  // -- browser-side form checks ---------------------------------------------------------------------------
  function fieldError(field, message) {
    var box = field.querySelector(".field-error");
    var inputs = field.querySelectorAll("input, select, textarea, fieldset");
    field.classList.toggle("has-error", !!message);
    if (box) { box.textContent = message || ""; box.hidden = !message; }
    inputs.forEach(function (el) {
      if (message) { el.setAttribute("aria-invalid", "true"); } else { el.removeAttribute("aria-invalid"); }
    });
  }

  function named(field, suffix) {
    return field.querySelectorAll('[name="' + field.dataset.name + (suffix || "") + '"]');
  }

  // The problem with one field, as the API would word it ("" when none).
  function check(field) {
    var kind = field.dataset.field;
    var required = field.hasAttribute("data-required");
    var msg = function (k) { return field.getAttribute("data-msg-" + k) || ""; };
    if (kind === "radioV2" || kind === "checkboxV2") {
      var any = Array.prototype.some.call(named(field), function (el) { return el.checked; });
      return required && !any ? msg("required") : "";
    }
    if (kind === "contact") {
      var sel = named(field)[0];
      return required && sel && sel.selectedOptions.length === 0 ? msg("required") : "";
    }
    if (kind === "dateInterval") {
      var start = named(field, ".start")[0], end = named(field, ".end")[0];
      if (!start.value && !end.value) { return required ? msg("required") : ""; }
      if (!start.value || !end.value) { return msg("required"); }
      return end.value < start.value ? msg("order") : "";
    }
    var input = named(field)[0];
    if (!input) { return ""; }
    if ((kind === "number" || kind === "amount") && input.validity && input.validity.badInput) {
      return msg("number");
    }
    return required && !input.value.trim() ? msg("required") : "";
  }

  function validate(scope) {
    var first = null;
    scope.querySelectorAll("[data-field]").forEach(function (field) {
      var problem = check(field);
      fieldError(field, problem);
      if (problem && !first) { first = field; }
    });
    if (first) {
      var target = first.querySelector("input, select, textarea");
      if (target) { target.focus(); }
      return false;
    }
    return true;
  }

  document.querySelectorAll("form").forEach(function (form) {
    var checked = form.querySelector("[data-validate]");
    if (checked) { form.noValidate = true; } // our messages instead of the browser's, in the page's language
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-validate")) {
        var scope = submitter.closest("[data-validate-scope]") || form;
        if (!validate(scope)) { event.preventDefault(); return; }
      }
      var editor = form.querySelector("textarea#body");
      var format = form.querySelector("[data-format-switch]");
      if (editor && format && format.value === "json") {
        try { JSON.parse(editor.value); } catch (e) {
          var box = document.getElementById("body-err");
          box.textContent = "JSON: " + e.message; box.hidden = false;
          editor.setAttribute("aria-invalid", "true"); editor.focus();
          event.preventDefault(); return;
        }
      }
      // No double posts: keep the clicked button's value, then disable every button until the page changes.
      if (submitter && submitter.name) {
        var keep = document.createElement("input");
        keep.type = "hidden"; keep.name = submitter.name; keep.value = submitter.value;
        form.appendChild(keep);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
    form.querySelectorAll("[data-field]").forEach(function (field) {
      field.addEventListener("change", function () { if (field.classList.contains("has-error")) { fieldError(field, check(field)); } });
    });
  });

  // -- small conveniences -----------------------------------------------------------------------------------
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  // A filter box above long people lists (multi-selects): typing hides the options that do not match.
  var filterLabel = document.documentElement.getAttribute("data-filter-label") || "Filter";
  document.querySelectorAll("select[data-people][multiple]").forEach(function (sel, i) {
    if (sel.options.length < 8) { return; }
    var box = document.createElement("input");
    box.type = "search"; box.id = "people-filter-" + i; box.placeholder = filterLabel;
    box.setAttribute("aria-label", filterLabel); box.setAttribute("aria-controls", sel.id);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(sel.options, function (o) { o.hidden = !!q && o.text.toLowerCase().indexOf(q) < 0; });
    });
    sel.parentNode.insertBefore(box, sel);
  });

  // Server-rendered times are in the server's zone; show them in the reader's.
  var lang = document.documentElement.lang || undefined;
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    el.title = el.textContent;
    el.textContent = when.toLocaleString(lang, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  });

  // The editor's format switch reloads the definition in the other format while the text is untouched.
  var switcher = document.querySelector("[data-format-switch]");
  if (switcher) {
    var editor = document.getElementById("body");
    var original = editor ? editor.value : "";
    switcher.addEventListener("change", function () {
      if (editor && editor.value === original) { window.location.search = "?format=" + encodeURIComponent(switcher.value); }
    });
  }
})();
