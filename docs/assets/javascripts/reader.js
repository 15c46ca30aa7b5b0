// Diagrams: mermaid (its ES module build, vendored) is loaded from the site itself, and only
// on pages that have a diagram (a ```mermaid fence becomes <div class="mermaid">SOURCE</div>);
// it fetches just the chunks those diagrams need. Each diagram is drawn into
// an open shadow root of its div with a theme matching the colour scheme, and drawn again
// when the reader toggles the scheme. Checked by tests/test_reader.py.
(() => {
  const diagrams = [...document.querySelectorAll("div.mermaid")];
  if (!diagrams.length) return;
  for (const diagram of diagrams) diagram.dataset.source = diagram.textContent;

  const config = JSON.parse(document.getElementById("__config").textContent);
  const base = new URL(config.base.replace(/\/?$/, "/"), window.location.href);
  const scheme = () => document.body.getAttribute("data-md-color-scheme") || "default";

  // Colours per scheme; labels stay at 4.5:1 or more against what is behind them.
  const THEMES = {
    default: {
      background: "#ffffff", primaryColor: "#fff3e0", primaryBorderColor: "#bf360c",
      primaryTextColor: "#1a1a1a", lineColor: "#5c5c5c", textColor: "#1a1a1a",
      secondaryColor: "#f5f5f5", tertiaryColor: "#fafafa", clusterBkg: "#fafafa",
      clusterBorder: "#9e9e9e", edgeLabelBackground: "#ffffff", titleColor: "#1a1a1a",
    },
    slate: {
      background: "#1e2129", primaryColor: "#3a2a22", primaryBorderColor: "#ff9e80",
      primaryTextColor: "#f0f0f0", lineColor: "#b0b0b0", textColor: "#f0f0f0",
      secondaryColor: "#2e303a", tertiaryColor: "#262833", clusterBkg: "#262833",
      clusterBorder: "#8a8a8a", edgeLabelBackground: "#1e2129", titleColor: "#f0f0f0",
    },
  };

  const MIN_SCALE = 0.7;  // 16 px labels show at 11 px or more
  let drawing = Promise.resolve();
  let generation = 0;
  const draw = () => {
    const current = scheme();
    const id = ++generation;
    drawing = drawing.catch(() => {}).then(async () => {  // a failed round was reported already
      const mermaid = await loading;
      mermaid.initialize({
        startOnLoad: false,
        securityLevel: "strict",
        theme: "base",
        themeVariables: { ...THEMES[current === "slate" ? "slate" : "default"], fontSize: "16px" },
        flowchart: { useMaxWidth: true },
      });
      for (const [index, diagram] of diagrams.entries()) {
        if (id !== generation) return;  // the scheme changed again: the next round draws
        const { svg, bindFunctions } = await mermaid.render(
          `course-diagram-${index}-${id}`, diagram.dataset.source);
        const root = diagram.shadowRoot || diagram.attachShadow({ mode: "open" });
        root.innerHTML = svg;
        bindFunctions?.(root);
        // never shrink the labels under MIN_SCALE of their size: scroll sideways instead
        const drawn = root.querySelector("svg");
        drawn.style.minWidth = `${Math.ceil(drawn.viewBox.baseVal.width * MIN_SCALE)}px`;
        diagram.dataset.scheme = current;
        diagram.dataset.drawn = "";
      }
    });
    return drawing;
  };

  const loading = import(new URL("assets/vendor/mermaid/mermaid.esm.min.mjs", base).href)
    .then((module) => module.default);
  draw();
  new MutationObserver(() => {
    if (diagrams.some((d) => d.dataset.scheme !== scheme())) draw();
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
})();
