"""The practice boxes in Firefox: Debian's firefox-esr, driven over WebDriver BiDi by
puppeteer-core (package.json) from site_checks/firefox.mjs, in one browser session of a few page
visits (Playwright's Firefox is a patched build that cannot be downloaded here). The same checks
run in Chromium in the sweeps that already load the pages (test_accessibility.py,
test_paste_boxes.py); the measures are site_checks/states.js in both.

- Every kind of practice button at rest, hovered, focused and after a click, in both palettes:
  a contrast of at least 4.5:1.
- Every kind of paste box after a paste of 1 MB and 5 MB: checking, editing and clearing each
  answered within a second.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from course.doctor import Missing, tool
from site_checks import states
from site_checks.building import ROOT, site_pages
from test_paste_boxes import ACCEPTED, SIZES, TERMINAL

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("firefox")]
SCRIPT = ROOT / "tests" / "site_checks" / "firefox.mjs"
SCHEMES = ["default", "slate"]  # Material's light and dark palettes


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


@pytest.fixture(scope="module")
def firefox(served_site):
    """One Firefox session for the module: one visit of each practice page (buttons in both
    palettes, then its paste boxes)."""
    built, base = served_site
    tasks = [
        {"name": page.source, "kind": "practice", "url": base + page.url, "schemes": SCHEMES}
        | {"text": TERMINAL, "sizes": SIZES}
        for page in states.practice_pages(built.site_dir, site_pages())
    ]
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
            problems += states.paste_problems(f"{page} ({kind}, {firefox['version']})", got, ACCEPTED)
    assert {"lab", "progress-tools"} <= {k.split()[0] for k in kinds}, kinds
    assert problems == []
