// The offline page (reports/offline.html), shown by the entry service worker in place of a
// report page the network cannot reach: says how many values typed in this report still wait
// in this browser (entry.js's queue), and reopens the page as soon as the server answers.
(function () {
  "use strict";
  const match = location.pathname.match(/\/submissions\/(\d+)\//);
  let count = 0;
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!match || !key.endsWith("." + match[1])) continue;
    if (key.startsWith("binhdang.draft.")) count += 1; // a cell the tab closed on
    if (!key.startsWith("binhdang.entry.")) continue;
    try { count += JSON.parse(localStorage.getItem(key)).items.length; } catch (error) { /* unreadable: not ours */ }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const note = document.getElementById("offline-pending");
    if (count) {
      note.textContent = "Máy này đang giữ " + count + " ô số liệu chưa gửi của báo cáo này. "
        + "Chúng không mất: khi trang mở lại lúc có mạng, chúng được gửi đi theo thứ tự đã nhập.";
      note.hidden = false;
    }
    document.getElementById("offline-retry").addEventListener("click", function () { location.reload(); });
  });
  // Reopen the page once the server answers: at once when the browser says the network is
  // back, and now and then meanwhile (it can say "online" while nothing answers, or say it a
  // moment before the page's own requests get through).
  let wait = 2000;
  function probe() {
    if (!navigator.onLine) { later(); return; }
    fetch(location.href, { method: "HEAD", cache: "no-store", redirect: "manual" })
      .then(function () { location.reload(); })
      .catch(later);
  }
  function later() {
    setTimeout(probe, wait);
    wait = Math.min(wait * 2, 30000);
  }
  window.addEventListener("online", function () { wait = 2000; probe(); });
  later();
})();
