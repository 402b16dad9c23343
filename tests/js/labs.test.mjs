// The lab checker (docs/assets/javascripts/labs.js): each named check on the shapes of the
// same state that Docker 25 to 29 and Podman print, and every kind of paste. The checker on
// every lab's captured cases is tested by tests/test_labs.py (through tests/js/check-lab.mjs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { load, plain } from "./load.mjs";

const course = load("labs");
const { check, ref, sameImage, shellWords, effective, userOf } = course.labs;

/* A container as `docker inspect` prints it (Engine 28), with what a test changes. */
function container(over = {}) {
  const c = {
    Id: "a".repeat(64),
    Name: "/web",
    Path: "python3",
    Args: ["-m", "http.server", "8000"],
    State: { Status: "running", Running: true, Paused: false, Restarting: false, OOMKilled: false, ExitCode: 0, Error: "" },
    RestartCount: 0,
    HostConfig: {
      PortBindings: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8088" }] },
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      Memory: 0,
    },
    Mounts: [{ Type: "volume", Name: "web-data", Source: "/var/lib/docker/volumes/web-data/_data", Destination: "/data", RW: true }],
    Config: {
      User: "",
      Env: ["PATH=/usr/bin", "PYTHON_VERSION=3.13.5"],
      Cmd: ["python3", "-m", "http.server", "8000"],
      Image: "python:3.13-slim",
      WorkingDir: "",
      Entrypoint: null,
      Labels: {},
    },
    NetworkSettings: {
      Ports: { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "8088" }] },
      Networks: { bridge: { Aliases: null, DNSNames: null } },
    },
  };
  return merge(c, over);
}
function image(over = {}) {
  return merge(
    {
      Id: "sha256:" + "b".repeat(64),
      RepoTags: ["greeter:lab"],
      Size: 150_000_000,
      RootFS: { Type: "layers", Layers: [] },
      Config: { User: "10001:10001", Env: ["PYTHON_VERSION=3.13.5"], Cmd: ["python3", "/app/greet.py"], Entrypoint: null, WorkingDir: "" },
    },
    over
  );
}
function merge(a, b) {
  for (const [k, v] of Object.entries(b)) {
    if (v && typeof v === "object" && !Array.isArray(v) && a[k] && typeof a[k] === "object") merge(a[k], v);
    else a[k] = v;
  }
  return a;
}
const lab = (kind, object, criteria, commands = []) => ({
  name: "t",
  kind,
  object,
  commands: [{ command: kind === "image" ? `docker image inspect ${object}` : `docker inspect ${object}` }, ...commands.map((command) => ({ command }))],
  criteria: criteria.map((c, i) => ({ id: c.id || c.check || String(i), text: `criterion ${i}`, hint: "Do this.", lesson: "x.md", ...c })),
});
/* The verdict of one criterion on one object: {state, seen}. */
function judge(kind, obj, criterion, pastes = [], answers = {}) {
  const spec = lab(kind, kind === "image" ? "greeter:lab" : "web", [criterion], pastes.map((_, i) => `cmd${i + 2}`));
  const v = check(spec, [JSON.stringify([obj], null, 4), ...pastes], answers);
  assert.equal(v.criteria.length, 1, v.message);
  return plain(v.criteria[0]);
}

test("image references compare normalized: Docker Hub's long forms, :latest, Podman's localhost/", () => {
  assert.deepEqual(plain(ref("docker.io/library/debian:trixie-slim")), { name: "debian", tag: "trixie-slim", digest: "" });
  assert.deepEqual(plain(ref("library/debian")), { name: "debian", tag: "latest", digest: "" });
  assert.equal(sameImage("debian", "debian:latest"), true);
  assert.equal(sameImage("index.docker.io/library/debian:trixie-slim", "debian:trixie-slim"), true);
  assert.equal(sameImage("localhost/greeter:lab", "greeter:lab"), true);
  assert.equal(sameImage("localhost:5000/greeter:lab", "greeter:lab"), false, "a registry on localhost:5000 is another image");
  assert.equal(sameImage("debian:bookworm-slim", "debian:trixie-slim"), false);
  assert.equal(sameImage("debian@sha256:" + "c".repeat(64), "debian:trixie-slim"), null, "a digest alone names no tag");
  assert.equal(sameImage("sha256:" + "c".repeat(64), "debian:trixie-slim"), null, "an image id names nothing");
  assert.equal(sameImage("debian:trixie-slim@sha256:" + "c".repeat(64), "debian:trixie-slim"), true);
});

