// The search page: its form is answered in the page from the site's search
// index (pagefind/pagefind.js and the index beside it, loaded on the first
// search). Results are plain links; the count is said through the status
// line, a live region. Focus stays where the reader put it, except that
// "Show more results" moves it to the first new result.
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreWrap = document.getElementById("search-more-wrap");
const more = document.getElementById("search-more");
const PAGE = 10;
const title = document.title;

let pagefind = null;
let results = [];
let shown = 0;
// Each search has a number; an answer to an older one is dropped.
let current = 0;

document.getElementById("search-needs-js").hidden = true;
document.getElementById("search-browse").hidden = false;

async function index() {
  if (!pagefind) {
    pagefind = await import(form.dataset.index);
    // Page length does not count against a page: an article that discusses
    // the words ranks above a short glossary entry that mentions them once,
    // while an entry whose name or alias is the word still comes first (the
    // glossary template weights both as a title).
    await pagefind.options({ excerptLength: 24, ranking: { pageLength: 0 } });
  }
  return pagefind;
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
    found = await (await index()).search(q);
  } catch {
    say("Search is not working at the moment. Please try again later, or use the links below.", n);
    return;
  }
  if (n !== current) return;
  results = found.results;
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
  const next = await Promise.all(results.slice(shown, shown + PAGE).map((r) => r.data()));
  if (n !== current) return;
  let first = null;
  for (const page of next) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.meta.title || page.url;
    item.append(link);
    if (page.meta.kind) {
      const kind = document.createElement("p");
      kind.className = "search-kind";
      kind.textContent = page.meta.kind;
      item.append(kind);
    }
    const about = document.createElement("p");
    about.textContent = page.meta.description || page.plain_excerpt || "";
    if (about.textContent) item.append(about);
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
