/* Docker Basics: the "paste your error" box (feature "errors", loaded by
   course.js on docs/troubleshooting/index.md, whose ```error-finder fence
   writes the box and its data: scripts/course/errorfinder.py).

   The data holds each entry's fingerprints, compiled at build time: the words
   of each wording of the message, its variable parts (IDs, names, ports,
   addresses, paths, versions, numbers) as wildcards, found by the patterns
   of scripts/course/errorfinder.json, which the data carries too. Here a
   paste is read with the same patterns, line by line (and up to four
   lines together, for a terminal that wrapped a long line), and each line
   is scored against the fingerprints that share words with it:

   - words weigh by how few entries use them (inverse document frequency):
     "allocated" tells more than "error" or "daemon";
   - the words a line and a wording have in common, in order (a weighted
     longest common subsequence), divided by the weight of the wording (how
     much of the message the line has) and by the weight of the line (how
     much of the line the message explains), are combined into one score,
     the first counting four times the second (F-score, beta 2);
   - a short line that is all message (a fragment: "port is already
     allocated") scores by the second, if its words weigh enough;
   - and a score counts fully only when the words in common weigh as much
     as two rare words: "not found" alone is no answer.

   An entry's score is its best line's; results are best first (find() says
   how equals are ordered), at most three, and none below MATCH: then the box
   says that no entry matches. Nothing leaves the browser: the links for an
   unknown message open this site's search and the tracker's form, filled in
   for the learner to review. tests/js/errors.test.mjs runs it on every test
   paste; scripts/bench-errors.mjs prints its figures. */
