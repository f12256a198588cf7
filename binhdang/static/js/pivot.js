// The pivot's form (analytics/pivot.html). Without this file it is plain checkboxes, radios and
// selects posted by GET. With it: a filter box over each long list (typing without diacritics
// finds "Tịnh Khê" from "tinh khe"), "choose the shown ones" and "clear", each list's summary kept
// up to date, the unit list shown for the level chosen, and each dimension told whether it is on
// the rows, the columns or a filter. No inline script: the CSP allows only files of this site.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().trim();
  }

  function labels(box) { return Array.from(box.querySelectorAll(".picker-options label")); }
  function ticks(box) { return Array.from(box.querySelectorAll(".picker-options input[type=checkbox]")); }

  // What a list's ticks say, as the server writes it (analytics.forms.pivot.Picker.summary).
  function said(box, none) {
    const all = ticks(box);
    const chosen = all.filter(function (b) { return b.checked; });
    if (!chosen.length) return none;
    if (chosen.length <= 2) {
      return chosen.map(function (b) { return b.parentElement.textContent.trim(); }).join(", ");
    }
    return "đã chọn " + chosen.length + "/" + all.length;
  }

  function summarize(picker) {
    const out = picker.querySelector(".picker-summary");
    if (out) out.textContent = said(picker, out.dataset.none);
    if (picker.hasAttribute("data-levels")) showLevel(picker.closest("form"));
  }

  function filter(input) {
    const box = input.closest("[data-filterable]");
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    labels(box).forEach(function (label) {
      const text = fold(label.textContent);
      const hit = words.every(function (w) { return text.indexOf(w) !== -1; });
      label.hidden = !hit;
      if (hit) shown += 1;
    });
    box.querySelectorAll(".picker-options fieldset").forEach(function (set) {
      set.hidden = !set.querySelector("label:not([hidden])");
    });
    const status = box.querySelector(".picker-status");
    if (status) status.textContent = words.length ? shown + " mục khớp" : "";
  }

  function pick(button) {
    const box = button.closest("[data-filterable]");
    const on = button.dataset.pick === "all";
    labels(box).forEach(function (label) {
      const input = label.querySelector("input");
      if (!on || !label.hidden) input.checked = on;
    });
    summarize(button.closest("[data-picker]"));
  }

  function showLevel(form) {
    const chosen = form.querySelector("input[name=level]:checked");
    const level = chosen ? chosen.value : "province";
    let list = null;
    form.querySelectorAll("[data-level]").forEach(function (part) {
      part.hidden = part.dataset.level !== level;
      if (!part.hidden) list = part;
    });
    const out = form.querySelector(".picker-summary-level");
    if (out && chosen) {
      out.textContent = chosen.parentElement.textContent.trim() +
        (list ? " · " + said(list, list.dataset.none) : "");
    }
  }

  function showRoles(form) {
    const where = {};
    form.querySelectorAll("select[data-axis]").forEach(function (select) {
      if (select.value) where[select.value] = select.name === "row" ? "dòng" : "cột";
    });
    form.querySelectorAll("[data-role-of]").forEach(function (tag) {
      tag.textContent = where[tag.dataset.roleOf] || "bộ lọc, chọn một";
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".picker-filter")) filter(event.target);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in a filter box narrows the list; it does not send the form.
    if (event.key === "Enter" && event.target.matches && event.target.matches(".picker-filter")) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-pick]");
    if (button) pick(button);
  });
  document.addEventListener("change", function (event) {
    const target = event.target;
    const form = target.closest && target.closest("#pivot-form");
    if (!form) return;
    const picker = target.closest("[data-picker]");
    if (picker) summarize(picker);
    if (target.name === "level") showLevel(form);
    if (target.matches("select[data-axis]")) showRoles(form);
  });

  // An empty "—" place is left out of the address (a shorter link to bookmark and share).
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "pivot-form") return;
    event.target.querySelectorAll("select[data-axis]").forEach(function (select) {
      select.disabled = !select.value;
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("#pivot-form select[data-axis]").forEach(function (select) {
      select.disabled = false;
    });
  });

  function init() {
    const form = document.getElementById("pivot-form");
    if (!form) return;
    form.querySelectorAll(".picker-filter, .picker-tools").forEach(function (el) { el.hidden = false; });
    showLevel(form);
    showRoles(form);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