test("a shell script's words, as sh reads them", () => {
  assert.deepEqual(plain(shellWords(`python3 "/app/my file.py" --x='a b' c\\ d`)), ["python3", "/app/my file.py", "--x=a b", "c d"]);
  assert.deepEqual(plain(shellWords("  exec  nginx -g 'daemon off;'")), ["exec", "nginx", "-g", "daemon off;"]);
});

test("the effective command: Path and Args, ENTRYPOINT and CMD, shell form unwrapped", () => {
  const shell = container({ Path: "/bin/sh", Args: ["-c", "python3 -m http.server"] });
  assert.deepEqual(plain(effective(shell, "container")).argv, ["python3", "-m", "http.server"]);
  assert.equal(effective(shell, "container").shell, true);
  const execs = image({ Config: { Entrypoint: ["/bin/sh", "-c", "exec python3 /app/greet.py"], Cmd: null } });
  assert.deepEqual(plain(effective(execs, "image")), { argv: ["python3", "/app/greet.py"], shell: false, raw: ["/bin/sh", "-c", "exec python3 /app/greet.py"], workdir: "/" });
  const both = image({ Config: { Entrypoint: ["python3"], Cmd: ["/app/greet.py"] } });
  assert.deepEqual(plain(effective(both, "image").argv), ["python3", "/app/greet.py"]);
  // Docker 29 leaves out empty Config fields; Podman 4 wrote a container's Entrypoint as a string.
  const bare = image();
  delete bare.Config.Entrypoint;
  assert.deepEqual(plain(effective(bare, "image").argv), ["python3", "/app/greet.py"]);
  const podman = container({ Path: undefined, Args: undefined, Config: { Entrypoint: "python3 -m http.server", Cmd: [] } });
  delete podman.Path;
  assert.deepEqual(plain(effective(podman, "container").argv), ["python3", "-m", "http.server"]);
});

test("the user: none and 0 are root, uid:gid is the uid, a name is not mapped", () => {
  assert.deepEqual(plain(userOf(image({ Config: { User: "" } }))), { raw: "", uid: 0 });
  assert.equal(userOf(image({ Config: { User: "0:0" } })).uid, 0);
  assert.equal(userOf(image({ Config: { User: "root:app" } })).uid, 0);
  assert.equal(userOf(image({ Config: { User: "10001:0" } })).uid, 10001);
  assert.deepEqual(plain(userOf(image({ Config: { User: "app:app" } }))), { raw: "app:app", name: "app" });
});

test("user: uid 1000 is not called root; a name is asked about, then judged by the answer", () => {
  const u1000 = judge("image", image({ Config: { User: "1000" } }), { check: "user", uid: 10001 });
  assert.equal(u1000.state, "fail");
  assert.match(u1000.seen, /uid `1000`/);
  assert.doesNotMatch(u1000.seen, /root/);
  assert.equal(judge("image", image({ Config: { User: "1000" } }), { check: "user", not_root: true }).state, "ok");
  assert.match(judge("image", image({ Config: { User: "" } }), { check: "user", not_root: true }).seen, /root: no `USER`/);
  const named = image({ Config: { User: "app" } });
  assert.equal(judge("image", named, { check: "user", not_root: true }).state, "ok", "a name other than root is not root");
  const asked = check(lab("image", "greeter:lab", [{ check: "user", uid: 10001 }]), [JSON.stringify([named])], {});
  assert.equal(asked.criteria[0].state, "open");
  assert.deepEqual(plain(asked.asks), [
    { key: "docker run --rm --entrypoint id greeter:lab -u", command: "docker run --rm --entrypoint id greeter:lab -u", about: "the uid of the user `app`" },
  ]);
  assert.match(asked.message, /need more output/);
  const answer = (text) => judge("image", named, { check: "user", uid: 10001 }, [], { "docker run --rm --entrypoint id greeter:lab -u": text });
  assert.equal(answer("10001\r\n").state, "ok");
  assert.equal(answer("$ docker run --rm --entrypoint id greeter:lab -u\n10001\n").state, "ok");
  assert.match(answer("1000").seen, /the user `app`, uid 1000/);
  assert.equal(answer("id: cannot find name").state, "open");
  // A running container is asked with docker exec; a stopped one with its image.
  const running = check(lab("container", "web", [{ check: "user", uid: 10001 }]), [JSON.stringify(container({ Config: { User: "app" } }))]);
  assert.equal(running.asks[0].command, "docker exec web id -u");
  const stopped = container({ Config: { User: "app" }, State: { Status: "exited", Running: false } });
  assert.equal(check(lab("container", "web", [{ check: "user", uid: 1 }]), [JSON.stringify(stopped)]).asks[0].command, "docker run --rm --entrypoint id --user app python:3.13-slim -u");
});