(function (root) {
  "use strict";

  var course = root.course;

  // Characters of a paste read: its end, where the error is. As many as the box takes: a longer
  // paste keeps its last lines (course.js, data-paste-keeps) and says so under the box, so the
  // box reads all it holds and adds no note of its own ("Your paste is …") to that one.
  var READ_MAX = course.paste.MAX;
  var LINE_MAX = 2000; // characters of a line read: its start and its end
  var WRAP = 60; // a line this long may continue on the next (a terminal that wraps)
  var WRAPPED_SHARE = 0.2; // ... when it holds this share of some message
  var MATCH = 0.6; // the least score listed (the right entries of the test pastes score 0.63 or more)
  var SPREAD = 0.4; // listed: within this of the best score
  var SHOW = 3; // results listed at most
  var FRAGMENT_WEIGHT = 10; // a fragment must weigh this much (about three rare words)
  var MIN_COMMON = 6; // what a line and a message share must weigh this much (two rare words)
  var BETA2 = 4;
  var FRAGMENT = 0.9; // a fragment's score: its precision, times this
  var MIN_RECALL = (BETA2 * MATCH) / (1 + BETA2 - MATCH); // F-score with precision 1
  var MIN_PRECISION = MATCH / FRAGMENT;
  var CELLS = /\S\s{2,}\S/; // columns of a table, two spaces apart or more
  var HEADING = 0.01; // at most this much more for an entry whose heading, as written, the line holds
  var COMMON_WORD = Math.log(1 + 4); // a word that a quarter of the entries use, or more, weighs less
  // A line that reads as an error (for ranking equals, and for the key words of an unknown one).
  var ERRORISH = /\b(?:error|errno|fail(?:ed|ing|s)?|failure|denied|cannot|can't|could not|unable|not found|no such|refused|invalid|unknown|fatal|panic|exception|timed? ?out|not allowed|forbidden|unauthorized)\b/i;

  /* ---------------------------------------------------------------- reading lines */
  function Reader(data) {
    this.kinds = data.patterns.map(function (p) { return p[0]; });
    this.variable = new RegExp(data.patterns.map(function (p) { return "(" + p[1] + ")"; }).join("|"), "g");
    this.word = new RegExp(data.words, "g");
  }

  /* The words of a line, its variable parts as wildcards (scripts/course/errorfinder.py's tokens()). */
  Reader.prototype.tokens = function (line) {
    var text = String(line).replace(/[^\x00-\x7f]/g, " ").toLowerCase();
    var out = [];
    var word = this.word;
    function words(part) {
      var m;
      word.lastIndex = 0;
      while ((m = word.exec(part))) out.push(m[0]);
    }
    var re = this.variable;
    var at = 0;
    var m;
    re.lastIndex = 0;
    while ((m = re.exec(text))) {
      words(text.slice(at, m.index));
      var g = 1;
      while (m[g] === undefined) g++;
      if (out.length && out[out.length - 1].charAt(0) === "<") out.pop(); // one wildcard for several in a row
      out.push(this.kinds[g - 1] === "placeholder" ? m[0] : "<" + this.kinds[g - 1] + ">");
      at = re.lastIndex;
    }
    words(text.slice(at));
    return out;
  };

  function fixed(tokens) {
    return tokens.filter(function (t) { return t.charAt(0) !== "<"; });
  }

  /* ---------------------------------------------------------------- the index */
  function Finder(data) {
    var self = this;
    this.reader = new Reader(data);
    this.data = data;
    this.entries = data.entries;
    var n = data.entries.length;
    var df = {};
    data.entries.forEach(function (e) {
      var seen = {};
      e.f.forEach(function (f) {
        fixed(f.split(" ")).forEach(function (w) { seen[w] = 1; });
      });
      Object.keys(seen).forEach(function (w) { df[w] = (df[w] || 0) + 1; });
    });
    // Words as numbers; a word weighs by how few entries use it (inverse document frequency).
    this.ids = Object.create(null);
    var weights = [];
    Object.keys(df).forEach(function (w) {
      self.ids[w] = weights.length;
      weights.push(Math.log(1 + n / df[w]));
    });
    this.weight = Float64Array.from(weights);
    this.unknown = Math.log(1 + n) / 2; // a word no message has: the learner's own names, another program's words
    this.wordings = [];
    this.postings = weights.map(function () { return []; });
    data.entries.forEach(function (e, entry) {
      e.f.forEach(function (f) {
        var ids = Int32Array.from(fixed(f.split(" ")), function (w) { return self.ids[w]; });
        var count = {};
        var total = 0;
        ids.forEach(function (id) {
          count[id] = (count[id] || 0) + 1;
          total += self.weight[id];
        });
        var wording = self.wordings.length;
        self.wordings.push({ entry: entry, ids: ids, count: count, total: total });
        Object.keys(count).forEach(function (id) { self.postings[id].push(wording); });
      });
    });
    // Each entry's heading, its main message as written, names and all: of two entries that
    // match a line as well, the one whose heading the line holds more of comes first
    // (exec: "sh": … is the entry for images without a shell, exec: "flask": … the other).
    this.headings = data.entries.map(function (e) { return self.literal(e.h); });
    // Work space, reused from line to line.
    this.seen = new Int32Array(weights.length);
    this.overlap = new Float64Array(this.wordings.length);
    this.rows = [new Float64Array(64), new Float64Array(64)];
  }

  /* The line's words as numbers (-1: a word no message has) and their weight. */
  Finder.prototype.encode = function (line) {
    var ids = this.ids;
    var words = fixed(this.reader.tokens(line));
    var out = new Int32Array(words.length);
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var id = words[i] in ids ? ids[words[i]] : -1;
      out[i] = id;
      total += id < 0 ? this.unknown : this.weight[id];
    }
    return { ids: out, total: total };
  };

  /* Weight of the longest common subsequence of a wording's words and a line's. */
  Finder.prototype.common = function (a, b) {
    if (this.rows[0].length <= b.length) this.rows = [new Float64Array(2 * b.length + 2), new Float64Array(2 * b.length + 2)];
    var prev = this.rows[0].fill(0, 0, b.length + 1);
    var row = this.rows[1].fill(0, 0, b.length + 1);
    for (var i = 0; i < a.length; i++) {
      var ai = a[i];
      var wi = this.weight[ai];
      for (var j = 0; j < b.length; j++) {
        row[j + 1] = ai === b[j] ? prev[j] + wi : prev[j + 1] > row[j] ? prev[j + 1] : row[j];
      }
      var t = prev;
      prev = row;
      row = t;
    }
    return prev[b.length];
  };

  /* A text's words as written, none of them a wildcard. */
  Finder.prototype.literal = function (text) {
    return String(text).toLowerCase().match(this.reader.word) || [];
  };

  /* The share of a heading's words that a line holds. */
  Finder.prototype.held = function (heading, line) {
    var have = {};
    var got = 0;
    this.literal(line).forEach(function (w) { have[w] = 1; });
    heading.forEach(function (w) { if (have[w]) got++; });
    return heading.length ? got / heading.length : 0;
  };

  function score(common, wordingTotal, lineTotal) {
    if (common <= 0) return 0;
    var r = common / wordingTotal;
    var p = common / lineTotal;
    var f = ((1 + BETA2) * p * r) / (BETA2 * p + r);
    var fragment = p * Math.min(1, common / FRAGMENT_WEIGHT) * FRAGMENT;
    return Math.max(f, fragment) * Math.min(1, common / MIN_COMMON);
  }

  /* Scores one segment (a line, or lines joined) against the wordings it shares words with;
     keeps each entry's best in `found` ({entry: {score, at: its last line, lines: how many
     lines reach it}}). Returns the largest
     share of a wording's weight that its words hold. */
  Finder.prototype.scoreSegment = function (segment, found, at) {
    var ids = segment.ids;
    var seen = this.seen;
    var overlap = this.overlap;
    var words = [];
    var i;
    for (i = 0; i < ids.length; i++) if (ids[i] >= 0 && seen[ids[i]]++ === 0) words.push(ids[i]);
    // The wordings that share a word with the segment that few entries use; the words many
    // entries use ("error", "from", "daemon") count for those, but bring in no wording alone.
    var candidates = [];
    for (var pass = 0; pass < 2; pass++) {
      for (i = 0; i < words.length; i++) {
        var id = words[i];
        if ((this.weight[id] >= COMMON_WORD) === (pass === 1)) continue;
        var postings = this.postings[id];
        for (var k = 0; k < postings.length; k++) {
          var c = postings[k];
          if (overlap[c] === 0) {
            if (pass) continue;
            candidates.push(c);
          }
          overlap[c] += this.weight[id] * Math.min(seen[id], this.wordings[c].count[id]);
        }
      }
    }
    for (i = 0; i < words.length; i++) seen[words[i]] = 0;
    var share = 0;
    for (i = 0; i < candidates.length; i++) {
      var wording = this.wordings[candidates[i]];
      var best = found[wording.entry];
      var most = overlap[candidates[i]]; // the weight in common if all shared words came in order
      overlap[candidates[i]] = 0;
      if (most > share * wording.total) share = most / wording.total;
      // The F-score reaches MATCH only with this much recall, a fragment only with this much precision.
      if (most < MIN_RECALL * wording.total && most < MIN_PRECISION * segment.total) continue;
      var bound = score(most, wording.total, segment.total);
      if (bound < MATCH || (best && bound < best.score - 1e-9)) continue;
      var s = score(this.common(wording.ids, ids), wording.total, segment.total);
      if (!best || s > best.score + 1e-9) {
        found[wording.entry] = { score: s, at: at, lines: 1 };
      } else if (s > best.score - 1e-9 && at > best.at) {
        best.at = at;
        best.lines++;
      }
    }
    return share;
  };

  /* The lines of a paste: cleaned, its last READ_MAX characters, prompt lines left out. */
  Finder.prototype.lines = function (text) {
    var raw = String(text || "");
    var cut = raw.length > READ_MAX;
    if (cut) {
      raw = raw.slice(raw.length - READ_MAX);
      raw = raw.slice(raw.indexOf("\n") + 1);
    }
    var untrimmed = course.paste.clean(raw).split("\n").map(function (line) {
      if (line.length > LINE_MAX) line = line.slice(0, LINE_MAX / 4) + " " + line.slice(line.length - (3 * LINE_MAX) / 4);
      return course.paste.command(line) !== null ? "" : line;
    });
    var lines = untrimmed.map(function (line) { return line.trim(); });
    return { lines: lines, untrimmed: untrimmed, cut: cut, size: String(text || "").length };
  };

  /* {results: [{entry, score}], ranked, lines, cut, size}: the entries whose messages the paste
     holds, best first. A line is read together with the next one to three when it is long and
     shares words with some message (a terminal may have wrapped it: joined with a space and
     without), and a table's row also column by column. */
  Finder.prototype.find = function (text) {
    var self = this;
    var read = this.lines(text);
    var lines = read.lines;
    var segments = [];
    var known = Object.create(null); // a line seen before: the same words (build logs repeat lines)
    var found = {};
    for (var i = 0; i < lines.length; i++) {
      segments.push(lines[i] ? known[lines[i]] || (known[lines[i]] = this.encode(lines[i])) : null);
    }
    for (i = 0; i < lines.length; i++) {
      if (!segments[i]) continue;
      var share = this.scoreSegment(segments[i], found, i);
      // A table's row (docker ps): each column on its own too ("Up 6 minutes (unhealthy)").
      var cells = CELLS.test(lines[i]) ? lines[i].split(/\s{2,}/) : [];
      for (var c = 0; c < cells.length; c++) {
        if (cells[c]) this.scoreSegment(known[cells[c]] || (known[cells[c]] = this.encode(cells[c])), found, i);
      }
      // Lines a terminal wrapped: the break may fall between two words or inside one.
      var spaced = lines[i];
      var glued = read.untrimmed[i];
      for (var k = 1; k <= 3 && share >= WRAPPED_SHARE && i + k < lines.length && lines[i + k - 1].length >= WRAP && segments[i + k]; k++) {
        spaced += " " + lines[i + k];
        glued += read.untrimmed[i + k];
        this.scoreSegment(this.encode(spaced), found, i + k);
        this.scoreSegment(this.encode(glued), found, i + k);
      }
    }
    // An entry whose heading, as written, the line holds gets up to HEADING more. Between
    // equals: the line that reads as an error before a status line ("Exited (0) …"), the entry
    // that more lines match that well, the later line (the last error of a paste is the one
    // asked about).
    var ranked = Object.keys(found)
      .map(function (entry) {
        var f = found[entry];
        var error = ERRORISH.test(lines[f.at]) ? 1 : 0;
        var score = f.score + HEADING * self.held(self.headings[entry], lines[f.at]);
        return { entry: self.entries[entry], index: +entry, score: score, at: f.at, lines: f.lines, error: error };
      })
      .filter(function (r) { return r.score >= MATCH; })
      .sort(function (a, b) {
        return b.score - a.score || b.error - a.error || b.lines - a.lines || b.at - a.at || a.index - b.index;
      });
    var best = ranked.length ? ranked[0].score : 0;
    read.results = ranked
      .filter(function (r) { return r.score >= best - SPREAD; })
      .slice(0, SHOW);
    read.ranked = ranked;
    return read;
  };

  /* ---------------------------------------------------------------- no match: search and help */
  var STOP = " the and for from with this that you your are was were has have had not but can could into onto will would been its any all out use error response daemon docker ";

  /* The line a paste most likely asks about: its last error-like line, or its last line. */
  Finder.prototype.errorLine = function (lines) {
    for (var i = lines.length - 1; i >= 0; i--) if (lines[i] && ERRORISH.test(lines[i])) return lines[i];
    for (i = lines.length - 1; i >= 0; i--) if (lines[i]) return lines[i];
    return "";
  };

  /* A few words of that line to search for: its fixed words, the last ones first (Docker puts the cause last). */
  Finder.prototype.keyWords = function (line) {
    var seen = {};
    var words = fixed(this.reader.tokens(line)).filter(function (w) {
      if (w.length < 3 || /^[0-9]+$/.test(w) || STOP.indexOf(" " + w + " ") >= 0 || seen[w]) return false;
      seen[w] = 1;
      return true;
    });
    return words.slice(-6);
  };

  /* ---------------------------------------------------------------- the answer */
  function kb(n) {
    return n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : Math.round(n / 1e3) + " KB";
  }

  /* What the box says: {message, state, items: [{text, href, detail}]} for course.show. */
  Finder.prototype.answer = function (text, where) {
    var found = this.find(text);
    var note = found.cut
      ? "Your paste is " + kb(found.size) + ": the box read its last " + kb(READ_MAX) + ", where the error usually is. "
      : "";
    if (!found.lines.some(Boolean)) {
      return { state: "empty", message: "The box is empty. Paste the error: the command and all it printed, or the line that says what failed.", items: [] };
    }
    if (found.results.length) {
      return {
        state: "found",
        message: note + (found.results.length > 1 ? "Best match first:" : "One entry matches:"),
        items: found.results.map(function (r) {
          return { text: r.entry.h, href: where.url(r.entry.u), detail: r.entry.c };
        }),
      };
    }
    var line = this.errorLine(found.lines);
    var words = this.keyWords(line);
    var items = [];
    if (words.length) {
      items.push({ text: "Search this site for `" + words.join(" ") + "`", href: where.search(words.join(" ")) });
    }
    if (this.data.issue) {
      // The paste's last 30 lines, commands too, as the tracker's form asks.
      var last = course.paste
        .clean(String(text).slice(-READ_MAX))
        .split("\n")
        .filter(function (l) { return l.trim(); })
        .slice(-30)
        .join("\n")
        .slice(-1500);
      var title = "Error: " + line.slice(0, 80);
      items.push({
        text: "Ask for help: open an issue on the course's tracker with this message",
        href: this.data.issue + "&title=" + encodeURIComponent(title) + "&message=" + encodeURIComponent(last),
        detail: "GitHub's form opens with the message filled in: remove the names and addresses you want to keep private before you submit it.",
      });
    }
    return { state: "unknown", message: note + "No entry matches this message.", items: items };
  };

  /* ---------------------------------------------------------------- the page */
  function pageLinks() {
    return {
      url: course.site.url,
      search: function (query) {
        var url = new URL(root.location.href);
        url.hash = "";
        url.search = "?q=" + encodeURIComponent(query);
        return url.href;
      },
    };
  }

  function setUp(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll(".error-finder"), function (box) {
      if (box.classList.contains("error-finder--ready")) return;
      box.classList.add("error-finder--ready");
      var finder = null;
      var textarea = box.querySelector("textarea");
      function run() {
        finder = finder || new Finder(JSON.parse(box.getAttribute("data-finder")));
        var verdict = finder.answer(textarea.value, pageLinks());
        box.setAttribute("data-state", verdict.state);
        var list = box.querySelector(".error-finder__results");
        course.show(box.querySelector(".error-finder__verdict"), verdict, list);
        // The search link loads its page anew: Material's instant navigation, which leaves links
        // with a target alone, would show the page without opening the search its ?q= asks for.
        Array.prototype.forEach.call(list.querySelectorAll("a"), function (a) {
          if (a.href.indexOf("?q=") > 0) a.target = "_self";
        });
      }
      box.querySelector(".error-finder__find").addEventListener("click", run);
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          run();
        }
      });
    });
  }

  course.errorFinder = { Finder: Finder, Reader: Reader, READ_MAX: READ_MAX };
  course.feature("errors", { setUp: setUp });
})(typeof window !== "undefined" ? window : globalThis);
