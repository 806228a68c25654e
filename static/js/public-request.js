/* The public request form (CSP: loaded from a file, no inline script).
 * Step 1: filter the list of services as the citizen types. Without JavaScript the search
 * form submits ?q= and the server filters the same way.
 * Step 2: the error summary's links move the focus to their field, not only the view. */
(function () {
  "use strict";

  function fold(text) {
    return (text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function serviceSearch() {
    var input = document.getElementById("service-search");
    var list = document.querySelector("[data-service-list]");
    var status = document.getElementById("service-search-status");
    if (!input || !list || !status) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
    var groups = Array.prototype.slice.call(list.querySelectorAll("[data-service-group]"));
    var initial = status.textContent;
    var timer = null;

    function announce(shown, words) {
      if (!words.length) {
        status.textContent = initial;
      } else if (shown === 0) {
        status.textContent = status.getAttribute("data-none");
      } else if (shown === 1) {
        status.textContent = status.getAttribute("data-one");
      } else {
        status.textContent = status.getAttribute("data-many").replace("__COUNT__", String(shown));
      }
    }

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-search]:not([hidden])");
      });
      // Wait for a pause in typing, so screen readers hear one message, not one per key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { announce(shown, words); }, 300);
    }

    input.addEventListener("input", apply);
  }

  function errorSummary() {
    var links = document.querySelectorAll(".crm-error-summary a[href^='#']");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var group = target.closest(".usa-form-group");
        (group || target).scrollIntoView();
        target.focus({ preventScroll: true });
      });
    });
  }

  serviceSearch();
  errorSummary();
}());
