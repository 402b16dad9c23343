/* The lab checker (feature "labs"; docs/contributing/adding-a-lab.md): it judges the state built,
   as Docker 25 to 29 and Podman print it. Tests: tests/js/labs.test.mjs, tests/test_labs.py. */
(function (root) {
  "use strict";

  var course = root.course;

  function code(text) {
    return "`" + text + "`";
  }
  function short(text, max) {
    text = String(text);
    return text.length > (max || 120) ? text.slice(0, (max || 120) - 1) + "…" : text;
  }
  function list(items) {
    return items.map(code).join(", ");
  }
  function base(path) {
    return String(path).split("/").pop();
  }
  function words(argv) {
    return argv
      .map(function (a) {
        return /[\s"']/.test(a) || a === "" ? JSON.stringify(a) : a;
      })
      .join(" ");
  }
  function get(obj, path) {
    var parts = String(path).split(".");
    for (var i = 0; i < parts.length; i++) {
      if (obj === null || typeof obj !== "object") return undefined;
      obj = obj[parts[i]];
    }
    return obj;
  }
  /* Deep equality of JSON values. */
  function same(a, b) {
    if (a === b) return true;
    if (!a || !b || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
    var ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every(function (k) {
      return Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]);
    });
  }
  function config(obj) {
    return obj.Config || obj.config || {};
  }

  /* {name, tag, digest}: "debian", "docker.io/library/debian:latest", Podman's "localhost/debian" alike. */
  function ref(text) {
    var s = String(text || "").trim();
    var digest = "";
    var at = s.indexOf("@");
    if (at >= 0) {
      digest = s.slice(at + 1);
      s = s.slice(0, at);
    }
    var tag = "";
    var colon = s.lastIndexOf(":");
    if (colon > s.lastIndexOf("/")) {
      tag = s.slice(colon + 1);
      s = s.slice(0, colon);
    }
    s = s.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io|localhost)\//, "").replace(/^library\/(?=[^/]+$)/, "");
    return { name: s, tag: tag || (digest ? "" : "latest"), digest: digest };
  }
  /* null when `have` names no tag (a digest, an id). */
  function sameImage(have, want) {
    var a = ref(have);
    var b = ref(want);
    if (/^sha256:[0-9a-f]{64}$/.test(have) || /^[0-9a-f]{64}$/.test(have)) return null;
    if (a.name !== b.name) return false;
    if (b.digest) return a.digest === b.digest;
    return a.tag ? a.tag === b.tag : null;
  }

  /* A shell script's words, quoted as sh reads them. */
  function shellWords(script) {
    var out = [];
    var word = null;
    var quote = "";
    for (var i = 0; i < script.length; i++) {
      var ch = script[i];
      if (quote === "'") {
        if (ch === "'") quote = "";
        else word += ch;
      } else if (quote === '"') {
        if (ch === '"') quote = "";
        else if (ch === "\\" && /["\\$`]/.test(script[i + 1] || "")) word += script[++i];
        else word += ch;
      } else if (/\s/.test(ch)) {
        if (word !== null) out.push(word);
        word = null;
      } else {
        if (word === null) word = "";
        if (ch === "'" || ch === '"') quote = ch;
        else if (ch === "\\") word += script[++i] || "";
        else word += ch;
      }
    }
    if (word !== null) out.push(word);
    return out;
  }

  /* What runs, shell form unwrapped: a container's Path and Args, an image's ENTRYPOINT and CMD
     (Docker 29 leaves out empty ones; Podman 4 wrote Entrypoint as one string). */
  var SHELLS = /^(?:sh|bash|dash|ash)$/;
  function asList(v) {
    if (Array.isArray(v)) return v.map(String);
    return typeof v === "string" && v ? v.split(" ") : [];
  }
  function unwrap(argv) {
    if (argv.length >= 3 && SHELLS.test(base(argv[0])) && argv[1] === "-c") {
      var w = shellWords(argv[2]);
      var execs = w[0] === "exec";
      return { argv: execs ? w.slice(1) : w, shell: !execs };
    }
    return { argv: argv, shell: false };
  }
  function effective(obj, kind) {
    var cfg = config(obj);
    var raw = kind === "container" && obj.Path ? [String(obj.Path)].concat(asList(obj.Args)) : asList(cfg.Entrypoint).concat(asList(cfg.Cmd));
    var run = unwrap(raw);
    return { argv: run.argv, shell: run.shell, raw: raw, workdir: cfg.WorkingDir || "/" };
  }
  function resolve(dir, path) {
    var parts = [];
    (path[0] === "/" ? path : dir.replace(/\/?$/, "/") + path).split("/").forEach(function (p) {
      if (p === "..") parts.pop();
      else if (p && p !== ".") parts.push(p);
    });
    return "/" + parts.join("/");
  }
  /* An absolute path also matches a relative one in the working dir. */
  function argMatches(want, have, dir) {
    want = String(want);
    return want === have || (want[0] === "/" && resolve(dir, have) === resolve("/", want));
  }

  /* {raw, uid}, or {raw, name} for a name the checker cannot map to a uid. */
  function userOf(obj) {
    var raw = String(config(obj).User || "");
    var u = raw.split(":")[0];
    if (!u || u === "root" || /^0+$/.test(u)) return { raw: raw, uid: 0 };
    if (/^\d+$/.test(u)) return { raw: raw, uid: Number(u) };
    return { raw: raw, name: u };
  }

  /* Podman's "configured" is created, its "stopped" exited. */
  function stateOf(obj) {
    var s = obj.State || {};
    var status = String(s.Status || "").toLowerCase();
    if (s.Restarting || status === "restarting") return "restarting";
    if (s.Paused || status === "paused") return "paused";
    if (status === "configured" || status === "initialized") return "created";
    if (status === "stopped") return "exited";
    return status || (s.Running ? "running" : "exited");
  }
  function describeState(obj) {
    var s = obj.State || {};
    var state = stateOf(obj);
    var error = String(s.Error || "").replace(/ \([0-9a-f]{64}\)/g, "");
    if (state === "created") return "It was created but never started" + (error ? " (Docker said " + code(short(error, 300)) + ")" : "") + ".";
    if (state === "exited") return "It has stopped: it exited with status " + s.ExitCode + (s.OOMKilled ? ", out of memory" : "") + ".";
    if (state === "restarting") return "It keeps restarting: its command fails (" + (obj.RestartCount || 0) + " restarts so far).";
    if (state === "running") return "It is still running.";
    return "Its status is " + code(state) + ".";
  }

  function fail(seen) {
    return { state: "fail", seen: seen };
  }
  /* Not judged: it waits for another criterion, or needs output (`need`). */
  function open(seen, ask, need) {
    return { state: "open", seen: seen, ask: ask, need: need || !!ask };
  }
  var OK = { state: "ok" };

  function portKey(p) {
    p = String(p);
    return p.indexOf("/") < 0 ? p + "/tcp" : p;
  }
  /* A port's bindings: the engine's when it runs, else those asked for. */
  function bound(obj, key) {
    var now = get(obj, "NetworkSettings.Ports") || {};
    var set = get(obj, "HostConfig.PortBindings") || {};
    return ((now[key] && now[key].length ? now[key] : set[key]) || []).filter(function (b) {
      return b && typeof b === "object";
    });
  }
  function portSays(key, found) {
    return "Its port " + code(key) + " is published on " + found.map(showBinding).join(" and ") + ".";
  }
  var EVERY = /^(?:|0\.0\.0\.0|::)$/;
  function showBinding(b) {
    var ip = b.HostIp || "";
    var port = b.HostPort ? "port " + b.HostPort : "a port the engine picks when it starts";
    if (!ip) return "every address, " + port;
    return b.HostPort ? code((ip.indexOf(":") >= 0 ? "[" + ip + "]" : ip) + ":" + b.HostPort) : code(ip) + ", " + port;
  }

  function publishedPorts(obj, only) {
    var keys = Object.keys(get(obj, "HostConfig.PortBindings") || {}).concat(Object.keys(get(obj, "NetworkSettings.Ports") || {}));
    var out = [];
    keys.forEach(function (key, i) {
      var found = bound(obj, key);
      if (found.length && keys.indexOf(key) === i && (!only || key === only)) out.push(portSays(key, found));
    });
    return out;
  }
  /* CPUs: --cpus, or a quota per period (--cpu-quota; Podman's --cpus), 100 ms by default. */
  function mib(n) {
    return n % 1048576 ? n + " bytes" : n / 1048576 + " MiB";
  }
  function cpusOf(h) {
    return h.NanoCpus > 0 ? h.NanoCpus / 1e9 : h.CpuQuota > 0 ? h.CpuQuota / (h.CpuPeriod > 0 ? h.CpuPeriod : 100000) : 0;
  }

  function describeMount(m) {
    var where = code(m.Destination);
    if (m.Type === "volume") {
      return /^[0-9a-f]{64}$/.test(m.Name || "")
        ? where + " is an anonymous volume (a random name, " + code(m.Name.slice(0, 12) + "…") + ")."
        : where + " is the volume " + code(m.Name) + ".";
    }
    if (m.Type === "bind") return where + " is a bind mount of " + code(m.Source) + ".";
    return where + " is a " + code(m.Type || "tmpfs") + " mount.";
  }

  function envOf(obj) {
    var env = {};
    (config(obj).Env || []).forEach(function (line) {
      var i = String(line).indexOf("=");
      if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
    });
    return env;
  }

  /* A paste's output: null for an empty box, "" for the command line alone (it printed nothing). */
  function outputOf(text, typed) {
    if (!text || !String(text).trim()) return null;
    var lines = course.paste.clean(text).trim().split("\n");
    var first = lines[0].trim();
    var ran = [].concat(typed || []).some(function (t) {
      return t && first.slice(-t.length) === t && /(?:^|[\s>$#%])$/.test(first.slice(0, -t.length));
    });
    return course.paste.sections(lines.slice(ran ? 1 : 0).join("\n")).map(function (s) { return s.output; }).join("\n").trim();
  }
  /* An error by its cause (a traceback's last line, the line above a Node.js stack, a long line's
     end), other output by its first lines. */
  var FRAME = /^at (?:\S.*\(.*:\d+(?::\d+)?\)|\S+:\d+(?::\d+)?)$/;
  function tail(line) {
    return line.length > 160 ? "…" + line.slice(-159) : line;
  }
  function printed(text) {
    var lines = [];
    var html = /<\/[a-z][\w-]*>|<!doctype/i.test(text);
    text.split("\n").forEach(function (l) {
      l = (html ? l.replace(/<[^>]*>/g, "") : l).trim();
      if (l && !/^(?:Run|See) '.*--help'/.test(l) && l !== lines[lines.length - 1]) lines.push(l);
    });
    var frame = 0;
    while (frame < lines.length && !FRAME.test(lines[frame])) frame++;
    var cause = lines.indexOf("Traceback (most recent call last):") >= 0 ? lines[lines.length - 1] : frame < lines.length && frame
      ? lines.slice(0, frame).filter(function (l) { return /(?:^|[\s.])[A-Z]?\w*(?:Error|Exception)\b/.test(l); }).pop() || lines[frame - 1]
      : "";
    if (cause) return "It printed an error, " + code(tail(cause)) + ".";
    return "It printed " + code(lines[0] && lines[0].length > 160 ? tail(lines[0]) : short(lines.slice(0, 3).join(" "), 160)) + ".";
  }
  /* kB under 1 MB, one decimal under 10 MB, more to show it is over `limit`. */
  function sizeText(bytes, limit) {
    if (bytes < 1000) return bytes + " bytes";
    var unit = bytes < 999500 ? 1e3 : 1e6;
    var value = bytes / unit;
    var digits = value < 10 ? 1 : 0;
    while (digits < 3 && Number(value.toFixed(digits)) * unit <= limit) digits++;
    return value.toFixed(digits) + (unit < 1e6 ? " kB" : " MB");
  }

  /* The named checks: (criterion, inspected object, context) to OK, fail(seen) or open(seen). */
  var CHECKS = {
    running: function (c, obj) {
      return stateOf(obj) === "running" ? OK : fail(describeState(obj));
    },
    exited: function (c, obj) {
      var ended = stateOf(obj) === "exited";
      if (!("code" in c)) return ended ? OK : fail(describeState(obj));
      if (!ended) return open("Not judged: it has not run to its end.");
      var status = (obj.State || {}).ExitCode;
      return status === c.code ? OK : fail("It exited with status " + status + ".");
    },
    image: function (c, obj) {
      var have = config(obj).Image || obj.ImageName || "";
      var same = sameImage(have, c.is);
      if (same === null) return open("It was created from " + code(have) + ": by digest or id, so the checker cannot tell its name. Create it from " + code(c.is) + ".");
      return same ? OK : fail("It was created from " + code(have) + ".");
    },
    command: function (c, obj, ctx) {
      var run = effective(obj, ctx.kind);
      var argv = run.argv;
      var seen = argv.length ? "It runs " + code(words(argv)) + (run.shell ? " (through " + code(words(run.raw.slice(0, 2))) + ")" : "") + "." : "It has no command.";
      var progs = [].concat(c.runs || (c.is ? [c.is[0]] : []));
      if (!argv.length || progs.map(base).indexOf(base(argv[0])) < 0) return fail(seen);
      var want = c.is ? c.is.slice(1) : c.args || [];
      var have = argv.slice(1);
      if (c.is && want.length !== have.length) return fail(seen);
      var j = 0;
      for (var i = 0; i < want.length; i++) {
        while (j < have.length && !argMatches(want[i], have[j], run.workdir)) {
          if (c.is) return fail(seen);
          j++;
        }
        if (j++ >= have.length) return fail(seen);
      }
      return OK;
    },
    user: function (c, obj, ctx) {
      var u = userOf(obj);
      var how = u.raw ? code(u.raw) : "root: no " + code(ctx.kind === "image" ? "USER" : "--user") + " sets another user";
      if (u.uid === 0) return fail("It runs as " + how + ".");
      if (c.not_root) return OK;
      var uid = u.uid;
      if (u.name) {
        var running = ctx.kind === "container" && stateOf(obj) === "running";
        var command = ctx.kind === "image"
          ? "docker run --rm --entrypoint id " + ctx.object + " -u"
          : running
            ? "docker exec " + ctx.object + " id -u"
            : "docker run --rm --entrypoint id --user " + u.name + " " + config(obj).Image + " -u";
        var answer = (ctx.answers || {})[command];
        var ask = { key: command, command: command, about: "the uid of the user " + code(u.name) };
        if (!answer || !answer.trim()) {
          return open("It runs as the user " + code(u.name) + ": which uid is that? Run " + code(command) + " and paste what it prints in its box, above the Check button.", ask);
        }
        var m = /^\s*(\d+)\s*$/m.exec(outputOf(answer, command) || "");
        if (!m) return open("The answer to " + code(command) + " holds no uid (a number): paste what it printed.", ask);
        uid = Number(m[1]);
        how = "the user " + code(u.name) + ", uid " + uid;
      }
      return uid === c.uid ? OK : fail("It runs as " + (u.name ? how : "uid " + code(uid)) + ".");
    },
    restart: function (c, obj) {
      var name = get(obj, "HostConfig.RestartPolicy.Name") || "no";
      if ([].concat(c.policy).indexOf(name) < 0) return fail("Its restart policy is " + code(name) + ".");
      var count = obj.RestartCount || 0;
      return "count_max" in c && count > c.count_max ? fail("It restarted " + count + " times.") : OK;
    },
    port: function (c, obj) {
      if (c.published === false) {
        var seen = publishedPorts(obj, "container" in c && portKey(c.container));
        if (seen.length) return fail(seen.join(" "));
        return get(obj, "HostConfig.PublishAllPorts") ? fail("It publishes every port its image exposes (`-P`).") : OK;
      }
      var key = portKey(c.container);
      var found = bound(obj, key);
      if (!found.length) {
        var others = Object.keys(get(obj, "HostConfig.PortBindings") || {});
        return fail("Its port " + code(key) + " is not published" + (others.length ? "; it publishes " + list(others) : "") + ".");
      }
      var seen = portSays(key, found);
      var hit = found.some(function (b) {
        return !("host" in c) || String(b.HostPort) === String(c.host);
      });
      var only = !c.address || found.every(function (b) {
        return b.HostIp === c.address || (EVERY.test(c.address) && EVERY.test(b.HostIp || ""));
      });
      return hit && only ? OK : fail(seen);
    },
    mount: function (c, obj) {
      var dest = c.destination.replace(/(.)\/$/, "$1");
      var m = (obj.Mounts || []).filter(function (x) {
        return String(x.Destination).replace(/(.)\/$/, "$1") === dest;
      })[0];
      if (!m && (get(obj, "HostConfig.Tmpfs") || {})[dest] !== undefined) m = { Type: "tmpfs", Destination: dest };
      if (!m) return fail("Nothing is mounted at " + code(dest) + ": its files are in the container's own layer.");
      var seen = describeMount(m);
      if (c.type && m.Type !== c.type) return fail(seen);
      if (c.name && m.Name !== c.name) return fail(seen);
      if (c.read_only !== undefined && (m.RW === false) !== c.read_only) return fail(code(dest) + " is " + (m.RW === false ? "read-only." : "writable."));
      return OK;
    },
    env: function (c, obj) {
      var env = envOf(obj);
      if (!(c.name in env)) return fail(code(c.name) + " is not set.");
      var v = env[c.name];
      var ok = "value" in c ? v === String(c.value) : "matches" in c ? new RegExp(c.matches).test(v) : true;
      return ok ? OK : fail(code(c.name) + " is " + code(short(v, 80)) + ".");
    },
    network: function (c, obj) {
      var nets = get(obj, "NetworkSettings.Networks") || {};
      var names = Object.keys(nets);
      if (!nets[c.name]) return fail(names.length ? "It is connected to " + list(names) + " only." : "It is connected to no network.");
      if (!c.alias) return OK;
      var n = nets[c.name];
      var aliases = (n.Aliases || []).concat(n.DNSNames || []);
      return aliases.indexOf(c.alias) >= 0 ? OK : fail("On " + code(c.name) + " it answers to " + (aliases.length ? list(aliases) : "no name") + " only.");
    },
    health: function (c, obj) {
      var h = get(obj, "State.Health") || get(obj, "State.Healthcheck") || {};
      var want = c.status || "healthy";
      if (!h.Status) return fail("It has no health check.");
      return h.Status === want ? OK : fail("Its health is " + code(h.Status) + ".");
    },
    memory: function (c, obj) {
      return CHECKS.limits({ memory_max: c.max_bytes }, obj);
    },
    limits: function (c, obj) {
      var h = obj.HostConfig || {};
      var mem = h.Memory || 0;
      var total = h.MemorySwap || 2 * mem; // memory + swap; -1: no limit; unset: swap as much as memory
      var cpus = cpusOf(h);
      var pids = h.PidsLimit > 0 ? h.PidsLimit : 0;
      if (("memory_max" in c || "swap" in c) && !mem) return fail("It has no memory limit.");
      if (mem > c.memory_max) return fail("Its memory limit is " + mib(mem) + ".");
      if (total - mem > c.swap || (total < 0 && "swap" in c)) return fail("It may use " + (total < 0 ? "any amount" : mib(total - mem)) + " of swap on top of its memory.");
      if ("cpus" in c && !cpus) return fail("It has no CPU limit.");
      if (cpus > c.cpus + 1e-9) return fail("It may use " + Number(cpus.toFixed(3)) + (cpus === 1 ? " CPU." : " CPUs."));
      if ("pids" in c && !pids) return fail("It has no process limit.");
      return pids > c.pids ? fail("It may hold " + pids + " processes.") : OK;
    },
    label: function (c, obj) {
      var labels = config(obj).Labels || {};
      if (!(c.name in labels)) return fail("It has no label " + code(c.name) + ".");
      var v = String(labels[c.name]);
      var ok = "value" in c ? v === String(c.value) : "matches" in c ? new RegExp(c.matches).test(v) : true;
      return ok ? OK : fail("Its label " + code(c.name) + " is " + (v ? code(short(v, 80)) : "empty") + ".");
    },
    exec_form: function (c, obj) {
      var cfg = config(obj);
      var ep = asList(cfg.Entrypoint);
      var raw = ep.concat(asList(cfg.Cmd));
      if (!raw.length) return fail("It has no " + code("CMD") + " or " + code("ENTRYPOINT") + ".");
      if (!unwrap(raw).shell) return OK;
      return fail("Its " + code(ep.length ? "ENTRYPOINT" : "CMD") + " is in shell form, " + code(words(raw)) + ": the shell is PID 1.");
    },
    workdir: function (c, obj) {
      var wd = config(obj).WorkingDir || "/";
      return resolve("/", wd) === resolve("/", c.is) ? OK : fail("Its working directory is " + code(wd) + ".");
    },
    exposes: function (c, obj) {
      var ports = Object.keys(config(obj).ExposedPorts || {});
      if (ports.indexOf(portKey(c.port)) >= 0) return OK;
      return fail(ports.length ? "It exposes " + list(ports) + "." : "It exposes no port.");
    },
    healthcheck: function (c, obj) {
      var test = (config(obj).Healthcheck || {}).Test || [];
      if (!test.length || test[0] === "NONE") return fail("It has no " + code("HEALTHCHECK") + ".");
      var text = words(test.slice(test[0] === "CMD-SHELL" || test[0] === "CMD" ? 1 : 0));
      return !c.contains || text.indexOf(c.contains) >= 0 ? OK : fail("Its health check runs " + code(short(text)) + ".");
    },
    size: function (c, obj) {
      var bytes = obj.Size || 0;
      return bytes <= c.max_mb * 1e6 ? OK : fail("It is " + sizeText(bytes, c.max_mb * 1e6) + ".");
    },
    tag: function (c, obj) {
      var tags = obj.RepoTags || [];
      return tags.some(function (t) {
        return sameImage(t, c.is);
      })
        ? OK
        : fail(tags.length ? "It is tagged " + list(tags) + "." : "It has no tag.");
    },
    output: function (c, obj, ctx) {
      var asked = ctx.commands[c.command - 1];
      var cmd = asked.command;
      var out = outputOf(ctx.pastes[c.command - 1], [cmd, asked.powershell]);
      if (out === null) {
        return open("Not judged: paste the output of " + code(cmd) + " in its box (if it printed nothing, paste the command line you ran).", null, true);
      }
      var seen = out ? printed(out) : "It printed nothing.";
      if ("contains" in c) return out.indexOf(c.contains) >= 0 ? OK : fail(seen);
      if ("equals" in c) return out === String(c.equals).trim() ? OK : fail(seen);
      if ("matches" in c) return new RegExp(c.matches, "m").test(out) ? OK : fail(seen);
      var bad = "not_contains" in c
        ? out.split("\n").filter(function (l) {
            return l.indexOf(c.not_contains) >= 0;
          })
        : out.split("\n").filter(function (l) {
            return new RegExp(c.not_matches).test(l);
          });
      return bad.length ? fail("It printed " + code(short(bad[0], 160)) + ".") : OK;
    },
  };

  /* A dotted path and one operator (spec version 1). */
  function passes(c, obj) {
    var v = get(obj, c.path);
    if ("equals" in c) return same(v, c.equals);
    if ("not_equals" in c) return v !== undefined && v !== null && !same(v, c.not_equals);
    if ("one_of" in c) return c.one_of.some(function (x) { return same(v, x); });
    if ("contains" in c) return Array.isArray(v) && v.some(function (x) { return same(x, c.contains); });
    if ("has_key" in c) return !!v && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, c.has_key);
    if ("some" in c) {
      return Array.isArray(v) && v.some(function (x) {
        return Object.keys(c.some).every(function (k) { return x && same(x[k], c.some[k]); });
      });
    }
    return false;
  }

  function kindOf(obj) {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return "";
    if ("State" in obj && ("HostConfig" in obj || "Config" in obj)) return "container";
    if ("RootFS" in obj || ("RepoTags" in obj && "Config" in obj)) return "image";
    if ("Mountpoint" in obj && ("Driver" in obj || "Name" in obj)) return "volume";
    if (("IPAM" in obj && "Driver" in obj) || ("driver" in obj && "subnets" in obj)) return "network";
    return "";
  }
  function namesOf(obj, kind) {
    if (kind === "container") return [String(obj.Name || "").replace(/^\//, "")];
    if (kind === "image") return obj.RepoTags || [];
    return [String(obj.Name || obj.name || "")];
  }
  var A = { container: "a container", image: "an image", volume: "a volume", network: "a network" };

  /* The inspected object, or why the paste cannot be judged. */
  function inspected(spec, text) {
    var cmd = spec.commands[0].command;
    var what = code(spec.object);
    var got = course.paste.json(text);
    if (got.error === "empty") return { message: "The box of " + code(cmd) + " is empty: run it and paste all of its output." };
    if (got.error === "too-long") return { message: "That is far more than " + code(cmd) + " prints: paste only its output." };
    if (got.error === "docker-error") {
      return {
        message: /no such|not found/i.test(got.text)
          ? "The command answered " + code(short(got.text)) + ": " + what + " does not exist. Make it (see the goal), then run " + code(cmd) + " again."
          : "The command answered with an error, " + code(short(got.text)) + ". Is Docker running? Then run " + code(cmd) + " again.",
      };
    }
    if (got.error === "not-json") return { message: "This is not the output of " + code(cmd) + ": that is JSON, starting with " + code("[") + "." };
    if (got.error) return { message: "The output is cut off or changed: it is not complete JSON. Copy all of it, from the first " + code("[") + " to the last " + code("]") + "." };
    var items = Array.isArray(got.value) ? got.value : [got.value];
    if (!items.length) return { message: "Docker found nothing called " + what + ": it does not exist. Make it (see the goal), then run " + code(cmd) + " again." };
    if (items.length > 1) return { message: "The output holds " + items.length + " objects: run " + code(cmd) + ", which inspects only " + what + "." };
    var obj = items[0];
    var kind = kindOf(obj);
    if (kind !== spec.kind) {
      return { message: "This is the output for " + (A[kind] || "something other than Docker's inspect") + ", but this lab needs " + A[spec.kind] + ": run " + code(cmd) + "." };
    }
    var names = namesOf(obj, kind);
    var mine = names.some(function (n) {
      return kind === "image" ? sameImage(n, spec.object) : n === spec.object;
    });
    if (!mine) return { message: "This is the output for " + (names.length && names[0] ? list(names) : "an unnamed " + kind) + ", not for " + what + " (another lab's output?). Run " + code(cmd) + "." };
    return { obj: obj };
  }

  /* spec (practice.py's lab_data), pastes (one per command), answers (by asked command) to
     {passed, message, criteria: [{id, text, state: ok|fail|open, seen, hint, lesson}], asks}. */
  function check(spec, pastes, answers) {
    pastes = [].concat(pastes || []);
    var read = inspected(spec, pastes[0]);
    if (read.message) return { passed: false, message: read.message, criteria: [], asks: [] };
    var ctx = { kind: spec.kind, object: spec.object, commands: spec.commands, pastes: pastes, answers: answers || {} };
    var asks = [];
    var results = spec.criteria.map(function (c) {
      var r;
      try {
        if (c.check) r = CHECKS[c.check](c, read.obj, ctx);
        else r = passes(c, read.obj) ? OK : fail(code(c.path) + " is " + code(short(JSON.stringify(get(read.obj, c.path)) || "missing", 80)) + ".");
      } catch (e) {
        r = open("The checker could not read this part of the output.");
      }
      if (r.ask) asks.push(r.ask);
      return { id: c.id, text: c.text, state: r.state, need: !!r.need, seen: r.seen || "", hint: c.hint, lesson: c.lesson };
    });
    var count = function (state) {
      return results.filter(function (r) {
        return r.state === state;
      }).length;
    };
    var n = results.length;
    var passed = count("ok") === n;
    var message = passed
      ? "Passed: all " + n + " checks are right. Well done!"
      : count("ok") + " of " + n + " checks pass." + (count("fail") ? " See what to change below." : "") +
        (results.some(function (r) { return r.need; }) ? " Some need more output from you: see below." : "");
    return { passed: passed, message: message, criteria: results, asks: asks };
  }

  function answersOf(lab) {
    var answers = {};
    Array.prototype.forEach.call(lab.querySelectorAll(".lab__asks textarea"), function (t) {
      answers[t.getAttribute("data-ask")] = t.value;
    });
    return answers;
  }

  function askBoxes(lab, asks) {
    var box = lab.querySelector(".lab__asks");
    asks.forEach(function (ask, i) {
      var have = Array.prototype.some.call(box.querySelectorAll("textarea"), function (t) {
        return t.getAttribute("data-ask") === ask.key;
      });
      if (have) return;
      var id = "lab-" + lab.getAttribute("data-name") + "-ask-" + box.querySelectorAll("textarea").length;
      var doc = root.document;
      var p = doc.createElement("p");
      var label = doc.createElement("label");
      label.htmlFor = id;
      course.withCode(label, "Output of " + code(ask.command) + " (" + ask.about + ")");
      var area = doc.createElement("textarea");
      area.id = id;
      area.rows = 2;
      area.spellcheck = false;
      area.setAttribute("data-ask", ask.key);
      p.appendChild(label);
      p.appendChild(area);
      box.appendChild(p);
      if (i === 0) area.focus();
    });
  }

  var SAY = { ok: "Passed: ", fail: "Not yet: ", open: "Not judged yet: " };

  function runLab(lab) {
    var spec = JSON.parse(lab.getAttribute("data-spec"));
    var pastes = Array.prototype.map.call(lab.querySelectorAll(".lab__commands textarea"), function (t) {
      return t.value;
    });
    var result = check(spec, pastes, answersOf(lab));
    var list = lab.querySelector(".lab__criteria");
    course.show(
      lab.querySelector(".lab__result"),
      {
        message: result.message,
        items: result.criteria.map(function (r) {
          var failed = r.state === "fail";
          return {
            text: SAY[r.state] + r.text,
            ok: r.state === "ok",
            hint: failed ? (r.seen ? r.seen + " " : "") + r.hint : r.seen,
            href: failed ? course.site.url(r.lesson) : "",
          };
        }),
      },
      list
    );
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("data-state", result.criteria[i].state);
    });
    askBoxes(lab, result.asks);
    lab.setAttribute("data-state", result.passed ? "passed" : "failed");
    if (result.passed) {
      var data = course.progress.load();
      data.l[lab.getAttribute("data-lab")] = 1;
      course.progress.save(data);
      keptHere(lab, data);
    }
    return result;
  }

  function keptHere(lab, data) {
    if (course.progress.apart()) course.progress.keptHere(lab.querySelector(".lab__result"), data);
  }

  function setUpLabs(root) {
    var data = course.progress.load();
    Array.prototype.forEach.call(root.querySelectorAll(".lab"), function (lab) {
      lab.classList.add("lab--ready");
      Array.prototype.forEach.call(lab.querySelectorAll(".lab__hints li"), function (li) {
        li.hidden = true;
      });
      if (data.l[lab.getAttribute("data-lab")]) {
        lab.querySelector(".lab__result").textContent = "You passed this lab before. Check again any time.";
        lab.setAttribute("data-state", "passed");
        keptHere(lab, data);
      }
    });
  }

  function nextHint(lab) {
    var details = lab.querySelector(".lab__hints");
    var next = details.querySelector("li[hidden]");
    if (next) {
      details.open = true;
      next.hidden = false;
      next.setAttribute("tabindex", "-1");
      next.focus();
    }
    if (!details.querySelector("li[hidden]")) lab.querySelector(".lab__hint-button").disabled = true;
  }

  if (root.document && root.document.addEventListener) {
    root.document.addEventListener("click", function (event) {
      var target = event.target;
      if (!(target instanceof root.Element)) return;
      var lab = target.closest(".lab");
      if (!lab) return;
      if (target.closest(".lab__hint-button")) return nextHint(lab);
      if (target.closest(".lab__check")) runLab(lab);
    });
  }

  course.labs = { check: check, ref: ref, sameImage: sameImage, shellWords: shellWords, effective: effective, userOf: userOf };
  course.feature("labs", { setUp: setUpLabs });
})(typeof window !== "undefined" ? window : globalThis);
