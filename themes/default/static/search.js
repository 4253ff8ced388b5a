// The search page: its form is answered in the page from the site's search
// index (search-index/, made by `osteon build`): the manifest, then only the
// chunks of the index that hold the query's words, then the cards of the
// results shown. Results are plain links; the count is said through the
// status line, a live region. Focus stays where the reader put it, except
// that "Show more results" moves it to the first new result.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreWrap = document.getElementById("search-more-wrap");
const more = document.getElementById("search-more");
const PAGE = 10;
const title = document.title;
const manifestUrl = form.dataset.index;
const folder = manifestUrl.replace(/manifest\.json$/, "");

let results = [];
let shown = 0;
// Each search has a number; an answer to an older one is dropped.
let current = 0;

document.getElementById("search-needs-js").hidden = true;
document.getElementById("search-browse").hidden = false;

/* words: the same rule as src/search/words.rs; a test holds the two equal. */
const FOLDED = { ø: "o", æ: "ae", œ: "oe", ß: "ss", ẞ: "ss", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" };

/** Harman's S-stemmer, as `stem` in words.rs. */
function stem(w) {
  const ends = (s) => w.endsWith(s);
  if (ends("ies") && !ends("eies") && !ends("aies") && w.length > 3) return `${w.slice(0, -3)}y`;
  if (ends("es") && !ends("aes") && !ends("ees") && !ends("oes") && w.length > 2) return w.slice(0, -1);
  if (ends("s") && !ends("us") && !ends("ss") && w.length > 1) return w.slice(0, -1);
  return w;
}

/** The words of `text` as the index holds them: folded, split, stemmed. */
function words(text) {
  const folded = text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[øØæÆœŒßẞłŁđĐðÐþÞı]/g, (c) => FOLDED[c.toLowerCase()] ?? FOLDED[c])
    .toLowerCase();
  return folded.split(/[^\p{Alphabetic}\p{N}]+/u).filter((w) => w).map(stem);
}
/* words: end */

const cache = new Map();
async function json(url, options) {
  if (!cache.has(url)) {
    cache.set(
      url,
      fetch(url, options).then((r) => {
        if (!r.ok) throw new Error(`${r.status} ${url}`);
        return r.json();
      }),
    );
  }
  return cache.get(url);
}

// The manifest is asked for again on each page load (it names everything
// else by a hash of its content, which the browser may keep).
const manifest = () => json(manifestUrl, { cache: "no-cache" });

/** The hashes of the chunks that can hold `word`, or with `prefix` any word
 *  that starts with it: each chunk holds the words from its first word to
 *  the next chunk's. */
function chunksOf(chunks, word, prefix) {
  let i = 0;
  while (i + 1 < chunks.length && chunks[i + 1][0] <= word) i++;
  const out = [chunks[i][1]];
  for (let j = i + 1; prefix && j < chunks.length && chunks[j][0].startsWith(word); j++) out.push(chunks[j][1]);
  return out;
}

/** Page number → weight of `word` (the last word of a query also as the
 *  start of longer words). */
async function pagesOf(m, word, prefix) {
  const chunks = await Promise.all(chunksOf(m.chunks, word, prefix).map((h) => json(`${folder}w/${h}.json`)));
  const pages = new Map();
  for (const chunk of chunks) {
    for (const [w, list] of Object.entries(chunk)) {
      if (w !== word && !(prefix && w.startsWith(word))) continue;
      let page = 0;
      for (let k = 0; k < list.length; k += 2) {
        page += list[k];
        pages.set(page, Math.max(pages.get(page) ?? 0, list[k + 1]));
      }
    }
  }
  return pages;
}

/** The pages that hold every word of `query`, best first: a page named by the
 *  query (every word in its title, or in what weighs as much, such as a
 *  glossary entry's aliases) before the others, then by the words' weights
 *  on the page, a rare word counting more than a common one. Page length
 *  does not count against a page, so an article that discusses the words
 *  comes before a short entry that mentions them once. */
