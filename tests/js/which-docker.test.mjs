// which-docker.js: naming a learner's Docker from a pasted `docker version` (and `docker info`).
// The samples are real outputs or documented shapes: tests/js/samples/README.md says which.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { load, loadAt, plain } from "./load.mjs";

const course = load("which-docker");
const wd = course.whichDocker;
const sample = (name) => readFileSync(new URL(`./samples/${name}`, import.meta.url), "utf8");

function name(text) {
  const parsed = wd.parse(text);
  assert.ok(!parsed.error, `parse failed: ${parsed.message}`);
  return plain(wd.identify(parsed.facts));
}

const EXPECTED = [
  // [sample, setup id, image store (null: unknown, so the box asks for docker info)]
  ["course-engine.txt", "recorded", null],
  ["course-engine.json", "recorded", null],
  ["course-engine-with-info.txt", "recorded", "containerd"],
  ["desktop-mac.txt", "desktop-mac", null],
  ["desktop-windows.txt", "desktop-windows", null],
  ["desktop-linux.json", "desktop-linux", null],
  ["ce29.txt", "ce29-fresh", null],
  ["ce29-upgraded-with-info.txt", "ce29-upgraded", "classic"],
  ["ubuntu.txt", "ubuntu", null],
  ["debian13.txt", "debian13", "classic"],
  ["debian12.txt", "debian12", "classic"],
  ["rootless.txt", "rootless", null],
  // Captured with Debian 12's podman 4.3.1 and podman-docker by h4's `python -m course podman` (tests/data/podman).
  ["../../data/podman/docker-version.txt", "podman", "own"],
  ["../../data/podman/docker-version.json", "podman", "own"],
  ["../../data/podman/version.txt", "podman", "own"],
];

for (const [file, id, store] of EXPECTED) {
  test(`${file} is named ${id}`, () => {
    const result = name(sample(file));
    assert.equal(result.id, id, JSON.stringify(result));
    assert.equal(result.store, store);
    assert.ok(result.why.length > 0, "says why");
  });
}

test("the course's engine: its version, client and server read from both forms", () => {
  for (const file of ["course-engine.txt", "course-engine.json"]) {
    const { facts } = wd.parse(sample(file));
    assert.equal(facts.client.version, "28.5.2+dfsg4", file);
    assert.equal(facts.server.version, "28.5.2+dfsg4", file);
    assert.deepEqual([facts.client.os, facts.server.os, facts.server.arch], ["linux", "linux", "amd64"], file);
    assert.deepEqual(plain(facts.server.components), ["Engine", "containerd", "runc", "docker-init"], file);
  }
});

test("Podman's docker version with its docker info (YAML or JSON) is Podman, with its own driver", () => {
  for (const info of ["info.txt", "info.json"]) {
    const text = "$ docker version\n" + sample("../../data/podman/docker-version.txt") + "\n$ docker info\n" + sample(`../../data/podman/${info}`);
    const parsed = wd.parse(text);
    assert.ok(!parsed.error, info);
    assert.equal(parsed.facts.info_.driver, "overlay", info);
    assert.equal(wd.identify(parsed.facts).id, "podman", info);
  }
});

test("an unknown store asks for docker info; a known one does not", () => {
  assert.match(name(sample("ce29.txt")).ask, /docker info/);
  assert.equal(name(sample("ce29-upgraded-with-info.txt")).ask, null);
  assert.match(name(sample("course-engine.txt")).ask, /docker info/);
});

test("docker info pasted first, then docker version, reads the same", () => {
  const text = sample("course-engine-with-info.txt");
  const at = text.indexOf("$ docker info");
  const swapped = text.slice(at) + "\n" + text.slice(0, at);
  const result = name(swapped);
  assert.equal(result.id, "recorded");
  assert.equal(result.store, "containerd");
});

test("Windows line endings, colours and a PowerShell prompt do not matter", () => {
  const text = "PS C:\\> docker version\r\n" + sample("desktop-mac.txt").replace(/\n/g, "\r\n").replace("Server:", "\u001b[1mServer:\u001b[0m");
  assert.equal(name(text).id, "desktop-mac");
});

