// Checks a built site in a real browser, as its readers use it.
//
//   node tests/browser/check.mjs SITE_DIR
//
// Serves SITE_DIR on 127.0.0.1 (absolute URLs need a server, not file://),
// opens every page in headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded browser) and asserts:
// - zero axe-core violations (WCAG 2.0/2.1/2.2 A and AA) in the light and
//   the dark colour scheme;
// - no sideways scrolling at 320 px (400 % zoom) and 640 px (200 % zoom);
// - the skip link is the first Tab stop and moves focus to main;
// - one h1, no skipped heading levels, footer links to the about page and
//   the accessibility statement, the educational notice;
// - no request leaves the local server;
// - a glossary definition opens and closes by keyboard and by mouse, and a
//   glossary term, its "?" button and the punctuation right after it never
//   wrap onto separate lines (at 320 px and 640 px);
// then validates every page with the Nu HTML Checker (vnu-jar).
// Prints a summary and exits non-zero on any failure.

import { readFile, readdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, serve } from "./serve.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const ASSET_BUDGET = 30 * 1024;
const WORKERS = 2;

const root = process.argv[2];
if (!root) {
  console.error("usage: node tests/browser/check.mjs SITE_DIR");
  process.exit(2);
}
const site = path.resolve(root);
const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);

async function walk(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out.sort();
}

/** Runs `fn(item, worker)` over `items` with `n` workers, each with its own state. */
async function pool(items, n, setup, fn) {
  let next = 0;
  const worker = async () => {
    const state = await setup();
    try {
      while (next < items.length) await fn(items[next++], state);
    } finally {
      await state.close();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}

/** What a page must be, whatever the scheme: structure read from the DOM. */
function structure() {
  const problems = [];
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(
    (h) => !h.closest("[hidden]"),
  );
  const h1s = headings.filter((h) => h.tagName === "H1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  let level = 0;
  for (const h of headings) {
    const l = Number(h.tagName[1]);
    if (l > level + 1) problems.push(`heading level skipped before <${h.tagName.toLowerCase()}> "${h.textContent}"`);
    level = l;
  }
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  for (const name of ["banner", "main", "contentinfo"]) {
    const selector = { banner: "body > header", main: "main", contentinfo: "body > footer" }[name];
    if (document.querySelectorAll(selector).length !== 1) problems.push(`not exactly one ${name} landmark`);
  }
  const footer = document.querySelector("body > footer");
  const hrefs = footer ? [...footer.querySelectorAll("a")].map((a) => new URL(a.href).pathname) : [];
  for (const p of ["about/", "accessibility/"]) {
    if (!hrefs.some((h) => h.endsWith(`/${p}`))) problems.push(`footer has no link to /${p}`);
  }
  if (!footer || !/general education only/i.test(footer.textContent)) problems.push("footer has no educational notice");
  const bodySize = parseFloat(getComputedStyle(document.querySelector("main p") || document.body).fontSize);
  if (bodySize < 18) problems.push(`body text is ${bodySize}px, below 18px`);
  return problems;
}

/** A browser tab that reports requests leaving the local server. */
async function newTab(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Loaded before each page's own code: cheaper than injecting it after.
  await context.addInitScript({ path: require.resolve("axe-core/axe.min.js") });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const tab = { page, name: "", close: () => context.close() };
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) fail(tab.name, `external request to ${r.url()}`);
  });
  page.on("pageerror", (e) => fail(tab.name, `script error: ${e.message}`));
  return tab;
}

async function checkPage(tab, url, name, stats) {
  const { page } = tab;
  tab.name = name;
  await page.emulateMedia({ colorScheme: "light", reducedMotion: "reduce" });
  await page.setViewportSize({ width: 1280, height: 900 });
  const response = await page.goto(url, { waitUntil: "load" });
  if (!response || (response.status() !== 200 && !name.endsWith("404.html"))) {
    fail(name, `HTTP ${response && response.status()}`);
  }

  // Keyboard: the first Tab stop is the skip link, and it moves focus to main.
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    return a && a.tagName === "A" ? { href: a.getAttribute("href"), text: a.textContent } : null;
  });
  if (!first || first.href !== "#main" || !/skip/i.test(first.text)) {
    fail(name, `first Tab stop is not the skip link: ${JSON.stringify(first)}`);
  } else {
    const visible = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return r.width > 1 && r.height > 1 && r.top >= 0;
    });
    if (!visible) fail(name, "the focused skip link is not visible");
    await page.keyboard.press("Enter");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "main") fail(name, `the skip link moved focus to #${focused}, not #main`);
  }

  for (const problem of await page.evaluate(structure)) fail(name, problem);

  // Colour contrast depends on the scheme and target sizes on the width; two
  // runs cover both: light at desktop width, dark at 320 px (400 % zoom).
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
    stats.axeRuns++;
    for (const v of result.violations) {
      stats.violations += v.nodes.length;
      for (const n of v.nodes) {
        fail(`${name} [${scheme}, ${width} px]`, `axe ${v.id}: ${v.help} at ${n.target.join(" ")}\n    ${n.failureSummary.replace(/\n/g, "\n    ")}`);
      }
    }
  }

  // Reflow: no sideways scrolling at 320 px (400 % zoom) or 640 px (200 %).
  for (const width of [320, 640]) {
    await page.setViewportSize({ width, height: 640 });
    const overflow = await page.evaluate(() => {
      const d = document.documentElement;
      if (d.scrollWidth <= d.clientWidth) return null;
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > d.clientWidth + 0.5)
        .slice(0, 3)
        .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}">`);
      return `${d.scrollWidth} > ${d.clientWidth}, widest: ${wide.join(", ")}`;
    });
    stats.reflowChecks++;
    if (overflow) fail(name, `scrolls sideways at ${width} px: ${overflow}`);
    for (const apart of await page.evaluate(termsApart)) fail(name, `at ${width} px, ${apart}`);
  }
}

