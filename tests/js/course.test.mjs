import assert from "node:assert/strict";
import { test } from "node:test";
import { load, plain } from "./load.mjs";

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
