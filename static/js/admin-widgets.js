// The admin's options table (core/admin_forms.py OptionsWidget): "Add another option" copies
// the last row, empty, with the next number. Works in inline rows added after page load too.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest(".crm-options__add");
  if (!button) return;
  const widget = button.closest(".crm-options");
  const count = widget.querySelector(".crm-options__rows");
  const rows = widget.querySelectorAll(".crm-options__row");
  const last = rows[rows.length - 1];
  const index = parseInt(count.value, 10);
  const row = last.cloneNode(true);
  row.querySelectorAll("input").forEach((input) => {
    input.value = "";
    input.name = input.name.replace(/_(\d+)_([^_]+)$/, `_${index}_$2`);
    const label = input.getAttribute("aria-label");
    if (label) input.setAttribute("aria-label", label.replace(/\d+/, String(index + 1)));
  });
  last.after(row);
  count.value = String(index + 1);
  row.querySelector("input").focus();
});

// An options table shown only for some answer types (data-shown-for-*): its form row is hidden
// while the answer type of the same form (or inline row) is another one.
function crmToggleOptions() {
  document.querySelectorAll(".crm-options[data-shown-for-field]").forEach((widget) => {
    const rowsName = widget.querySelector(".crm-options__rows").name;
    const prefix = rowsName.slice(0, rowsName.lastIndexOf("-") + 1);
    const select = document.querySelector(`[name="${prefix}${widget.dataset.shownForField}"]`);
    if (!select) return;
    const shown = widget.dataset.shownForValues.split(" ").includes(select.value);
    const row = widget.closest(".form-row") || widget;
    row.classList.toggle("hidden", !shown);
  });
}
document.addEventListener("change", crmToggleOptions);
document.addEventListener("DOMContentLoaded", crmToggleOptions);
document.addEventListener("formset:added", crmToggleOptions);
