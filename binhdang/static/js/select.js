// Worklists: "select all" ticks every shown row that may be chosen, and keeps the count on the
// action button. No inline script: the page's CSP allows only files of this site.
(function () {
  "use strict";

  function boxes(form) {
    return Array.from(form.querySelectorAll("input.pick-one:not([disabled])"));
  }

  function refresh(form) {
    const all = boxes(form);
    const ticked = all.filter(function (b) { return b.checked; }).length;
    const master = form.querySelector("input.select-all");
    if (master) {
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    }
    form.querySelectorAll(".selected-count").forEach(function (el) { el.textContent = ticked; });
  }

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    const form = target.closest("form.urge-select");
    if (!form) return;
    if (target.classList.contains("select-all")) {
      boxes(form).forEach(function (b) { b.checked = target.checked; });
    }
    refresh(form);
  });

  function init() { document.querySelectorAll("form.urge-select").forEach(refresh); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
