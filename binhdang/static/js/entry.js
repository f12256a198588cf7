// Keyboard moves in the data-entry grid: Enter/↓ down, ↑ up, ←/→ at the edge of the text,
// F2 opens the cell's note panel. Tab and Shift+Tab are the browser's own.
(function () {
  "use strict";

  function grid() {
    const rows = [];
    document.querySelectorAll("table.entry tbody tr").forEach(function (tr) {
      const inputs = Array.from(tr.querySelectorAll("input.cell-input:not([disabled])"));
      if (inputs.length) rows.push(inputs);
    });
    return rows;
  }

  function locate(rows, input) {
    for (let r = 0; r < rows.length; r++) {
      const c = rows[r].indexOf(input);
      if (c !== -1) return [r, c];
    }
    return null;
  }

  function move(rows, r, c, dr, dc) {
    if (dc) {
      const flat = rows.flat();
      const index = flat.indexOf(rows[r][c]) + dc;
      return flat[index] || null;
    }
    const target = rows[r + dr];
    return target ? target[Math.min(c, target.length - 1)] : null;
  }

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("cell-input")) return;
    if (event.key === "F2") {
      const more = input.parentElement.querySelector("a.cell-more");
      if (more) { event.preventDefault(); more.click(); }
      return;
    }
    const rows = grid();
    const at = locate(rows, input);
    if (!at) return;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    let target = null;
    if (event.key === "Enter" || event.key === "ArrowDown") target = move(rows, at[0], at[1], 1, 0);
    else if (event.key === "ArrowUp") target = move(rows, at[0], at[1], -1, 0);
    else if (event.key === "ArrowRight" && atEnd) target = move(rows, at[0], at[1], 0, 1);
    else if (event.key === "ArrowLeft" && atStart) target = move(rows, at[0], at[1], 0, -1);
    else return;
    event.preventDefault();
    if (target) { target.focus(); target.select(); }
  });
})();
