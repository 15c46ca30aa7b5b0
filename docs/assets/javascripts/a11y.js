// Accessibility fixes for what the theme renders (found by axe, see tests/test_browser.py).
(() => {
  const zh = () => (document.documentElement.lang || "").startsWith("zh");

  function fix(root) {
    // The search dialog needs a name.
    for (const dialog of root.querySelectorAll(".md-search[role=dialog]:not([aria-label])")) {
      dialog.setAttribute("aria-label", zh() ? "搜索" : "Search");
    }
    // Code annotation markers show their number with CSS only: give them a name.
    for (const link of root.querySelectorAll("a[href*='_annotation_']:not([aria-label])")) {
      const number = link.getAttribute("href").split("_").pop();
      link.setAttribute("aria-label", zh() ? `注释 ${number}` : `Annotation ${number}`);
    }
    // Each code block's navigation (copy button) is a landmark: name it after its block.
    for (const nav of root.querySelectorAll(".md-code__nav:not([aria-label])")) {
      const block = nav.closest("[id]");
      const id = block ? block.id.replace(/^__code_/, "") : "";
      nav.setAttribute("aria-label", (zh() ? "代码块 " : "Code block ") + (Number(id) + 1 || ""));
    }
    // Regions that scroll (wide tables, notebook code) must be reachable with the keyboard.
    for (const region of root.querySelectorAll(
      ".md-typeset__scrollwrap, .jupyter-wrapper .highlight-ipynb, .jupyter-wrapper pre"
    )) {
      if (!region.hasAttribute("tabindex") &&
          (region.scrollWidth > region.clientWidth || region.scrollHeight > region.clientHeight)) {
        region.tabIndex = 0;
      }
    }
  }

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; fix(document); });
  };
  new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", schedule);
  schedule();
})();