/** Runs in the page: each glossary term whose "?" button, or the punctuation
 * right after it, wraps onto another line than the term's last word. */
function termsApart() {
  const sameLine = (a, b) => a && b && a.bottom > b.top + 1 && b.bottom > a.top + 1;
  const lastBox = (node) => {
    const boxes = node.getClientRects();
    return boxes[boxes.length - 1];
  };
  const out = [];
  for (const button of document.querySelectorAll(".term-button")) {
    const link = button.previousElementSibling || button.parentElement.previousElementSibling;
    if (!link || link.tagName !== "A") continue;
    const term = link.textContent.trim();
    const buttonBox = button.getBoundingClientRect();
    if (!sameLine(lastBox(link), buttonBox)) out.push(`the "?" of "${term}" wraps away from the term`);
    const after = button.nextElementSibling && button.nextElementSibling.nextSibling;
    if (after && after.nodeType === Node.TEXT_NODE && /^[,.;:!?)\]’”…]/.test(after.data)) {
      const range = document.createRange();
      range.setStart(after, 0);
      range.setEnd(after, 1);
      if (!sameLine(lastBox(range), buttonBox)) out.push(`the "${after.data[0]}" after "${term}" wraps away from its "?"`);
    }
  }
  return out;
}

/** Tab to a glossary button; Enter opens its definition, Escape closes it and
 *  focus comes back to the button; its Close button and the mouse work too. */
async function checkGlossaryPopover(browser, url, name) {
  // With the page's own scripts off: the definition must not need JavaScript.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  await page.goto(url);
  let found = false;
  for (let i = 0; i < 80 && !found; i++) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(() => document.activeElement.matches("button[popovertarget]"));
  }
  if (!found) {
    fail(name, "no glossary button reachable with Tab");
    await context.close();
    return false;
  }
  const button = await page.evaluate(() => {
    const b = document.activeElement;
    const note = document.getElementById(b.getAttribute("popovertarget"));
    const labelled = note && note.getAttribute("aria-labelledby");
    return {
      name: b.getAttribute("aria-label") || b.textContent,
      id: note && note.id,
      noteName: labelled ? labelled.split(" ").map((id) => document.getElementById(id)?.textContent).join(" ") : note?.getAttribute("aria-label"),
      role: note && note.getAttribute("role"),
      hasClose: !!note?.querySelector('button[popovertargetaction="hide"]'),
      hasLink: !!note?.querySelector("a[href]"),
    };
  });
  if (!/^What does .+ mean\?$/.test(button.name)) fail(name, `glossary button name "${button.name}" does not name the term`);
  if (!button.noteName) fail(name, "the definition has no accessible name");
  if (!button.hasClose) fail(name, "the definition has no close button");
  if (!button.hasLink) fail(name, "the definition has no link to the full entry");
  const isOpen = () => page.evaluate((id) => document.getElementById(id).matches(":popover-open"), button.id);
  const focusedIsButton = () =>
    page.evaluate((id) => document.activeElement.getAttribute("popovertarget") === id && !document.activeElement.hasAttribute("popovertargetaction"), button.id);

  // Focus scrolls the button into view, smoothly unless the reader asks for
  // reduced motion: measure once the scroll has come to rest.
  // (Polled from here: the page's own scripts are off, so waitForFunction cannot run.)
  let buttonInView = false;
  for (let i = 0; i < 30 && !buttonInView; i++) {
    if (i > 0) await page.waitForTimeout(100);
    buttonInView = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    });
  }
  if (!buttonInView) fail(name, "the focused glossary button is never scrolled into view");
  await page.keyboard.press("Enter");
  if (!(await isOpen())) fail(name, "Enter on the glossary button does not open the definition");
  const inView = await page.evaluate((id) => {
    const r = document.getElementById(id).getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth && r.height > 20;
  }, button.id);
  if (!inView) fail(name, "the open definition is not fully on screen");
  await page.keyboard.press("Escape");
  if (await isOpen()) fail(name, "Escape does not close the definition");
  if (!(await focusedIsButton())) fail(name, "after Escape, focus is not back on the glossary button");

  // Open again and close with its own Close button, by keyboard.
  await page.keyboard.press("Enter");
  let onClose = false;
  for (let i = 0; i < 5 && !onClose; i++) {
    await page.keyboard.press("Tab");
    onClose = await page.evaluate(() => document.activeElement.matches('button[popovertargetaction="hide"]'));
  }
  if (!onClose) fail(name, "Tab from the glossary button does not reach the Close button in the definition");
  else {
    await page.keyboard.press("Enter");
    if (await isOpen()) fail(name, "the Close button does not close the definition");
    if (!(await focusedIsButton())) fail(name, "after Close, focus is not back on the glossary button");
  }

  if (await isOpen()) await page.keyboard.press("Escape");

  // Mouse (and touch, which clicks): open, then close with the Close button.
  await page.click(`[popovertarget="${button.id}"]:not([popovertargetaction])`);
  if (!(await isOpen())) fail(name, "clicking the glossary button does not open the definition");
  if (button.hasClose) {
    await page.click(`#${button.id} [popovertargetaction="hide"]`);
    if (await isOpen()) fail(name, "clicking Close does not close the definition");
  }
  await context.close();
  return true;
}

