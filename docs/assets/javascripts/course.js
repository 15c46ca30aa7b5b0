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
