// A button that prints the page (no inline script: the CSP allows only scripts from the site).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
