import assert from "node:assert/strict";
import { test } from "node:test";
import { load, loadAt, plain } from "./load.mjs";

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