test("bad input gets a clear message", () => {
  const cases = [
    ["", "empty", /box is empty/],
    ["   \n  ", "empty", /box is empty/],
    ["CONTAINER ID   IMAGE   COMMAND   CREATED   STATUS   PORTS   NAMES\n", "not-version", /not the output of `docker version`/],
    ['{"Client":{"Version":"29.1.3"', "not-version", /cut off/],
    ["x".repeat(course.paste.MAX + 1), "too-long", /far more/],
  ];
  for (const [text, error, message] of cases) {
    const parsed = wd.parse(text);
    assert.equal(parsed.error, error, JSON.stringify(text.slice(0, 40)));
    assert.match(parsed.message, message);
  }
});

test("a client without an engine: the paste names the cause, on CLI 29 and on older CLIs", () => {
  const old = sample("course-engine.txt").split("\nServer:")[0] + "\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n";
  for (const text of [sample("cannot-connect-29.txt"), old]) {
    const result = wd.identify(wd.parse(text).facts);
    assert.equal(result.error, "no-engine");
    assert.match(result.message, /Start Docker Desktop/);
  }
  const clientOnly = sample("course-engine.txt").split("\nServer:")[0];
  assert.equal(wd.identify(wd.parse(clientOnly).facts).error, "no-server");
});

test("a note applies to a setup by its id or by its image store", () => {
  const desktop = { id: "desktop-mac", store: "containerd" };
  const upgradedDesktop = { id: "desktop-mac", store: "classic" };
  assert.ok(wd.applies(["desktop-mac"], desktop));
  assert.ok(!wd.applies(["store:classic"], desktop));
  assert.ok(wd.applies(["store:classic"], upgradedDesktop));
  assert.ok(!wd.applies(["podman"], desktop));
  assert.ok(wd.applies(["podman"], null), "no profile: every note shows");
});

test("what differs is listed chapter by chapter, in reading order, each difference explained once", () => {
  const data = {
    order: ["index.md", "concepts/a.md", "building-images/b.md", "building-images/c.md"],
    differences: [
      {
        id: "one",
        title: "One",
        pages: [
          { page: "building-images/c.md", title: "C", chapter: "Building images" },
          { page: "concepts/a.md", title: "A", chapter: "Docker concepts" },
        ],
        notes: [{ for: ["store:classic"], label: "classic", html: "x" }],
      },
      { id: "two", title: "Two", pages: [{ page: "building-images/b.md", title: "B", chapter: "Building images" }], notes: [{ for: ["podman"], label: "p", html: "y" }] },
    ],
  };
  const chapters = plain(wd.differencesFor(data, { id: "debian13", store: "classic" }));
  assert.deepEqual(chapters.map((c) => c.chapter), ["Docker concepts", "Building images"]);
  assert.deepEqual(chapters[1].items.map((i) => [i.id, i.first]), [["one", false]]);
  assert.equal(chapters[0].items[0].first, true);
  assert.deepEqual(plain(wd.differencesFor(data, { id: "recorded", store: "containerd" })), []);
});

test("where the box says the setup is kept: over http lesson pages use it; from files in Firefox they cannot", () => {
  // Over http (and from files in Chromium) every page shares one storage.
  assert.deepEqual(plain(wd.kept(true)), { text: " Saved: lesson pages show the notes for it first.", item: null });
  assert.match(wd.kept(false).text, /keeps nothing/);
  // Firefox: each file is an origin of its own (course.progress.apart()), so lesson pages opened from
  // files see no saved setup and show the notes of every setup; the box says so and how to serve the site.
  const offline = loadAt("file:///home/me/docker-basics-offline/which-docker.html", "which-docker");
  assert.equal(offline.progress.apart(), true);
  const kept = plain(offline.whichDocker.kept(true));
  assert.match(kept.text, /this page only/);
  assert.match(kept.text, /lesson pages opened from files show the notes of every setup/);
  assert.doesNotMatch(kept.text, /show the notes for it first/);
  assert.match(kept.item.hint, /`python3 -m http\.server`/);
  assert.equal(kept.item.href, "file:///home/me/docker-basics-offline/progress.html#reading-the-offline-copy-in-firefox");
  assert.match(offline.whichDocker.kept(false).text, /keeps nothing/);
});
