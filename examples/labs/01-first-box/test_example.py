"""Lab 01 (first-box): the reference solution passes the lab's checker, each typical mistake fails it.

Runs each case on the engine, inspects the container and checks the output with
course.practice.check (the Python port of the page's checker; tests/test_practice_browser.py
shows the two agree). The README captures the same cases for the page's tests.
"""

from __future__ import annotations

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL
from course.practice import check, lab_spec

SPEC = lab_spec("first-box")
LABELS = ["--label", TEST_LABEL, "--label", SESSION_LABEL]
IMAGE_CRITERION, ENDED, EXIT_0, COMMAND = (c["text"] for c in SPEC["criteria"])

CASES = {
    "solution": (["run", *LABELS, "--name", "first-box", "debian:trixie-slim", "cat", "/etc/os-release"], None),
    "never started": (
        ["create", *LABELS, "--name", "first-box", "debian:trixie-slim", "cat", "/etc/os-release"],
        ENDED,
    ),
    "other image": (
        ["run", *LABELS, "--name", "first-box", "python:3.13-slim", "cat", "/etc/os-release"],
        IMAGE_CRITERION,
    ),
    "typo": (["run", *LABELS, "--name", "first-box", "debian:trixie-slim", "cat", "/etc/os_release"], EXIT_0),
}


@pytest.mark.parametrize("case", CASES)
def test_checker_on_the_engine(case, engine):
    args, failing = CASES[case]
    engine.run_cmd("rm", "-f", "first-box", check=False)
    try:
        engine.run_cmd(*args, check=False)
        result = check(SPEC, engine.out("inspect", "first-box"))
    finally:
        engine.run_cmd("rm", "-f", "first-box", check=False)
    if failing is None:
        assert result["passed"], result
    else:
        assert not result["passed"] and failing in result["failed"], result
