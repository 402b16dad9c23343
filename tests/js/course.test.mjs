import assert from "node:assert/strict";
import { test } from "node:test";
import { load, loadAt, loadPage, plain } from "./load.mjs";

const course = load();

test("a paste loses Windows line endings, colours and its byte-order mark", () => {
  assert.equal(course.paste.clean("\uFEFF\u001b[31mred\u001b[0m\r\nnext\r\n"), "red\nnext\n");
});

test("prompt lines cut a paste into commands and their output", () => {
  const sections = course.paste.sections("$ docker inspect web\n[{}]\nPS C:\\Users\\me> docker ps\nCONTAINER ID\n");
  assert.deepEqual(plain(sections), [
    { command: "docker inspect web", output: "[{}]" },
    { command: "docker ps", output: "CONTAINER ID" },
  ]);
});

test("JSON from inspect, with its prompt line, and one object per line", () => {
  assert.deepEqual(plain(course.paste.json('$ docker inspect x\n[{"Name": "/x"}]\n').value), [{ Name: "/x" }]);
  assert.deepEqual(plain(course.paste.json('{"a":1}\n{"a":2}\n').value), [{ a: 1 }, { a: 2 }]);
  assert.equal(course.paste.json('[{"Name": "/x"').error, "cut-off");
  assert.equal(course.paste.json("[]\nError: No such object: notes").error, "docker-error");
  assert.equal(course.paste.json("   ").error, "empty");
  assert.equal(course.paste.json("x".repeat(course.paste.MAX + 1)).error, "too-long");
});

test("storage keys are versioned and namespaced; old progress is still read", () => {
  assert.equal(course.store.key("progress"), "docker-basics/v1/progress");
  assert.deepEqual(plain(course.progress.load()), { q: {}, l: {} });
  assert.ok(course.progress.save({ q: { "0123abcd": [2, 3] }, l: {} }));
  assert.deepEqual(plain(course.progress.load().q), { "0123abcd": [2, 3] });
});

test("a progress code carries results; an import adds them to those there", () => {
  const data = { q: { "0123abcd": [2, 3], ffff0000: [4, 4] }, l: { "89abcdef": 1 } };
  const code = course.progress.code(data);
  assert.equal(code, "DB1.0123abcd-2-3.ffff0000-4-4.89abcdef-ok");
  assert.deepEqual(plain(course.progress.fromCode(` ${code}\n`)), data);
  assert.equal(course.progress.fromCode("DB1.0123abcd-4-3"), null); // more right than asked
  assert.equal(course.progress.fromCode("not a code"), null);
  const here = { q: { "0123abcd": [1, 3], "11112222": [3, 3] }, l: {} };
  assert.deepEqual(plain(course.progress.merge(here, course.progress.fromCode("DB1.0123abcd-3-3.89abcdef-ok"))), {
    q: { "0123abcd": [3, 3], "11112222": [3, 3] },
    l: { "89abcdef": 1 },
  });
});

test("results are kept apart only on a page opened from a file in Firefox", () => {
  assert.equal(course.progress.apart(), false); // http: one storage for the site
  // Firefox: a file is an origin of its own, "null" (Node's URL says the same).
  assert.equal(loadAt("file:///home/me/docker-basics-offline/progress.html").progress.apart(), true);
});

/* ------------------------------------------------------------ paste boxes (course.js's guard) */
// A practice box's textarea and its page, as much of them as the guard uses; the guard is
// called as the browser calls it, with a paste or drop event, before the browser inserts.
const page = loadPage("http://127.0.0.1:8000/");
page.document.createElement = (tag) => new Stub(tag);

class Stub {
  constructor(tag, attributes = {}) {
    this.tagName = tag.toUpperCase();
    this.attributes = attributes;
    this.className = "";
    this.textContent = "";
  }
  get classList() {
    return { contains: (name) => this.className.split(" ").includes(name) };
  }
  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
}

class Box extends Stub {
  constructor({ value = "", keeps, maxLength = -1 } = {}) {
    super("textarea", keeps ? { "data-paste-keeps": keeps } : {});
    Object.assign(this, { value, maxLength, selectionStart: value.length, selectionEnd: value.length });
    this.nextElementSibling = null;
    this.events = [];
  }
  closest(selector) {
    return selector === "[data-course-script]" ? new Stub("div") : null;
  }
  after(node) {
    this.nextElementSibling = node;
  }
  setRangeText(text, start, end, mode) {
    assert.equal(mode, "end");
    this.value = this.value.slice(0, start) + text + this.value.slice(end);
    this.selectionStart = this.selectionEnd = start + text.length;
  }
  dispatchEvent(event) {
    this.events.push(`${event.type}${event.bubbles ? " (bubbles)" : ""}`);
    return true;
  }
  select(start, end) {
    Object.assign(this, { selectionStart: start, selectionEnd: end });
    return this;
  }
}

