// The "paste your error" box's matcher (docs/assets/javascripts/errors.js) on every test paste.
// The box's data comes from the build's own compiler (`python -m course errorfinder --json`), so
// these tests read the troubleshooting pages as they are. The pastes: every captured transcript
// that an entry includes, and tests/data/error-pastes/*.txt (README.md there says how to write one).
import assert from "node:assert/strict";
import { test } from "node:test";

import { anchor, anchors, course, data, finder, judge, pastes, python, READ_MAX, transcripts } from "./errors-data.mjs";

const PASTES = [...transcripts(), ...pastes()];

test("the pastes name entries that exist, and there are at least 120 of them", () => {
  const unknown = PASTES.flatMap((p) => p.want.filter((a) => !anchors.has(a)).map((a) => `${p.file}: ${a}`));
  assert.deepEqual(unknown, [], "anchors no troubleshooting entry has");
  assert.ok(PASTES.length >= 120, `${PASTES.length} pastes`);
  assert.ok(PASTES.filter((p) => !p.want.length).length >= 10, "unknown texts");
});

test("every entry has pastes of its own in tests/data/error-pastes, besides its transcripts", () => {
  const covered = new Set(pastes().flatMap((p) => p.want));
  assert.deepEqual(data.entries.map(anchor).filter((a) => !covered.has(a)), [], "entries no paste names");
});

test("every captured transcript finds the entries that include it, one of them first", () => {
  const wrong = transcripts()
    .map((p) => ({ ...p, ...judge(p) }))
    .filter((p) => !p.first || !p.all)
    .map((p) => `${p.file}: want ${p.want.join(" + ")}, got ${p.got.join(", ") || "nothing"}`);
  assert.deepEqual(wrong, []);
});

test("the first result is right for at least 95 % of the pastes, one of the first three for all", (t) => {
  const judged = PASTES.map((p) => ({ ...p, ...judge(p) }));
  const first = judged.filter((p) => p.first).length;
  const missed = judged.filter((p) => !p.all).map((p) => `${p.file} (${p.what}): want ${p.want.join(" + ") || "none"}, got ${p.got.join(", ") || "nothing"}`);
  const notFirst = judged.filter((p) => p.all && !p.first).map((p) => `${p.file} (${p.what}): want ${p.want.join(" + ")}, got ${p.got.join(", ")}`);
  const tied = judged.filter((p) => p.tied).length;
  t.diagnostic(`top-1 ${first} of ${judged.length} (${((100 * first) / judged.length).toFixed(1)} %, ${tied} tied with an entry that lists the same message), top-3 ${judged.length - missed.length} of ${judged.length}`);
  for (const p of judged.filter((p) => p.tied)) t.diagnostic(`tied first: ${p.file} (${p.what}): want ${p.want.join(" + ")}, got ${p.got.join(", ")}`);
  for (const line of notFirst) t.diagnostic(`second or third: ${line}`);
  assert.deepEqual(missed, [], "not among the first three (or listed for an unknown text)");
  assert.ok(first / judged.length >= 0.95, `top-1 ${first} of ${judged.length}:\n${notFirst.join("\n")}`);
});

test("Windows line endings, terminal colours and a PowerShell prompt change no answer", () => {
  const colour = (text) => text.replace(/(Error|ERROR|error)/g, "\u001b[31m$1\u001b[0m").replace(/^/gm, "\u001b[0m");
  const differ = [];
  for (const p of PASTES) {
    const plain = finder.find(p.text).results.map((r) => anchor(r.entry)).join();
    for (const [how, text] of [
      ["CRLF", p.text.replace(/\n/g, "\r\n")],
      ["colours", colour(p.text)],
      ["PowerShell", p.text.replace(/^\$ /gm, "PS C:\\Users\\me> ")],
    ]) {
      const got = finder.find(text).results.map((r) => anchor(r.entry)).join();
      if (got !== plain) differ.push(`${p.file} (${p.what}), ${how}: ${got} instead of ${plain}`);
    }
  }
  assert.deepEqual(differ, []);
});

