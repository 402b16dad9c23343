"""Highlighted lines (`hl_lines`) on included files point at lines that exist.

pymdownx.snippets checks that an included file exists; nothing checks that a
highlight still fits the file after an example changes.
"""

from __future__ import annotations

import re
import sys

from site_checks.building import ROOT

FENCE = re.compile(r'^(?P<indent>\s*)`{3,}.*\bhl_lines="(?P<lines>[^"]+)"', re.M)
SNIPPET = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<start>\d+)(?::(?P<end>\d+))?)?"')


def highlighted(spec: str) -> list[int]:
    numbers = []
    for part in spec.split():
        first, _, last = part.partition("-")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


def out_of_range() -> list[str]:
    problems = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            fence = FENCE.match(line)
            snippet = SNIPPET.match(lines[number]) if fence and number < len(lines) else None
            if not snippet:
                continue
            included = (ROOT / snippet["path"]).read_text(encoding="utf-8").splitlines()
            start = int(snippet["start"] or 1)
            end = int(snippet["end"] or len(included))
            count = end - start + 1
            for wanted in highlighted(fence["lines"]):
                if wanted > count:
                    where = f"{page.relative_to(ROOT)}:{number}"
                    problems.append(f"{where}: hl_lines {wanted} but {snippet['path']} shows {count} lines")
    return problems


def test_highlighted_lines_exist():
    assert out_of_range() == []


def test_a_highlight_past_the_end_is_reported(monkeypatch, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "two.txt").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "docs" / "page.md").write_text('``` text hl_lines="3"\n--8<-- "two.txt"\n```\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert out_of_range() == ["docs/page.md:1: hl_lines 3 but two.txt shows 2 lines"]
