// What is wrong with the page as laid out now, for test_browser_layout.py: {scrollWidth,
// innerWidth, wide: the elements past the screen's right edge (when the page is wider than it),
// small: the links and buttons under 44×44 px, cut: the dates over two lines}. `within` is the
// part of the page whose targets count.
(within = "main, header") => {
  const TARGETS = "a[href], button, input[type=submit], input[type=button], input[type=reset], "
    + "summary, [role=button]";
  const blockOf = (el) => {
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) {
      block = block.parentElement;
    }
    return block;
  };
  // A link inside a sentence: shown inline, in a block that has words of its own.
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    const block = blockOf(el);
    if (!block || block === document.body) return false;
    const rest = block.cloneNode(true);
    rest.querySelectorAll(TARGETS).forEach((target) => target.remove());
    return /[\p{L}\p{N}]{2,}/u.test(rest.textContent);
  };
  const describe = (el) => {
    const label = el.innerText || el.value || el.getAttribute("aria-label") || "";
    const text = label.replace(/\s+/g, " ").trim().slice(0, 40);
    const names = typeof el.className === "string" ? el.className.trim().split(/\s+/) : [];
    const classes = names.filter(Boolean).map((name) => "." + name).join("");
    const parent = el.parentElement.tagName.toLowerCase();
    return `${parent} > ${el.tagName.toLowerCase()}${classes} "${text}"`;
  };

  const small = [];
  for (const el of document.querySelectorAll(`:is(${within}) :is(${TARGETS})`)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility({visibilityProperty: true})) continue;
    if ((box.width >= 43.5 || inSentence(el)) && box.height >= 43.5) continue;
    small.push(`${describe(el)} ${Math.round(box.width)}×${Math.round(box.height)} px`);
  }

  const cut = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\d{1,2}\/\d{1,2}\/\d{4}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((rect) => rect.width);
      if (new Set(rects.map((rect) => Math.round(rect.top))).size > 1) {
        cut.push(`"${match[0]}" in ${describe(node.parentElement)}`);
      }
    }
  }

  const root = document.documentElement;
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const past = root.scrollWidth <= window.innerWidth ? [] : [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((el) => el.checkVisibility() && !scrolls(el));
  const wide = past.filter((el) => !past.some((inner) => inner !== el && el.contains(inner)))
    .slice(0, 5)
    .map((el) => `${describe(el)} to ${Math.round(el.getBoundingClientRect().right)} px`);
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide, small, cut};
}
