"""The layer-cache page's central demonstration: which steps each recorded rebuild took from the cache.

The transcripts in examples/building-images/05-layer-cache/output/ are what the page and the
example README show after `app.sh` was edited. Parsed with the same BuildKit log parser the
tests use, each must show exactly the CACHED steps the text describes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.engine import parse_build_steps

OUTPUT = Path(__file__).resolve().parents[1] / "examples/building-images/05-layer-cache/output"
INSTALL = "RUN apt-get update"

# transcript: (steps taken from the cache, steps that ran), by the start of their instruction
EXPECTED = {
    # COPY . . comes before the installation: the edit invalidates it and every later step.
    "rebuild-bad.txt": (["WORKDIR /app"], ["COPY . .", INSTALL]),
    # The installation comes before COPY . .: only the last step runs again.
    "rebuild-good.txt": (["WORKDIR /app", "COPY packages.txt ./", INSTALL], ["COPY . ."]),
}


def _steps(text: str) -> tuple[list[str], list[str]]:
    """(cached, ran) Dockerfile instructions of a build log, FROM left out (it only resolves)."""
    steps = [s for s in parse_build_steps(text) if s.is_instruction and not s.instruction.startswith("FROM ")]
    for step in steps:
        assert step.cached or step.done, f"step {step.name!r} neither CACHED nor DONE"
    return [s.instruction for s in steps if s.cached], [s.instruction for s in steps if not s.cached]


def _short(instructions: list[str]) -> list[str]:
    return [INSTALL if i.startswith(INSTALL) else i for i in instructions]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rebuild_caches_exactly_the_steps_the_page_describes(name):
    cached, ran = _steps((OUTPUT / name).read_text(encoding="utf-8"))
    assert (_short(cached), _short(ran)) == EXPECTED[name], f"{name}: CACHED {cached}, ran {ran}"


def test_every_build_transcript_of_the_example_is_checked():
    with_builds = sorted(p.name for p in OUTPUT.glob("*.txt") if parse_build_steps(p.read_text(encoding="utf-8")))
    assert with_builds == sorted(EXPECTED)


def test_parser_tells_cached_from_ran():
    log = "#5 [2/4] WORKDIR /app\n#5 CACHED\n\n#7 [3/4] COPY . .\n#7 DONE 0.3s\n"
    assert _steps(log) == (["WORKDIR /app"], ["COPY . ."])