/* Pastes (or drops) `text` into the box: {inserted: whether the browser would insert it itself,
   value, note: the note under the box, "" if none, events: those the box got}. */
function paste(box, text, type = "paste") {
  const data = { getData: (kind) => (kind === "text/plain" ? text : "") };
  let prevented = false;
  const event = { type, target: box, preventDefault: () => (prevented = true) };
  event[type === "paste" ? "clipboardData" : "dataTransfer"] = data;
  for (const listener of page.document.listeners[type]) listener(event);
  const note = box.nextElementSibling;
  if (note) assert.deepEqual([note.className, note.getAttribute("role")], ["course-paste-note", "alert"]);
  return { inserted: !prevented, value: box.value, note: note ? note.textContent : "", events: box.events };
}

const MAX = page.course.paste.MAX;
// A terminal's paste: a long build log, then the error.
const LOG = Array.from({ length: 40000 }, (_, i) => `#8 ${i}.0 Collecting package-${i}`).join("\n");
const ERROR = "\nError response from daemon: driver failed programming external connectivity: port is already allocated\n";

test("a paste larger than a practice box takes is refused, with a note; one that fits clears it", () => {
  const box = new Box();
  const refused = paste(box, "x".repeat(MAX + 1));
  assert.equal(refused.inserted, false);
  assert.equal(refused.value, "");
  assert.equal(refused.note, "Not pasted: that is 250,001 characters, more than the box takes (250,000). Paste only what the command printed.");
  assert.deepEqual(refused.events, []);
  assert.deepEqual(paste(box, "[]\n"), { inserted: true, value: "", note: "", events: [] });
  // Its maxlength, counting what the paste replaces; a drop replaces nothing.
  const small = new Box({ value: "12345", maxLength: 10 });
  assert.equal(paste(small, "123456").inserted, false);
  assert.equal(paste(small.select(0, 5), "123456").inserted, true);
  assert.equal(paste(small.select(0, 5), "123456", "drop").inserted, false);
  assert.equal(paste(new Box(), LOG + ERROR).inserted, false); // a box not marked: the end too
});

test("the error finder's box keeps the end of a long paste, from the start of a line, and says so", () => {
  const text = LOG + ERROR;
  const box = new Box({ keeps: "end", value: "an earlier paste" }).select(0, 16);
  const got = paste(box, text);
  assert.equal(got.inserted, false); // not the whole paste as well
  assert.ok(got.value.length <= MAX && got.value.length > MAX - 40, got.value.length);
  assert.ok(text.endsWith(got.value) && text[text.length - got.value.length - 1] === "\n");
  assert.ok(got.value.endsWith(ERROR.slice(1)));
  assert.deepEqual(got.events, ["input (bubbles)"]);
  assert.equal(
    got.note,
    `Pasted the last ${got.value.length.toLocaleString("en")} of ${text.length.toLocaleString("en")} characters: ` +
      "the box takes at most 250,000, and a terminal prints the error last."
  );
  assert.deepEqual(paste(box.select(0, box.value.length), ERROR), { inserted: true, value: got.value, note: "", events: got.events });
});

test("what a box that keeps the end takes: what fits beside the rest, whole lines, else the line's end", () => {
  const keeps = (value, maxLength) => new Box({ keeps: "end", value, maxLength });
  assert.equal(paste(keeps("", 10), "aaaa\nbbbb\ncccc\n").value, "bbbb\ncccc\n"); // starts a line: all 10
  assert.equal(paste(keeps("", 9), "aaaa\nbbbb\ncccc\n").value, "cccc\n");
  assert.equal(paste(keeps("", 9), "aaaa\nbbbb\ncccc").value, "bbbb\ncccc");
  assert.equal(paste(keeps("", 8), "aaaa\nbbbb\ncccc").value, "cccc");
  assert.equal(paste(keeps("", 4), "aaaa\nbbbbbb\n").value, "bbb\n"); // a line longer than the box
  assert.equal(paste(keeps("", 4), "aaaaaaaa").value, "aaaa");
  // Beside what the box holds (a paste at its end; a drop at the caret).
  assert.equal(paste(keeps("x\n", 9), "aaaa\nbbbb\ncccc\n").value, "x\ncccc\n");
  assert.equal(paste(keeps("x\n", 9).select(0, 0), "aaaa\nbbbb\n", "drop").value, "bbbb\nx\n");
  const full = paste(keeps("12345", 5), "aaaa\nbbbb\n");
  assert.deepEqual([full.value, full.note.slice(0, 11), full.events], ["12345", "Not pasted:", []]);
});
