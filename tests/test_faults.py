"""Fault drills: plant a contributor's common mistake in a copy of the project and
check that the build or the browser test fails with a message naming the file."""

from __future__ import annotations

import pytest

from site_checks import browser as chromium
from site_checks.building import build, copy_project, site_pages
from test_site_browser import page_problems

PAGE = "docs/how-to-use.md"


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project")


def plant(project, text: str, page: str = PAGE) -> None:
    with open(project / page, "a", encoding="utf-8") as f:
        f.write("\n" + text + "\n")


BUILD_FAULTS = {
    "broken internal link": ("[a page](concepts/no-such-page.md)", "how-to-use.md"),
    "missing anchor": ("[a section](concepts/architecture.md#no-such-section)", "#no-such-section"),
    "missing snippet file": ('```text\n--8<-- "examples/no-such-file.txt"\n```', "examples/no-such-file.txt"),
}


@pytest.mark.parametrize("fault", BUILD_FAULTS)
def test_build_fails_naming_the_file(fault, project):
    text, named = BUILD_FAULTS[fault]
    plant(project, text)
    result = build(project)
    assert result.returncode != 0, f"{fault}: the strict build passed"
    assert "how-to-use.md" in result.log and named in result.log, result.log[-2000:]


def test_page_left_out_of_the_nav_fails_the_build(project):
    (project / "docs" / "orphan.md").write_text("# Orphan\n", encoding="utf-8")
    result = build(project)
    assert result.returncode != 0
    assert "orphan.md" in result.log


def test_broken_diagram_fails_naming_the_page(project, tmp_path, context):
    plant(project, "```mermaid\nflowchart LR\n  A --> B -->\n```")
    site_dir = tmp_path / "site"
    with chromium.serve(site_dir) as base:
        result = build(project, site_dir=site_dir, site_url=base)
        assert result.returncode == 0, result.log  # Mermaid syntax is checked in the browser
        page = next(p for p in site_pages() if p.source == PAGE)
        problems = page_problems(context, base, result, page)
    assert problems, "a diagram with a syntax error went unnoticed"
    assert all(problem.startswith(PAGE) for problem in problems), problems
