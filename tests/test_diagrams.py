"""Diagrams drawn ahead by `make diagrams` (scripts/course/diagrams.py) and in the live preview.

Every ```mermaid fence has a committed drawing made with the current settings, and
no drawing is left that no page uses; a build reads them without a browser; a new
diagram fails the build (page, line, `make diagrams`) until it is drawn. Built pages
carry every fence as inline SVG for both palettes with a text alternative; a drawing
is never served for other source or settings; the palette toggle switches the
drawing shown; and `mkdocs serve` with mermaid.js draws the same diagrams.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
import yaml
from bs4 import BeautifulSoup

from course import diagrams
from course.browser import navigate
from site_checks import browser as chromium
from site_checks.building import ROOT, site_pages
from test_serve import free_port, get

PAGES = site_pages()
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def built_pages_with_diagrams():
    """(page, its diagrams in docs/) for every built page that has a diagram."""
    found = {}
    for diagram in diagrams.find_diagrams(ROOT / "docs"):
        found.setdefault(diagram.page, []).append(diagram)
    return [(page, found[page.source]) for page in PAGES if page.source in found]


# --------------------------------------------------------------------------- finding fences, the cache
def test_fences_are_found_with_their_line_and_not_inside_other_fences():
    text = (
        "# Page\n\n````text\n```mermaid\nflowchart LR\n```\n````\n\n"
        '=== "Tab"\n\n    ```mermaid\n    flowchart LR\n        a --> b\n    ```\n'
    )
    found = diagrams.find_in_text(text, "docs/x.md")
    assert [(d.page, d.line, d.source) for d in found] == [("docs/x.md", 11, "flowchart LR\n    a --> b")]


def test_every_palette_drawn_is_one_of_mkdocs_yml():
    configured = {(p["scheme"], p["primary"], p["accent"]) for p in CONFIG["theme"]["palette"] if "scheme" in p}
    drawn = {
        tuple(a[k] for k in ("data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"))
        for a in diagrams.PALETTES.values()
    }
    assert drawn == configured


def test_a_drawing_is_served_only_for_its_own_source_and_settings(tmp_path):
    settings, other_settings = {"format": 1, "mermaid": "1"}, {"format": 1, "mermaid": "2"}
    one, other = "flowchart LR\n  a --> b", "flowchart LR\n  a --> c"
    assert diagrams.key(one, settings) != diagrams.key(other, settings)
    assert diagrams.key(one, settings) != diagrams.key(one, other_settings)
    assert diagrams.key(one, settings) == diagrams.key("  flowchart LR\n    a --> b  \n", settings)  # indentation
    diagrams.store(one, {"svg": "<svg>one</svg>"}, tmp_path, settings)
    assert diagrams.lookup(one, tmp_path, settings)["svg"] == "<svg>one</svg>"
    assert diagrams.lookup(other, tmp_path, settings) is None
    assert diagrams.lookup(one, tmp_path, other_settings) is None
    # A file under the right name whose content was drawn from other source (or other settings).
    entry = tmp_path / f"{diagrams.key(other, settings)}.json"
    entry.write_text(json.dumps({**json.loads((tmp_path / f"{diagrams.key(one, settings)}.json").read_text())}))
    assert diagrams.lookup(other, tmp_path, settings) is None
    entry.write_text(json.dumps({"source": other, "settings": "other settings", "svg": "x"}))
    assert diagrams.lookup(other, tmp_path, settings) is None


def test_every_diagram_has_a_current_drawing_and_none_is_left_over():
    """What a build reads: one drawing per diagram, made with today's Mermaid pin; run `make diagrams` if not."""
    assert diagrams.stale(ROOT) == []


def test_the_settings_file_names_what_material_draws_with_today():
    """Material's diagram CSS and sequence settings (from its installed bundle) are the committed ones."""
    committed = diagrams.load_settings(diagrams.drawings_dir(ROOT))
    now = diagrams.material_diagram_settings()
    changed = [name for name in now if committed.get(name) != now[name]]
    assert not changed, f"includes/diagrams/settings.json: {changed} changed in Material: run `make diagrams`"


def test_the_drawing_settings_are_current(browser):
    """The palettes' colours and fonts as Material and extra.css give them now (run `make diagrams` if not)."""
    page = browser.new_page()
    try:
        now = diagrams.current_settings(page, ROOT)
    finally:
        page.close()
    committed = diagrams.load_settings(diagrams.drawings_dir(ROOT))
    changed = sorted(name for name in {**now, **committed} if now.get(name) != committed.get(name))
    assert not changed, f"includes/diagrams/settings.json: {changed} differ from today's theme: run `make diagrams`"


