// Checks a built site's search in a real browser, as its readers use it.
//
//   node tests/browser/search.mjs SITE_DIR QUERY=PAGE[@N] ...
//
// Each QUERY=PAGE says that a search for QUERY lists PAGE (its address from
// the site root, `glossary/vitamin-d/`) first, or with `@N` among the first N.
// Serves SITE_DIR on 127.0.0.1, opens it in headless Chromium (Debian's) and
// asserts, by keyboard alone:
// - each query typed into the search page and sent with Enter lists its
//   pages; the status line (a live region) says how many; focus stays in the
//   box, Tab reaches the first result and Enter follows it;
// - zero axe-core violations with results showing, light and dark;
// - Tab goes on from the results to the footer: no focus trap; "Show more
//   results" moves focus to the first new result;
// - the header's search form of another page leads to the same results;
// - without JavaScript the search page says search needs it and links to
//   the glossary A-Z and the topics;
// - no page but the search page has a script, and a search requests nothing
//   outside the site; prints the bytes a reader downloads for one search.
// Prints a summary and exits non-zero on any failure.

import { readFile, readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, serve } from "./serve.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

// What one search may download: the search script, the index's manifest,
// the chunks of the query's words and the cards of the results shown.
const SEARCH_BUDGET = 100 * 1024;

const [root, ...expectations] = process.argv.slice(2);
if (!root || expectations.length === 0) {
  console.error("usage: node tests/browser/search.mjs SITE_DIR QUERY=PAGE[@N] ...");
  process.exit(2);
}
const site = path.resolve(root);
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
const exists = (p) => stat(path.join(site, p)).then(() => true, () => false);

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

// Only the search page has a script (JSON-LD is data, not a script).
for (const f of (await walk(site)).filter((f) => f.endsWith(".html"))) {
  const name = path.relative(site, f);
  const scripts = (await readFile(f, "utf8")).match(/<script\b[^>]*>/g) || [];
  const code = scripts.filter((s) => !/type="?application\/ld\+json/.test(s));
  if (name !== path.join("search", "index.html") && code.length > 0) fail(name, `has a script: ${code[0]}`);
}

const started = Date.now();
const server = await serve(site);
const origin = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

/** A tab that fails on script errors and on requests leaving the site, and
 *  counts the bytes of what it downloads. */
async function newTab(name, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await context.addInitScript({ path: require.resolve("axe-core/axe.min.js") });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const tab = { page, bytes: 0, close: () => context.close() };
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) fail(name, `external request to ${r.url()}`);
  });
  page.on("pageerror", (e) => fail(name, `script error: ${e.message}`));
  // Worker requests are the context's, not the page's.
  context.on("response", async (r) => {
    if (!r.url().startsWith(origin) || r.url().endsWith("/favicon.ico")) return;
    tab.bytes += (await r.body().catch(() => Buffer.alloc(0))).length;
  });
  return tab;
}

const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return { id: a.id, tag: a.tagName, href: a.getAttribute("href"), text: a.textContent.trim(), footer: !!a.closest("body > footer") };
  });

/** Presses Tab until `test(focused)` holds, at most `max` times. */
async function tabTo(page, test, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (test(await focused(page))) return true;
  }
  return false;
}

const resultsShown = (page) =>
  page.waitForFunction(() => /found/.test(document.getElementById("search-status").textContent));

const resultLinks = (page) =>
  page.evaluate(() => [...document.querySelectorAll("#search-results li > a")].map((a) => new URL(a.href).pathname));

