/* Docker Basics: what the page scripts share (course.store: storage under a versioned key
   per kind of data; .progress; .paste: reading a terminal paste; .show: a verdict into an
   aria-live region; .site: addresses; the guard on paste boxes) and the loader: an element
   with data-course-script="NAME" (written by the fence of the quiz, lab or box) makes it add
   assets/javascripts/NAME.js once, which calls course.feature(NAME, {setUp}); setUp runs on
   each page Material's instant navigation shows. On every page (mkdocs.yml); sends nothing
   anywhere; the pure parts run in Node too (tests/js/). */
(function (root) {
  "use strict";

  var course = (root.course = root.course || {});
  var PREFIX = "docker-basics/v1/";

  /* ---------------------------------------------------------------- storage */
  course.store = {
    key: function (name) {
      return PREFIX + name;
    },
    load: function (name, fallback) {
      try {
        var text = root.localStorage.getItem(PREFIX + name);
        return text === null ? fallback : JSON.parse(text);
      } catch (e) {
        return fallback; // no storage (privacy mode, file:// in some browsers) or a damaged value
      }
    },
    save: function (name, value) {
      try {
        root.localStorage.setItem(PREFIX + name, JSON.stringify(value));
        return true;
      } catch (e) {
        return false;
      }
    },
  };

  /* Quiz results and passed labs: {q: {id: [right, total]}, l: {id: 1}}. */
  var OLD_PROGRESS = "docker-basics.progress"; // its key before course.store: read, then kept under the new one
  var CODE_PREFIX = "DB1";
  function progress(data) {
    return data && typeof data.q === "object" && typeof data.l === "object" ? data : null;
  }
  course.progress = {
    load: function () {
      var data = progress(course.store.load("progress", null));
      if (data) return data;
      try {
        data = progress(JSON.parse(root.localStorage.getItem(OLD_PROGRESS)));
      } catch (e) {
        data = null;
      }
      return data || { q: {}, l: {} };
    },
    save: function (data) {
      return course.store.save("progress", data);
    },

    /* A progress code, to carry results to another browser or page: "DB1." then one entry per
       result, joined by dots: quiz "<id>-<right>-<total>", lab "<id>-ok". Ids are 8 hex digits. */
    code: function (data) {
      var parts = [CODE_PREFIX];
      Object.keys(data.q).sort().forEach(function (id) {
        parts.push(id + "-" + data.q[id][0] + "-" + data.q[id][1]);
      });
      Object.keys(data.l).sort().forEach(function (id) {
        parts.push(id + "-ok");
      });
      return parts.join(".");
    },
    /* The results in a code, or null when the text is not one. */
    fromCode: function (text) {
      var parts = String(text || "").trim().split(".");
      if (parts[0] !== CODE_PREFIX) return null;
      var data = { q: {}, l: {} };
      for (var i = 1; i < parts.length; i++) {
        var m = /^([0-9a-f]{8})-(?:(ok)|(\d{1,2})-(\d{1,2}))$/.exec(parts[i]);
        if (!m) return null;
        if (m[2]) data.l[m[1]] = 1;
        else if (+m[3] <= +m[4] && +m[4] > 0) data.q[m[1]] = [+m[3], +m[4]];
        else return null;
      }
      return data;
    },
    /* `data` with the results of `more` added (a result in both: the one in `more`). */
    merge: function (data, more) {
      Object.keys(more.q).forEach(function (id) {
        data.q[id] = more.q[id];
      });
      Object.keys(more.l).forEach(function (id) {
        data.l[id] = more.l[id];
      });
      return data;
    },
    /* True when this page's results are kept apart from every other page's: opened from a file
       in Firefox, where each file is an origin of its own (location.origin "null") with its own
       storage. Chromium shares one storage between the files (origin "file://"); over http every
       page of the site shares one. Then a result saved here is on this page only, and the
       progress page cannot see it. */
    apart: function () {
      var where = root.location;
      return !!where && where.protocol === "file:" && where.origin === "null";
    },
    /* Under a result saved on such a page (a quiz's score, a passed lab): where it is kept,
       and the code that carries this page's results to Your progress. */
    keptHere: function (parent, data) {
      var link = root.document.createElement("a");
      link.href = course.site.url("progress.md");
      link.textContent = "Your progress";
      parent.appendChild(
        root.document.createTextNode(
          " Kept on this page only: opened from a file, this browser keeps each page's results apart, so "
        )
      );
      parent.appendChild(link);
      withCode(parent, " cannot see it. To add it there, import this code on that page: `" + course.progress.code(data) + "`");
    },
  };

  /* ---------------------------------------------------------------- pastes */
  var ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
  var PROMPT = /^\s*(?:\$|#|>|PS(?: [^>]*)?>|[\w.-]+@[\w.-]+(?::[^$#]*)?[$#]|C:\\[^>]*>)\s/;

  course.paste = {
    /* More than a terminal prints for one command (`docker inspect` prints a few thousand
       characters): refused, with a message, before any work, and a paste box does not take it.
       A box that holds a million characters takes up to 0.6 s to answer a key in Chromium on
       a busy machine, even as a bare textarea; a quarter of that answers within 0.2 s. */
    MAX: 250000,

    /* The paste as plain lines: no Windows line endings, byte-order mark or terminal colours. */
    clean: function (text) {
      return String(text || "")
        .replace(/^\uFEFF/, "")
        .replace(/\r\n?/g, "\n")
        .replace(ANSI, "");
    },

    tooLong: function (text, max) {
      return String(text || "").length > (max || course.paste.MAX);
    },

    /* Is this line a command at a prompt ("$ docker …", "PS C:\> docker …")? Then its command. */
    command: function (line) {
      var m = PROMPT.exec(line);
      return m ? line.slice(m[0].length).trim() : null;
    },

    /* The paste cut at its prompt lines: [{command: "docker inspect x" | null, output: "…"}]. */
    sections: function (text) {
      var out = [{ command: null, lines: [] }];
      course.paste.clean(text).split("\n").forEach(function (line) {
        var cmd = course.paste.command(line);
        if (cmd !== null && /^(?:docker|podman|curl|wget|ls|cat|id|iwr|Invoke-WebRequest)\b/.test(cmd)) {
          out.push({ command: cmd, lines: [] });
        } else {
          out[out.length - 1].lines.push(line);
        }
      });
      return out
        .map(function (s) {
          return { command: s.command, output: s.lines.join("\n").trim() };
        })
        .filter(function (s) {
          return s.command !== null || s.output;
        });
    },

    /* The JSON a command printed, from a paste that may hold its prompt line too.
       {value} or {error: "empty" | "too-long" | "not-json" | "cut-off" | "docker-error", text}.
       Reads Docker's `inspect` array, a single object and one object per line
       (`--format '{{json .}}'`). */
    json: function (text) {
      if (course.paste.tooLong(text)) return { error: "too-long" };
      var sections = course.paste.sections(text);
      var body = sections.length ? sections[sections.length - 1].output : "";
      if (!body) return { error: "empty" };
      // Docker's own error ("Error: No such object: notes", after the `[]` that inspect prints).
      var failed = /^\s*(?:docker: )?(?:Error\b|error\b|Error response from daemon).*$/m.exec(body);
      if (failed) return { error: "docker-error", text: failed[0].trim() };
      var start = body.search(/[[{]/);
      if (start < 0) return { error: "not-json", text: body };
      var json = body.slice(start);
      try {
        return { value: JSON.parse(json) };
      } catch (e) {
        var lines = json.split("\n").filter(function (l) {
          return l.trim();
        });
        if (lines.length > 1) {
          try {
            return { value: lines.map(function (l) { return JSON.parse(l); }) };
          } catch (e2) {
            /* not one object per line either */
          }
        }
        return { error: "cut-off" };
      }
    },
  };

  /* ---------------------------------------------------------------- paste boxes */
  /* A practice box's textarea (in an element with data-course-script) takes no paste or drop
     that would hold more than course.paste.MAX characters (or its maxlength): a box holding
     megabytes answers keys slowly (issue 26). It refuses it, with a note under it; a box marked
     data-paste-keeps="end" (the error finder's) takes its last lines that fit instead. */
  function n(number) {
    return number.toLocaleString("en");
  }

  function takePaste(event) {
    var box = event.target;
    if (!box || box.tagName !== "TEXTAREA" || !box.closest("[data-course-script]")) return;
    var data = event.clipboardData || event.dataTransfer;
    var text = data ? data.getData("text/plain") || data.getData("text") : "";
    var max = box.maxLength > 0 ? box.maxLength : course.paste.MAX;
    var start = box.selectionStart;
    var end = event.type === "paste" ? box.selectionEnd : start;
    var room = max - box.value.length + end - start;
    var note = box.nextElementSibling;
    if (!note || !note.classList.contains("course-paste-note")) {
      if (text.length <= room) return;
      note = root.document.createElement("span");
      note.className = "course-paste-note";
      note.setAttribute("role", "alert");
      box.after(note);
    }
    note.textContent = "";
    if (text.length <= room) return;
    event.preventDefault();
    // Its last `room` characters, from the start of a line if one starts there.
    var tail = text.slice(-room - 1);
    var line = tail.indexOf("\n");
    var keeps = box.getAttribute("data-paste-keeps") === "end" && room > 0;
    var kept = keeps ? tail.slice(line < 0 || line >= room ? 1 : line + 1) : "";
    if (kept) {
      box.setRangeText(kept, start, end, "end");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    note.textContent = kept
      ? "Pasted the last " + n(kept.length) + " of " + n(text.length) + " characters: the box takes at most " + n(max) +
        ", and a terminal prints the error last."
      : "Not pasted: that is " + n(text.length) + " characters, more than the box takes (" + n(max) +
        "). Paste only what the command printed.";
  }

  /* ---------------------------------------------------------------- verdicts */
  function withCode(parent, text) {
    String(text).split("`").forEach(function (piece, i) {
      if (!piece) return;
      var node = i % 2 ? root.document.createElement("code") : root.document.createTextNode(piece);
      if (i % 2) node.textContent = piece;
      parent.appendChild(node);
    });
    return parent;
  }

  /* Writes {message, state, items: [{text, ok, hint, href, link, detail}]} into `region` (an
     aria-live element) and the optional `list` (<ul>/<ol>): each item its text (the link, when
     it has an href and no hint), then its hint as a sentence of its own and a link, then its
     detail. */
  course.show = function (region, verdict, list) {
    var doc = root.document;
    region.textContent = "";
    withCode(region, verdict.message || "");
    if (verdict.state) region.setAttribute("data-state", verdict.state);
    else region.removeAttribute("data-state");
    if (!list) return;
    list.textContent = "";
    (verdict.items || []).forEach(function (item) {
      var li = doc.createElement("li");
      if ("ok" in item) li.setAttribute("data-ok", item.ok ? "true" : "false");
      var body = doc.createElement("span");
      withCode(body, item.text);
      if (item.href && !item.hint) {
        var a = doc.createElement("a");
        a.href = item.href;
        a.appendChild(body);
        li.appendChild(a);
      } else {
        li.appendChild(body);
      }
      if (item.hint) {
        var hint = withCode(doc.createElement("span"), " " + item.hint);
        hint.className = "course-hint";
        if (item.href) {
          var link = doc.createElement("a");
          link.href = item.href;
          link.textContent = item.link || "Read the lesson";
          hint.appendChild(doc.createTextNode(" "));
          hint.appendChild(link);
          hint.appendChild(doc.createTextNode("."));
        }
        li.appendChild(hint);
      }
      if (item.detail) {
        var detail = withCode(doc.createElement("span"), " " + item.detail);
        detail.className = "course-detail";
        li.appendChild(detail);
      }
      list.appendChild(li);
    });
  };
  course.withCode = withCode;

  /* ---------------------------------------------------------------- addresses */
  course.site = {
    base: function () {
      var base = ".";
      try {
        base = JSON.parse(root.document.getElementById("__config").textContent).base || ".";
      } catch (e) {
        /* no Material config: the page is at the site root */
      }
      return new URL(base.replace(/\/?$/, "/"), root.location.href);
    },
    /* "concepts/x.md#a" as this site's address for it (directory URLs, or .html from file://). */
    url: function (docsPath) {
      var parts = docsPath.split("#");
      var files = /\.html$/.test(root.location.pathname) || root.location.protocol === "file:";
      var path = files
        ? parts[0].replace(/\.md$/, ".html")
        : parts[0].replace(/(^|\/)index\.md$/, "$1").replace(/\.md$/, "/");
      return new URL(path + (parts[1] ? "#" + parts[1] : ""), course.site.base()).href;
    },
  };

  /* ---------------------------------------------------------------- the loader */
  var features = {};
  var requested = {};
  var here = root.document && root.document.currentScript ? root.document.currentScript.src : "";

  course.feature = function (name, feature) {
    features[name] = feature;
    if (root.document) feature.setUp(root.document);
  };

  function setUpPage() {
    var names = {};
    Array.prototype.forEach.call(root.document.querySelectorAll("[data-course-script]"), function (el) {
      el.getAttribute("data-course-script").split(/\s+/).forEach(function (n) {
        if (/^[a-z-]+$/.test(n)) names[n] = true;
      });
    });
    Object.keys(names).forEach(function (name) {
      if (features[name]) return features[name].setUp(root.document);
      if (requested[name] || !here) return;
      requested[name] = true;
      var script = root.document.createElement("script");
      script.src = new URL(name + ".js", here).href;
      script.async = false; // in the order asked
      root.document.head.appendChild(script); // registers itself with course.feature, which sets it up
    });
  }

  if (root.document) {
    root.document.addEventListener("paste", takePaste, true);
    root.document.addEventListener("drop", takePaste, true);
    if (root.document$ && typeof root.document$.subscribe === "function") root.document$.subscribe(setUpPage);
    else if (root.document.readyState === "loading") root.document.addEventListener("DOMContentLoaded", setUpPage);
    else setUpPage();
  }
})(typeof window !== "undefined" ? window : globalThis);
