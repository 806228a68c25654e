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

  // @mention suggestions in an internal note: typing "@" and the start of a colleague's
  // username or name lists matching colleagues below the box; arrow keys move, Enter or Tab
  // picks, Escape closes. Without this file "@username" typed in full works the same.
  var MENTION_BEFORE_CARET = /(^|[^\w@.+-])@([\w.+-]{0,30})$/;

  document.addEventListener("focusin", function (event) {
    var box = event.target;
    if (box.matches && box.matches("textarea[data-mention-url]") && !box.dataset.mentionReady) {
      mentionSetUp(box);
    }
  });

  function mentionSetUp(box) {
    box.dataset.mentionReady = "1";
    var listId = box.id + "-mentions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "crm-mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.dataset.mentionLabel || "Colleagues");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "usa-sr-only";
    status.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", listId);
    var state = { people: [], active: -1, start: -1, request: 0 };

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      state.people = [];
      state.active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function show(people) {
      state.people = people;
      state.active = people.length ? 0 : -1;
      list.innerHTML = "";
      people.forEach(function (person, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.dataset.index = String(index);
        option.textContent = person.name + " (@" + person.username + ")";
        list.appendChild(option);
      });
      list.hidden = !people.length;
      status.textContent = people.length
        ? (box.dataset.mentionCount || "%s").replace("%s", people.length)
        : "";
      highlight();
    }

    function highlight() {
      Array.prototype.forEach.call(list.children, function (option, index) {
        option.setAttribute("aria-selected", index === state.active ? "true" : "false");
      });
      if (state.active >= 0) {
        box.setAttribute("aria-activedescendant", listId + "-" + state.active);
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function pick(index) {
      var person = state.people[index];
      if (!person) return;
      var caret = box.selectionStart;
      var before = box.value.slice(0, state.start) + "@" + person.username + " ";
      box.value = before + box.value.slice(caret);
      box.setSelectionRange(before.length, before.length);
      close();
      box.focus();
    }

    box.addEventListener("input", function () {
      var match = MENTION_BEFORE_CARET.exec(box.value.slice(0, box.selectionStart));
      if (!match || !match[2]) {
        close();
        return;
      }
      state.start = box.selectionStart - match[2].length - 1;
      var request = ++state.request;
      fetch(box.dataset.mentionUrl + "?q=" + encodeURIComponent(match[2]), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (request === state.request) show(data.results || []); })
        .catch(close);
    });

    box.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var step = event.key === "ArrowDown" ? 1 : -1;
        state.active = (state.active + step + state.people.length) % state.people.length;
        highlight();
        event.preventDefault();
      } else if (event.key === "Enter" || event.key === "Tab") {
        pick(state.active);
        event.preventDefault();
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        pick(Number(option.dataset.index));
        event.preventDefault();
      }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

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