async function axe(page, name) {
  for (const [scheme, width] of [
    ["light", 1280],
    ["dark", 320],
  ]) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await page.setViewportSize({ width, height: width === 320 ? 640 : 900 });
    const result = await page.evaluate(
      (tags) => axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      AXE_TAGS,
    );
    for (const v of result.violations) {
      for (const n of v.nodes) fail(`${name} [${scheme}, ${width} px]`, `axe ${v.id}: ${v.help} at ${n.target.join(" ")}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  await page.setViewportSize({ width: 1280, height: 900 });
}

let downloaded = null;
let showedMore = false;

async function checkQuery(expectation) {
  const [, query, want, top] = expectation.match(/^(.+)=([^@]*)(?:@(\d+))?$/) || [];
  if (!query) {
    fail(expectation, "not QUERY=PAGE[@N]");
    return;
  }
  const name = `search "${query}"`;
  const tab = await newTab(name);
  const { page } = tab;
  try {
    await page.goto(origin + "search/");
    const before = tab.bytes;
    if (!(await tabTo(page, (f) => f.id === "search-q"))) {
      fail(name, "Tab never reaches the search box");
      return;
    }
    await page.keyboard.type(query);
    await page.keyboard.press("Enter");
    await resultsShown(page);
    // The first search of the site: what a reader downloads for it.
    downloaded ??= tab.bytes - before;
    const status = await page.textContent("#search-status");
    const links = await resultLinks(page);
    const more = await page.isVisible("#search-more");
    const count = Number(status.match(/^(\d+) pages? found/)?.[1]);
    if (!(count >= links.length && links.length > 0) || (!more && count !== links.length)) {
      fail(name, `the status "${status}" does not match the ${links.length} results listed`);
    }
    const rank = links.indexOf(`/${want}`);
    if (rank < 0 || rank >= Number(top || 1)) {
      fail(name, `/${want} is not ${top ? `among the first ${top}` : "first"}: ${links.slice(0, 5).join(", ")}`);
    }
    if (new URL(page.url()).searchParams.get("q") !== query) fail(name, `the address does not hold the query: ${page.url()}`);
    const inBox = await focused(page);
    if (inBox.id !== "search-q") fail(name, `focus left the search box for ${inBox.tag}#${inBox.id}`);

    await axe(page, name);

    // Tab: the Search button, then the first result.
    await page.focus("#search-q");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const first = await focused(page);
    if (first.tag !== "A" || new URL(first.href, origin).pathname !== links[0]) {
      fail(name, `the second Tab from the box is not the first result: ${JSON.stringify(first)}`);
    }
    // On from there to the footer: no trap.
    if (more) {
      showedMore = true;
      if (!(await tabTo(page, (f) => f.id === "search-more"))) fail(name, "Tab never reaches Show more results");
      else {
        await page.keyboard.press("Enter");
        await page.waitForFunction((n) => document.querySelectorAll("#search-results li").length > n, links.length);
        const after = await focused(page);
        const all = await resultLinks(page);
        if (after.tag !== "A" || new URL(after.href, origin).pathname !== all[links.length]) {
          fail(name, `Show more results does not move focus to the first new result: ${JSON.stringify(after)}`);
        }
      }
    }
    if (!(await tabTo(page, (f) => f.footer, 120))) fail(name, "Tab from the results never reaches the footer");

    // Enter on the first result opens it.
    await page.focus("#search-results li > a");
    await Promise.all([page.waitForURL((u) => u.pathname === links[0]), page.keyboard.press("Enter")]);
  } catch (e) {
    fail(name, `check stopped: ${e.message}`);
  } finally {
    await tab.close();
  }
}

/** The header's form on the home page leads to the search page's results. */
async function checkHeaderForm(expectation) {
  const [, query, want] = expectation.match(/^(.+)=([^@]*)/);
  const name = "header search form";
  const tab = await newTab(name);
  const { page } = tab;
  try {
    await page.goto(origin);
    if (!(await tabTo(page, (f) => f.id === "site-search-q"))) {
      fail(name, "Tab never reaches the header's search box");
      return;
    }
    const label = await page.evaluate(() => document.activeElement.labels[0]?.textContent);
    if (!label) fail(name, "the header's search box has no label");
    await page.keyboard.type(query);
    await Promise.all([page.waitForURL((u) => u.pathname === "/search/"), page.keyboard.press("Enter")]);
    await resultsShown(page);
    const links = await resultLinks(page);
    if (!links.includes(`/${want}`)) fail(name, `"${query}" from the header does not list /${want}`);
    if ((await page.inputValue("#search-q")) !== query) fail(name, "the search page's box does not hold the query");
  } catch (e) {
    fail(name, `check stopped: ${e.message}`);
  } finally {
    await tab.close();
  }
}

/** Without JavaScript: the page says search needs it and links elsewhere.
 *  axe cannot run in a page without JavaScript, so it runs on the same page
 *  with the search script refused, which leaves the same page. */
async function checkWithoutJavaScript() {
  for (const scripts of ["off", "refused"]) {
    const name = `search page with JavaScript ${scripts}`;
    const tab = await newTab(name, { javaScriptEnabled: scripts === "refused" });
    const { page } = tab;
    try {
      if (scripts === "refused") await page.route(/\/search\.[0-9a-f]+\.js$/, (route) => route.abort());
      await page.goto(origin + "search/?q=bone");
      const says = await page.isVisible("#search-needs-js");
      const text = says ? await page.textContent("#search-needs-js") : "";
      if (!/needs JavaScript/i.test(text)) fail(name, "does not say that search needs JavaScript");
      const hrefs = await page.evaluate(() => [...document.querySelectorAll("main a")].map((a) => new URL(a.href).pathname));
      for (const p of ["glossary/", "topics/"]) {
        if ((await exists(p)) && !hrefs.includes(`/${p}`)) fail(name, `no link to /${p}`);
      }
      if (scripts === "refused") await axe(page, name);
    } catch (e) {
      fail(name, `check stopped: ${e.message}`);
    } finally {
      await tab.close();
    }
  }
}

try {
  for (const e of expectations) await checkQuery(e);
  await checkHeaderForm(expectations[0]);
  await checkWithoutJavaScript();
} finally {
  await browser.close();
  server.close();
}
if (downloaded > SEARCH_BUDGET) fail("search", `one search downloads ${downloaded} bytes, over the ${SEARCH_BUDGET}-byte budget`);

console.log(`searches checked: ${expectations.length} (${showedMore ? "with" : "without"} Show more results)`);
console.log(`one search downloads: ${downloaded} bytes (budget ${SEARCH_BUDGET})`);
console.log(`time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length) {
  console.log(`\n${failures.length} problem(s):`);
  for (const f of failures) console.log(`- ${f}`);
  process.exit(1);
}
console.log("search checks: all passed");
