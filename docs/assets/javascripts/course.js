// Render math with the site's own KaTeX, loaded only on pages that have math (pymdownx
// arithmatex marks each formula; notebook pages may have $...$ in their text): 273 kB of
// script and styles that the other pages do not fetch.
const MATH = ".arithmatex, .jupyter-wrapper";
let katexLoading = null;
const loadKatex = () => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), window.location.href);
  const vendor = (name) => new URL(`assets/vendor/katex/${name}`, base).href;
  const load = (element, url) => new Promise((resolve, reject) => {
    element.addEventListener("load", resolve);
    element.addEventListener("error", () => reject(new Error(`could not load ${url}`)));
    document.head.append(element);
  });
  const script = (name) => {
    const element = document.createElement("script");
    element.src = vendor(name);
    return load(element, element.src);
  };
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = vendor("katex.min.css");
  return Promise.all([load(style, style.href), script("katex.min.js").then(() => script("auto-render.min.js"))]);
};

document$.subscribe(({ body }) => {
  if (!body.querySelector(MATH)) return;
  katexLoading = katexLoading || loadKatex();
  katexLoading.then(() => renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: true,
  })).catch((error) => console.error(`math: ${error.message}`));
});

// The language selector links to the same page in the other language;
// carry the current #section along so the reader stays where they were.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[hreflang]");
  if (link && window.location.hash && !link.hash) {
    link.hash = window.location.hash;
  }
}, true);
