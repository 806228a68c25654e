/* The status and confirmation pages: a "Print this page" button (CSP: loaded from a file).
 * Hidden without JavaScript, where the browser's own print command does the same. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  Array.prototype.forEach.call(buttons, function (button) {
    var item = button.closest("[data-print-item]");
    if (item) {
      item.hidden = false;
    }
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
