// Values typed in a report while the network was down wait in this browser (entry.js's queue,
// one localStorage key per user and report) until the report's page sends them. On every page
// of a signed-in user: a note with a link to each report that still has some, and a warning
// before logging out, which would drop them from this browser.
(function () {
  "use strict";
  const script = document.currentScript;
  const prefix = "binhdang.entry." + script.dataset.user + ".";
  const logout = script.dataset.logout;

  function waiting() {
    const found = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (!key || !key.startsWith(prefix)) continue;
      try {
        const queue = JSON.parse(localStorage.getItem(key));
        if (queue.items.length) found.push({ key: key, page: queue.page, title: queue.title, count: queue.items.length });
      } catch (error) { /* unreadable: not ours */ }
    }
    return found;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== logout) return;
    const queues = waiting();
    const count = queues.reduce(function (n, q) { return n + q.count; }, 0);
    if (!count) return;
    if (!navigator.onLine) {
      event.preventDefault();
      window.alert("Đang mất kết nối: chưa đăng xuất được. " + count
        + " ô số liệu chưa gửi vẫn được giữ trên máy này và sẽ được gửi khi có mạng.");
      return;
    }
    const sure = window.confirm("Còn " + count + " ô số liệu chưa gửi lên máy chủ ("
      + queues.map(function (q) { return q.title; }).join("; ") + "). Nếu đăng xuất bây giờ, "
      + "các số liệu này bị xóa khỏi máy này và không được gửi. Vẫn đăng xuất?");
    if (!sure) { event.preventDefault(); return; }
    queues.forEach(function (q) {
      localStorage.removeItem(q.key);
      localStorage.removeItem(q.key.replace("binhdang.entry.", "binhdang.draft."));
    });
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    const entry = document.getElementById("entry");
    const here = entry && entry.dataset.queue;
    const others = waiting().filter(function (q) { return q.key !== here && q.page; });
    const main = document.querySelector("main");
    if (!others.length || !main) return;
    const note = document.createElement("p");
    note.className = "flash flash-warning unsent";
    note.setAttribute("role", "status");
    note.append("Có số liệu nhập khi mất mạng chưa gửi lên máy chủ: ");
    others.forEach(function (q, index) {
      const link = document.createElement("a");
      link.href = q.page;
      link.textContent = q.title + " (" + q.count + " ô)";
      if (index) note.append("; ");
      note.append(link);
    });
    note.append(". Mở báo cáo để gửi.");
    main.prepend(note);
  });
})();
