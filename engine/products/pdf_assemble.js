// The print document of one language, assembled by engine/products/pdf.py in a blank page of the
// site's own origin: the home page, every lecture in the site's navigation order, then the
// other pages; math rendered with KaTeX and diagrams with mermaid, as the site does in the
// browser. Returns {pages, problems}; the caller refuses to print when problems is not empty.
async ({ home, siteRoot, vendor, labels, built }) => {
  const problems = [];

  const fetchDocument = async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return new DOMParser().parseFromString(await response.text(), "text/html");
  };
  const waitFor = (element, what) => new Promise((resolve, reject) => {
    element.addEventListener("load", resolve);
    element.addEventListener("error", () => reject(new Error(`could not load ${what}`)));
  });
  const addScript = (src) => {
    const script = document.createElement("script");
    script.src = src;
    const loaded = waitFor(script, src);
    document.head.append(script);
    return loaded;
  };
  const addStylesheet = (href) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    const loaded = waitFor(link, href);
    document.head.append(link);
    return loaded;
  };
  // A page's address without fragment, as the site links it ("/lecture03-x/").
  const pageKey = (url) => {
    const u = new URL(url);
    return u.origin + u.pathname.replace(/index\.html$/, "");
  };

  const homeDocument = await fetchDocument(home);
  const rootDocument = await fetchDocument(siteRoot);
  const canonical = rootDocument.querySelector('link[rel="canonical"]');
  const publicRoot = canonical ? canonical.href : null;

  // Look: the site's own stylesheets and colour attributes, the light scheme.
  document.documentElement.lang = homeDocument.documentElement.lang;
  for (const attribute of homeDocument.body.attributes) document.body.setAttribute(attribute.name, attribute.value);
  document.body.setAttribute("data-md-color-scheme", "default");
  const stylesheets = [...homeDocument.querySelectorAll('link[rel="stylesheet"]')]
    .map((link) => new URL(link.getAttribute("href"), home).href);
  if (!stylesheets.includes(vendor.katexCss)) stylesheets.push(vendor.katexCss);
  await Promise.all(stylesheets.map(addStylesheet));
  await addScript(vendor.katex);
  await addScript(vendor.autoRender);
  const { default: mermaid } = await import(vendor.mermaid);

  // Pages: the home page, the lectures in navigation order, then the other pages.
  const navigation = [...homeDocument.querySelectorAll("nav.md-nav--primary a.md-nav__link[href]")]
    .map((a) => pageKey(new URL(a.getAttribute("href"), home).href));
  const ordered = [...new Set([pageKey(home), ...navigation])].filter((url) => url.startsWith(pageKey(home)));
  const isLecture = (url) => /\/lecture\d+[^/]*\/$/.test(new URL(url).pathname);
  const urls = [ordered[0], ...ordered.filter(isLecture), ...ordered.slice(1).filter((url) => !isLecture(url))];
  if (!urls.some(isLecture)) throw new Error(`no lecture page in the navigation of ${home}`);
  const slugOf = new Map(urls.map((url, i) => [url, `p${i}`]));

  const cover = document.createElement("section");
  cover.className = "pdf-cover md-typeset";
  const title = homeDocument.querySelector("h1")?.textContent.replace("¶", "").trim() || document.title;
  const description = homeDocument.querySelector('meta[name="description"]')?.content || "";
  cover.innerHTML = '<p class="pdf-cover__title"></p><p class="pdf-cover__description"></p><p class="pdf-cover__meta"></p>';
  cover.children[0].textContent = title;
  cover.children[1].textContent = description;
  cover.children[2].textContent = `${labels.built} ${built}`;
  if (publicRoot) {
    const online = new URL(pageKey(home).slice(pageKey(siteRoot).length), publicRoot).href;
    const line = document.createElement("p");
    line.className = "pdf-cover__meta";
    line.append(`${labels.online} `);
    const link = document.createElement("a");
    link.href = online;
    link.textContent = online;
    line.append(link);
    cover.append(line);
  }
  document.title = title;
  document.body.append(cover);

  const toc = document.createElement("nav");
  toc.className = "pdf-toc md-typeset";
  toc.innerHTML = "<h1></h1><ol></ol>";
  toc.querySelector("h1").textContent = labels.contents;
  document.body.append(toc);

  const pages = [];
  for (const url of urls) {
    const source = await fetchDocument(url);
    const article = source.querySelector("article.md-content__inner");
    if (!article) throw new Error(`${url}: no <article class="md-content__inner">`);
    const slug = slugOf.get(url);
    const section = document.createElement("article");
    section.className = "pdf-page md-typeset";
    section.id = slug;
    section.append(...[...article.childNodes].map((node) => document.importNode(node, true)));

    for (const element of section.querySelectorAll(".headerlink, script, .md-content__button, a[href^='#__codelineno']")) {
      element.remove();
    }
    for (const element of section.querySelectorAll("[id]")) element.id = `${slug}--${element.id}`;
    for (const element of section.querySelectorAll("[name]")) {
      if (element.tagName === "A") element.removeAttribute("name");
    }
    for (const element of section.querySelectorAll("details")) element.open = true;
    // Code annotations: "# (1)!" becomes "# (1)", the number of its note under the code.
    for (const comment of section.querySelectorAll("pre code .c1")) {
      comment.textContent = comment.textContent.replace(/^(#\s*\(\d+\))!$/, "$1");
    }
    for (const image of section.querySelectorAll("img")) {
      image.src = new URL(image.getAttribute("src"), url).href;
      image.removeAttribute("loading");
    }
    for (const element of section.querySelectorAll("[srcset]")) {
      element.srcset = element.getAttribute("srcset").split(",").map((candidate) => {
        const [address, ...size] = candidate.trim().split(/\s+/);
        return [new URL(address, url).href, ...size].join(" ");
      }).join(", ");
    }
    for (const link of section.querySelectorAll("a[href]")) {
      const target = new URL(link.getAttribute("href"), url);
      if (target.origin !== location.origin) continue; // another site: kept as it is
      const targetSlug = slugOf.get(pageKey(target.href));
      if (targetSlug) {
        const fragment = decodeURIComponent(target.hash.slice(1));
        link.setAttribute("href", fragment ? `#${targetSlug}--${fragment}` : `#${targetSlug}`);
      } else if (publicRoot) {
        // A page or file of the site that is not in the PDF: its published address.
        const path = target.pathname.slice(new URL(siteRoot).pathname.length);
        link.setAttribute("href", new URL(path + target.search + target.hash, publicRoot).href);
      } else {
        // No published address (a build without a repository, engine/core/address.py): the text stays,
        // the link is left out rather than pointing at a local server.
        link.replaceWith(...link.childNodes);
      }
    }
    document.body.append(section);

    const heading = section.querySelector("h1");
    const pageTitle = heading ? heading.textContent.trim() : source.title;
    pages.push({ url, title: pageTitle, lecture: isLecture(url) });
    // The page numbers are filled in after a first print (engine/products/pdf.py).
    const entry = document.createElement("li");
    entry.innerHTML = '<a></a><span class="pdf-toc__leader"></span><span class="pdf-toc__page"></span>';
    entry.firstChild.href = `#${slug}`;
    entry.firstChild.textContent = pageTitle;
    entry.lastChild.dataset.target = slug;
    toc.querySelector("ol").append(entry);
  }

  await document.fonts.ready;

  // Math: arithmatex (generic) wraps every formula in .arithmatex with \( \) or \[ \].
  for (const element of document.querySelectorAll(".arithmatex")) {
    renderMathInElement(element, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: true,
      errorCallback: (message, error) => problems.push(`KaTeX: ${message} ${error}`),
    });
    if (!element.querySelector(".katex")) problems.push(`formula not rendered: ${element.textContent.slice(0, 80)}`);
  }

  // Diagrams: each mermaid block replaced by its SVG, one at a time.
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "default",
    fontFamily: getComputedStyle(document.querySelector(".md-typeset")).fontFamily,
  });
  let diagrams = 0;
  for (const block of document.querySelectorAll("pre.mermaid, div.mermaid")) {
    diagrams += 1;
    try {
      const { svg } = await mermaid.render(`pdf-mermaid-${diagrams}`, block.textContent);
      const figure = document.createElement("div");
      figure.className = "pdf-mermaid";
      figure.innerHTML = svg;
      block.replaceWith(figure);
    } catch (error) {
      problems.push(`mermaid diagram ${diagrams} (${block.closest(".pdf-page").id}): ${error}`);
    }
  }

  // Every in-document link has its target.
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (!document.getElementById(id)) problems.push(`link to a missing anchor: ${link.getAttribute("href")} ("${link.textContent.trim()}")`);
  }

  await document.fonts.ready;
  for (const image of document.images) {
    try {
      await image.decode();
    } catch {
      problems.push(`image did not load: ${image.src}`);
    }
  }
  // Heading texts as written: chromium's bookmarks drop the spaces where a heading wraps.
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((heading) => {
    const copy = heading.cloneNode(true);
    for (const hidden of copy.querySelectorAll(".katex-mathml")) hidden.remove();
    return copy.textContent.replace(/\s+/g, " ").trim();
  });
  return { pages, headings, diagrams, formulas: document.querySelectorAll(".katex").length, problems };
}
