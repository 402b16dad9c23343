/* Docker Basics: quizzes and the progress page (feature "practice", loaded by
   course.js on the pages that have a quiz or the progress list). The pages read
   well without it (scripts/course/practice.py renders every quiz with its
   answers); this script makes them interactive. Progress stays in this browser
   (course.store "progress"); nothing is sent anywhere. */
(function () {
  "use strict";

  var course = window.course;
  var CODE_PREFIX = "DB1";

  var load = course.progress.load;
  var save = course.progress.save;
  var exportCode = course.progress.code;
  var importCode = course.progress.fromCode;
  function empty() {
    return { q: {}, l: {} };
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
    var score = quiz.querySelector(".quiz__score");
    score.textContent = "Your score: " + right + " of " + questions.length + " right.";
    if (!saved) score.appendChild(document.createTextNode(" (This browser does not let the page save it.)"));
    else if (course.progress.apart()) course.progress.keptHere(score, data);
    else score.appendChild(document.createTextNode(" Saved in Your progress."));
  }

  function setUpQuizzes(root) {
    var data = load();
    Array.prototype.forEach.call(root.querySelectorAll(".quiz"), function (quiz) {
      quiz.classList.add("quiz--ready");
      var last = data.q[quiz.getAttribute("data-quiz")];
      if (last) {
        var score = quiz.querySelector(".quiz__score");
        score.textContent = "Last time: " + last[0] + " of " + last[1] + " right. Answer again to update it.";
        if (course.progress.apart()) course.progress.keptHere(score, data);
      }
    });
  }

  /* ---------------------------------------------------------------- progress page */
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
    var base = course.site.base().href;
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
      (course.progress.apart()
        ? '<p class="progress-tools__apart">You opened this copy of the course from a file, and this browser keeps ' +
          "each page's results apart: this page shows only the results imported here. Under its score, each quiz " +
          "shows the code of its result: paste it into the box below and choose <strong>Import the code above</strong> " +
          '(each import adds to what is here). Or <a href="#reading-the-offline-copy-in-firefox">read the course ' +
          "through a local web server</a>, and every page shares one progress.</p>"
        : "") +
      '<p class="progress-tools__summary" role="status" aria-live="polite"></p>' +
      '<p><label for="progress-code">Your progress as a code (copy it to carry your progress to another browser):</label><br>' +
      '<textarea id="progress-code" class="progress-tools__code" rows="3" spellcheck="false"></textarea></p>' +
      '<p><button type="button" class="md-button course-button progress-tools__import">Import the code above</button> ' +
      '<button type="button" class="md-button course-button progress-tools__reset">Reset all progress</button></p>' +
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
      save(course.progress.merge(load(), data));
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
    if (check) checkQuestion(check.closest(".quiz__question"));
  });

  /* For the tests and the curious: window.coursePractice. */
  window.coursePractice = {
    exportCode: exportCode,
    importCode: importCode,
    key: course.store.key("progress"),
  };

  course.feature("practice", {
    setUp: function (root) {
      setUpQuizzes(root);
      setUpProgress(root);
    },
  });
})();
