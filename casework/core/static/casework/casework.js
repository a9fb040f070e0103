// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Disable a form's submit buttons once it is submitted, so a double click sends one request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-allow-resubmit")) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  // Show only the sections of the chosen note format (the server ignores hidden ones).
  function syncNoteSections(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-note-formats]").forEach(function (block) {
      var formats = block.getAttribute("data-note-formats").split(" ");
      var shown = formats.indexOf(select.value) !== -1;
      block.hidden = !shown;
      block.querySelectorAll("textarea").forEach(function (area) { area.disabled = !shown; });
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-note-format]")) syncNoteSections(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-note-format]").forEach(syncNoteSections);
  });
})();
