// The error finder's test data, shared by tests/js/errors.test.mjs and scripts/bench-errors.mjs:
// the box's data from the build's own compiler, the matcher on it, and the test pastes.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { load } from "./load.mjs";

export const ROOT = new URL("../../", import.meta.url).pathname;
const PYTHON = process.env.PYTHON || `${ROOT}.venv/bin/python`;
export const course = load("errors");
export const { Finder, READ_MAX } = course.errorFinder;

export function python(args, input) {
  const env = { ...process.env, PYTHONPATH: `${ROOT}scripts` };
  return execFileSync(PYTHON, ["-m", "course", "errorfinder", ...args], { cwd: ROOT, env, input, maxBuffer: 1 << 28 });
}

export const data = JSON.parse(python(["--json"]));
export const finder = new Finder(data);
export const anchor = (entry) => entry.u.split("#")[1];
export const anchors = new Set(data.entries.map(anchor));

/** The pastes of tests/data/error-pastes/*.txt: [{file, want: [anchors] (none: []), what, text}]. */
export function pastes() {
  const dir = `${ROOT}tests/data/error-pastes/`;
  const out = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
    for (const block of readFileSync(dir + file, "utf8").split(/^=== /m).slice(1)) {
      const [header, ...lines] = block.split("\n");
      const [names, what] = header.split(" | ");
      const want = names.trim() === "none" ? [] : names.split("+").map((a) => a.trim());
      out.push({ file, want, what: what || "", text: lines.join("\n").replace(/\n+$/, "\n") });
    }
  }
  return out;
}

/** Every transcript an entry includes, with the entries that include it. */
export function transcripts() {
  const by = {};
  for (const [url, files] of Object.entries(data.transcripts)) {
    for (const file of files) (by[file] ||= []).push(url.split("#")[1]);
  }
  return Object.entries(by).map(([file, want]) => ({ file, want, what: "transcript", text: readFileSync(ROOT + file, "utf8") }));
}

/** Where the box puts the right entries: {got, first, tied, all}. `first`: the first result is
    one of them, or `tied`: the first result and one of them have the same score on the same
    line (two entries that list the same message: the box lists both, in page order); `all`:
    all of them among the first three (an unknown text: no result at all). */
export function judge(paste) {
  const results = finder.find(paste.text).results;
  const got = results.map((r) => anchor(r.entry));
  if (!paste.want.length) return { got, first: got.length === 0, tied: false, all: got.length === 0 };
  const top = results[0];
  const tied =
    !!top &&
    !paste.want.includes(got[0]) &&
    results.some((r) => paste.want.includes(anchor(r.entry)) && Math.abs(r.score - top.score) < 1e-9 && r.at === top.at);
  return {
    got,
    first: paste.want.includes(got[0]) || tied,
    tied,
    all: paste.want.every((a) => got.slice(0, Math.max(3, paste.want.length)).includes(a)),
  };
}
