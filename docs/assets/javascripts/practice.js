/* Docker Basics: quizzes, labs, progress and copy-what-you-run.
   The pages read well without this script (scripts/course/practice.py renders
   every quiz with its answers and every lab with its solution); this script
   makes them interactive. One file for the whole site, no dependencies. It
   runs on every page Material's instant navigation shows (document$), or once
   on DOMContentLoaded without Material. Progress stays in this browser
   (localStorage); nothing is sent anywhere. */
(function () {
  "use strict";

  var KEY = "docker-basics.progress";
  var CODE_PREFIX = "DB1";

  /* ---------------------------------------------------------------- storage */
  function empty() {
    return { q: {}, l: {} };
  }
  function load() {
    try {
      var data = JSON.parse(localStorage.getItem(KEY) || "null");
      if (data && typeof data.q === "object" && typeof data.l === "object") return data;
    } catch (e) {
      /* no storage (privacy mode) or a damaged value: start afresh */
    }
    return empty();
  }
  function save(data) {
    try {
      localStorage.setItem(KEY, JSON.stringify(data));
      return true;
    } catch (e) {
      return false;
    }
  }

  /* Export code: "DB1." then one entry per result, joined by dots:
     quiz "<id>-<right>-<total>", lab "<id>-ok". Ids are 8 hex digits. */
  function exportCode(data) {
    var parts = [CODE_PREFIX];
    Object.keys(data.q).sort().forEach(function (id) {
      parts.push(id + "-" + data.q[id][0] + "-" + data.q[id][1]);
    });
    Object.keys(data.l).sort().forEach(function (id) {
      parts.push(id + "-ok");
    });
    return parts.join(".");
  }
  function importCode(text) {
    var parts = String(text || "").trim().split(".");
    if (parts[0] !== CODE_PREFIX) return null;
    var data = empty();
    for (var i = 1; i < parts.length; i++) {
      var m = /^([0-9a-f]{8})-(?:(ok)|(\d{1,2})-(\d{1,2}))$/.exec(parts[i]);
      if (!m) return null;
      if (m[2]) data.l[m[1]] = 1;
      else if (+m[3] <= +m[4] && +m[4] > 0) data.q[m[1]] = [+m[3], +m[4]];
      else return null;
    }
    return data;
  }

  /* ---------------------------------------------------------------- copy */
  var PROMPT = /^(?:\$|PS(?: [^>]*)?>) /;

  /* The lines of a code block, each with whether the console lexer marked a
     prompt (.gp) on it; prompt text left out. */
  function codeLines(code) {
    var lines = [{ text: "", prompt: false }];
    var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var parent = node.parentNode;
      if (parent.closest && parent.closest(".md-annotation")) continue;
      var inPrompt = parent.closest && parent.closest(".gp");
      var chunks = node.data.split("\n");
      for (var i = 0; i < chunks.length; i++) {
        if (i > 0) lines.push({ text: "", prompt: false });
        var line = lines[lines.length - 1];
        if (inPrompt) line.prompt = true;
        else line.text += chunks[i];
      }
    }
    if (lines.length && lines[lines.length - 1].text === "" && !lines[lines.length - 1].prompt) lines.pop();
    return lines;
  }

  /* What the copy button copies: the commands, without prompts and output.
     A line ending in "\" (shell) or "`" (PowerShell) continues on the next. */
  function commandsOf(code) {
    var lines = codeLines(code);
    var marked = lines.some(function (l) {
      return l.prompt;
    });
    if (!marked) {
      // No lexer prompts (PowerShell blocks): look for "$ " or "PS> " in the text.
      if (!lines.some(function (l) { return PROMPT.test(l.text); })) return null;
      lines = lines.map(function (l) {
        var m = PROMPT.exec(l.text);
        return m ? { text: l.text.slice(m[0].length), prompt: true } : l;
      });
    }
    var out = [];
    var going = false;
    lines.forEach(function (l) {
      if (l.prompt || going) {
        out.push(l.text);
        going = /[\\`]\s*$/.test(l.text);
      }
    });
    return out.join("\n");
  }

  function setUpCopy(root) {
    var blocks = root.querySelectorAll(
      ".language-console code, .language-powershell code, .language-ps1con code, .language-shell-session code"
    );
    Array.prototype.forEach.call(blocks, function (code) {
      var text = commandsOf(code);
      // Material's copy button copies [data-copy] when the code carries it.
      if (text !== null) code.setAttribute("data-copy", text);
    });
  }

  /* ---------------------------------------------------------------- quizzes */
  function questionState(fieldset) {
    var right = fieldset.getAttribute("data-right").split(",");
    var chosen = [];
    Array.prototype.forEach.call(fieldset.querySelectorAll("input"), function (input) {
      if (input.checked) chosen.push(input.value);
    });
    return { chosen: chosen, right: right, ok: chosen.sort().join() === right.sort().join() };
  }

  function checkQuestion(fieldset) {
    var state = questionState(fieldset);
    var result = fieldset.querySelector(".quiz__result");
    var multiple = state.right.length > 1;
    var text;
    if (!state.chosen.length) {
      text = multiple ? "Choose one or more answers first." : "Choose an answer first.";
      fieldset.removeAttribute("data-state");
    } else if (state.ok) {
      text = "Right!";
      fieldset.setAttribute("data-state", "right");
    } else {
      var hits = state.chosen.filter(function (c) {
        return state.right.indexOf(c) >= 0;
      }).length;
      text = multiple && hits
        ? "Not quite: " + hits + " of your choices " + (hits === 1 ? "is" : "are") + " right, but not all of them. Try again, or open the explanations."
        : "Not right. Try again, or open the explanations.";
      fieldset.setAttribute("data-state", "wrong");
    }
    result.textContent = text;
    var quiz = fieldset.closest(".quiz");
    if (quiz && state.chosen.length) scoreQuiz(quiz);
  }

  function scoreQuiz(quiz) {
    var questions = quiz.querySelectorAll(".quiz__question");
    var answered = 0;
    var right = 0;
    Array.prototype.forEach.call(questions, function (q) {
      var s = q.getAttribute("data-state");
      if (s) answered++;
      if (s === "right") right++;
    });
    if (answered < questions.length) return;
    var data = load();
    data.q[quiz.getAttribute("data-quiz")] = [right, questions.length];
    var saved = save(data);
    quiz.querySelector(".quiz__score").textContent =
      "Your score: " + right + " of " + questions.length + " right." +
      (saved ? " Saved in Your progress." : " (This browser does not let the page save it.)");
  }

  function setUpQuizzes(root) {
    var data = load();
    Array.prototype.forEach.call(root.querySelectorAll(".quiz"), function (quiz) {
      quiz.classList.add("quiz--ready");
      var last = data.q[quiz.getAttribute("data-quiz")];
      if (last) {
        quiz.querySelector(".quiz__score").textContent =
          "Last time: " + last[0] + " of " + last[1] + " right. Answer again to update it.";
      }
    });
  }

  /* ---------------------------------------------------------------- labs */
  var MAX_PASTE = 1000000; // characters: `docker inspect` of one object prints a few thousand

  function code(text) {
    return "`" + text + "`";
  }

  /* The pasted text as JSON: {value} or {error} with a message for the learner. */
  function parsePaste(text, command) {
    if (!text || !text.trim()) return { error: "The box is empty. Run " + code(command) + " and paste all of its output." };
    if (text.length > MAX_PASTE) {
      return { error: "That is " + (Math.round(text.length / 1e5) / 10) + " million characters, far more than " + code(command) + " prints. Paste only its output." };
    }
    var t = text.trim();
    if (t[0] !== "[" && t[0] !== "{") {
      var hint = /^(Error|error)|No such|not found/.test(t) ? " Docker answered with an error: is the name right, and does it exist?" : "";
      return { error: "This is not the output of " + code(command) + ": that starts with `[`." + hint };
    }
    try {
      return { value: JSON.parse(t) };
    } catch (e) {
      return { error: "The output is cut off or changed: it is not complete JSON. Copy all of it, from the first `[` to the last `]`." };
    }
  }

  function get(obj, path) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (obj === null || typeof obj !== "object") return undefined;
      obj = obj[parts[i]];
    }
    return obj;
  }

  /* Deep equality of JSON values (key order does not matter). */
  function same(a, b) {
    if (a === b) return true;
    if (!a || !b || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) !== Array.isArray(b)) return false;
    var ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every(function (k) {
      return Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]);
    });
  }

  /* One criterion of a lab's spec (scripts/course/practice.py lists the operators). */
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

  /* What `docker … inspect` printed, and its name. */
  function kindOf(obj) {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return "";
    if ("State" in obj && "HostConfig" in obj) return "container";
    if ("RootFS" in obj && "RepoTags" in obj) return "image";
    if ("IPAM" in obj && "Driver" in obj) return "network";
    if ("Mountpoint" in obj && "Driver" in obj) return "volume";
    return "";
  }
  function namesOf(obj, kind) {
    if (kind === "container") return [String(obj.Name || "").replace(/^\//, "")];
    if (kind === "image") return (obj.RepoTags || []).map(function (t) { return t.replace(/^docker\.io\/library\//, ""); });
    return [String(obj.Name || "")];
  }

  /* Check a paste against a lab spec: {passed, message, criteria: [{text, ok, hint, lesson}]}. */
  function check(spec, text) {
    var parsed = parsePaste(text, spec.command);
    if (parsed.error) return { passed: false, message: parsed.error, criteria: [] };
    var items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    if (!items.length) {
      return { passed: false, message: "The output is an empty list: Docker found nothing called " + code(spec.object) + ". Is it there (`docker ps -a`, `docker image ls`)?", criteria: [] };
    }
    if (items.length > 1) return { passed: false, message: "The output holds " + items.length + " objects: inspect only " + code(spec.object) + ".", criteria: [] };
    var obj = items[0];
    var kind = kindOf(obj);
    if (kind !== spec.kind) {
      return { passed: false, message: "This is the output for " + (kind ? "a " + kind : "something other than Docker's inspect") + ", but this lab needs a " + spec.kind + ": run " + code(spec.command) + ".", criteria: [] };
    }
    var names = namesOf(obj, kind);
    if (names.indexOf(spec.object) < 0) {
      return { passed: false, message: "This is the output for " + code(names.join(", ") || "an unnamed " + kind) + ", not for " + code(spec.object) + " (another lab's output?). Run " + code(spec.command) + ".", criteria: [] };
    }
    var results = spec.criteria.map(function (c) {
      var ok = false;
      try {
        ok = passes(c, obj);
      } catch (e) {
        ok = false;
      }
      return { text: c.text, ok: ok, hint: c.hint, lesson: c.lesson };
    });
    var good = results.filter(function (r) { return r.ok; }).length;
    var passed = good === results.length;
    return {
      passed: passed,
      message: passed
        ? "Passed: all " + results.length + " checks are right. Well done!"
        : good + " of " + results.length + " checks pass. See what to change below.",
      criteria: results,
    };
  }

  /* docs path "concepts/x.md#a" to this site's address for it. */
  function lessonURL(lesson) {
    var parts = lesson.split("#");
    var path = parts[0];
    var files = /\.html$/.test(location.pathname) || location.protocol === "file:";
    path = files ? path.replace(/\.md$/, ".html") : path.replace(/(^|\/)index\.md$/, "$1").replace(/\.md$/, "/");
    return new URL(path + (parts[1] ? "#" + parts[1] : ""), siteBase()).href;
  }

  function inlineCode(parent, text) {
    text.split("`").forEach(function (piece, i) {
      if (!piece) return;
      if (i % 2) {
        var c = document.createElement("code");
        c.textContent = piece;
        parent.appendChild(c);
      } else {
        parent.appendChild(document.createTextNode(piece));
      }
    });
  }

  function runLab(lab) {
    var spec = JSON.parse(lab.getAttribute("data-spec"));
    var result = check(spec, lab.querySelector("textarea").value);
    var list = lab.querySelector(".lab__criteria");
    list.textContent = "";
    result.criteria.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("data-ok", r.ok ? "true" : "false");
      inlineCode(li, (r.ok ? "Passed: " : "Not yet: ") + r.text);
      if (!r.ok) {
        var hint = document.createElement("span");
        hint.className = "lab__hint";
        inlineCode(hint, " " + r.hint + " ");
        var a = document.createElement("a");
        a.href = lessonURL(r.lesson);
        a.textContent = "Read the lesson";
        hint.appendChild(a);
        hint.appendChild(document.createTextNode("."));
        li.appendChild(hint);
      }
      list.appendChild(li);
    });
    lab.setAttribute("data-state", result.passed ? "passed" : "failed");
    var out = lab.querySelector(".lab__result");
    out.textContent = "";
    inlineCode(out, result.message);
    if (result.passed) {
      var data = load();
      data.l[lab.getAttribute("data-lab")] = 1;
      save(data);
    }
    return result;
  }

  function setUpLabs(root) {
    var data = load();
    Array.prototype.forEach.call(root.querySelectorAll(".lab"), function (lab) {
      lab.classList.add("lab--ready");
      Array.prototype.forEach.call(lab.querySelectorAll(".lab__hints li"), function (li) {
        li.hidden = true;
      });
      if (data.l[lab.getAttribute("data-lab")]) {
        lab.querySelector(".lab__result").textContent = "You passed this lab before. Check again any time.";
        lab.setAttribute("data-state", "passed");
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

  /* ---------------------------------------------------------------- progress page */
  function siteBase() {
    var config = document.getElementById("__config");
    var base = ".";
    try {
      base = JSON.parse(config.textContent).base || ".";
    } catch (e) {
      /* no Material config: the page is at the site root */
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  /* "concepts/index.md" and the URLs of that page ("concepts/", "concepts/index.html") as one key. */
  function pageKey(path) {
    return path.replace(/(^|\/)index\.(md|html)$/, "$1").replace(/\.(md|html)$/, "/");
  }

  function setUpProgress(root) {
    var tools = root.querySelector("[data-progress]");
    if (!tools) return;
    var content = JSON.parse(tools.getAttribute("data-progress"));
    var pages = {};
    Object.keys(content).forEach(function (src) {
      pages[pageKey(src)] = content[src];
    });
    var base = siteBase().href;
    function render() {
      var data = load();
      var done = 0;
      var total = 0;
      Array.prototype.forEach.call(root.querySelectorAll(".md-content article a[href]"), function (a) {
        var url = new URL(a.getAttribute("href"), location.href);
        if (url.href.indexOf(base) !== 0) return;
        var key = pageKey(url.pathname.slice(new URL(base).pathname.length));
        var entry = pages[key];
        if (!entry) return;
        var old = a.parentNode.querySelector(".progress-status");
        if (old) old.remove();
        var span = document.createElement("span");
        span.className = "progress-status";
        var text;
        var labId = entry.labs[url.hash.slice(1)];
        if (url.hash.indexOf("#lab-") === 0) {
          total++;
          if (labId && data.l[labId]) {
            done++;
            text = "lab passed";
            span.setAttribute("data-state", "done");
          } else {
            text = "lab not passed yet";
          }
        } else if (entry.quiz) {
          total++;
          var r = data.q[entry.quiz];
          if (r) {
            done++;
            text = "quiz: " + r[0] + " of " + r[1] + " right";
            span.setAttribute("data-state", r[0] === r[1] ? "done" : "partly");
          } else {
            text = "quiz not taken yet";
          }
        } else {
          return;
        }
        span.textContent = " (" + text + ")";
        a.parentNode.insertBefore(span, a.nextSibling);
      });
      tools.querySelector(".progress-tools__summary").textContent =
        "You have done " + done + " of " + total + " quizzes and labs.";
      tools.querySelector(".progress-tools__code").value = exportCode(data);
    }
    tools.innerHTML =
      '<p class="progress-tools__summary" role="status" aria-live="polite"></p>' +
      '<p><label for="progress-code">Your progress as a code (copy it to carry your progress to another browser):</label><br>' +
      '<textarea id="progress-code" class="progress-tools__code" rows="3" spellcheck="false"></textarea></p>' +
      '<p><button type="button" class="md-button progress-tools__import">Import the code above</button> ' +
      '<button type="button" class="md-button progress-tools__reset">Reset all progress</button></p>' +
      '<p class="progress-tools__message" role="status" aria-live="polite"></p>';
    var message = tools.querySelector(".progress-tools__message");
    tools.querySelector(".progress-tools__reset").addEventListener("click", function () {
      save(empty());
      render();
      message.textContent = "Progress reset: every quiz and lab is back to not done.";
    });
    tools.querySelector(".progress-tools__import").addEventListener("click", function () {
      var data = importCode(tools.querySelector(".progress-tools__code").value);
      if (!data) {
        message.textContent = "That is not a progress code: it starts with " + CODE_PREFIX + ". and comes from this page.";
        return;
      }
      save(data);
      render();
      message.textContent = "Imported " + Object.keys(data.q).length + " quiz results and " + Object.keys(data.l).length + " labs.";
    });
    render();
  }

  /* ---------------------------------------------------------------- wiring */
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var check = target.closest(".quiz__check");
    if (check) return checkQuestion(check.closest(".quiz__question"));
    var lab = target.closest(".lab");
    if (!lab) return;
    if (target.closest(".lab__hint-button")) return nextHint(lab);
    if (target.closest(".lab__check")) runLab(lab);
  });

  function setUp() {
    var root = document;
    setUpCopy(root);
    setUpQuizzes(root);
    setUpLabs(root);
    setUpProgress(root);
  }

  /* For the tests and the curious: window.coursePractice. */
  window.coursePractice = {
    commandsOf: commandsOf,
    exportCode: exportCode,
    importCode: importCode,
    check: check,
    key: KEY,
  };

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
