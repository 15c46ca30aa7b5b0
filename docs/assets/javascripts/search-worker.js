// The site's search worker: it replaces the theme's lunr worker and speaks the theme's
// message protocol, so the theme's search box, result list and highlighting stay as they are.
// See engine/search.py for how it is wired in, and tests/test_search.py for what it must find.
//
// * One tokenizer for documents and queries: NFKC (full-width punctuation and letters become
//   plain), lower case; punctuation of any width and Chinese stop characters separate words;
//   a Chinese run becomes overlapping character pairs, so no dictionary is needed.
// * A question is asked by its content words: a Chinese query is split along the words of the
//   course (the index's `words`, from jieba at build time) and question and function words
//   (为什么, 怎么, 要, 的...) are dropped, so no pair across two words (要用, 用交) or of a
//   filler word outvotes the words that matter; English drops question words the same way.
// * Sections are searched by their prose (`text`, what a preview shows), by the rest (`more`:
//   code, outputs, tables, at a low weight) and by the other names of the glossary terms
//   their prose names (`also`: "skip connection" for shortcut).
// * The index of the reader's language only (worker URL `?lang=`), fetched on the first query.
// * Score: matches in the page title and section headings count far above body text, the more
//   so the more of the query the heading holds; a query that is a heading, or part of one,
//   ranks that heading first; pages are ordered by their best section plus a share of their
//   other matching sections.

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;  // the theme's SearchMessageType

const params = new URL(self.location.href).searchParams;
const language = params.get("lang") || "zh";
const indexUrl = new URL(`../../search/index-${language}.json?v=${params.get("v") || ""}`, self.location.href);

const HAN = /\p{Script=Han}/u;
const WORD = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HYPHENATED = /(?<![\p{L}\p{N}-])\p{Script=Latin}+(?:-\p{Script=Latin}+)+(?![\p{L}\p{N}-])/gu;
// Function characters that glue words together in Chinese (从 A 到 B, A 与 B, A 的 B).
const HAN_STOP = /[的了和与及或之从到由在是把被将对]/u;
const STOP_WORDS = new Set(("a an and are as at be but by for from has have how if in into is it its " +
  "of on or that the their then there these this to was were what when which why will with").split(" "));
// Words a reader's question wraps around its content (queries only; pages keep them).
const QUESTION_WORDS = new Set(("do does did done i me my we our you your can could should would shall " +
  "need want use using vs versus difference own look like about get choose pick").split(" "));
const QUESTION_WORDS_ZH = new Set(("为什么 为何 什么 怎么 怎样 怎么样 怎么办 如何 哪些 哪个 哪里 哪儿 是否 是不是 " +
  "有没有 能不能 可不可以 可以 能否 应该 需要 意思 干什么 干嘛 有什么 什么样 一下 一个 自己 时候 什么时候 " +
  "回事 起来 多大 多少 到底 区别 不同 差别 还是 以后 之后 出现 用来 作用").split(" "));
const LONGEST_WORD = 6;

const WEIGHT = { page: 12, heading: 10, text: 1, also: 1, more: 0.3 };  // where a term is found
const EXACT_HEADING = 3, PART_OF_HEADING = 1.5;  // score factors when the query is (in) the heading
const KEEP_COVERAGE = Number(self.KEEP ?? 0.6), COVERAGE_POWER = Number(self.POWER ?? 1);  // see search()
const PAGE_SHARE = 0.25;  // share of a page's other matching sections in its rank
const PREFIX = 0.6;  // weight of a term the query word only begins (or, for one character, contains)

/** Words of a text in order: {token, mark, surface}; a Chinese run gives its character pairs.
 * `mark` is what the result list highlights, `surface` the word as written (for suggestions). */
function tokenize(text) {
  const words = [];
  text = text.normalize("NFKC");
  for (const [joined] of text.matchAll(HYPHENATED)) {  // back-propagation also answers backpropagation
    const token = stem(joined.replace(/-/g, "").toLowerCase());
    words.push({ token, mark: null, surface: null });
  }
  for (const [run] of text.matchAll(WORD)) {
    if (HAN.test(run[0])) {
      for (const part of run.split(HAN_STOP)) {
        if (part.length === 1) words.push({ token: part, mark: part, surface: null });
        for (let i = 0; i + 1 < part.length; i++) {
          words.push({ token: part.slice(i, i + 2), mark: part, surface: null });
        }
      }
    } else {
      const lower = run.toLowerCase();
      if (STOP_WORDS.has(lower)) continue;
      words.push({ token: stem(lower), mark: stem(lower), surface: lower });
      const parts = run.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u);
      if (parts.length > 1) {  // CrossEntropyLoss also answers "cross entropy"
        for (const part of parts) words.push({ token: stem(part.toLowerCase()), mark: null, surface: null });
      }
    }
  }
  return words;
}