async function validate(files) {
  const jar = require.resolve("vnu-jar/build/dist/vnu.jar");
  let stdout = "";
  let stderr = "";
  try {
    ({ stdout, stderr } = await promisify(execFile)("java", ["-jar", jar, "--errors-only", "--format", "json", ...files], {
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (e) {
    // vnu exits 1 when it finds errors; the JSON is still printed.
    ({ stdout = "", stderr = "" } = e);
    if (!stderr.trim().startsWith("{")) throw e;
  }
  const report = JSON.parse(stderr.trim() || stdout.trim());
  const errors = report.messages.filter((m) => m.type === "error" || m.subType === "fatal");
  for (const m of errors) {
    const file = decodeURIComponent(new URL(m.url).pathname).slice(site.length + 1);
    fail(`${file}:${m.lastLine ?? "?"}`, `vnu: ${m.message}\n    ${(m.extract || "").replace(/\n/g, " ")}`);
  }
  return errors.length;
}

const started = Date.now();
const files = await walk(site);
const pages = files.filter((f) => f.endsWith(".html"));
if (pages.length === 0) {
  console.error(`no HTML pages in ${site}`);
  process.exit(1);
}

// Budget: every stylesheet and script together.
let assetBytes = 0;
for (const f of files.filter((f) => /\.(css|js)$/.test(f))) assetBytes += (await stat(f)).size;
if (assetBytes > ASSET_BUDGET) fail("assets", `CSS and JS are ${assetBytes} bytes, over the ${ASSET_BUDGET}-byte budget`);

const server = await serve(site);
const origin = `http://127.0.0.1:${server.address().port}/`;
const vnu = validate(pages);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const stats = { axeRuns: 0, violations: 0, reflowChecks: 0 };
try {
  const urlOf = (f) => {
    const rel = path.relative(site, f).split(path.sep).join("/");
    return origin + rel.replace(/(^|\/)index\.html$/, "$1");
  };
  await pool(
    pages,
    WORKERS,
    () => newTab(browser),
    (f, tab) =>
      checkPage(tab, urlOf(f), path.relative(site, f), stats).catch((e) =>
        fail(path.relative(site, f), `check stopped: ${e.message}`),
      ),
  );
  const withTerm = [];
  for (const f of pages) {
    if ((await readFile(f, "utf8")).includes("popovertarget")) withTerm.push(f);
  }
  if (withTerm.length === 0) fail("glossary", "no page has a glossary definition button");
  else {
    const name = path.relative(site, withTerm[0]);
    await checkGlossaryPopover(browser, urlOf(withTerm[0]), name).catch((e) => fail(name, `glossary check stopped: ${e.message}`));
  }
  // A page answered 404 must still be the helpful 404 page.
  const context = await browser.newContext();
  const missing = await context.newPage();
  const response = await missing.goto(origin + "no/such/page/");
  if (response.status() !== 404 || !(await missing.textContent("h1")).match(/not found/i)) {
    fail("404", "a missing page does not show the 404 page");
  }
  await context.close();
} finally {
  await browser.close();
  server.close();
}
const vnuErrors = await vnu;

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`pages checked: ${pages.length}`);
console.log(`axe-core: ${stats.axeRuns} runs (light and dark), ${stats.violations} violations`);
console.log(`reflow: ${stats.reflowChecks} checks at 320 px and 640 px`);
console.log(`vnu: ${pages.length} pages, ${vnuErrors} errors`);
console.log(`CSS and JS: ${assetBytes} bytes (budget ${ASSET_BUDGET})`);
console.log(`time: ${seconds} s`);
if (failures.length) {
  console.log(`\n${failures.length} problem(s):`);
  for (const f of failures) console.log(`- ${f}`);
  process.exit(1);
}
console.log("browser checks: all passed");
