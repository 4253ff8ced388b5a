// The browser half of the serve bench: when does an edit become visible in
// an open page? Driven by benches/serve.rs over stdin and stdout.
//
//   node benches/visible.mjs URL
//
// Opens URL in headless Chromium (Debian's, as the browser tests use) and
// prints `ready`. Then for each line MARKER read from stdin: watches the
// page for MARKER (a MutationObserver, armed before the edit is made),
// prints `armed`; the bench saves the file and starts its clock; once the
// page's text holds MARKER this prints `seen swap` if the page was updated
// in place, or `seen reload` if it was reloaded in full.

import { createRequire } from "node:module";
import readline from "node:readline";

import { CHROMIUM, CHROMIUM_ARGS } from "../tests/browser/serve.mjs";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const url = process.argv[2];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(url);
console.log("ready");

/** Resolves on `window.osteonBenchSeen` once the text holds `marker`. */
function arm(marker) {
  window.osteonBenchLoaded = true;
  window.osteonBenchSeen = new Promise((seen) => {
    const check = () => document.body.textContent.includes(marker);
    if (check()) return seen();
    const observer = new MutationObserver(() => {
      if (check()) {
        observer.disconnect();
        seen();
      }
    });
    observer.observe(document, { subtree: true, childList: true, characterData: true });
  });
}

for await (const marker of readline.createInterface({ input: process.stdin })) {
  await page.evaluate(arm, marker);
  console.log("armed");
  try {
    await page.evaluate(() => window.osteonBenchSeen);
    console.log("seen swap");
  } catch {
    // The page was reloaded in full, which ends the evaluation: the new
    // page is waited for instead.
    await page.waitForFunction((m) => document.body?.textContent.includes(m), marker, { polling: 1, timeout: 0 });
    console.log("seen reload");
  }
}
await browser.close();
