"""Quizzes, labs and the progress page (scripts/course/practice.py), without a browser.

The fences' rules (bad input fails the build with the page and the line), a quiz
on every lesson page, a lab per chapter with its captured solution and mistakes,
the Python port of the lab checker on those captures and on bad input, the
progress page's list, and the cost: the site script's size and each page's
weight. tests/test_practice_browser.py checks the same things in Chromium.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from course import practice

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = ["concepts", "building-images", "running-containers"]
LESSONS = sorted(p for c in CHAPTERS for p in (DOCS / c).glob("*.md"))
LABS = sorted((ROOT / "examples" / "labs").glob("[0-9][0-9]-*"))
SCRIPT = DOCS / "assets" / "javascripts" / "practice.js"
MAX_SCRIPT_GZ = 15 * 1024
MAX_PAGE_GZ = 160 * 1024


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


# --------------------------------------------------------------------------- quizzes
@pytest.mark.parametrize("page", LESSONS, ids=rel)
def test_every_lesson_has_one_quiz_of_three_to_five_questions_at_its_end(page):
    text = page.read_text(encoding="utf-8")
    quizzes = [f for f in practice.find_in_text(text, page.name) if f.kind == "quiz"]
    assert len(quizzes) == 1, f"{rel(page)}: {len(quizzes)} quizzes, want 1"
    questions = practice.parse_quiz(quizzes[0].source)
    assert 3 <= len(questions) <= 5, f"{rel(page)}: {len(questions)} questions"
    # At the end: in "## Quiz", the last section before "## Key points".
    sections = re.findall(r"^## (.+?)\s*$", text, re.M)
    assert sections[sections.index("Key points") - 1] == "Quiz", f"{rel(page)}: sections {sections}"


def test_no_quiz_exercise_is_left_as_a_plain_question():
    left = [rel(p) for p in LESSONS if '??? question "Quiz:' in p.read_text(encoding="utf-8")]
    assert left == [], f"convert these 'Quiz:' exercises into ```quiz blocks: {left}"


BAD_QUIZZES = {
    "no question": ("+ a\n  why\n", 1, "before the first question"),
    "one choice": ("? Q?\n+ a\n  why\n", 1, "at least two choices"),
    "no right choice": ("? Q?\n- a\n  why\n- b\n  why\n", 1, "no right choice"),
    "no explanation": ("? Q?\n+ a\n  why\n- b\n", 4, "has no explanation"),
    "stray line": ("? Q?\n+ a\n  why\nsomething\n", 4, "cannot read"),
    "link": ("? Q?\n+ [a](x.md)\n  why\n- b\n  why\n", 2, "links are not checked"),
}


@pytest.mark.parametrize("case", BAD_QUIZZES)
def test_a_bad_quiz_fails_the_build_with_page_and_line(case, tmp_path, monkeypatch):
    source, line, words = BAD_QUIZZES[case]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "page.md").write_text(f"# Page\n\nText.\n\n```quiz\n{source}```\n", encoding="utf-8")
    monkeypatch.setattr(practice, "DOCS", docs)
    monkeypatch.setattr(practice.find_all, "__defaults__", (docs,))
    with pytest.raises(practice.PracticeError) as error:
        practice.quiz_fence(source, "quiz", "quiz", {}, None)
    # The fence opens on line 5, so its first line is line 6.
    assert f"docs/page.md:{5 + line}: quiz:" in str(error.value) and words in str(error.value)


def test_quiz_html_reads_without_javascript():
    questions = practice.parse_quiz("? Which?\n+ `a`\n  Because a.\n- b\n  Not b.\n")
    soup = BeautifulSoup(practice.render_quiz(questions, "12345678"), "html.parser")
    fieldset = soup.select_one("fieldset")
    assert fieldset.legend.get_text(" ", strip=True).startswith("1. Which?")
    assert soup.select_one("button.quiz__check")["type"] == "button"
    assert soup.select_one(".quiz__result")["aria-live"] == "polite"
    answers = soup.select("details.quiz__answer li")
    assert {li.get_text(" ", strip=True) for li in answers} == {"Right: a Because a.", "Wrong: b Not b."}


def test_editing_a_quiz_changes_its_id():
    assert practice.content_id("? Q?\n+ a\n  x\n- b\n  y") != practice.content_id("? Q?\n+ a\n  x\n- c\n  y")


# --------------------------------------------------------------------------- labs
def test_every_chapter_ends_with_a_lab():
    labs = {f.page.split("/")[0] for f in practice.find_all() if f.kind == "lab"}
    assert labs >= set(CHAPTERS), f"chapters without a lab: {set(CHAPTERS) - labs}"


# Each captured mistake and the criterion (by position in the lab's spec) it must fail:
# three mistakes per lab, each with a hint of its own.
MISTAKES = {
    "01-first-box": {"mistake-never-started": 1, "mistake-other-image": 0, "mistake-typo": 2},
    "02-greeter-image": {"mistake-no-user": 0, "mistake-shell-form": 1, "mistake-relative-path": 2},
    "03-notes": {"mistake-restart-always": 0, "mistake-all-addresses": 1, "mistake-anonymous-volume": 2},
}


def lab_name(example: Path) -> str:
    return re.search(r'lab_spec\("([^"]+)"\)', (example / "test_example.py").read_text(encoding="utf-8")).group(1)


def lab_cases():
    for example in LABS:
        for output in sorted((example / "output").glob("*.txt")):
            yield pytest.param(example, output, id=f"{example.name}/{output.stem}")


def test_every_lab_has_three_mistakes_with_hints_of_their_own():
    assert {p.name for p in LABS} == set(MISTAKES)
    for example in LABS:
        captured = {p.stem for p in (example / "output").glob("mistake-*.txt")}
        assert captured == set(MISTAKES[example.name]), example.name
        assert len(set(MISTAKES[example.name].values())) >= 3, example.name


@pytest.mark.parametrize(("example", "output"), list(lab_cases()))
def test_the_checker_passes_the_solution_and_fails_each_mistake_with_its_hint(example, output):
    spec = practice.lab_spec(lab_name(example))
    result = practice.check(spec, practice.inspect_output(output.read_text(encoding="utf-8")))
    if output.stem == "solution":
        assert result["passed"], result
        return
    expected = spec["criteria"][MISTAKES[example.name][output.stem]]["text"]
    assert result["message"] is None, f"{rel(output)}: not checked: {result}"
    assert not result["passed"] and expected in result["failed"], f"{rel(output)}: {result}"


def bad_inputs(spec: dict) -> dict[str, str]:
    """Every kind of bad paste the issue lists, for a lab's spec."""

    def solution(example: Path) -> str:
        return practice.inspect_output((example / "output" / "solution.txt").read_text(encoding="utf-8"))

    # Another lab's output of the same kind where there is one (a container for a container).
    others = [p for p in LABS if lab_name(p) != spec["name"]]
    same_kind = [p for p in others if practice.lab_spec(lab_name(p))["kind"] == spec["kind"]]
    other_output = solution((same_kind or others)[0])
    own = solution(next(p for p in LABS if lab_name(p) == spec["name"]))
    network = json.dumps([{"Name": "bridge", "Driver": "bridge", "IPAM": {}, "Containers": {}}])
    return {
        "empty": "",
        "blank": "  \n ",
        "not JSON": "Error response from daemon: No such object: x",
        "not JSON either": "hello",
        "another kind": network,
        "another lab": other_output,
        "truncated": own[: len(own) // 2],
        "empty list": "[]",
        "5 MB": "[" + " " * 5_000_000 + "]",
    }


@pytest.mark.parametrize("name", ["first-box", "greeter-image", "notes"])
def test_bad_input_gets_a_message_not_an_exception(name):
    spec = practice.lab_spec(name)
    for case, text in bad_inputs(spec).items():
        result = practice.check(spec, text)
        assert not result["passed"] and result["message"], f"{case}: {result}"


def test_a_bad_lab_fails_the_build_with_page_and_line(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    source = "name: x\ntitle: X\nkind: box\n"
    (docs / "page.md").write_text(f"# Page\n\n````lab\n{source}````\n", encoding="utf-8")
    monkeypatch.setattr(practice, "DOCS", docs)
    monkeypatch.setattr(practice.find_all, "__defaults__", (docs,))
    with pytest.raises(practice.PracticeError) as error:
        practice.lab_fence(source, "lab", "lab", {}, None)
    assert "docs/page.md:" in str(error.value) and "lab: missing" in str(error.value)


def test_lesson_links_of_the_labs_exist():
    for item in practice.find_all():
        if item.kind == "lab":
            practice.parse_lab(item.source)  # raises on a missing page or anchor


# --------------------------------------------------------------------------- progress page
def test_progress_page_lists_every_lesson_and_lab():
    text = (DOCS / "progress.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([^)]+)\)", text))
    missing = [str(p.relative_to(DOCS)) for p in LESSONS if str(p.relative_to(DOCS)) not in links]
    labs = [f for f in practice.find_all() if f.kind == "lab"]
    missing += [
        f"{f.page}#lab-{practice.parse_lab(f.source)['name']}"
        for f in labs
        if f"{f.page}#lab-{practice.parse_lab(f.source)['name']}" not in links
    ]
    assert missing == [], f"docs/progress.md does not list: {missing}"


def test_progress_page_gives_the_firefox_note_and_a_local_server():
    text = (DOCS / "progress.md").read_text(encoding="utf-8")
    assert "Firefox" in text and "python3 -m http.server" in text


# --------------------------------------------------------------------------- cost
def test_the_site_script_is_small():
    size = len(gzip.compress(SCRIPT.read_bytes(), 9))
    assert size <= MAX_SCRIPT_GZ, f"{rel(SCRIPT)}: {size} bytes compressed > {MAX_SCRIPT_GZ}"


def test_every_page_weighs_at_most_160_kb_compressed(site):
    """HTML plus the local stylesheets and scripts it loads, each gzip-compressed."""
    heavy = []
    for html_file in sorted(site.site_dir.rglob("*.html")):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        total = len(gzip.compress(html_file.read_bytes(), 6))
        for tag in soup.select("link[rel=stylesheet][href], script[src]"):
            ref = (tag.get("href") or tag.get("src")).split("?")[0]
            if "://" in ref:
                continue
            asset = (html_file.parent / ref).resolve()
            if asset.is_file():
                total += len(gzip.compress(asset.read_bytes(), 6))
        if total > MAX_PAGE_GZ:
            heavy.append(f"{html_file.relative_to(site.site_dir)}: {total // 1024} KB")
    assert heavy == [], heavy
