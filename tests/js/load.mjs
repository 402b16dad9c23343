// Loads the site's page scripts into a fresh context without a browser, for node:test.
// The pure parts (paste reading, checkers, matchers) are tested here; what needs a page
// (clicks, focus, layout) is tested in Chromium by the pytest browser tests.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const SCRIPTS = new URL("../../docs/assets/javascripts/", import.meta.url);

function stubDocument() {
  return {
    readyState: "complete",
    currentScript: null,
    listeners: {}, // {type: [listener]}: what the scripts listen to on the document (course.js's paste guard)
    addEventListener(type, listener) {
      (this.listeners[type] = this.listeners[type] || []).push(listener);
    },
    querySelectorAll() {
      return [];
    },
    querySelector() {
      return null;
    },
    getElementById() {
      return null;
    },
  };
}

/** `course` after course.js and the named feature scripts ran, e.g. load("labs"). */
export function load(...features) {
  return loadAt("http://127.0.0.1:8000/", ...features);
}

/** The same, for a page at `address` (e.g. a file:// one). */
export function loadAt(address, ...features) {
  return loadPage(address, ...features).course;
}

/** {course, document}: the same, with the stub document the scripts were given (its listeners). */
export function loadPage(address, ...features) {
  const storage = new Map();
  const context = {
    console,
    URL,
    document: stubDocument(),
    location: new URL(address),
    localStorage: {
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    },
    Element: class {},
    Event,
    setTimeout,
    clearTimeout,
  };
  context.window = context;
  context.globalThis = context;
  vm.createContext(context);
  for (const name of ["course", ...features]) {
    const file = new URL(`${name}.js`, SCRIPTS);
    vm.runInContext(readFileSync(file, "utf8"), context, { filename: file.pathname });
  }
  return { course: context.course, document: context.document };
}

/** A value from the script's context as a plain value of this one (deepEqual compares prototypes). */
export const plain = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
