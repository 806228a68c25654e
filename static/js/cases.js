/* Staff case pages: progressive enhancement only. Every form works without this file. */
(function () {
  "use strict";
  // Hides the no-JavaScript buttons (e.g. "Show questions for this service") at once.
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    focusOn(document.querySelector("[data-focus-on-load]"));
    if (window.htmx) {
      // A refused form answers 400 with the page and its errors: show them, as a full
      // page load would (htmx does not swap 4xx answers by default).
      window.htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "[23]..", swap: true },
        { code: "400", swap: true, error: false },
        { code: "[45]..", swap: false, error: true },
      ];
    }
  });

  // "Select all on this page" in the queue (the checkboxes work one by one without it).
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("[data-select-all]")) return;
    var form = all.closest("form");
    form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]')
      .forEach(function (box) { box.checked = all.checked; });
  });

  function focusOn(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
  }

  // After htmx replaced part of the page, move the keyboard focus to the news.
  document.addEventListener("htmx:afterSettle", function (event) {
    var settled = event.target;
    if (!settled || !settled.id) return;
    if (settled.id === "citizen-choice") {
      focusOn(document.getElementById("citizen-chosen"));
    } else if (settled.id === "main-content") {
      focusOn(settled.querySelector(".crm-form-errors") || settled.querySelector(".usa-alert"));
    }
  });
})();