def test_stale_drawings_are_named_with_the_fix(tmp_path):
    """A new diagram, an unused drawing, an old Mermaid pin: each one line with the page and `make diagrams`."""
    from site_checks.building import copy_project

    project = copy_project(tmp_path / "project")
    for name in ("package-lock.json",):
        (project / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    folder = diagrams.drawings_dir(project)
    settings_file = folder / diagrams.SETTINGS_NAME
    assert diagrams.stale(project) == []
    page = project / "docs" / "how-to-use.md"
    lines = page.read_text(encoding="utf-8").count("\n")
    page.write_text(page.read_text(encoding="utf-8") + "\n```mermaid\nflowchart LR\n    a --> b\n```\n")
    (folder / "0123456789abcdef0123.json").write_text("{}")
    settings = json.loads(settings_file.read_text())
    settings_file.write_text(json.dumps({**settings, "mermaid": "10.0.0"}))
    problems = diagrams.stale(project)
    assert any("package-lock.json pins" in p and "make diagrams" in p for p in problems), problems
    assert f"docs/how-to-use.md:{lines + 2}: {diagrams.NO_DRAWING}" in problems
    assert any("0123456789abcdef0123.json: a drawing no page uses" in p for p in problems), problems


def test_a_build_needs_no_browser(tmp_path, monkeypatch):
    """make build with Chromium out of reach (no page of it draws): every diagram is there as SVG."""
    from site_checks.building import build, copy_project

    project = copy_project(tmp_path / "project")
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    result = build(project)
    assert result.returncode == 0, result.log
    for page, fences in built_pages_with_diagrams():
        soup = BeautifulSoup((project / "site" / page.dest).read_text(encoding="utf-8"), "html.parser")
        assert len([d for d in soup.select("div.diagram") if d.find("svg")]) == len(fences), page.source


# --------------------------------------------------------------------------- the built site
def test_every_diagram_is_inline_svg_for_both_palettes_with_a_text_alternative(site):
    """Each fence is an SVG, drawn for the light and the dark palette, with role=img, <title>, <desc>."""
    problems = []
    for page, fences in built_pages_with_diagrams():
        soup = BeautifulSoup((site.site_dir / page.dest).read_text(encoding="utf-8"), "html.parser")
        hosts = soup.select("div.diagram")
        if len(hosts) != len(fences):
            problems.append(f"{page.source}: {len(fences)} ```mermaid fences, {len(hosts)} diagrams drawn")
        ids = Counter(tag["id"] for tag in soup.select("[id]"))
        problems += [f"{page.source}: id {i!r} used {n} times" for i, n in ids.items() if n > 1]
        for n, host in enumerate(hosts, 1):
            # One SVG styled for both palettes, or (if the two drawings differ) one per palette.
            svgs = host.find_all("svg", recursive=True)
            pair = [host.select_one(f":scope > div.diagram__{name} > svg") for name in diagrams.PALETTES]
            if not (len(svgs) == 1 and svgs[0].parent is host) and not (len(svgs) == 2 and all(pair)):
                problems.append(f"{page.source}: diagram {n} is neither one SVG nor a light/dark pair")
            if len(svgs) == 1 and '[data-md-color-scheme="slate"] #' not in str(svgs[0].style):
                problems.append(f"{page.source}: diagram {n} has no styles for the dark palette")
            for svg in svgs:
                title = soup.find(id=svg.get("aria-labelledby", "-"))
                desc = soup.find(id=svg.get("aria-describedby", "-"))
                if svg.get("role") != "img" or not title or title.name != "title" or not desc or desc.name != "desc":
                    problems.append(f"{page.source}: diagram {n} lacks role=img, <title> or <desc>")
                if "var(--" in str(svg):
                    problems.append(f"{page.source}: diagram {n} depends on a CSS variable of the page")
    assert problems == []


def test_a_new_diagram_fails_the_build_until_make_diagrams_draws_it(tmp_path, browser):
    """The build names the page, the line and the command; the command draws it; the build then passes."""
    from site_checks.building import build, copy_project

    project = copy_project(tmp_path / "project")
    for name in ("package-lock.json", "node_modules"):
        (project / name).symlink_to(ROOT / name)
    page = project / "docs" / "how-to-use.md"
    lines = page.read_text(encoding="utf-8").count("\n")
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n```mermaid\nflowchart LR\n    accTitle: New\n    accDescr: A new diagram.\n    new --> drawn\n```\n",
        encoding="utf-8",
    )
    result = build(project)
    assert result.returncode != 0
    assert f"docs/how-to-use.md:{lines + 2}: {diagrams.NO_DRAWING}" in result.log, result.log[-2000:]
    drawn = subprocess.run(
        [sys.executable, "-m", "course", "diagrams", "--project", str(project)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert "drew 1 " in drawn.stdout, drawn.stdout
    result = build(project)
    assert result.returncode == 0, result.log
    soup = BeautifulSoup((project / "site" / "how-to-use" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [t.get_text() for t in soup.select("div.diagram svg > title")] == ["New"]
    assert diagrams.stale(project) == []


# --------------------------------------------------------------------------- in Chromium
def test_the_palette_toggle_switches_the_drawing_at_once(served_site, context):
    site, base = served_site
    page_info, _ = built_pages_with_diagrams()[0]
    page = context.new_page()
    navigate(page, base + page_info.url, wait_until="load")
    # The colours of the first diagram's shown SVG: its box and its first label.
    colours = """() => {
      const svg = [...document.querySelectorAll("div.diagram svg")].find((s) => s.getBoundingClientRect().height);
      const box = svg.querySelector(".node rect, rect.actor, rect");
      const text = svg.querySelector(".nodeLabel, text, span");
      const style = (el, p) => (el ? getComputedStyle(el)[p] : "");
      return [style(box, "fill"), style(text, "color") + style(text, "fill")].join(" | ");
    }"""
    seen = {}
    page.evaluate("window.__noReload = true")
    for _ in range(3):  # automatic -> light -> dark (Material's toggle order in mkdocs.yml)
        seen.setdefault(page.evaluate("document.body.dataset.mdColorScheme"), set()).add(page.evaluate(colours))
        page.click("form[data-course-palette] label:not([hidden])")
    assert set(seen) == {"default", "slate"}, seen
    assert all(len(v) == 1 for v in seen.values()), f"{page_info.source}: one palette, different colours: {seen}"
    assert seen["default"] != seen["slate"], f"{page_info.source}: the diagram looks the same in both palettes"
    assert page.evaluate("window.__noReload === true"), "toggling the palette reloaded the page"


@pytest.mark.browser
def test_the_live_preview_draws_every_diagram_in_the_browser(browser):
    """Live-preview mode: `mkdocs serve`, every diagram left to mkdocs-mermaid2-plugin and mermaid.js."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={
            **os.environ,
            "COURSE_DIAGRAMS": "browser",
            "SITE_URL": base,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONPATH": str(ROOT / "scripts"),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    context = chromium.reader_context(browser)
    problems, drawn = [], 0
    try:
        try:
            get(base, timeout=120)
        except OSError:
            if server.poll() is None:
                os.killpg(server.pid, 15)
            pytest.fail(f"mkdocs serve did not answer:\n{server.communicate(timeout=30)[0].decode()[-3000:]}")
        tab = context.new_page()
        for page, fences in built_pages_with_diagrams():
            report = chromium.visit(tab, base + page.url, base, len(fences))
            problems += [f"{page.source}: {p}" for p in report.problems(len(fences))]
            problems += [f"{page.source}: drawn at build time" for d in report.diagrams if d["drawn"] != "browser"]
            drawn += sum(d["svg"] for d in report.diagrams)
    finally:
        context.close()
        if server.poll() is None:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
    assert problems == []
    assert drawn == sum(len(f) for _, f in built_pages_with_diagrams())


def test_two_drawings_become_one_svg_only_when_their_shapes_match():
    rect = '<rect id="{}" class="node" x="{}"/>'
    unused = "#p-light .unused{fill:red}"  # no element has the class: left out
    light = (
        f'<svg id="p-light"><style>#p-light .node{{fill:#fff}}{unused}</style>{rect.format("actor3", "1.23456")}</svg>'
    )
    dark = f'<svg id="p-dark"><style>#p-dark .node{{fill:#000}}</style>{rect.format("actor7", "1.23449")}</svg>'
    merged = diagrams.combine(light, dark, "p")
    assert merged == {
        "svg": '<svg id="p"><style>#p .node{fill:#fff}[data-md-color-scheme="slate"] #p .node{fill:#000}</style>'
        '<rect id="p-n0" class="node" x="1.2"/></svg>'
    }
    moved = dark.replace('x="1.23449"', 'x="9"')
    assert set(diagrams.combine(light, moved, "p")) == {"light", "dark"}