test("running and exited: what the state is, said as it is", () => {
  const created = container({ State: { Status: "created", Running: false, Error: "driver failed programming external connectivity: Bind for 127.0.0.1:8088 failed: port is already allocated" } });
  const r = judge("container", created, { check: "running" });
  assert.equal(r.state, "fail");
  assert.match(r.seen, /^It was created but never started \(Docker said `driver failed.*port is already allocated`\)\.$/);
  const exited = container({ State: { Status: "exited", Running: false, ExitCode: 1 } });
  assert.equal(judge("container", exited, { check: "running" }).seen, "It has stopped: it exited with status 1.");
  assert.equal(judge("container", exited, { check: "exited" }).state, "ok");
  assert.equal(judge("container", exited, { check: "exited", code: 0 }).seen, "It exited with status 1.");
  assert.equal(judge("container", created, { check: "exited", code: 0 }).state, "open", "no exit status before the end");
  assert.equal(judge("container", container(), { check: "exited" }).seen, "It is still running.");
  const restarting = container({ State: { Status: "restarting", Restarting: true, Running: true }, RestartCount: 4 });
  assert.match(judge("container", restarting, { check: "running" }).seen, /keeps restarting.*4 restarts/);
  // Podman: "configured" is created, "stopped" has ended.
  assert.match(judge("container", container({ State: { Status: "configured", Running: false } }), { check: "running" }).seen, /never started/);
  assert.equal(judge("container", container({ State: { Status: "stopped", Running: false } }), { check: "exited" }).state, "ok");
});

test("image and command judge the state, not the typing", () => {
  assert.equal(judge("container", container({ Config: { Image: "docker.io/library/python:3.13-slim" } }), { check: "image", is: "python:3.13-slim" }).state, "ok");
  assert.match(judge("container", container({ Config: { Image: "nginx:1.26" } }), { check: "image", is: "python:3.13-slim" }).seen, /`nginx:1.26`/);
  const cmd = { check: "command", runs: ["python3", "python"], args: ["-m", "http.server"] };
  assert.equal(judge("container", container({ Path: "/usr/local/bin/python3", Args: ["-u", "-m", "http.server"] }), cmd).state, "ok");
  assert.equal(judge("container", container({ Path: "/bin/sh", Args: ["-c", "python3 -m http.server 8000"] }), cmd).state, "ok");
  assert.match(judge("container", container({ Path: "sleep", Args: ["infinity"] }), cmd).seen, /`sleep infinity`/);
  const greet = { check: "command", runs: "python3", args: ["/app/greet.py"] };
  assert.equal(judge("image", image({ Config: { Cmd: ["python3", "greet.py"], WorkingDir: "/app" } }), greet).state, "ok", "relative in WORKDIR");
  assert.equal(judge("image", image({ Config: { Cmd: ["python3", "greet.py"] } }), greet).state, "fail", "relative in /");
  assert.equal(judge("image", image({ Config: { Entrypoint: ["python3", "/app/greet.py"], Cmd: null } }), greet).state, "ok");
  const exact = { check: "command", is: ["cat", "/etc/os-release"] };
  assert.equal(judge("container", container({ Path: "cat", Args: ["/etc/os-release"] }), { check: "command", is: ["/usr/bin/cat", "/etc/os-release"] }).state, "ok");
  assert.equal(judge("container", container({ Path: "cat", Args: ["/etc/os-release"] }), exact).state, "ok");
  assert.equal(judge("container", container({ Path: "cat", Args: ["/etc/os-release", "-n"] }), exact).state, "fail");
});

test("exec_form: an exec-form ENTRYPOINT or CMD, or a shell that execs, is PID 1", () => {
  const form = { check: "exec_form" };
  assert.equal(judge("image", image(), form).state, "ok");
  assert.equal(judge("image", image({ Config: { Entrypoint: ["python3", "/app/greet.py"], Cmd: null } }), form).state, "ok");
  assert.equal(judge("image", image({ Config: { Cmd: ["/bin/sh", "-c", "exec python3 /app/greet.py"] } }), form).state, "ok");
  const shell = judge("image", image({ Config: { Cmd: ["/bin/sh", "-c", "python3 /app/greet.py"] } }), form);
  assert.equal(shell.seen, 'Its `CMD` is in shell form, `/bin/sh -c "python3 /app/greet.py"`: the shell is PID 1.');
  assert.match(judge("image", image({ Config: { Entrypoint: ["/bin/sh", "-c", "python3 x.py"], Cmd: null } }), form).seen, /`ENTRYPOINT`/);
});

