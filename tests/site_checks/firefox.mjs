/* The practice checks in Firefox: Debian's firefox-esr, driven over WebDriver BiDi by
   puppeteer-core (package.json). Playwright cannot drive it (its Firefox is a patched build,
   and browser downloads fail here), so tests/test_firefox.py runs this script once:

       node tests/site_checks/firefox.mjs < plan.json > results.json

   The plan is {"firefox": PATH, "tasks": [{"name", "kind", …}]}; the answer maps each task's
   name to its result, or to {"error": "…"} when it could not run. The measures are
   tests/site_checks/states.js, as in Chromium. Kinds of task:

   - practice {url, schemes, text, sizes}: one visit of a page with practice boxes.
     {buttons}: every kind of practice button at rest, hovered, focused by the keyboard and
     after a click, each state measured in each palette (Material's scheme names, switched
     in the page), by palette (as states.py's button_states).
     {paste}: into the first box of each kind, a paste of the most it takes and of each size
     (text repeated), then
     how long the page takes to answer a click on the box's button, a key typed at its end
     and its clearing (select all, Delete); and what it held, noted and showed in its live
     regions (as states.py's paste_answers).
   - script {steps}: pages visited in turn, each {url, run} with `run` a function's source
     evaluated in the page (awaited) with the earlier steps' answers; the answers in order.

   Firefox runs with its own defaults where puppeteer changes them for its tests: a file
   opened from file:// is an origin of its own (security.fileuri.strict_origin_policy). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const STATES = readFileSync(fileURLToPath(new URL("./states.js", import.meta.url)), "utf8");

async function open(browser, url) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(url, { waitUntil: "load" });
  await page.evaluate(STATES);
  return page;
}

async function away(page) {
  await page.mouse.move(1, 1);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
}

async function buttons(page, task) {
  const out = Object.fromEntries(task.schemes.map((scheme) => [scheme, []]));
  const selector = await page.evaluate(() => window.__practice.BUTTONS);
  for (const b of await page.evaluate(() => window.__practice.buttons())) {
    const handle = (await page.$$(selector))[b.index];
    // Each state measured in every palette at once (switched in the page, as the toggle does).
    const measure = () => handle.evaluate((el, schemes) => window.__practice.contrastInPalettes(el, schemes), task.schemes);
    await handle.scrollIntoView();
    const states = {};
    await away(page);
    states["at rest"] = await measure();
    await handle.hover();
    states.hovered = await measure();
    if (!Object.values(states["at rest"])[0].disabled) {
      await away(page);
      await handle.focus();
      await page.keyboard.down("Shift");
      await page.keyboard.press("Tab");
      await page.keyboard.up("Shift");
      await page.keyboard.press("Tab");
      states.focused = await measure();
      await away(page);
      await handle.click();
      await page.mouse.move(1, 1);
      states["after a click"] = await measure();
    }
    for (const scheme of task.schemes) {
      const mine = Object.fromEntries(Object.entries(states).map(([state, m]) => [state, m[scheme]]));
      out[scheme].push({ ...b, states: mine });
    }
  }
  return out;
}

async function paste(page, task) {
  const out = {};
  for (const found of await page.evaluate(() => window.__practice.boxes())) {
    const box = (await page.$$(await page.evaluate(() => window.__practice.BOXES)))[found.index];
    out[found.kind] = await pasteInto(page, box, task);
  }
  return out;
}

/* One visit: the page's buttons (if task.schemes), then its paste boxes (if task.sizes). */
async function practice(browser, task) {
  const page = await open(browser, task.url);
  try {
    return {
      buttons: task.schemes ? await buttons(page, task) : null,
      paste: task.sizes ? await paste(page, task) : null,
    };
  } finally {
    await page.close();
  }
}

async function pasteInto(page, box, task) {
  const button = await box.evaluateHandle((el) => window.__practice.buttonAfter(el));
  const keys = async (...chord) => {
    for (const key of chord.slice(0, -1)) await page.keyboard.down(key);
    await page.keyboard.press(chord[chord.length - 1]);
    for (const key of chord.slice(0, -1).reverse()) await page.keyboard.up(key);
  };
  const timed = async (type, action) => {
    await page.evaluate((type) => {
      window.__answered = window.__practice.afterNext(type);
    }, type);
    await action();
    return page.evaluate(() => window.__answered);
  };
  const limit = await box.evaluate((el) => window.__practice.limit(el));
  const out = { limit, keeps: await box.evaluate((el) => window.__practice.keeps(el)) };
  for (const size of [...new Set([limit, ...task.sizes])]) {
    const text = task.text.repeat(Math.ceil(size / task.text.length)).slice(0, size);
    await page.evaluate((t) => window.__practice.copy(t), text);
    await box.focus();
    await keys("Control", "a");
    await keys("Delete");
    await keys("Control", "v");
    const held = await box.evaluate((el) => el.value.length);
    const ofPaste = await box.evaluate((el) => window.__practice.held(el));
    const note = await box.evaluate((el) => window.__practice.note(el));
    const ms = {};
    ms.checking = await timed("click", () => button.click());
    const live = await box.evaluate((el) => window.__practice.liveText(el));
    await box.focus();
    await keys("Control", "End");
    ms.editing = await timed("keydown", () => page.keyboard.press("x"));
    await keys("Control", "a");
    ms.clearing = await timed("keydown", () => page.keyboard.press("Delete"));
    const left = await box.evaluate((el) => el.value.length);
    out[size] = { held, "of paste": ofPaste, note, ms, live, left };
  }
  return out;
}

async function script(browser, task) {
  const answers = [];
  let page = null;
  for (const step of task.steps) {
    if (page) await page.close();
    page = await open(browser, step.url);
    answers.push(await page.evaluate(`(${step.run})(${JSON.stringify(answers)})`));
  }
  if (page) await page.close();
  return answers;
}

const KINDS = { practice, script };

const plan = JSON.parse(readFileSync(0, "utf8"));
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: plan.firefox,
  headless: true,
  extraPrefsFirefox: {
    // Reading the clipboard back (navigator.clipboard.readText) without a prompt.
    "dom.events.testing.asyncClipboard": true,
    // Firefox's default, which puppeteer turns off: each file:// page its own origin and storage.
    "security.fileuri.strict_origin_policy": true,
  },
});
const results = {};
try {
  for (const task of plan.tasks) {
    try {
      results[task.name] = await KINDS[task.kind](browser, task);
    } catch (error) {
      results[task.name] = { error: String((error && error.stack) || error) };
    }
  }
  results.version = await browser.version();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
