"""Lab 02 (greeter-image): the reference Dockerfile passes the lab's checker, each mistake fails it.

Builds each Dockerfile of this folder as greeter:lab on the engine, inspects the
image and checks the output with course.practice.check (the Python port of the
page's checker; tests/test_practice_browser.py shows the two agree).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.engine import TEST_LABEL
from course.practice import check, lab_spec

HERE = Path(__file__).resolve().parent
SPEC = lab_spec("greeter-image")
USER, EXEC_FORM, PROGRAM = (c["text"] for c in SPEC["criteria"])
CASES = {
    "Dockerfile": None,
    "Dockerfile.no-user": USER,
    "Dockerfile.shell-form": EXEC_FORM,
    "Dockerfile.relative-path": PROGRAM,
}


@pytest.mark.parametrize("dockerfile", CASES)
def test_checker_on_the_engine(dockerfile, engine, build):
    built = build(HERE, dockerfile=str(HERE / dockerfile))
    engine.run_cmd("tag", built.tag, "greeter:lab")
    try:
        result = check(SPEC, engine.out("image", "inspect", "greeter:lab"))
    finally:
        engine.run_cmd("rmi", "greeter:lab", check=False)
    failing = CASES[dockerfile]
    if failing is None:
        assert result["passed"], result
    else:
        assert not result["passed"] and failing in result["failed"], result


def test_the_image_runs_as_10001(build, engine):
    built = build(HERE)
    assert engine.out("run", "--rm", "--label", TEST_LABEL, built.tag, "id", "-u") == "10001"
    assert engine.out("run", "--rm", "--label", TEST_LABEL, built.tag) == "Hello, world!"
