/* Docker Basics: which Docker do you have? (feature "which-docker", loaded by course.js on
   the pages with a ```which-docker box or a ```differs note; scripts/course/setups.py writes
   both from includes/docker-setups.yml).

   - The box (docs/which-docker.md): the learner pastes `docker version` (plain or
     `--format json`, and `docker info` after it if they like); parse() reads it,
     identify() names the setup, and the box lists what differs for it chapter by
     chapter and saves it (course.store "docker-setup").
   - A note on a lesson page (.course-differs): with a saved setup, the notes for it are
     shown first and alone, opened, with a button that shows the notes for every setup.

   parse() and identify() are pure, and tested in Node on real and documented outputs
   (tests/js/which-docker.test.mjs). Nothing leaves the browser. */
(function (root) {
  "use strict";

  var course = root.course;
  var KEY = "docker-setup";

  /* ---------------------------------------------------------------- reading a paste */
  function major(version) {
    var m = /^v?(\d+)\.(\d+)/.exec(version || "");
    return m ? Number(m[1]) : null;
  }

  function firstMatch(re, text) {
    var m = re.exec(text);
    return m ? m[1].trim() : null;
  }

  /* Facts from the JSON of `docker version --format json` or `docker info --format json`. */
  function fromJson(value, facts) {
    var items = Array.isArray(value) ? value : [value];
    items.forEach(function (v) {
      if (!v || typeof v !== "object") return;
      if (v.Client && typeof v.Client === "object") {
        var c = v.Client;
        facts.version = true;
        facts.client.version = c.Version || facts.client.version;
        if (c.Platform && c.Platform.Name) facts.client.platform = c.Platform.Name;
        facts.client.os = c.Os || (c.OsArch ? c.OsArch.split("/")[0] : facts.client.os);
        facts.client.arch = c.Arch || (c.OsArch ? c.OsArch.split("/")[1] : facts.client.arch);
        if (c.Context) facts.client.context = c.Context;
        if (c.OsArch && !c.Arch) facts.podman = true; // Podman's version report: OsArch, no Arch
      }
      if (v.Server && typeof v.Server === "object") {
        var s = v.Server;
        facts.server.version = s.Version || facts.server.version;
        if (s.Platform && s.Platform.Name) facts.server.platform = s.Platform.Name;
        facts.server.os = s.Os || (s.OsArch ? s.OsArch.split("/")[0] : facts.server.os);
        facts.server.arch = s.Arch || (s.OsArch ? s.OsArch.split("/")[1] : facts.server.arch);
        (s.Components || []).forEach(function (comp) {
          if (comp && comp.Name) facts.server.components.push(comp.Name);
          if (comp && comp.Name === "Engine" && comp.Details && comp.Details.GitCommit) facts.server.commit = comp.Details.GitCommit;
        });
        if (s.OsArch && !s.Arch) facts.podman = true;
      }
      if ("Driver" in v || "ServerVersion" in v) {
        facts.info = true;
        facts.info_.driver = v.Driver || null;
        (v.DriverStatus || []).forEach(function (pair) {
          if (pair && pair[0] === "driver-type") facts.info_.driverType = pair[1];
        });
        facts.info_.rootless = (v.SecurityOptions || []).some(function (o) {
          return /name=rootless/.test(o);
        });
        facts.info_.os = v.OperatingSystem || null;
        facts.info_.serverVersion = v.ServerVersion || null;
      }
      if (v.host && v.store && v.version) {
        facts.podman = true; // `podman info --format json`
        facts.info = true;
        facts.info_.driver = v.store.graphDriverName || null;
      }
    });
  }

  /* Facts from the plain text of `docker version` and `docker info`, in any order: each is cut
     into blocks at its `Client:` and `Server:` headings (`docker info` has both too). */
  function fromText(text, facts) {
    if (/Podman Engine|Emulate Docker CLI using podman|graphDriverName:/.test(text)) facts.podman = true;
    var blocks = [];
    text.split("\n").forEach(function (line) {
      var head = /^(Client|Server):[ \t]*(.*)$/.exec(line);
      if (head) blocks.push({ kind: head[1], name: head[2].trim(), lines: [] });
      else if (blocks.length) blocks[blocks.length - 1].lines.push(line);
    });
    blocks.forEach(function (b) {
      var body = b.lines.join("\n") + "\n";
      var name = b.name && b.name !== "Podman Engine" ? b.name : null;
      var osArch = firstMatch(/^\s*OS\/Arch:\s*(\S+)/m, body);
      if (b.kind === "Client") {
        if (/^\s*(?:API version|OS\/Arch|Go version):/im.test(body)) facts.version = true;
        if (name) facts.client.platform = name;
        facts.client.version = facts.client.version || firstMatch(/^\s*Version:\s*(\S+)/m, body);
        if (osArch) {
          facts.client.os = osArch.split("/")[0];
          facts.client.arch = osArch.split("/")[1];
        }
        facts.client.context = facts.client.context || firstMatch(/^\s*Context:\s*(\S+)/m, body);
        return;
      }
      if (name) facts.server.platform = name;
      var engine = /^ Engine:[ \t]*\n((?:[ \t]{2,}.*\n)*)/m.exec(body);
      // `docker version`: " Engine:" then "  Version:"; Podman: "Version:" right under "Server:".
      var version = firstMatch(/^\s*Version:[ \t]*(\S+)/m, engine ? engine[1] : /Server Version:/.test(body) ? "" : body);
      if (version) {
        facts.version = true;
        facts.server.version = version;
      }
      var commit = engine && firstMatch(/^\s*Git commit:[ \t]*(\S+)/m, engine[1]);
      if (commit) facts.server.commit = commit;
      var sOsArch = firstMatch(/^\s*OS\/Arch:\s*(\S+)/m, engine ? engine[1] : body);
      if (sOsArch) {
        facts.server.os = sOsArch.split("/")[0];
        facts.server.arch = sOsArch.split("/")[1];
      }
      if (engine) {
        var comp = /^ ([A-Za-z][\w.-]*):[ \t]*$/gm;
        var m;
        while ((m = comp.exec(body))) facts.server.components.push(m[1]);
      }
      // `docker info`'s server block
      var driver = firstMatch(/^\s*Storage Driver:\s*(\S+)/m, body);
      var serverVersion = firstMatch(/^\s*Server Version:\s*(\S+)/m, body);
      if (driver || serverVersion) {
        facts.info = true;
        facts.info_.driver = driver;
        facts.info_.driverType = firstMatch(/^\s*driver-type:\s*(\S+)/m, body);
        facts.info_.rootless = /^\s*(?:rootless|name=rootless)\s*$/m.test(body);
        facts.info_.os = firstMatch(/^\s*Operating System:\s*(.+)$/m, body);
        facts.info_.serverVersion = serverVersion;
      }
    });
    if (facts.info_.serverVersion && !facts.server.version) facts.server.version = facts.info_.serverVersion;
    var podmanDriver = firstMatch(/^\s*graphDriverName:\s*(\S+)/m, text);
    if (podmanDriver) {
      facts.info = true;
      facts.info_.driver = podmanDriver;
    }
    var failed = /^.*(?:Cannot connect to the Docker daemon|failed to connect to the docker API|permission denied while trying to connect to the (?:Docker daemon|docker API)|error during connect).*$/im.exec(text);
    if (failed) facts.connectError = failed[0].trim();
  }

  /* The JSON values in a paste, each starting on a line of its own: one per line
     (`--format json`) or spread over lines (`podman info --format json`). {values, cut}. */
  function jsonValues(body) {
    var lines = body.split("\n");
    var values = [];
    var cut = false;
    for (var i = 0; i < lines.length; i++) {
      if (!/^[[{]/.test(lines[i])) continue;
      var parsed = false;
      for (var j = i; j < lines.length && !parsed; j++) {
        if (j > i && !/^[\]}]/.test(lines[j])) continue;
        try {
          values.push(JSON.parse(lines.slice(i, j + 1).join("\n")));
          parsed = true;
          i = j;
        } catch (e) {
          /* not complete yet */
        }
      }
      if (!parsed) cut = true;
    }
    return { values: values, cut: cut && !values.length };
  }

  /* {facts} or {error: "empty" | "too-long" | "not-version", message}. */
  function parse(text) {
    if (course.paste.tooLong(text)) {
      return { error: "too-long", message: "That is far more than `docker version` prints. Paste only its output (and that of `docker info`)." };
    }
    var clean = course.paste.clean(text);
    if (!clean.trim()) return { error: "empty", message: "The box is empty. Run `docker version` and paste all of its output." };
    var facts = {
      version: false,
      info: false,
      podman: false,
      client: { version: null, platform: null, os: null, arch: null, context: null },
      server: { version: null, platform: null, os: null, arch: null, commit: null, components: [] },
      info_: { driver: null, driverType: null, rootless: false, os: null, serverVersion: null },
      connectError: null,
    };
    // Drop prompt lines ("$ docker version"), keep everything else in order.
    var body = course.paste
      .sections(clean)
      .map(function (s) {
        return s.output;
      })
      .join("\n");
    var found = jsonValues(body);
    if (found.cut) {
      return { error: "not-version", message: "The JSON is cut off: copy all of what `docker version --format json` printed, from `{` to the last `}`." };
    }
    var json = found.values;
    json.forEach(function (v) {
      fromJson(v, facts);
    });
    fromText(body, facts);
    if (!facts.version && !facts.info && !facts.podman && !facts.connectError) {
      return {
        error: "not-version",
        message: "This is not the output of `docker version`: it has no `Client:` and `Server:` sections, nor their JSON. Run `docker version` and paste all of its output.",
      };
    }
    return { facts: facts };
  }

  /* ---------------------------------------------------------------- naming the setup */
  function storeOf(info) {
    if (!info.driver) return null;
    if (info.driverType === "io.containerd.snapshotter.v1" || info.driver === "overlayfs" || /snapshotter/.test(info.driverType || "")) return "containerd";
    return "classic";
  }

  /* {id, store, engine, why: [sentences], ask: sentence|null} or {error, message}. */
  function identify(facts) {
    var why = [];
    var store = storeOf(facts.info_);
    var engine = facts.server.version || facts.info_.serverVersion;
    if (facts.podman) {
      why.push("`Podman Engine` (or Podman's `docker` script) answered, not Docker.");
      return { id: "podman", store: "own", engine: facts.client.version, why: why, ask: null };
    }
    if (!engine) {
      if (facts.connectError) {
        return {
          error: "no-engine",
          message:
            "Your `docker` command could not reach an engine: " + "`" + facts.connectError + "`. Start Docker Desktop, or the docker service (`sudo systemctl start docker`), then run `docker version` again.",
        };
      }
      return { error: "no-server", message: "This paste has the client's part only. Paste all of what `docker version` prints, the `Server:` section too." };
    }
    var platform = facts.server.platform || "";
    var m = major(engine);
    var version = engine;
    var marks = [engine, facts.server.commit || "", facts.client.version || "", facts.info_.os || ""].join(" ");
    if (/Docker Desktop/i.test(platform) || /Docker Desktop/i.test(facts.info_.os || "")) {
      var os = facts.client.os;
      why.push("The server is `" + (platform || "Docker Desktop") + "`; the client runs on `" + (os || "?") + "`.");
      return { id: os === "darwin" ? "desktop-mac" : os === "windows" ? "desktop-windows" : "desktop-linux", store: store, engine: version, why: why, ask: null };
    }
    if (facts.server.components.indexOf("rootlesskit") >= 0 || facts.info_.rootless) {
      why.push("The engine runs in RootlessKit (`rootlesskit` among its components).");
      return { id: "rootless", store: store, engine: version, why: why, ask: null };
    }
    var ask = store ? null : "To tell the image store, run `docker info` and paste its output below that of `docker version`.";
    if (/Docker Engine - Community/i.test(platform) || /Docker Engine - Community/i.test(facts.client.platform || "")) {
      why.push("Docker's own packages (`Docker Engine - Community`), Engine " + version + ".");
      if (m >= 29) {
        if (store) why.push(store === "classic" ? "`docker info`: the classic image store (`" + facts.info_.driver + "`): an upgraded installation." : "`docker info`: the containerd image store.");
        return { id: store === "classic" ? "ce29-upgraded" : "ce29-fresh", store: store, engine: version, why: why, ask: ask && "A fresh installation uses the containerd image store, an upgraded one the classic store. " + ask };
      }
      if (m === 28 && store === "containerd") return { id: "recorded", store: store, engine: version, why: why.concat("Engine 28 with the containerd image store, as on the course's engine."), ask: null };
      return { id: "engine-older", store: store, engine: version, why: why, ask: ask };
    }
    if (/\+dfsg/.test(engine) || /debian/i.test(marks)) {
      why.push("Debian's package (`" + engine + "`).");
      if (m !== null && m <= 20) return { id: "debian12", store: store || "classic", engine: version, why: why, ask: null };
      if (m === 26) return { id: "debian13", store: store || "classic", engine: version, why: why, ask: null };
      if (m === 28 && store !== "classic") {
        why.push(store ? "`docker info`: the containerd image store." : "");
        return { id: "recorded", store: store, engine: version, why: why.filter(Boolean), ask: ask && "Debian's package uses the classic store unless it is turned on. " + ask };
      }
    }
    if (/ubuntu/i.test(marks) || (m >= 29 && !platform)) {
      why.push((/ubuntu/i.test(marks) ? "Ubuntu's package" : "A distribution's package (no platform name)") + ", Engine " + version + ".");
      if (m >= 29) return { id: "ubuntu", store: store, engine: version, why: why, ask: ask };
    }
    if (m >= 29) {
      why.push("Docker Engine " + version + ".");
      return { id: store === "classic" ? "ce29-upgraded" : "ce29-fresh", store: store, engine: version, why: why, ask: ask };
    }
    why.push("Docker Engine " + version + ".");
    if (store === "containerd" && m === 28) return { id: "recorded", store: store, engine: version, why: why, ask: null };
    return { id: "engine-older", store: store, engine: version, why: why, ask: ask };
  }

  /* Does a note (its `for` list: setup ids and store:NAME) concern this profile? */
  function applies(forList, profile) {
    if (!profile) return true;
    return forList.indexOf(profile.id) >= 0 || (!!profile.store && forList.indexOf("store:" + profile.store) >= 0);
  }

  /* The profile a setup has: its own image store unless docker info said another. */
  function profileFor(setups, id, store) {
    var setup = setups.filter(function (s) {
      return s.id === id;
    })[0];
    if (!setup) return null;
    return { id: id, name: setup.name, store: store || (setup.store === "own" ? null : setup.store) };
  }

  /* What differs for a profile, chapter by chapter:
     [{chapter, items: [{id, title, notes: [{label, html}], pages: [{page, title}], first}]}],
     each difference once per chapter (`first`: the first chapter that shows it). */
  function differencesFor(data, profile) {
    var chapters = [];
    var byChapter = {};
    data.differences.forEach(function (d) {
      var notes = d.notes.filter(function (n) {
        return applies(n["for"], profile);
      });
      if (!notes.length) return;
      var pages = d.pages.length ? d.pages : [{ page: "which-docker.md", title: "Which Docker do you have?", chapter: "Start here" }];
      pages.forEach(function (p) {
        var ch = byChapter[p.chapter];
        if (!ch) {
          ch = byChapter[p.chapter] = { chapter: p.chapter, items: [], byId: {} };
          chapters.push(ch);
        }
        var item = ch.byId[d.id];
        if (!item) {
          item = ch.byId[d.id] = { id: d.id, title: d.title, notes: notes, pages: [], first: false };
          ch.items.push(item);
        }
        item.pages.push({ page: p.page, title: p.title });
      });
    });
    var order = data.order || [];
    function rank(ch) {
      return Math.min.apply(
        null,
        ch.items.map(function (item) {
          return Math.min.apply(
            null,
            item.pages.map(function (p) {
              var i = order.indexOf(p.page);
              return i < 0 ? order.length : i;
            })
          );
        })
      );
    }
    chapters.sort(function (a, b) {
      return rank(a) - rank(b);
    });
    var shown = {};
    chapters.forEach(function (ch) {
      ch.items.forEach(function (item) {
        item.first = !shown[item.id];
        shown[item.id] = true;
      });
    });
    return chapters.map(function (ch) {
      return { chapter: ch.chapter, items: ch.items };
    });
  }

  /* Where the box says the setup is kept: {text (after the setup's name), item (or null)}.
     Opened from a file in Firefox (course.progress.apart()), each page has its own storage:
     lesson pages cannot read the setup saved here and show the notes of every setup. */
  function kept(saved) {
    if (!saved) return { text: " Your browser keeps nothing (no storage).", item: null };
    if (!course.progress.apart()) return { text: " Saved: lesson pages show the notes for it first.", item: null };
    return {
      text:
        " Saved on this page only: opened from a file, this browser keeps each page's storage apart, so lesson pages opened from files show the notes of every setup.",
      item: {
        text: "To see the notes for your setup first, read the course over http:",
        hint: "run `python3 -m http.server` in the folder of the site, open `localhost:8000` in your browser and name your setup there again.",
        href: course.site.url("progress.md#reading-the-offline-copy-in-firefox"),
        link: "Your progress shows how",
      },
    };
  }

  course.whichDocker = { parse: parse, identify: identify, applies: applies, profileFor: profileFor, differencesFor: differencesFor, kept: kept, KEY: KEY };

  if (!root.document) return;

  /* ---------------------------------------------------------------- the box */
  function dataOf(box) {
    try {
      return JSON.parse(box.getAttribute("data-setups"));
    } catch (e) {
      return { setups: [], differences: [], stores: {} };
    }
  }

  function el(tag, cls, html) {
    var node = root.document.createElement(tag);
    if (cls) node.className = cls;
    if (html !== undefined) node.innerHTML = html; // HTML written by the build (setups.py), never by the learner
    return node;
  }

  function showDifferences(box, data, profile) {
    var out = box.querySelector(".which-docker__differs");
    out.textContent = "";
    if (!profile) return;
    var chapters = differencesFor(data, profile);
    if (!chapters.length) {
      out.appendChild(el("p", "", "Nothing on the pages differs for this setup: the outputs are the ones you will see."));
      return;
    }
    out.appendChild(el("p", "", "What differs for it, chapter by chapter:"));
    chapters.forEach(function (ch) {
      var section = el("div", "which-docker__chapter");
      var h = el("p", "which-docker__chapter-title");
      var strong = el("strong");
      strong.textContent = ch.chapter;
      h.appendChild(strong);
      section.appendChild(h);
      var ul = el("ul");
      ch.items.forEach(function (item) {
        var li = el("li", "", "<strong>" + item.title + "</strong>");
        if (item.first) {
          item.notes.forEach(function (n) {
            li.appendChild(el("span", "which-docker__note", " " + n.html));
          });
        } else {
          li.appendChild(el("span", "which-docker__note", " (see above)"));
        }
        var where = el("span", "which-docker__pages", " On ");
        item.pages.forEach(function (p, i) {
          if (i) where.appendChild(root.document.createTextNode(", "));
          var a = el("a");
          a.href = course.site.url(p.page);
          a.textContent = p.title;
          where.appendChild(a);
        });
        where.appendChild(root.document.createTextNode("."));
        li.appendChild(where);
        ul.appendChild(li);
      });
      section.appendChild(ul);
      out.appendChild(section);
    });
  }

  function announce(box, profile, result, saved) {
    var region = box.querySelector(".which-docker__result");
    var message = "This is **" + profile.name + "**" + (result && result.engine ? " (Engine " + result.engine + ")" : "") + ".";
    var store = profile.store ? " Image store: " + (profile.store === "containerd" ? "containerd" : "classic (`overlay2`)") + "." : "";
    var items = (result ? result.why : []).map(function (w) {
      return { text: w };
    });
    if (result && result.ask) items.push({ text: result.ask });
    var where = kept(saved);
    if (where.item) items.push(where.item);
    course.show(region, { message: message.replace(/\*\*/g, "") + store + where.text, state: "passed", items: items }, ensureList(box));
  }

  function ensureList(box) {
    var list = box.querySelector(".which-docker__why");
    if (!list) {
      list = el("ul", "which-docker__why");
      box.querySelector(".which-docker__result").after(list);
    }
    return list;
  }

  function check(box) {
    var data = dataOf(box);
    var text = box.querySelector("textarea").value;
    var parsed = parse(text);
    var result = parsed.error ? parsed : identify(parsed.facts);
    if (result.error) {
      course.show(box.querySelector(".which-docker__result"), { message: result.message, state: "failed", items: [] }, ensureList(box));
      showDifferences(box, data, null);
      return result;
    }
    var profile = profileFor(data.setups, result.id, result.store);
    var saved = course.store.save(KEY, profile);
    announce(box, profile, result, saved);
    box.querySelector(".which-docker__choose").value = profile.id;
    showDifferences(box, data, profile);
    return result;
  }

  function choose(box, id) {
    var data = dataOf(box);
    if (!id) return;
    var profile = profileFor(data.setups, id, null);
    var saved = course.store.save(KEY, profile);
    announce(box, profile, { why: ["You chose it from the list."], engine: null }, saved);
    showDifferences(box, data, profile);
  }

  function forget(box) {
    course.store.save(KEY, null);
    box.querySelector(".which-docker__choose").value = "";
    course.show(box.querySelector(".which-docker__result"), { message: "Forgotten: lesson pages show the notes for every setup again.", items: [] }, ensureList(box));
    showDifferences(box, dataOf(box), null);
  }

  function setUpBox(box) {
    if (box.classList.contains("which-docker--ready")) return;
    box.classList.add("which-docker--ready");
    var profile = course.store.load(KEY, null);
    if (profile && profile.id) {
      box.querySelector(".which-docker__choose").value = profile.id;
      announce(box, profile, { why: ["Saved before in this browser. Paste again to check, or choose another."], engine: null }, true);
      showDifferences(box, dataOf(box), profile);
    }
  }

  /* ---------------------------------------------------------------- notes on lesson pages */
  function setUpNote(note, profile) {
    Array.prototype.forEach.call(note.querySelectorAll("a[data-course-href]:not([href])"), function (a) {
      a.href = course.site.url(a.getAttribute("data-course-href"));
    });
    if (note.classList.contains("course-differs--ready")) return;
    note.classList.add("course-differs--ready");
    if (!profile || !profile.id) return;
    var items = note.querySelectorAll(".course-differs__note");
    var mine = 0;
    Array.prototype.forEach.call(items, function (item) {
      var yes = applies((item.getAttribute("data-for") || "").split(/\s+/), profile);
      item.hidden = !yes;
      if (yes) mine++;
      item.setAttribute("data-mine", yes ? "true" : "false");
    });
    Array.prototype.forEach.call(note.querySelectorAll(".course-differs__diff"), function (diff) {
      diff.hidden = !diff.querySelector('.course-differs__note[data-mine="true"]');
    });
    var summary = note.querySelector("summary");
    var label = el("span", "course-differs__yours");
    label.textContent = mine ? "For your Docker (" + profile.name + "): " : "Same as shown for your Docker (" + profile.name + "); other setups differ: ";
    summary.insertBefore(label, summary.firstChild);
    summary.removeChild(summary.childNodes[1]); // "On other Docker setups: "
    if (mine) note.open = true;
    var others = items.length - mine;
    if (others) {
      var button = el("button", "md-button course-button course-differs__all");
      button.type = "button";
      button.textContent = "Show the notes for every setup (" + others + " more)";
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(note.querySelectorAll("[hidden]"), function (n) {
          n.hidden = false;
        });
        note.open = true;
        button.remove();
      });
      note.querySelector(".course-differs__which").before(button);
    }
  }

  function setUp(doc) {
    var profile = course.store.load(KEY, null);
    Array.prototype.forEach.call(doc.querySelectorAll(".which-docker"), setUpBox);
    Array.prototype.forEach.call(doc.querySelectorAll(".course-differs"), function (note) {
      setUpNote(note, profile);
    });
  }

  root.document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof root.Element)) return;
    var box = target.closest(".which-docker");
    if (!box) return;
    if (target.closest(".which-docker__check")) check(box);
    if (target.closest(".which-docker__forget")) forget(box);
  });
  root.document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof root.Element && target.classList.contains("which-docker__choose")) choose(target.closest(".which-docker"), target.value);
  });

  course.feature("which-docker", { setUp: setUp });
})(typeof window !== "undefined" ? window : globalThis);
