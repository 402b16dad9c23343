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
  var MAX_PASTE = 1000000; // characters; inspect output of a few containers is far less

  function lessonLink(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  /* The pasted text as JSON: {value} or {error} with a message for the learner. */
  function parsePaste(text, command) {
    if (!text || !text.trim()) return { error: "The box is empty. Run `" + command + "` and paste all of its output." };
    if (text.length > MAX_PASTE) {
      return { error: "That is " + Math.round(text.length / 1e6 * 10) / 10 + " million characters, far more than `" + command + "` prints. Paste only its output." };
    }
    var t = text.trim();
    if (t[0] !== "[" && t[0] !== "{") {
      var hint = /^Error|No such|not found/i.test(t) ? " Docker answered with an error: is the name right, and does it exist?" : "";
      return { error: "This is not the output of `" + command + "`: it should start with `[`." + hint };
    }
    try {
      return { value: JSON.parse(t) };
    } catch (e) {
      return { error: "The output is cut off or changed (it is not complete JSON). Copy all of it, from the first `[` to the last `]`." };
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

  /* What kind of object `docker … inspect` printed. */
  function kindOf(obj) {
    if (!obj || typeof obj !== "object") return "something else";
    if ("State" in obj && "HostConfig" in obj) return "container";
    if ("RootFS" in obj && "Config" in obj) return "image";
    if ("IPAM" in obj && "Driver" in obj) return "network";
    if ("Mountpoint" in obj && "Driver" in obj) return "volume";
    return "something else";
  }

  function runLab(lab, spec) {
    var out = lab.querySelector(".lab__result");
    var list = lab.querySelector(".lab__criteria");
    list.innerHTML = "";
    var parsed = parsePaste(lab.querySelector("textarea").value, spec.command);
    var results = [];
    var headline;
    if (parsed.error) {
      headline = parsed.error;
    } else {
      var items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
      var obj = items[0];
      var kind = kindOf(obj);
      if (items.length !== 1) {
        headline = items.length
          ? "The output holds " + items.length + " objects; inspect only `" + spec.name + "`."
          : "The output is an empty list: Docker found nothing by that name.";
      } else if (kind !== spec.kind) {
        headline = "This is the output for " + (kind === "something else" ? "something else" : "a " + kind) + ", but this lab needs a " + spec.kind + ": run `" + spec.command + "`.";
      } else if (spec.name && String(get(obj, spec.nameField) || "").replace(/^\//, "") !== spec.name &&
                 (get(obj, spec.nameField) || []).indexOf && (get(obj, spec.nameField) || []).indexOf(spec.name) < 0) {
        headline = "This is the output for " + JSON.stringify(get(obj, spec.nameField)) + ", not for `" + spec.name + "`: is it another lab's output? Run `" + spec.command + "`.";
      } else {
        results = spec.criteria.map(function (c) {
          var ok = false;
          try {
            ok = !!c.test(obj);
          } catch (e) {
            ok = false;
          }
          return { c: c, ok: ok };
        });
        var passed = results.filter(function (r) { return r.ok; }).length;
        headline = passed === results.length
          ? "Passed: all " + results.length + " checks are right. Well done!"
          : passed + " of " + results.length + " checks pass. See what to change below.";
      }
    }
    results.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("data-ok", r.ok ? "true" : "false");
      li.appendChild(document.createTextNode((r.ok ? "Passed: " : "Not yet: ") + r.c.text));
      if (!r.ok) {
        var p = document.createElement("span");
        p.className = "lab__hint";
        p.appendChild(document.createTextNode(" " + r.c.hint + " "));
        if (r.c.lesson) p.appendChild(lessonLink(new URL(r.c.lesson, lessonBase(lab)).href, r.c.lessonText || "See the lesson"));
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    var pass = results.length > 0 && results.every(function (r) { return r.ok; });
    lab.setAttribute("data-state", pass ? "passed" : "failed");
    out.textContent = headline;
    if (pass) {
      var data = load();
      data.l[lab.getAttribute("data-lab")] = 1;
      save(data);
    }
    return { passed: pass, message: headline, criteria: results.map(function (r) { return { text: r.c.text, ok: r.ok, hint: r.ok ? "" : r.c.hint }; }) };
  }

  /* Lesson links in a lab are written relative to the docs folder. */
  function lessonBase(lab) {
    return siteBase();
  }

  var LABS = {};

  function setUpLabs(root) {
    var data = load();
    Array.prototype.forEach.call(root.querySelectorAll(".lab"), function (lab) {
      lab.classList.add("lab--ready");
      if (data.l[lab.getAttribute("data-lab")]) {
        lab.querySelector(".lab__result").textContent = "You passed this lab before. Check again any time.";
        lab.setAttribute("data-state", "passed");
      }
    });
  }

  function nextHint(lab) {
    var hidden = lab.querySelector(".lab__hints li[hidden]");
    if (hidden) {
      hidden.hidden = false;
      hidden.setAttribute("tabindex", "-1");
      hidden.focus();
    }
    var button = lab.querySelector(".lab__hint-button");
    if (!lab.querySelector(".lab__hints li[hidden]")) button.disabled = true;
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
    var script = root.querySelector("#progress-content");
    var tools = root.querySelector("[data-progress]");
    if (!script || !tools) return;
    var content = JSON.parse(script.textContent);
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
        var labId = url.hash.indexOf("#lab-") === 0 ? (a.getAttribute("data-lab") || labIdFor(entry, url.hash)) : null;
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
    function labIdFor(entry, hash) {
      var m = (entry.labNames || {})[hash.slice(1)];
      return m || null;
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
    if (target.closest(".lab__check")) {
      var spec = LABS[lab.getAttribute("data-name")];
      if (spec) runLab(lab, spec);
    }
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
    parsePaste: parsePaste,
    labs: LABS,
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
