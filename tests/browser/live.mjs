// The live preview of `osteon serve` in headless Chromium, as an editor uses it.
//
//   node tests/browser/live.mjs SITE_DIR URL NO_FOLLOW_URL
//
// SITE_DIR is served by `osteon serve` at URL and by `osteon serve
// --no-follow` at NO_FOLLOW_URL (both with the base path, ending in `/`).
// Its `articles/bones.md` is long, with a glossary link to
// `glossary/calcium.md` in its middle; `articles/dexa.md` is another article.
// This script edits those files and asserts:
// - an edit to the open page shows without a reload (a value set on
//   `window` survives), with scroll, focus and an open glossary note kept,
//   also when the edit is in the glossary link's own paragraph;
// - a broken save shows the error overlay in the open page, which takes
//   focus, and fixing it takes the overlay away, both without a reload;
// - a save of another article takes the tab the reader used last to it,
//   and leaves the other tab where it was;
// - with --no-follow, the tab stays where it is;
// - a save made after the page loaded but before its events connection
//   opened still shows, without a reload;
// - a template edit that changes the head reloads the page in full.
// Prints each failure and exits non-zero on any.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { CHROMIUM, CHROMIUM_ARGS } from "./serve.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const TIMEOUT = 15000;
const [site, url, noFollowUrl] = process.argv.slice(2);
if (!noFollowUrl) {
  console.error("usage: node tests/browser/live.mjs SITE_DIR URL NO_FOLLOW_URL");
  process.exit(2);
}
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

const file = (name) => path.join(site, name);
let edits = 0;
/** Appends `text` to the paragraph of `name` that holds `after`, or to the end. */
async function edit(name, text, after) {
  const source = await readFile(file(name), "utf8");
  const at = after ? source.indexOf("\n", source.indexOf(after)) : source.length;
  if (at < 0) throw new Error(`${after} not in ${name}`);
  await writeFile(file(name), source.slice(0, at) + text + source.slice(at));
  edits++;
}
const marker = (what) => `live${what}marker${edits}`;
const shows = (page, text) =>
  page.waitForFunction((t) => document.body.textContent.includes(t), text, { timeout: TIMEOUT });

/** What a page is like now: scroll, focus, the glossary note, and whether it was reloaded. */
const state = (page) =>
  page.evaluate(() => ({
    kept: window.osteonTestValue === "kept",
    y: Math.round(scrollY),
    focusKept: document.activeElement?.osteonTestFocus === true,
    noteOpen: document.querySelector(".term-note")?.matches(":popover-open") ?? false,
  }));

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  await swaps();
  await showsAndHidesTheOverlay();
  await follows();
  await staysWithNoFollow();
  await catchesUpAfterALateConnection();
  await reloadsForTheHead();
} catch (e) {
  failures.push(`stopped: ${e.stack || e}`);
} finally {
  await browser.close();
}

/** An edit to the open page is swapped in, keeping what the reader was doing. */
async function swaps() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${url}articles/bones/`);
  await page.evaluate(() => {
    window.osteonTestValue = "kept";
  });
  // The note's button is far down the page: clicking it scrolls there,
  // focuses the button and opens the note.
  const button = page.locator(".term-button").first();
  await button.click();
  await button.evaluate((b) => {
    b.osteonTestFocus = true;
  });
  const before = await state(page);
  check(before.noteOpen && before.focusKept && before.y > 0, `the setup failed: ${JSON.stringify(before)}`);

  // At the end of the article, then in the glossary link's own paragraph.
  for (const after of [null, "See calcium"]) {
    const text = marker("swap");
    await edit("articles/bones.md", after ? ` Also ${text}.` : `\n\nA new paragraph with ${text}.\n`, after);
    await shows(page, text);
    const now = await state(page);
    const where = after ? "an edit beside the glossary link" : "an edit at the end";
    check(now.kept, `${where} reloaded the page in full`);
    check(now.y === before.y, `${where} moved the scroll position from ${before.y} to ${now.y}`);
    check(now.focusKept, `${where} moved focus (to ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))})`);
    check(now.noteOpen, `${where} closed the open glossary note`);
  }
  await context.close();
}

/** A broken save shows the error overlay in place, and fixing it takes it away. */
async function showsAndHidesTheOverlay() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${url}articles/bones/`);
  await page.evaluate(() => {
    window.osteonTestValue = "kept";
  });
  const good = await readFile(file("articles/bones.md"), "utf8");
  await writeFile(file("articles/bones.md"), `${good}\nSee [a page that is not there](nowhere.md).\n`);
  await page.waitForSelector("#osteon-overlay", { timeout: TIMEOUT });
  const shown = await page.evaluate(() => ({
    focused: document.activeElement?.id === "osteon-overlay",
    text: document.getElementById("osteon-overlay").textContent,
  }));
  check(shown.text.includes("nowhere.md"), `the overlay does not name the broken link: ${shown.text}`);
  check(shown.focused, "the overlay, an alert dialog, did not take focus");
  await writeFile(file("articles/bones.md"), good);
  await page.waitForSelector("#osteon-overlay", { state: "detached", timeout: TIMEOUT });
  check((await state(page)).kept, "the overlay came or went by a full reload");
  await context.close();
}

