// Layout for every page (css/layout.css). The header's menu (base.html): below 900 px the menu folds behind the bar's
// button and its groups are open; wider, it is open and each group is a dropdown. The markup works
// without this file (the menu open, each group a details to open); base.html loads it right after
// the header, before the page is drawn, so a phone never shows the menu open. No inline script:
// the page's CSP allows only files of this site.
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 900px)");

  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function lay() {
    all(".topbar details.fold").forEach(function (d) { d.open = wide.matches; });
    all(".topbar details.me").forEach(function (d) { d.open = false; });
    all(".topbar details.menu-group").forEach(function (d) { d.open = !wide.matches; });
  }

  lay();
  wide.addEventListener("change", lay);

  // What opens over the page: the dropdowns on a desktop, the menu on a phone; the account on both.
  function popups() {
    return all(wide.matches ? ".topbar .menu-group, .topbar .me" : ".topbar .fold, .topbar .me");
  }

  // One open at a time.
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open) return;
    var open = popups();
    if (open.indexOf(opened) < 0) return;
    open.forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);

  // Escape closes what is open and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    popups().forEach(function (d) {
      if (!d.open) return;
      d.open = false;
      d.querySelector("summary").focus();
    });
  });

  // A list read row by row (table.cards) is a card per row on a phone: each cell says its column,
  // from the table's header (the cell's own data-label wins). Again after an htmx swap.
  function label() {
    all("main table.cards").forEach(function (table) {
      var names = [];
      table.querySelectorAll("thead th").forEach(function (th) { names.push(th.textContent.trim()); });
      table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (cell.colSpan === 1 && names[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", label);
  document.addEventListener("htmx:afterSettle", label);
})();
