"""Lab 03 (notes): the reference solution passes the lab's checker, each typical mistake fails it.

Runs each case on the engine (host port 8088 on loopback), inspects the running
container and checks the output with course.practice.check (the Python port of
the page's checker; tests/test_practice_browser.py shows the two agree).
"""

from __future__ import annotations

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL
from course.practice import check, lab_spec

SPEC = lab_spec("notes")
RESTART, LOOPBACK, VOLUME = (c["text"] for c in SPEC["criteria"])
SERVE = ["python:3.13-slim", "python3", "-m", "http.server", "8000", "--directory", "/data"]
LABELS = ["--label", TEST_LABEL, "--label", SESSION_LABEL]


def run(restart="unless-stopped", publish="127.0.0.1:8088:8000", volume="notes-data:/data"):
    return ["run", "-d", *LABELS, "--name", "notes", "--restart", restart, "-p", publish, "-v", volume, *SERVE]


CASES = {
    "solution": (run(), None),
    "restart always": (run(restart="always"), RESTART),
    "all addresses": (run(publish="8088:8000"), LOOPBACK),
    "anonymous volume": (run(volume="/data"), VOLUME),
}


@pytest.mark.parametrize("case", CASES)
def test_checker_on_the_engine(case, engine):
    args, failing = CASES[case]
    engine.run_cmd("rm", "-f", "-v", "notes", check=False)
    try:
        engine.run_cmd(*args)
        result = check(SPEC, engine.out("inspect", "notes"))
    finally:
        engine.run_cmd("rm", "-f", "-v", "notes", check=False)
        engine.run_cmd("volume", "rm", "notes-data", check=False)
    if failing is None:
        assert result["passed"], result
    else:
        assert not result["passed"] and failing in result["failed"], result
