"""Fixtures for the troubleshooting examples (examples/troubleshooting/NN-name/test_example.py).

``docker``  (function) → ``docker(*args, input=None) -> CompletedProcess``
    Runs ``docker ARGS`` against the course's engine without raising: these examples
    are about commands that fail, so a test looks at ``.returncode``, ``.stdout`` and
    ``.stderr`` itself.  ``docker.name(stem)`` gives a name unique to the test, and
    ``docker.label`` is a label to put on what the test creates (``--label``).

At the end of each test, every container, volume and network named by
``docker.name()`` or carrying ``docker.label`` is removed; ``docker.leftovers()``
lists those still there, so a test can assert that a failed command left nothing running.
"""

from __future__ import annotations

import functools
import re
import uuid
from pathlib import Path

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def listed_names() -> set[str]:
    """What the commands of the pages and the examples' READMEs list containers by
    (`--filter name=X` matches every name that contains X)."""
    texts = [p.read_text(encoding="utf-8") for top in ("docs", "examples") for p in (ROOT / top).rglob("*.md")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "examples").glob("*/*/output/*.txt")]
    return {m for text in texts for m in re.findall(r"--filter name=([\w.-]+)", text)}


class Docker:
    def __init__(self, engine):
        self.engine = engine
        self.tag = uuid.uuid4().hex[:8]
        self.label = f"org.docker-basics.troubleshooting={self.tag}"
        self.names: list[str] = []

    def __call__(self, *args: str, input: str | None = None, timeout: float = 120):
        return self.engine.run_cmd(*args, check=False, input=input, timeout=timeout)

    def name(self, stem: str) -> str:
        # Not "ts-<stem>": the pages list their own containers by name (`--filter name=ts-web-`,
        # a substring), and would list this test's too while it runs beside them.
        name = f"test-{self.tag}-{stem}"
        listed = sorted(n for n in listed_names() if n in name)
        assert not listed, f"{name}: a page lists containers with `--filter name={listed[0]}`: choose another stem"
        self.names.append(name)
        return name

    def labels(self) -> list[str]:
        """Options that give a container, volume or network the test labels (a console run that
        overlaps the test removes what it does not know as another session's)."""
        return ["--label", TEST_LABEL, "--label", SESSION_LABEL, "--label", self.label]

    def leftovers(self, running_only: bool = False) -> list[str]:
        """Containers of this test that still exist (all states) or, with running_only, still run."""
        flag = [] if running_only else ["-a"]
        fmt = ["--format", "{{.Names}} {{.State}}"]
        rows = self("ps", *flag, "--filter", f"label={self.label}", *fmt).stdout.splitlines()
        for name in self.names:
            rows += self("ps", *flag, "--filter", f"name=^{name}$", *fmt).stdout.splitlines()
        return sorted({r for r in rows if r.strip()})

    def clean(self) -> None:
        ids = self("ps", "-aq", "--filter", f"label={self.label}").stdout.split()
        for name in self.names:
            ids += self("ps", "-aq", "--filter", f"name=^{name}$").stdout.split()
        if ids:
            self("rm", "-f", "-v", *sorted(set(ids)))
        for name in self.names:
            self("volume", "rm", "-f", name)
            self("network", "rm", name)


@pytest.fixture
def docker(engine):
    d = Docker(engine)
    yield d
    d.clean()
