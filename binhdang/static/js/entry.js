// The data-entry page (reports/submission.html).
//
// Keyboard: Enter/↓ down, ↑ up, ←/→ at the edge of the text, F2 opens the cell's note panel,
// Escape closes it; on a phone (the vertical form) Enter, the keyboard's "Next", goes to the next
// cell. Tab and Shift+Tab are the browser's own.
//
// Saving: every cell and answer goes to the server through a queue kept in this browser
// (localStorage, one key per user and report), so that nothing typed is lost when the network
// drops. A value waits there, marked "chưa gửi", until the server has answered for it; the
// queue is sent in the order the values were typed, one request at a time, as soon as the
// server answers again, also after the tab was closed and opened again. Each value carries the
// version it was typed over: the server refuses it if someone else saved the cell meanwhile, and
// the cell then shows both values for the user to choose (reports/_cell.html), never overwriting.
(function () {
  "use strict";

  const phone = window.matchMedia("(max-width: 700px)");

  // ---- keyboard moves ----------------------------------------------------------------------

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
      return flat[flat.indexOf(rows[r][c]) + dc] || null;
    }
    const target = rows[r + dr];
    return target ? target[Math.min(c, target.length - 1)] : null;
  }

  function closePanel() {
    const panel = document.getElementById("cell-panel");
    if (!panel || !panel.firstElementChild) return;
    const cell = panel.dataset.cell && document.getElementById(panel.dataset.cell);
    const empty = document.createElement("div");
    empty.id = "cell-panel";
    panel.replaceWith(empty);
    const input = cell && cell.querySelector("input.cell-input");
    if (input) input.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closePanel(); return; }
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
    if (event.key === "Enter" && phone.matches) target = move(rows, at[0], at[1], 0, 1);
    else if (event.key === "Enter" || event.key === "ArrowDown") target = move(rows, at[0], at[1], 1, 0);
    else if (event.key === "ArrowUp") target = move(rows, at[0], at[1], -1, 0);
    else if (event.key === "ArrowRight" && atEnd) target = move(rows, at[0], at[1], 0, 1);
    else if (event.key === "ArrowLeft" && atStart) target = move(rows, at[0], at[1], 0, -1);
    else return;
    event.preventDefault();
    if (target) { target.focus(); target.select(); }
    else if (event.key === "Enter") input.blur(); // the last cell: done, the phone's keyboard closes
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest(".cell-panel-close")) closePanel();
  });

  // The "Lấy số liệu…" panels start closed (a phone sees the form first); a wide screen opens them.
  if (!phone.matches) document.querySelectorAll("details.prefill").forEach(function (d) { d.open = true; });

  // ---- the queue -----------------------------------------------------------------------------

  const root = document.getElementById("entry");
  if (!root || !root.dataset.queue) return; // nothing to edit here
  const KEY = root.dataset.queue;
  const DRAFT = KEY.replace("binhdang.entry.", "binhdang.draft.");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const FIELD = "[data-vals]";
  let sending = null; // the id of the item on its way to the server
  let online = navigator.onLine;
  let problem = ""; // what the server said when it refused to take the queue
  let delay = 2000;
  let timer = null;
  let replacing = false;
  let hint = ""; // what the page cannot do without the network, once the user tried

  function load() {
    let queue = null;
    try { queue = JSON.parse(localStorage.getItem(KEY)); } catch (error) { queue = null; }
    return queue && Array.isArray(queue.items) ? queue : { items: [], seq: 0 };
  }

  function store(queue) {
    if (!queue.items.length) { localStorage.removeItem(KEY); return; }
    queue.page = location.pathname;
    queue.title = root.dataset.title;
    try { localStorage.setItem(KEY, JSON.stringify(queue)); }
    catch (error) { problem = "Trình duyệt không còn chỗ lưu số liệu chưa gửi: hãy giữ trang này mở cho đến khi có mạng."; }
  }

  function slotOf(element) { return element.closest("td.cell, div.answer"); }

  function fieldOf(slot) {
    const element = document.getElementById(slot);
    return element && element.querySelector(FIELD);
  }

  function fromField(field) {
    const fields = JSON.parse(field.dataset.vals);
    fields[field.name] = field.value;
    fields.version = field.dataset.version || "0";
    return { slot: slotOf(field).id, url: field.closest("[data-save]").dataset.save, fields: fields };
  }

  function fromPanel(form) {
    const fields = {};
    new FormData(form).forEach(function (value, name) { if (name !== "editor") fields[name] = value; });
    const panel = form.closest("#cell-panel");
    return { slot: panel.dataset.cell, url: form.getAttribute("hx-post"), fields: fields };
  }

  // Put what a cell now holds at the end of the queue, in place of what still waited for it.
  // The version it goes with is the one its value was typed over: `version` when the user chose
  // (a conflict), else what the waiting value started from, else what the value being sent
  // started from (renewed when its answer comes), else the page's.
  function put(entry, version) {
    const queue = load();
    const flying = queue.items.find(function (i) { return i.id === sending && i.slot === entry.slot; });
    const waiting = queue.items.filter(function (i) { return i.slot === entry.slot && i.id !== sending; });
    const earlier = waiting.find(function (i) { return i.state !== "conflict"; });
    const base = earlier || flying;
    entry.fields.version = version || (base ? base.fields.version : entry.fields.version);
    if (earlier && "comment" in earlier.fields && !("comment" in entry.fields)) {
      entry.fields.comment = earlier.fields.comment; // a note typed in the panel stays
      if (earlier.fields.no_data && !entry.fields.value) entry.fields.no_data = earlier.fields.no_data;
    }
    queue.items = queue.items.filter(function (i) { return !waiting.includes(i); });
    queue.seq = (queue.seq || 0) + 1;
    queue.items.push(Object.assign(entry, { id: queue.seq, state: "ready", at: Date.now() }));
    store(queue);
  }

  function commit(field) {
    put(fromField(field));
    localStorage.removeItem(DRAFT);
    field.defaultValue = field.value;
    mark();
    flush();
  }

  function draft() {
    try { return JSON.parse(localStorage.getItem(DRAFT)); } catch (error) { return null; }
  }

  // The cell being typed is kept at each key, apart from the queue (it is not sent before the
  // user leaves it): a tab closed in mid-cell loses nothing.
  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!field.matches || !field.matches("#entry " + FIELD)) return;
    try { localStorage.setItem(DRAFT, JSON.stringify(fromField(field))); } catch (error) { /* full */ }
  });

  document.addEventListener("focusout", function (event) {
    const field = event.target;
    if (replacing || !field.matches || !field.matches("#entry " + FIELD)) return;
    const typed = draft();
    if (field.value !== field.defaultValue || (typed && typed.slot === slotOf(field).id)) commit(field);
  });

  // The note panel saves itself through htmx while the queue is empty and the network is there;
  // otherwise (and when its request finds no network) its fields join the queue.
  function queuePanel(form) {
    const entry = fromPanel(form);
    put(entry);
    const field = fieldOf(entry.slot);
    if (field) { field.value = field.defaultValue = entry.fields.value || ""; }
    closePanel();
    mark();
    flush();
  }

  document.body.addEventListener("htmx:confirm", function (event) {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.closest("#cell-panel")) return;
    const waiting = load().items.some(function (i) { return i.state === "ready"; });
    if (online && !waiting) return;
    event.preventDefault();
    queuePanel(form);
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    const elt = event.detail.elt;
    online = false;
    if (elt instanceof HTMLFormElement && elt.closest("#cell-panel")) queuePanel(elt);
    else if (elt.matches && elt.matches("a.cell-more")) { hint = "ghi chú của ô chỉ mở được khi có mạng"; mark(); }
  });

  document.body.addEventListener("htmx:afterSettle", function () { mark(); });

  // ---- sending ------------------------------------------------------------------------------

  // The service worker (static files from a cache, an offline page for a report page the network
  // cannot reach) is installed once the user has entered a value, while the server answers: a
  // page only looked at fetches nothing more.
  let registered = false;
  function register() {
    if (registered || !("serviceWorker" in navigator) || !root.dataset.sw) return;
    registered = true;
    if (navigator.serviceWorker.controller) return; // installed on an earlier visit
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope })
      .catch(function () { registered = false; });
  }

  function post(item) {
    const controller = new AbortController();
    const timeout = setTimeout(function () { controller.abort(); }, 20000);
    return fetch(item.url, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
      credentials: "same-origin",
      redirect: "manual", // an ended session answers with the login page: not a save
      signal: controller.signal,
    }).then(function (response) {
      if (!response.ok) return { status: response.status || 401 };
      return response.text().then(function (html) { return { status: 200, html: html }; });
    }).finally(function () { clearTimeout(timeout); });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(flush, delay);
    delay = Math.min(delay * 2, 60000);
  }

  async function flush() {
    if (sending !== null) return;
    for (;;) {
      const item = load().items.find(function (i) { return i.state === "ready"; });
      if (!item) break;
      if (!navigator.onLine) { online = false; break; } // the "online" event sends it
      sending = item.id;
      let answer;
      try {
        answer = await post(item);
      } catch (error) {
        answer = null; // no network, or no answer in time: the value waits
      }
      sending = null;
      if (!answer) { online = false; later(); break; }
      online = true;
      if (answer.status !== 200) {
        problem = answer.status === 401 || answer.status === 403
          ? "Phiên đăng nhập đã hết hoặc đã đổi: tải lại trang (đăng nhập lại nếu được hỏi) để gửi."
          : "Máy chủ chưa nhận (lỗi " + answer.status + "); sẽ thử lại.";
        later();
        break;
      }
      problem = "";
      delay = 2000;
      settle(item, answer.html);
      register();
      mark();
    }
    mark();
  }

  // The server's answer replaces the cell (and its row total), as htmx would have swapped it.
  function settle(item, html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = template.content.getElementById(item.slot);
    const queue = load();
    if (!fresh) {
      queue.items = queue.items.filter(function (i) { return i.id !== item.id; });
      store(queue);
      return;
    }
    const old = document.getElementById(item.slot);
    const focused = old && old.contains(document.activeElement) ? document.activeElement : null;
    Array.from(template.content.children).forEach(function (element) {
      const current = element !== fresh && element.id && document.getElementById(element.id);
      if (current) current.replaceWith(element);
    });
    replacing = true;
    if (old) { old.replaceWith(fresh); if (window.htmx) window.htmx.process(fresh); }
    replacing = false;
    const field = fresh.querySelector(FIELD);
    const others = queue.items.filter(function (i) { return i.slot === item.slot && i.id !== item.id; });
    if (fresh.dataset.outcome === "conflict" && !others.length) {
      item.state = "conflict"; // kept until the user chooses (and across a reload)
      queue.items = queue.items.map(function (i) { return i.id === item.id ? item : i; });
    } else {
      queue.items = queue.items.filter(function (i) { return i.id !== item.id; });
      if (!fresh.dataset.outcome && field) {
        others.forEach(function (i) { i.fields.version = field.dataset.version; });
      }
    }
    store(queue);
    const next = others[others.length - 1];
    if (field && next) { field.value = next.fields[field.name]; field.defaultValue = field.value; }
    if (field && focused) {
      field.focus();
      if (focused.value !== field.value) field.value = focused.value;
    }
  }

  // The user's choice in a conflict: their value again, over the version now stored, or the
  // stored one (nothing to send).
  document.addEventListener("click", function (event) {
    const button = event.target.closest(".cell-choice");
    if (!button) return;
    const slot = slotOf(button);
    const field = slot.querySelector(FIELD);
    const queue = load();
    const item = queue.items.find(function (i) { return i.slot === slot.id; });
    if (button.dataset.choice === "mine") {
      const entry = item ? { slot: item.slot, url: item.url, fields: item.fields } : fromField(field);
      put(entry, field.dataset.version);
      flush();
    } else {
      queue.items = queue.items.filter(function (i) { return i.slot !== slot.id; });
      store(queue);
      field.value = field.defaultValue = button.dataset.value;
      field.removeAttribute("aria-invalid");
      slot.classList.remove("conflict");
      delete slot.dataset.outcome;
      button.closest(".cell-conflict").remove();
      field.focus();
    }
    mark();
  });

  // ---- what the page shows ---------------------------------------------------------------------

  const progress = document.getElementById("entry-progress");
  const network = document.getElementById("entry-network");

  // A value the server takes at once is not marked (no flicker at every cell): it is marked
  // "chưa gửi" when the network is down or the server has not taken it within a moment.
  const MOMENT = 1500;
  let remark = null;

  function mark() {
    const items = load().items;
    const now = Date.now();
    const ready = items.filter(function (i) { return i.state === "ready"; });
    const late = ready.filter(function (i) { return !online || problem || now - i.at >= MOMENT; });
    if (late.length < ready.length && !remark) {
      remark = setTimeout(function () { remark = null; mark(); }, MOMENT);
    }
    const waiting = new Set(late.map(function (i) { return i.slot; }));
    root.querySelectorAll(".pending").forEach(function (slot) {
      if (waiting.has(slot.id)) return;
      slot.classList.remove("pending");
      const note = slot.querySelector(".pending-msg");
      if (note) note.remove();
    });
    waiting.forEach(function (id) {
      const slot = document.getElementById(id);
      if (!slot || slot.classList.contains("pending")) return;
      slot.classList.add("pending");
      const note = document.createElement("small");
      note.className = "cell-msg pending-msg";
      note.textContent = "chưa gửi";
      const field = slot.querySelector(FIELD);
      (field.nextElementSibling && field.nextElementSibling.matches("a.cell-more") ? field.nextElementSibling : field).after(note);
    });
    totals();
    count(waiting.size, items.filter(function (i) { return i.state === "conflict"; }).length);
    root.dataset.waiting = String(ready.length); // what the server has not answered yet
  }

  const VI = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 6 }); // 1.234,5

  function number(text) {
    const plain = text.trim().replace(/\./g, "").replace(",", ".");
    return /^\d+(\.\d+)?$/.test(plain) ? Number(plain) : null;
  }

  // A row with values still waiting shows the total they will make (the server's comes back
  // with each saved cell).
  function totals() {
    const rows = new Set();
    root.querySelectorAll("td.total[data-stored], td.cell.pending").forEach(function (td) { rows.add(td.parentElement); });
    rows.forEach(function (row) {
      const total = row.querySelector("td.total");
      if (!total) return;
      if (!row.querySelector("td.cell.pending")) {
        if (total.dataset.stored !== undefined) {
          total.textContent = total.dataset.stored;
          delete total.dataset.stored;
          total.classList.remove("pending-total");
          total.removeAttribute("title");
        }
        return;
      }
      if (total.dataset.stored === undefined) total.dataset.stored = total.textContent;
      let sum = null;
      row.querySelectorAll("input.cell-input").forEach(function (input) {
        const value = number(input.value);
        if (value !== null) sum = (sum || 0) + value;
      });
      const shown = sum === null ? "" : VI.format(sum);
      if (total.textContent !== shown) total.textContent = shown;
      if (!total.classList.contains("pending-total")) {
        total.classList.add("pending-total");
        total.title = "Tính cả số chưa gửi";
      }
    });
  }

  function count(pending, conflicts) {
    if (progress) {
      let filled = 0;
      const cells = root.querySelectorAll("td.cell");
      cells.forEach(function (cell) {
        const input = cell.querySelector("input");
        if (cell.classList.contains("nodata") || cell.hasAttribute("data-filled") || (input && input.value.trim())) filled++;
      });
      const text = filled + "/" + cells.length + " ô đã nhập";
      if (progress.textContent !== text) progress.textContent = text;
    }
    const parts = [];
    if (pending) {
      parts.push(online
        ? "đang gửi " + pending + " ô…"
        : "mất kết nối: " + pending + " ô chưa gửi, được giữ trên máy này và tự gửi khi có mạng");
    }
    if (conflicts) parts.push(conflicts + " ô cần chọn giá trị giữ lại");
    if (problem && pending) parts.push(problem);
    if (hint && !online) parts.push(hint);
    const said = parts.length ? " · " + parts.join(" · ") : "";
    if (network && network.textContent !== said) network.textContent = said;
    root.classList.toggle("offline", !online && pending > 0);
  }

  window.addEventListener("online", function () { online = true; hint = ""; delay = 2000; flush(); });
  window.addEventListener("offline", function () { online = false; mark(); });

  // ---- start: what an earlier visit left waits in the cells, then goes out --------------------

  const typed = draft();
  if (typed) { put(typed); localStorage.removeItem(DRAFT); } // the tab closed in mid-cell
  const start = load();
  start.items.forEach(function (item) {
    item.state = "ready"; // a conflict is shown again by sending it again
    const field = fieldOf(item.slot);
    if (field) { field.value = item.fields[field.name] || ""; field.defaultValue = field.value; }
  });
  store(start);
  mark();
  flush();

})();