/** A save of another article takes the tab used last there; the other tab stays. */
async function follows() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const other = await context.newPage();
  await other.goto(`${url}glossary/`);
  const page = await context.newPage();
  await page.goto(`${url}articles/bones/`);
  // The reader uses the bones tab last.
  await page.locator("h1").click();
  const text = marker("follow");
  await edit("articles/dexa.md", `\n\nFollow ${text}.\n`);
  await page.waitForURL(`${url}articles/dexa/`, { timeout: TIMEOUT });
  await shows(page, text);
  // Give the other tab the time it would take to follow, had it been told to.
  await page.waitForTimeout(500);
  check(other.url() === `${url}glossary/`, `the tab not used last followed too, to ${other.url()}`);

  // Now the reader switches to the other tab: it is the one that follows.
  await other.bringToFront();
  await other.locator("h1").click();
  const next = marker("follow");
  await edit("articles/bones.md", `\n\nFollow ${next}.\n`);
  await other.waitForURL(`${url}articles/bones/`, { timeout: TIMEOUT });
  await shows(other, next);
  check(page.url() === `${url}articles/dexa/`, `the tab used before followed, to ${page.url()}`);
  await context.close();
}

/** With `--no-follow`, a save of another article leaves the tab where it is. */
async function staysWithNoFollow() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${noFollowUrl}articles/bones/`);
  await page.locator("h1").click();
  // Listen as the page does, to know when the save has been announced.
  await page.evaluate(
    () =>
      new Promise((opened) => {
        const events = new EventSource("/__osteon/events");
        window.osteonTestChange = new Promise((told) => {
          events.addEventListener("reload", (e) => {
            const change = JSON.parse(e.data);
            if (change.pages?.some((p) => p.endsWith("/articles/dexa/"))) told(change);
          });
        });
        events.onopen = opened;
      }),
  );
  await edit("articles/dexa.md", `\n\nStay ${marker("stay")}.\n`);
  const change = await page.evaluate(() => window.osteonTestChange);
  check(!("follow" in change), `--no-follow still sent follow: ${JSON.stringify(change)}`);
  await page.waitForTimeout(500);
  check(page.url() === `${noFollowUrl}articles/bones/`, `with --no-follow the tab went to ${page.url()}`);
  await context.close();
}

/** A save made before the page's events connection opens still shows. */
async function catchesUpAfterALateConnection() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await page.route("**/__osteon/events", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${url}articles/bones/`);
  await page.evaluate(() => {
    window.osteonTestValue = "kept";
  });
  const text = marker("late");
  await edit("articles/bones.md", `\n\nLate ${text}.\n`);
  // The server has the save before the page connects.
  const deadline = Date.now() + TIMEOUT;
  while (!(await (await fetch(`${url}articles/bones/`)).text()).includes(text)) {
    if (Date.now() > deadline) throw new Error("the server never served the late save");
    await new Promise((r) => setTimeout(r, 50));
  }
  release();
  await shows(page, text);
  check((await state(page)).kept, "a save missed before the connection reloaded the page in full");
  await context.close();
}

/** A template edit that changes the head reloads the page in full. */
async function reloadsForTheHead() {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${url}articles/bones/`);
  await page.evaluate(() => {
    window.osteonTestValue = "kept";
  });
  const base = await readFile("themes/default/templates/base.html", "utf8");
  const loaded = page.waitForEvent("load", { timeout: TIMEOUT });
  await mkdir(file("templates"), { recursive: true });
  await writeFile(
    file("templates/base.html"),
    base.replace("</head>", '<style id="live-test-style">.site-name { letter-spacing: .01em; }</style>\n</head>'),
  );
  await loaded;
  const after = await page.evaluate(() => ({
    style: document.getElementById("live-test-style") !== null,
    kept: window.osteonTestValue === "kept",
  }));
  check(after.style, "the new style is not in the page");
  check(!after.kept, "a new style in the head was swapped in without a full reload");
  await context.close();
}

if (failures.length) {
  console.log(`${failures.length} failure(s):\n${failures.map((f) => `- ${f}`).join("\n")}`);
  process.exit(1);
}
console.log(`live preview: ${edits} edits; swap, follow, --no-follow and head reload all as expected`);