async function find(query) {
  const terms = [...new Set(words(query))];
  if (terms.length === 0) return [];
  const m = await manifest();
  const lists = await Promise.all(
    terms.map((t, k) => pagesOf(m, t, k === terms.length - 1 && t.length > 1)),
  );
  const idf = lists.map((l) => Math.log(1 + (m.pages - l.size + 0.5) / (l.size + 0.5)));
  const [fewest] = [...lists].sort((a, b) => a.size - b.size);
  const found = [];
  for (const page of fewest.keys()) {
    if (!lists.every((l) => l.has(page))) continue;
    let score = 0;
    let named = true;
    lists.forEach((l, t) => {
      const v = l.get(page);
      score += idf[t] * ((v >> 1) / ((v >> 1) + 2));
      named &&= (v & 1) === 1;
    });
    found.push({ page, score, named });
  }
  found.sort((a, b) => b.named - a.named || b.score - a.score || a.page - b.page);
  return found;
}

/** The card of result `page`: its address, title, description and kind. */
async function card(page) {
  const m = await manifest();
  const group = await json(`${folder}p/${m.groups[Math.floor(page / m.group)]}.json`);
  const [url, title, description, kind] = group[page % m.group];
  return { url: form.dataset.base + url, title, description, kind };
}

/** Says `text` in the status line, unless a newer search has begun. */
function say(text, n = current) {
  // Emptied first, so the same words said twice are announced twice.
  status.textContent = "";
  setTimeout(() => {
    if (n === current) status.textContent = text;
  }, 50);
}

function pages(n) {
  return n === 1 ? "1 page" : `${n} pages`;
}

async function search(query) {
  const q = query.trim();
  const n = ++current;
  results = [];
  shown = 0;
  list.replaceChildren();
  list.hidden = true;
  moreWrap.hidden = true;
  document.title = q ? `${q}: ${title}` : title;
  if (!q) {
    say("Type a word to search for, then press Search.");
    return;
  }
  status.textContent = "Searching…";
  let found;
  try {
    found = await find(q);
  } catch {
    say("Search is not working at the moment. Please try again later, or use the links below.", n);
    return;
  }
  if (n !== current) return;
  results = found;
  await show(n, false);
  if (n !== current) return;
  say(
    results.length === 0
      ? `No pages found for “${q}”. Check the spelling or try another word, or use the links below.`
      : `${pages(results.length)} found for “${q}”.`,
    n,
  );
}

/** Adds the next results to the list; `focus` moves focus to the first added. */
async function show(n, focus) {
  const next = await Promise.all(results.slice(shown, shown + PAGE).map((r) => card(r.page)));
  if (n !== current) return;
  let first = null;
  for (const page of next) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.title || page.url;
    item.append(link);
    if (page.kind) {
      const kind = document.createElement("p");
      kind.className = "search-kind";
      kind.textContent = page.kind;
      item.append(kind);
    }
    if (page.description) {
      const about = document.createElement("p");
      about.textContent = page.description;
      item.append(about);
    }
    list.append(item);
    first ??= link;
  }
  shown += next.length;
  list.hidden = shown === 0;
  const left = results.length - shown;
  moreWrap.hidden = left <= 0;
  more.textContent = `Show more results (${left} more)`;
  if (focus && first) first.focus();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = input.value.trim();
  const url = new URL(location.href);
  if (url.searchParams.get("q") !== q) {
    url.searchParams.set("q", q);
    history.pushState(null, "", url);
  }
  search(q);
});

more.addEventListener("click", () => show(current, true));

function fromAddress() {
  const q = new URLSearchParams(location.search).get("q") || "";
  input.value = q;
  if (q.trim()) search(q);
  else {
    current++;
    list.replaceChildren();
    list.hidden = true;
    moreWrap.hidden = true;
    status.textContent = "";
    document.title = title;
  }
}

window.addEventListener("popstate", fromAddress);
fromAddress();
