/* Docker Basics: the lab checker (feature "labs", loaded by course.js on the
   pages that have a lab, after practice.js, which keeps the progress). A lab's
   spec comes from scripts/course/practice.py; nothing leaves the browser. */
(function () {
  "use strict";

  var course = window.course;

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
        a.href = course.site.url(r.lesson);
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
      var data = course.progress.load();
      data.l[lab.getAttribute("data-lab")] = 1;
      course.progress.save(data);
    }
    return result;
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

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var lab = target.closest(".lab");
    if (!lab) return;
    if (target.closest(".lab__hint-button")) return nextHint(lab);
    if (target.closest(".lab__check")) runLab(lab);
  });

  window.coursePractice = window.coursePractice || {};
  window.coursePractice.check = check;

  course.feature("labs", { setUp: setUpLabs });
})();
