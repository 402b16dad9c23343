// `make bench-errors` (and `make bench`): the "paste your error" box's figures, printed, never a
// verdict of a test. How often it is right on the test pastes (tests/data/error-pastes and the
// captured transcripts), what it costs to load (gzip-compressed), and how long an answer takes
// in Node for pastes of 100 KB and 5 MB (the same script runs in the browser). Budgets (issue 25):
// at most 10 KB compressed plus the fingerprint data, under 100 ms for 100 KB, a 5 MB paste bounded.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { course, data, Finder, judge, pastes, ROOT, transcripts } from "../tests/js/errors-data.mjs";

const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Time of one answer, median of `runs` after a warm-up, the box's data read once before, as on
    the page: wall-clock ms, and CPU ms (what the machine's other work does not change). */
function timed(text, runs) {
  const finder = new Finder(data);
  const where = { url: (u) => u, search: (q) => q };
  finder.answer(text, where);
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    finder.answer(text, where);
    cpu.push(process.cpuUsage(used).user / 1000);
    wall.push(performance.now() - start);
  }
  const ms = (v) => (v < 1 ? v.toFixed(2) : v.toFixed(1));
  return `${ms(median(wall))} ms (CPU ${ms(median(cpu))} ms)`;
}

/** A terminal paste of `size` characters: a build's log lines, the error at the end. */
function buildLog(size, error) {
  const log = readFileSync(`${ROOT}examples/troubleshooting/06-platforms/output/multi.txt`, "utf8");
  return log.repeat(Math.ceil(size / log.length)).slice(0, size - error.length) + error;
}

const all = [...transcripts(), ...pastes()];
const judged = all.map((p) => ({ ...p, ...judge(p) }));
const known = judged.filter((p) => p.want.length);
const unknown = judged.filter((p) => !p.want.length);
const pct = (n, d) => `${((100 * n) / d).toFixed(1)} % (${n} of ${d})`;

const script = readFileSync(`${ROOT}docs/assets/javascripts/errors.js`, "utf8");
const page = JSON.stringify({ patterns: data.patterns, words: data.words, issue: data.issue, entries: data.entries });
const error = 'docker: Error response from daemon: Conflict. The container name "/web" is already in use by container "0123456789ab". You have to remove (or rename) that container to be able to reuse that name.\n';
// Every paste one after the other until 100 KB, each line made unique (no line read twice).
const noisy = all
  .map((p) => p.text)
  .join("\n")
  .repeat(20)
  .split("\n")
  .map((line, i) => (line ? `${line} ${i}` : line))
  .join("\n");

const start = performance.now();
new Finder(data);
const setUp = performance.now() - start;

const rows = [
  ["entries", `${data.entries.length} (${data.entries.reduce((n, e) => n + e.f.length, 0)} fingerprints)`, ""],
  ["pastes", `${all.length} (${unknown.length} that no entry explains, ${transcripts().length} transcripts)`, ">= 120"],
  ["first result right", pct(judged.filter((p) => p.first).length, judged.length), ">= 95 %"],
  ["  of which tied (two entries list the same message)", String(judged.filter((p) => p.tied).length), ""],
  ["right entry in the first three", pct(judged.filter((p) => p.all).length, judged.length), "100 %"],
  ["  of the pastes an entry explains: first", pct(known.filter((p) => p.first).length, known.length), ""],
  ["  unknown text: no entry matches", pct(unknown.filter((p) => p.first).length, unknown.length), "100 %"],
  ["errors.js, gzip", kb(gz(script)), "<= 10 KB"],
  ["fingerprint data, gzip", kb(gz(page)), ""],
  ["reading the data (first click)", `${setUp.toFixed(1)} ms`, ""],
  ["answer, one line", timed(error, 50), ""],
  ["answer, 100 KB build log", timed(buildLog(100e3, error), 20), "< 100 ms"],
  ["answer, 100 KB of error lines, none twice", timed(noisy.slice(-100e3), 20), "< 100 ms"],
  ["answer, 5 MB build log (reads the last 250 KB)", timed(buildLog(5e6, error), 5), "bounded"],
  ["answer, 5 MB of error lines (the last 250 KB)", timed(noisy.repeat(Math.ceil(5e6 / noisy.length)), 5), "bounded"],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`Error finder (node ${process.version}, load average ${loadavg()[0].toFixed(1)}, ${course.errorFinder.READ_MAX} characters read at most)`);
for (const [what, figure, budget] of rows) console.log(`  ${what.padEnd(width)}  ${figure.padEnd(34)} ${budget}`);
for (const p of judged.filter((p) => !p.first || p.tied)) {
  console.log(`  ${p.tied ? "tied first" : "not first"}: ${p.file} (${p.what}): want ${p.want.join(" + ") || "none"}, got ${p.got.join(", ") || "nothing"}`);
}