// English endings, longest first: "classification", "classifier" and "classified" meet in
// "classifi"/"classific" (a query word also finds the words it begins or that begin it).
const ENDINGS = [["ations", ""], ["ation", ""], ["ings", ""], ["ing", ""], ["ies", "y"], ["ied", "y"],
  ["ers", ""], ["er", ""], ["ed", ""], ["sses", "ss"], ["xes", "x"], ["ches", "ch"], ["shes", "sh"]];

/** A light stemmer, the same for pages and queries: an ending is cut when 4 letters remain. */
function stem(word) {
  if (/\d/.test(word)) return word;
  for (const [ending, replacement] of ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= 4) {
      return word.slice(0, -ending.length) + replacement;
    }
  }
  return word.length > 4 && /[^sui]s$/.test(word) ? word.slice(0, -1) : word;
}

function plain(html) {
  return html.replace(/<[^>]*>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

let index = null;  // a promise of the built index
let options = { suggest: false };

async function load() {
  const response = await fetch(indexUrl);
  if (!response.ok) throw new Error(`search index ${indexUrl}: HTTP ${response.status}`);
  const { docs, words = [] } = await response.json();
  const postings = new Map();  // token -> Map(doc number -> {page, heading, text} counts)
  const surfaces = new Map();  // latin word -> times seen, for suggestions
  const pages = new Map();  // page location -> article doc number
  docs.forEach((doc, n) => {
    const [page, anchor] = doc.location.split("#");
    doc.page = page;
    doc.article = anchor === undefined;
    if (doc.article) pages.set(page, n);
    const titleWords = tokenize(plain(doc.title));
    doc.titleTokens = titleWords.map(w => w.token);
    const fields = [[doc.article ? "page" : "heading", titleWords], ["text", tokenize(plain(doc.text))],
      ["also", tokenize(doc.also || "")], ["more", tokenize(doc.more || "")]];
    for (const [field, words] of fields) {
      for (const { token, surface } of words) {
        if (!postings.has(token)) postings.set(token, new Map());
        const counts = postings.get(token);
        if (!counts.has(n)) counts.set(n, { page: 0, heading: 0, text: 0, also: 0, more: 0 });
        counts.get(n)[field] += 1;
        if (surface) surfaces.set(surface, (surfaces.get(surface) || 0) + 1);
      }
    }
  });
  for (const doc of docs) doc.articleNumber = pages.get(doc.page);
  return { docs, postings, vocabulary: [...postings.keys()].sort(), surfaces: [...surfaces.keys()].sort(),
    counts: surfaces, words: new Set([...words, ...QUESTION_WORDS_ZH]) };
}

/** A reader's query as its content words: each Chinese run split along the course's words
 * (longest first), question words and lone characters between words dropped; English
 * question words dropped. A query of nothing else is asked as typed. */
function contentQuery(idx, query) {
  const kept = [];
  for (const [run] of query.normalize("NFKC").matchAll(WORD)) {
    if (!HAN.test(run[0])) {
      if (!QUESTION_WORDS.has(run.toLowerCase())) kept.push(run);
      continue;
    }
    let unknown = "";
    const flush = () => {
      if (unknown.length > 1) kept.push(unknown);
      unknown = "";
    };
    for (let i = 0; i < run.length;) {
      let length = Math.min(LONGEST_WORD, run.length - i);
      while (length > 1 && !idx.words.has(run.slice(i, i + length))) length--;
      const word = run.slice(i, i + length);
      i += length;
      if (length === 1) { unknown += word; continue; }
      flush();
      if (!QUESTION_WORDS_ZH.has(word)) kept.push(word);
    }
    flush();
  }
  return kept.length ? kept.join(" ") : query;  // nothing but question words: as typed
}

/** Index terms a query token stands for, with a weight: itself, or those it begins or contains. */
function expand(idx, token) {
  const terms = new Map();
  if (idx.postings.has(token)) terms.set(token, 1);
  if (HAN.test(token)) {
    if (token.length === 1) {
      for (const term of idx.vocabulary) if (term !== token && term.includes(token)) terms.set(term, PREFIX);
    }
  } else {
    let lo = 0, hi = idx.vocabulary.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (idx.vocabulary[mid] < token) lo = mid + 1; else hi = mid; }
    for (let i = lo; i < idx.vocabulary.length && idx.vocabulary[i].startsWith(token); i++) {
      if (idx.vocabulary[i] !== token) terms.set(idx.vocabulary[i], PREFIX);
    }
    for (let cut = 1; cut <= 3 && token.length - cut >= 5; cut++) {  // words that begin this one
      const shorter = token.slice(0, -cut);
      if (idx.postings.has(shorter) && !terms.has(shorter)) terms.set(shorter, PREFIX);
    }
  }
  return terms;
}

function containsRun(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Marks the query's words in an HTML string (tags and entities left alone). */
function highlighter(words) {
  if (!words.length) return html => html;
  const alternatives = words.map(w => HAN.test(w) ? escapeRegExp(w) : `(?<![\\p{L}\\p{N}])${escapeRegExp(w)}[\\p{L}\\p{N}]*`);
  const match = new RegExp(`(${alternatives.join("|")})`, "giu");
  return html => html.split(/(<[^>]*>|&[#\w]+;)/).map((part, i) => i % 2 ? part : part.replace(match, "<mark>$1</mark>")).join("");
}

/** Top-level blocks of an HTML string: paragraphs, lists, code blocks, and the text between. */
function blocks(html) {
  const found = [];
  let depth = 0, start = 0;
  for (const tag of html.matchAll(/<(\/?)(p|pre|ul|ol)>/g)) {  // the block tags the index keeps
    const end = tag.index + tag[0].length;
    if (!tag[1]) {
      if (depth++ === 0 && tag.index > start) { found.push(html.slice(start, tag.index)); start = tag.index; }
    } else if (depth > 0 && --depth === 0) {
      found.push(html.slice(start, end));
      start = end;
    }
  }
  if (start < html.length) found.push(html.slice(start));
  return found.filter(block => block.trim());
}

const TEASER_CHARS = 360, BEFORE_MARK = 80;  // a long paragraph shows this much of itself

/** A long paragraph or text block cut to the part around its first match ("…" where cut). */
function shorten(block) {
  if (/^<(pre|ul|ol)>/.test(block)) return block;  // code and lists are shown whole, as the theme does
  const parts = block.split(/(<[^>]*>|&[#\w]+;)/);  // odd parts: tags and entities
  let total = 0, first = -1;
  parts.forEach((part, i) => {
    if (i % 2 === 0) total += part.length;
    else if (part.startsWith("&")) total += 1;
    else if (part === "<mark>" && first < 0) first = total;
  });
  if (total <= TEASER_CHARS) return block;
  const start = Math.max(0, Math.min(first - BEFORE_MARK, total - TEASER_CHARS)), end = start + TEASER_CHARS;
  const kept = [];
  let position = 0, lastText = -1;
  parts.forEach((part, i) => {
    const length = i % 2 === 0 ? part.length : part.startsWith("&") ? 1 : 0;
    if (i % 2 === 1 && !part.startsWith("&")) kept.push(part);  // tags stay, so nesting stays valid
    else {
      const from = Math.max(start - position, 0), to = Math.min(end - position, length);
      if (to > from) {
        const text = part.startsWith("&") ? part : part.slice(from, to);
        kept.push((lastText < 0 && start > 0 ? "…" : "") + text);
        lastText = kept.length - 1;
      }
      position += length;
    }
  });
  if (end < total && lastText >= 0) kept[lastText] += "…";
  return kept.join("");
}

/** The theme's teaser: the first two blocks with a match, else the first block. */
function teaser(html) {
  const all = blocks(html);
  const marked = all.filter(block => block.includes("<mark>"));
  return (marked.length ? marked.slice(0, 2) : all.slice(0, 1)).map(shorten).join("");
}

function search(idx, query) {
  const words = tokenize(contentQuery(idx, query));
  const sequence = words.map(w => w.token);
  const typedSequence = tokenize(query).map(w => w.token);
  const tokens = [...new Set(sequence)];
  if (!tokens.length) return { items: [], suggest: [] };
  const n = idx.docs.length;
  const scores = new Map();  // doc number -> {best: token -> score, inTitle: tokens in its title}
  const weightOf = new Map();  // query token -> how much it says (its best term's idf)
  for (const token of tokens) {
    for (const [term, weight] of expand(idx, token)) {
      const postings = idx.postings.get(term);
      const idf = Math.log(1 + (n - postings.size + 0.5) / (postings.size + 0.5));
      weightOf.set(token, Math.max(weightOf.get(token) || 0, weight * idf));
      for (const [doc, counts] of postings) {
        let value = 0;
        for (const field of ["page", "heading", "text", "also", "more"]) {
          if (counts[field]) value += WEIGHT[field] * counts[field] / (counts[field] + 1.2);
        }
        const entry = scores.get(doc) || { best: new Map(), inTitle: new Set() };
        entry.best.set(token, Math.max(entry.best.get(token) || 0, weight * idf * value));
        if (counts.page || counts.heading) entry.inTitle.add(token);
        scores.set(doc, entry);
      }
    }
  }
  // Coverage: the share of the query's weight a section holds (a rare word counts more than a
  // common one). Sections far below the best coverage are dropped, the others scaled by it, so
  // a section with every word wins, but a common word does not outvote a rare one.
  const total = [...weightOf.values()].reduce((a, b) => a + b, 0) || 1;
  let most = 0;
  for (const entry of scores.values()) {
    entry.coverage = [...entry.best.keys()].reduce((a, t) => a + weightOf.get(t), 0) / total;
    most = Math.max(most, entry.coverage);
  }
  const matches = [];
  for (const [doc, entry] of scores) {
    if (entry.coverage < KEEP_COVERAGE * most) continue;
    let score = [...entry.best.values()].reduce((a, b) => a + b, 0) * (idx.docs[doc].boost ?? 1);
    score *= (entry.coverage / most) ** COVERAGE_POWER;
    score *= 1 + entry.inTitle.size / tokens.length;  // the more of the query the title holds
    const title = idx.docs[doc].titleTokens;  // the query as typed is (in) the heading
    if (title.length === typedSequence.length && containsRun(title, typedSequence)) score *= EXACT_HEADING;
    else if (containsRun(title, typedSequence) || containsRun(title, sequence)) score *= PART_OF_HEADING;
    matches.push({ doc, score, found: entry.best });
  }
  // Group by page: a page ranks by its best section plus a share of the others.
  const groups = new Map();
  for (const match of matches.sort((a, b) => b.score - a.score)) {
    const page = idx.docs[match.doc].page;
    if (!groups.has(page)) groups.set(page, { rank: match.score, matches: [] });
    else groups.get(page).rank += PAGE_SHARE * match.score;
    groups.get(page).matches.push(match);
  }
  const mark = highlighter([...new Set(words.map(w => w.mark).filter(Boolean))]);
  // The query's words as typed, and whether a result has each (the theme lists missing ones
  // and highlights the found ones on the page it opens).
  const typed = (query.normalize("NFKC").match(WORD) || [])
    .map(word => [word, tokenize(word).map(w => w.token)]).filter(([, wanted]) => wanted.length);
  // Scores are scaled so that a page's best section scores its page's rank: the theme's Enter
  // key opens the result with the highest score, which is then the first one shown.
  const item = (match, scale) => {
    const doc = idx.docs[match.doc];
    const terms = Object.fromEntries(typed.map(([word, wanted]) => [word, wanted.every(t => match.found.has(t))]));
    return { location: doc.location, title: mark(doc.title), text: teaser(mark(doc.text)), score: match.score * scale, terms };
  };
  const items = [...groups.values()].sort((a, b) => b.rank - a.rank).map(group => {
    const list = group.matches.map(m => item(m, group.rank / group.matches[0].score));
    const article = idx.docs[group.matches[0].doc].articleNumber;
    if (article !== undefined && !group.matches.some(m => m.doc === article)) {  // the theme needs it
      const { location, title } = idx.docs[article];
      list.push({ location, title, text: "", score: 0, terms: {} });
    }
    return list;
  });
  return { items, suggest: options.suggest ? suggest(idx, query) : [] };
}

/** The likeliest completion of the last latin word being typed. */
function suggest(idx, query) {
  const last = (query.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+$/u) || [""])[0];
  if (!last || HAN.test(last)) return [];
  let best = null;
  for (const word of idx.surfaces) {
    if (word.startsWith(last) && (!best || idx.counts.get(word) > idx.counts.get(best))) best = word;
  }
  return best ? [best] : [];
}

addEventListener("message", async ({ data: message }) => {
  switch (message.type) {
    case SETUP:  // the theme's configuration; the documents come on the first query
      options = message.data.options || options;
      postMessage({ type: READY });
      break;
    case QUERY: {
      const query = message.data.trim();
      if (!query) {
        postMessage({ type: RESULT, data: { items: [], suggest: [] } });
        break;
      }
      index = index || load();
      try {
        postMessage({ type: RESULT, data: search(await index, query) });
      } catch (error) {
        index = null;  // try again on the next query
        console.error(`search: ${error.message}`);
        postMessage({ type: RESULT, data: { items: [], suggest: [] } });
      }
      break;
    }
    default:
      throw new TypeError(`search worker: unknown message type ${message.type}`);
  }
});