test("port: published on loopback only, in the running and in the created shape", () => {
  const port = { check: "port", container: 8000, host: 8088, address: "127.0.0.1" };
  assert.equal(judge("container", container(), port).state, "ok");
  const all = container({ NetworkSettings: { Ports: { "8000/tcp": [{ HostIp: "0.0.0.0", HostPort: "8088" }, { HostIp: "::", HostPort: "8088" }] } } });
  assert.equal(judge("container", all, port).seen, "Its port `8000/tcp` is published on `0.0.0.0:8088` and `[::]:8088`.");
  const created = container({ HostConfig: { PortBindings: { "8000/tcp": [{ HostIp: "", HostPort: "8088" }] } } });
  created.NetworkSettings.Ports = {}; // what Docker prints for a container that is not running
  assert.equal(judge("container", created, port).seen, "Its port `8000/tcp` is published on every address, port 8088.");
  assert.equal(judge("container", created, { check: "port", container: 8000, host: 8088 }).state, "ok");
  const random = container();
  random.HostConfig.PortBindings = { "8000/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] };
  random.NetworkSettings.Ports = {};
  assert.equal(judge("container", random, port).seen, "Its port `8000/tcp` is published on `127.0.0.1`, a port the engine picks when it starts.");
  assert.equal(judge("container", random, { check: "port", container: 8000, address: "127.0.0.1" }).state, "ok");
  const other = container();
  other.HostConfig.PortBindings = { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8088" }] };
  other.NetworkSettings.Ports = {};
  assert.equal(judge("container", other, port).seen, "Its port `8000/tcp` is not published; it publishes `80/tcp`.");
});

const PODMAN = (file) => JSON.parse(readFileSync(new URL(`../data/podman/${file}`, import.meta.url), "utf8"))[0];

test("port with published: false: nothing published, read from what was asked and what the engine bound", () => {
  const none = { check: "port", published: false };
  assert.equal(judge("container", container(), none).seen, "Its port `8000/tcp` is published on `127.0.0.1:8088`.");
  const exposedOnly = container({ HostConfig: { PortBindings: {} }, NetworkSettings: { Ports: { "8000/tcp": null } } });
  exposedOnly.HostConfig.PortBindings = {};
  exposedOnly.NetworkSettings.Ports = { "8000/tcp": null }; // an EXPOSEd port, not published
  assert.equal(judge("container", exposedOnly, none).state, "ok");
  const bare = container();
  delete bare.HostConfig.PortBindings; // a field left out (Docker 29 leaves out empty ones)
  bare.NetworkSettings.Ports = null;
  assert.equal(judge("container", bare, none).state, "ok");
  const created = container();
  created.NetworkSettings.Ports = {}; // created, not running: only what was asked
  created.HostConfig.PortBindings = { "8000/tcp": [{ HostIp: "", HostPort: "18334" }] };
  assert.equal(judge("container", created, none).seen, "Its port `8000/tcp` is published on every address, port 18334.");
  const all = container({ HostConfig: { PublishAllPorts: true } });
  all.HostConfig.PortBindings = {};
  all.NetworkSettings.Ports = {};
  assert.match(judge("container", all, none).seen, /every port its image exposes \(`-P`\)/);
  all.State = { Status: "running", Running: true };
  all.NetworkSettings.Ports = { "8000/tcp": [{ HostIp: "0.0.0.0", HostPort: "32768" }] }; // -P, once running
  assert.equal(judge("container", all, none).seen, "Its port `8000/tcp` is published on `0.0.0.0:32768`.");
  assert.equal(judge("container", container(), { check: "port", container: 9000, published: false }).state, "ok", "another port");
  // Podman 4.3.1's real output: first-box publishes nothing, notes publishes 8000.
  assert.equal(judge("container", { ...PODMAN("container-first-box-exited.json"), Name: "web" }, none).state, "ok");
  assert.equal(judge("container", { ...PODMAN("container-notes-running.json"), Name: "web" }, none).seen, "Its port `8000/tcp` is published on `127.0.0.1:8088`.");
});

test("limits: memory, swap, CPUs and processes, as Docker and Podman keep them", () => {
  const capped = (h) => container({ HostConfig: { Memory: 67108864, MemorySwap: 67108864, NanoCpus: 500000000, CpuQuota: 0, CpuPeriod: 0, PidsLimit: 50, ...h } });
  const all = { check: "limits", memory_max: 67108864, swap: 0, cpus: 0.5, pids: 50 };
  assert.equal(judge("container", capped({}), all).state, "ok");
  const swap = { check: "limits", swap: 0 };
  assert.equal(judge("container", capped({ MemorySwap: 134217728 }), swap).seen, "It may use 64 MiB of swap on top of its memory.");
  assert.equal(judge("container", capped({ MemorySwap: 0 }), swap).seen, "It may use 64 MiB of swap on top of its memory.", "unset: as much swap as memory");
  assert.equal(judge("container", capped({ MemorySwap: -1 }), swap).seen, "It may use any amount of swap on top of its memory.");
  assert.equal(judge("container", capped({ Memory: 0, MemorySwap: 0 }), swap).seen, "It has no memory limit.");
  assert.equal(judge("container", capped({ Memory: 134217728 }), { check: "limits", memory_max: 67108864 }).seen, "Its memory limit is 128 MiB.");
  const cpus = { check: "limits", cpus: 0.5 };
  assert.equal(judge("container", capped({ NanoCpus: 0, CpuQuota: 50000 }), cpus).state, "ok", "--cpu-quota 50000: a period of 100 ms");
  assert.equal(judge("container", capped({ NanoCpus: 0, CpuQuota: 25000, CpuPeriod: 50000 }), cpus).state, "ok");
  assert.equal(judge("container", capped({ NanoCpus: 1500000000 }), cpus).seen, "It may use 1.5 CPUs.");
  assert.equal(judge("container", capped({ NanoCpus: 0, CpuShares: 512 }), cpus).seen, "It has no CPU limit.");
  const pids = { check: "limits", pids: 50 };
  assert.equal(judge("container", capped({ PidsLimit: null }), pids).seen, "It has no process limit.");
  assert.equal(judge("container", capped({ PidsLimit: -1 }), pids).seen, "It has no process limit.");
  assert.equal(judge("container", capped({ PidsLimit: 100 }), pids).seen, "It may hold 100 processes.");
  const bare = capped({});
  for (const key of ["MemorySwap", "NanoCpus", "PidsLimit"]) delete bare.HostConfig[key]; // fields left out
  assert.equal(judge("container", bare, pids).seen, "It has no process limit.");
  assert.equal(judge("container", bare, cpus).seen, "It has no CPU limit.");
  assert.equal(judge("container", bare, swap).seen, "It may use 64 MiB of swap on top of its memory.");
  // Podman keeps --cpus 0.5 as a quota per period (its docs: --cpus is shorthand for --cpu-period and
  // --cpu-quota), and limits every container to 2048 processes by default (Podman 4.3.1's output).
  assert.equal(judge("container", capped({ NanoCpus: 0, CpuQuota: 50000, CpuPeriod: 100000 }), cpus).state, "ok");
  const podman = { ...PODMAN("container-first-box-exited.json"), Name: "web" };
  assert.equal(judge("container", podman, pids).seen, "It may hold 2048 processes.");
  assert.equal(judge("container", podman, cpus).seen, "It has no CPU limit.");
});

test("mount, env, restart, network, health, memory, label, size, workdir, exposes, healthcheck, tag", () => {
  const mount = { check: "mount", destination: "/data", type: "volume", name: "web-data" };
  assert.equal(judge("container", container(), mount).state, "ok");
  const anon = container({ Mounts: [{ Type: "volume", Name: "f".repeat(64), Destination: "/data" }] });
  assert.match(judge("container", anon, mount).seen, /anonymous volume/);
  assert.match(judge("container", container({ Mounts: [{ Type: "bind", Source: "/home/me/data", Destination: "/data/" }] }), mount).seen, /bind mount of `\/home\/me\/data`/);
  assert.match(judge("container", container({ Mounts: [] }), mount).seen, /^Nothing is mounted at `\/data`/);
  assert.equal(judge("container", container({ Mounts: [], HostConfig: { Tmpfs: { "/data": "" } } }), { check: "mount", destination: "/data", type: "tmpfs" }).state, "ok");
  assert.equal(judge("container", container(), { check: "env", name: "PYTHON_VERSION", matches: "^3\\.13\\." }).state, "ok");
  assert.equal(judge("container", container(), { check: "env", name: "DEBUG" }).seen, "`DEBUG` is not set.");
  assert.equal(judge("container", container({ HostConfig: { RestartPolicy: { Name: "" } } }), { check: "restart", policy: "unless-stopped" }).seen, "Its restart policy is `no`.");
  assert.equal(judge("container", container({ RestartCount: 3 }), { check: "restart", policy: ["unless-stopped", "always"], count_max: 0 }).seen, "It restarted 3 times.");
  const net = container({ NetworkSettings: { Networks: { app: { Aliases: ["web"], DNSNames: ["web", "aaaaaaaaaaaa"] } } } });
  assert.equal(judge("container", net, { check: "network", name: "app", alias: "web" }).state, "ok");
  assert.equal(judge("container", net, { check: "network", name: "app", alias: "db" }).seen, "On `app` it answers to `web`, `web`, `aaaaaaaaaaaa` only.");
  assert.equal(judge("container", container(), { check: "network", name: "app" }).seen, "It is connected to `bridge` only.");
  assert.equal(judge("container", container(), { check: "health" }).seen, "It has no health check.");
  assert.equal(judge("container", container({ State: { Health: { Status: "starting" } } }), { check: "health" }).seen, "Its health is `starting`.");
  assert.equal(judge("container", container({ State: { Healthcheck: { Status: "healthy" } } }), { check: "health" }).state, "ok", "Podman 4's name");
  assert.equal(judge("container", container(), { check: "memory", max_bytes: 1e8 }).seen, "It has no memory limit.");
  assert.equal(judge("container", container({ HostConfig: { Memory: 67108864 } }), { check: "memory", max_bytes: 67108864 }).state, "ok");
  assert.equal(judge("image", image({ Config: { Labels: { a: "b" } } }), { check: "label", name: "a", value: "c" }).seen, "Its label `a` is `b`.");
  // Compose's depends_on label, service:condition:restart, comma-separated: matched, not one Compose's spelling.
  const depends = { check: "label", name: "com.docker.compose.depends_on", matches: "(?:^|,)db(?::|,|$)" };
  const labelled = (v) => judge("container", container({ Config: { Labels: { "com.docker.compose.depends_on": v } } }), depends);
  assert.equal(labelled("db:service_started:false").state, "ok");
  assert.equal(labelled("cache:service_healthy:true,db:service_started").state, "ok");
  assert.equal(labelled("dbx:service_started:false").seen, "Its label `com.docker.compose.depends_on` is `dbx:service_started:false`.");
  assert.equal(labelled("").seen, "Its label `com.docker.compose.depends_on` is empty.");
  assert.equal(judge("image", image(), { check: "size", max_mb: 100 }).seen, "It is 150 MB.");
  const size = (bytes, max_mb) => judge("image", image({ Size: bytes }), { check: "size", max_mb }).seen;
  assert.equal(size(850_000, 0.5), "It is 850 kB.", "under 1 MB: kB, not 0 MB");
  assert.equal(size(5_300_000, 5), "It is 5.3 MB.", "under 10 MB: one decimal");
  assert.equal(size(5_040_000, 5), "It is 5.04 MB.", "more than the limit, and shown so");
  assert.equal(size(999_700, 0.9), "It is 1.0 MB.");
  assert.equal(size(812, 0.0001), "It is 812 bytes.");
  assert.equal(judge("image", image({ Size: 5_000_000 }), { check: "size", max_mb: 5 }).state, "ok");
  assert.equal(judge("image", image({ Config: { WorkingDir: "/app/" } }), { check: "workdir", is: "/app" }).state, "ok");
  assert.equal(judge("image", image(), { check: "exposes", port: 8000 }).seen, "It exposes no port.");
  assert.equal(judge("image", image({ Config: { ExposedPorts: { "8000/tcp": {} } } }), { check: "exposes", port: "8000" }).state, "ok");
  assert.equal(judge("image", image({ Config: { Healthcheck: { Test: ["CMD", "curl", "-f", "http://localhost/"] } } }), { check: "healthcheck", contains: "curl" }).state, "ok");
  assert.equal(judge("image", image({ Config: { Healthcheck: { Test: ["NONE"] } } }), { check: "healthcheck" }).seen, "It has no `HEALTHCHECK`.");
  assert.equal(judge("image", image({ RepoTags: ["greeter:lab", "localhost/greeter:1.0"] }), { check: "tag", is: "greeter:1.0" }).state, "ok");
});

test("output: another command's output, without its prompt line, or asked for when its box is empty", () => {
  const serves = { check: "output", command: 2, contains: "hello from the volume" };
  assert.equal(judge("container", container(), serves, ["$ curl -sS http://127.0.0.1:8088/hello.txt\r\nhello from the volume\r\n"]).state, "ok");
  const empty = judge("container", container(), serves, ["  "]);
  assert.equal(empty.state, "open");
  assert.equal(empty.seen, "Not judged: paste the output of `cmd2` in its box (if it printed nothing, paste the command line you ran).");
  assert.equal(judge("container", container(), serves, ["curl: (52) Empty reply from server"]).seen, "It printed `curl: (52) Empty reply from server`.");
  const answers = { check: "output", command: 2, not_matches: "^curl: \\(" };
  assert.equal(judge("container", container(), answers, ["<html>404</html>"]).state, "ok");
  assert.equal(judge("container", container(), answers, ["PS C:\\> curl.exe -sS http://127.0.0.1:8088/\ncurl: (7) Failed to connect"]).seen, "It printed `curl: (7) Failed to connect`.");
  assert.equal(judge("container", container(), { check: "output", command: 2, equals: "ok" }, ["\nok\n\n"]).state, "ok");
  const error = "docker: Error response from daemon: failed to create task for container: failed to create shim task: " +
    'OCI runtime create failed: runc create failed: unable to start container process: exec: "python3": executable file not found in $PATH';
  assert.match(judge("container", container(), serves, [error + "\n\nRun 'docker run --help' for more information"]).seen, /^It printed `….*executable file not found in \$PATH`\.$/);
  assert.equal(judge("container", container(), serves, ["<html>\n<title>Error response</title>\n<h1>Error response</h1>\n<p>Error code: 404</p>\n</html>"]).seen, "It printed `Error response Error code: 404`.");

});

test("output: the command line pasted alone is a command that ran and printed nothing; an empty box is not judged", () => {
  const prints = { check: "output", command: 2, contains: "Hello" };
  for (const text of ["$ cmd2", "cmd2\r\n", "PS C:\\Users\\me> cmd2", "me@host:~/labs$ cmd2\n\n", "\n  cmd2  \n"]) {
    const r = judge("container", container(), prints, [text]);
    assert.deepEqual([r.state, r.seen], ["fail", "It printed nothing."], JSON.stringify(text));
  }
  assert.equal(judge("container", container(), { check: "output", command: 2, not_contains: "Error" }, ["$ cmd2"]).state, "ok");
  assert.equal(judge("container", container(), prints, ["cmd2\nHello from the image"]).state, "ok", "the command line, then its output");
  assert.equal(judge("container", container(), prints, ["xcmd2"]).seen, "It printed `xcmd2`.", "not the command: output");
  assert.equal(judge("container", container(), prints, ["\n \n"]).state, "open");
  // The PowerShell spelling of the command counts too.
  const spec = lab("container", "web", [prints]);
  spec.commands[1] = { command: "curl -sS http://127.0.0.1:8088/", powershell: "curl.exe -sS http://127.0.0.1:8088/" };
  const v = check(spec, [JSON.stringify([container()]), "PS C:\\> curl.exe -sS http://127.0.0.1:8088/\r\n"]);
  assert.deepEqual([v.criteria[0].state, v.criteria[0].seen], ["fail", "It printed nothing."]);
});

test("output: an error is shown by its cause, which programs print at its end", () => {
  const serves = { check: "output", command: 2, contains: "200" };
  const seen = (text) => judge("container", container(), serves, [text]).seen;
  // A Python traceback, chained: its last line.
  const traceback = [
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.13/socket.py", line 977, in getaddrinfo',
    "    for res in _socket.getaddrinfo(host, port, family, type, proto, flags):",
    "               ~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    "socket.gaierror: [Errno -3] Temporary failure in name resolution",
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "<string>", line 1, in <module>',
    '  File "/usr/lib/python3.13/urllib/request.py", line 1322, in do_open',
    "    raise URLError(err)",
    "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>",
  ].join("\n");
  assert.equal(seen(traceback), "It printed an error, `urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>`.");
  // Node.js: the error line above the stack, not `throw err;`, nor the version at the end.
  const node = [
    "node:internal/modules/cjs/loader:1568",
    "  throw err;",
    "  ^",
    "",
    "Error: Cannot find module '/app/src/main.js'",
    "    at Module._resolveFilename (node:internal/modules/cjs/loader:1564:15)",
    "    at node:internal/main/run_main_module:33:47 {",
    "  code: 'MODULE_NOT_FOUND',",
    "  requireStack: []",
    "}",
    "",
    "Node.js v24.22.3",
  ].join("\n");
  assert.equal(seen(node), "It printed an error, `Error: Cannot find module '/app/src/main.js'`.");
  const required = node.replace("'/app/src/main.js'", "'express'\nRequire stack:\n- /app/src/main.js");
  assert.equal(seen(required), "It printed an error, `Error: Cannot find module 'express'`.");
  // Docker's own error: the end of its long line, without the line that points to --help.
  const docker = "docker: Error response from daemon: failed to create task for container: failed to create shim task: " +
    'OCI runtime create failed: runc create failed: unable to start container process: exec: "python3": executable file not found in $PATH';
  assert.match(seen(docker + "\n\nRun 'docker run --help' for more information"), /^It printed `….*executable file not found in \$PATH`\.$/);
  // Angle brackets outside an HTML page are text, and other output shows its first lines.
  assert.equal(seen("<none> 3 lines\nb\nc\nd"), "It printed `<none> 3 lines b c`.");
});

test("a generic path check still works, and says what the field holds", () => {
  assert.equal(judge("container", container(), { path: "HostConfig.RestartPolicy.Name", equals: "unless-stopped" }).state, "ok");
  assert.equal(judge("container", container(), { path: "HostConfig.Privileged", equals: true }).seen, "`HostConfig.Privileged` is `missing`.");
});

test("every kind of paste gets a message, never a verdict on the wrong thing", () => {
  const spec = lab("container", "web", [{ check: "running" }]);
  const message = (text) => {
    const v = check(spec, [text]);
    assert.equal(v.passed, false);
    assert.deepEqual(plain(v.criteria), []);
    return v.message;
  };
  assert.match(message(""), /is empty/);
  assert.match(message("[]\nError: No such object: web"), /answered `Error: No such object: web`: `web` does not exist/);
  assert.match(message("[]\r\nError: no such object: \"web\""), /does not exist/, "Podman's wording");
  assert.match(message("[]"), /does not exist/);
  assert.match(message("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"), /not the output/);
  assert.match(message('[{"Name": "/web"'), /cut off/);
  assert.match(message(JSON.stringify([container(), container()])), /holds 2 objects/);
  assert.match(message(JSON.stringify([image()])), /output for an image, but this lab needs a container/);
  assert.doesNotMatch(message(JSON.stringify([container()]).replace("/web", "/other")), /a image/);
  assert.match(message(JSON.stringify([container({ Name: "/other" })])), /for `other`, not for `web`/);
  assert.match(message("x".repeat(1_000_001)), /far more/);
  const imageSpec = lab("image", "greeter:lab", [{ check: "user", not_root: true }]);
  assert.match(check(imageSpec, [JSON.stringify([container()])]).message, /needs an image/);
});

test("the same state passes in every shape a terminal gives it", () => {
  const spec = lab("container", "web", [{ check: "running" }, { check: "port", container: 8000, host: 8088, address: "127.0.0.1" }]);
  const obj = container();
  const shapes = {
    array: JSON.stringify([obj], null, 4),
    "one line (--format '{{json .}}')": JSON.stringify(obj),
    "Windows line endings": JSON.stringify([obj], null, 4).replace(/\n/g, "\r\n"),
    "with its prompt line": "$ docker inspect web\n" + JSON.stringify([obj], null, 4),
    "PowerShell prompt": "PS C:\\Users\\me> docker inspect web\r\n" + JSON.stringify([obj], null, 4),
    "Podman's name": JSON.stringify([{ ...obj, Name: "web" }]),
  };
  for (const [shape, text] of Object.entries(shapes)) {
    const v = check(spec, [text]);
    assert.equal(v.passed, true, `${shape}: ${v.message}`);
  }
  const podmanImage = lab("image", "greeter:lab", [{ check: "exec_form" }]);
  assert.equal(check(podmanImage, [JSON.stringify([image({ RepoTags: ["localhost/greeter:lab"] })])]).passed, true);
});

test("a check that cannot read its part leaves that criterion open, it does not throw", () => {
  const v = check(lab("container", "web", [{ check: "mount", destination: "/data" }]), [JSON.stringify([container({ Mounts: "broken" })])]);
  assert.equal(v.criteria[0].state, "open");
});
