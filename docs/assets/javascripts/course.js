// Render math with the site's own KaTeX, and keep the section when switching language.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: true,
  });
});

// The language selector links to the same page in the other language;
// carry the current #section along so the reader stays where they were.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[hreflang]");
  if (link && window.location.hash && !link.hash) {
    link.hash = window.location.hash;
  }
}, true);

// One search index serves both languages (mkdocs-static-i18n merges them);
// show only the results in the language of the page being read.
(() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), window.location.href).pathname;
  const english = (href) => new URL(href, window.location.href).pathname.startsWith(base + "en/");
  const reading = document.documentElement.lang.startsWith("en");
  const translate = (key, count) => (config.translations[key] || "").replace("#", count);

  const filter = () => {
    const list = document.querySelector(".md-search-result__list");
    const meta = document.querySelector(".md-search-result__meta");
    if (!list || !meta) return;
    let shown = 0;
    for (const item of list.querySelectorAll(":scope > .md-search-result__item")) {
      const link = item.querySelector("a");
      const keep = !link || english(link.getAttribute("href")) === reading;
      item.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    const text = shown === 0 ? translate("search.result.none")
      : shown === 1 ? translate("search.result.one") : translate("search.result.other", shown);
    if (list.children.length && meta.textContent !== text) meta.textContent = text;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const results = document.querySelector(".md-search-result");
    if (results) new MutationObserver(filter).observe(results, { childList: true, subtree: true });
  });
})();