test("the browser's tokenizer reads every wording and every paste line as the build's compiler does", () => {
  const wordings = Object.values(data.wordings).flat();
  assert.ok(wordings.length >= data.entries.length);
  const differ = wordings
    .filter(([message, fingerprint]) => finder.reader.tokens(message).join(" ") !== fingerprint)
    .map(([message, fingerprint]) => `${message}\n  build:   ${fingerprint}\n  browser: ${finder.reader.tokens(message).join(" ")}`);
  const lines = PASTES.flatMap((p) => course.paste.clean(p.text).split("\n"));
  const built = JSON.parse(python(["--tokens"], lines.join("\n")));
  lines.forEach((line, i) => {
    const mine = finder.reader.tokens(line).join(" ");
    if (mine !== built[i]) differ.push(`${line}\n  build:   ${built[i]}\n  browser: ${mine}`);
  });
  assert.deepEqual(differ, []);
});

test("an unknown text gets a search of its key words and the tracker's form, and no entry", () => {
  const where = { url: (u) => `https://site.test/${u}`, search: (q) => `https://site.test/troubleshooting/?q=${encodeURIComponent(q)}` };
  const traceback = pastes().find((p) => /ZeroDivisionError/.test(p.text));
  const answer = finder.answer(traceback.text, where);
  assert.equal(answer.state, "unknown");
  assert.equal(answer.message, "No entry matches this message.");
  assert.equal(answer.items[0].text, "Search this site for `zerodivisionerror division zero`");
  assert.equal(answer.items[0].href, "https://site.test/troubleshooting/?q=zerodivisionerror%20division%20zero");
  const issue = new URL(answer.items[1].href);
  assert.equal(issue.origin + issue.pathname, "https://github.com/docker-basics/docker-basics/issues/new");
  assert.equal(issue.searchParams.get("template"), "error-not-listed.yml");
  assert.equal(issue.searchParams.get("title"), "Error: ZeroDivisionError: division by zero");
  assert.match(issue.searchParams.get("message"), /^Traceback \(most recent call last\):\n[\s\S]*ZeroDivisionError: division by zero$/);
  assert.equal(finder.answer("hello world", where).items[0].text, "Search this site for `hello world`");
  assert.equal(finder.answer(" \n\r\n ", where).state, "empty");
});

test("a found entry links to its anchor with its cause", () => {
  const where = { url: (u) => `https://site.test/${u}`, search: () => "" };
  const answer = finder.answer('docker: Error response from daemon: Conflict. The container name "/x" is already in use by container "0123456789ab".', where);
  assert.equal(answer.state, "found");
  const entry = data.entries.find((e) => anchor(e) === "name-in-use");
  assert.deepEqual({ ...answer.items[0] }, { text: entry.h, href: `https://site.test/${entry.u}`, detail: entry.c });
});

test("a 5 MB paste is read from its end, and says so", () => {
  const line = "#5 0.123 Reading package lists... done, nothing to see here at all\n";
  const error = 'docker: Error response from daemon: Conflict. The container name "/web" is already in use by container "0123456789ab".\n';
  const big = line.repeat(Math.ceil(5e6 / line.length)) + error;
  const found = finder.find(big);
  assert.ok(found.cut && found.size > 5e6);
  assert.ok(found.lines.join("\n").length <= READ_MAX);
  assert.equal(anchor(found.results[0].entry), "name-in-use");
  const answer = finder.answer(big, { url: (u) => u, search: (q) => q });
  assert.match(answer.message, /^Your paste is 5\.0 MB: the box read its last 250 KB, where the error usually is\. /);
  // In the page the box keeps such a paste's end (course.js, with its own note): read whole, no note here.
  const kept = finder.answer(big.slice(-course.paste.MAX), { url: (u) => u, search: (q) => q });
  assert.equal(kept.message, "One entry matches:");
});

test("lines that a terminal wrapped are read together", () => {
  const message = "docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint web (0123456789ab): Bind for 0.0.0.0:8080 failed: port is already allocated";
  const whole = finder.find(message).results[0];
  for (const width of [80, 100, 120]) {
    const best = finder.find(message.match(new RegExp(`.{1,${width}}`, "g")).join("\n")).results[0];
    assert.equal(anchor(best.entry), "port-already-allocated", `${width} columns`);
    assert.ok(best.score > whole.score - 0.02, `${width} columns: ${best.score} for ${whole.score} on one line`);
  }
});
