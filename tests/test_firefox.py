"""The practice boxes in Firefox: Debian's firefox-esr, driven over WebDriver BiDi by
puppeteer-core (package.json) from site_checks/firefox.mjs, in one browser session of a few page
visits (Playwright's Firefox is a patched build that cannot be downloaded here). The same checks
run in Chromium in the sweeps that already load the pages (test_accessibility.py,
test_paste_boxes.py); the measures are site_checks/states.js in both.

- Every kind of practice button at rest, hovered, focused and after a click, in both palettes:
  a contrast of at least 4.5:1.
- Every kind of paste box after a paste of the most it takes, of 1 MB and of 5 MB: checking,
  editing and clearing each answered within a second.
- The offline copy from file://, where Firefox gives each page its own storage: a quiz says
  where its result is kept and shows its code; the progress page says what works (import each
  code; a local web server in the zip's folder) and imports the code.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from course.delivery import ZIP_FOLDER
from course.doctor import Missing, tool
from site_checks import states
from site_checks.building import ROOT, site_pages
from test_paste_boxes import LEAST, SIZES, TERMINAL
from test_practice_browser import solution_pastes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("firefox")]
SCRIPT = ROOT / "tests" / "site_checks" / "firefox.mjs"
SCHEMES = ["default", "slate"]  # Material's light and dark palettes
LESSON = "docs/concepts/architecture.md"  # a lesson with a quiz


def run_firefox(tasks: list[dict]) -> dict:
    """firefox.mjs's answers to `tasks`, by task name; the test fails if Firefox is missing."""
    try:
        firefox = tool("firefox-esr")
    except Missing as error:
        pytest.fail(str(error), pytrace=False)
    node = shutil.which("node")
    assert node, "node is not on PATH (the README's set-up needs Node.js 20+)"
    plan = json.dumps({"firefox": firefox, "tasks": tasks})
    cp = subprocess.run([node, str(SCRIPT)], input=plan, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert cp.returncode == 0, f"firefox.mjs failed:\n{cp.stderr[-4000:]}"
    return json.loads(cp.stdout)


# Answers a page's quiz right, the way a reader does (choices, then Check), once the page's
# script has set it up; what the score says, its link and its code.
QUIZ_FROM_FILE_JS = """
async () => {
  for (let i = 0; i < 100 && !document.querySelector(".quiz--ready"); i++) await new Promise((r) => setTimeout(r, 50));
  const quiz = document.querySelector(".quiz");
  for (const q of quiz.querySelectorAll(".quiz__question")) {
    const right = q.dataset.right.split(",");
    q.querySelectorAll("input").forEach((input) => { input.checked = right.includes(input.value); });
    q.querySelector(".quiz__check").click();
  }
  const score = quiz.querySelector(".quiz__score");
  const part = (s, attr) => (score.querySelector(s) || {})[attr] || "";
  return { id: quiz.dataset.quiz, text: score.textContent, code: part("code", "textContent"), link: part("a", "href") };
}
"""
# On the progress page: what it says before and after the quiz's code is imported.
PROGRESS_FROM_FILE_JS = """
async ([quiz]) => {
  const ready = () => document.querySelector(".progress-tools__summary");
  for (let i = 0; i < 100 && !ready(); i++) await new Promise((r) => setTimeout(r, 50));
  const text = (s) => (document.querySelector(s) || {}).textContent || "";
  const apart = document.querySelector(".progress-tools__apart");
  const link = apart && apart.querySelector("a");
  const before = { summary: text(".progress-tools__summary"), code: document.querySelector("#progress-code").value };
  document.querySelector("#progress-code").value = quiz.code;
  document.querySelector(".progress-tools__import").click();
  return {
    apart: apart ? apart.textContent : "",
    target: link && link.hash ? !!document.getElementById(link.hash.slice(1)) : false,
    page: document.querySelector(".md-content article").textContent,
    before,
    after: {
      summary: text(".progress-tools__summary"),
      statuses: [...document.querySelectorAll(".progress-status")].map((s) => s.textContent),
    },
  };
}
"""

# Pastes a lab's solution (the JSON list of pastes after "=> ") into its boxes and checks it.
LAB_FROM_FILE_JS = """
async () => {
  const pastes = PASTES;
  for (let i = 0; i < 100 && !document.querySelector(".lab--ready"); i++) await new Promise((r) => setTimeout(r, 50));
  const lab = document.querySelector(".lab[data-name='LAB']");
  lab.querySelectorAll(".lab__commands textarea").forEach((box, i) => { box.value = pastes[i]; });
  lab.querySelector(".lab__check").click();
  const result = lab.querySelector(".lab__result");
  const code = [...result.querySelectorAll("code")].pop();
  return { state: lab.dataset.state, text: result.textContent, code: code ? code.textContent : "" };
}
"""
LAB = ("03-notes", "notes", "docs/running-containers/data.md")  # example folder, lab, page


@pytest.fixture(scope="module")
def firefox(served_site, offline_site):
    """One Firefox session for the module: one visit of each practice page over http (buttons in
    both palettes, then its paste boxes), then a quiz and the progress page from file://."""
    built, base = served_site
    tasks = [
        {"name": page.source, "kind": "practice", "url": base + page.url, "schemes": SCHEMES}
        | {"text": TERMINAL, "sizes": SIZES}
        for page in states.practice_pages(built.site_dir, site_pages())
    ]
    offline = {p.source: offline_site.site_dir.as_uri() + "/" + p.url for p in site_pages("mkdocs.offline.yml")}
    steps = [
        {"url": offline[LESSON], "run": QUIZ_FROM_FILE_JS},
        {"url": offline["docs/progress.md"], "run": PROGRESS_FROM_FILE_JS},
        {
            "url": offline[LAB[2]],
            "run": LAB_FROM_FILE_JS.replace("PASTES", json.dumps(solution_pastes(LAB[0]))).replace("LAB", LAB[1]),
        },
    ]
    tasks.append({"name": "from file://", "kind": "script", "steps": steps})
    return run_firefox(tasks)


def answers(firefox: dict, part: str) -> dict:
    """Each practice page's answers for `part` (buttons, paste); the test fails on a page that
    Firefox could not check."""
    pages = {name: got for name, got in firefox.items() if name.startswith("docs/")}
    errors = {name: got["error"] for name, got in pages.items() if "error" in got}
    assert pages and not errors, errors or firefox
    return {name: got[part] for name, got in pages.items()}


def test_practice_buttons_readable_in_every_state(firefox):
    problems, kinds = [], set()
    for page, by_scheme in answers(firefox, "buttons").items():
        assert set(by_scheme) == set(SCHEMES), by_scheme
        for scheme, found in by_scheme.items():
            problems += states.contrast_problems(found, f"{page} ({scheme}, {firefox['version']})")
            kinds |= {c for b in found for c in b["kind"].split()}
    assert {"quiz__check", "lab__check", "lab__hint-button", "progress-tools__import"} <= kinds, kinds
    assert problems == []


def test_a_large_paste_leaves_every_box_answering(firefox):
    problems, kinds = [], []
    for page, by_box in answers(firefox, "paste").items():
        for kind, got in by_box.items():
            kinds.append(kind)
            problems += states.paste_problems(f"{page} ({kind}, {firefox['version']})", got, LEAST)
    assert {"lab", "progress-tools"} <= {k.split()[0] for k in kinds}, kinds
    assert problems == []


def test_from_file_a_quiz_says_where_its_result_is_kept(firefox):
    """Firefox gives each file:// page its own storage: the progress page cannot see a quiz's
    result. The quiz says so and gives the code; the progress page says what works, names the
    zip's folder, and takes the code."""
    assert "error" not in firefox["from file://"], firefox["from file://"]
    quiz, progress, _ = firefox["from file://"]
    # "Your score: 4 of 4 right. Kept on this page only: …"
    assert quiz["text"].startswith("Your score: ") and "Saved in Your progress" not in quiz["text"], quiz
    assert "Kept on this page only" in quiz["text"] and quiz["link"].endswith("progress.html"), quiz
    assert quiz["code"].startswith("DB1.") and quiz["id"] in quiz["code"], quiz
    assert "keeps each page's results apart" in progress["apart"] and progress["target"], progress
    assert progress["before"]["summary"].startswith("You have done 0 of "), progress["before"]
    assert progress["after"]["summary"].startswith("You have done 1 of "), progress["after"]
    right = quiz["text"].split(" right")[0].removeprefix("Your score: ")  # "4 of 4"
    assert f" (quiz: {right} right)" in progress["after"]["statuses"], progress["after"]
    assert f"python3 -m http.server --directory {ZIP_FOLDER} 8000" in progress["page"]
    assert "site-offline" not in progress["page"]


def test_from_file_a_passed_lab_says_where_it_is_kept(firefox):
    """The same for a lab: passed on its page, it says the result is kept there only and gives
    the code that carries it to Your progress."""
    lab = firefox["from file://"][2]
    assert lab["state"] == "passed", lab
    assert "Kept on this page only" in lab["text"] and lab["code"].startswith("DB1."), lab
