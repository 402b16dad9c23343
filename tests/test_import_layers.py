"""The helpers import only down the layers that CONTRIBUTING.md describes, with no cycle.

The contracts are in .importlinter; `make lint` checks them with the same gate
(course.lint.imports, which runs .venv's lint-imports). The drills plant a fault in
a copy of scripts/ and hooks/ and check that the gate fails naming file, line and
import; the unchanged copy passes, so each failure comes from the planted line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course import lint

ROOT = Path(__file__).resolve().parents[1]


def test_the_helpers_keep_their_layers():
    result = lint.imports(ROOT)
    assert result.ok, f"`python -m course.lint imports` fails:\n{result.output}"


def test_every_helper_has_its_layer_in_contributing():
    """CONTRIBUTING.md names each module of scripts/course in its layer list, as .importlinter does."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("### How the helpers are layered", 1)[1].split("\n## ", 1)[0]
    modules = sorted(p.stem for p in (ROOT / "scripts" / "course").glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"`{m}`" not in section]
    assert not missing, f"CONTRIBUTING.md, How the helpers are layered: add {missing} to their layer"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for folder in ("scripts", "hooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def plant(copy: Path, path: str, line: str) -> str:
    """Append `line` to a file of the copy; return "path:line number" of it."""
    target = copy / path
    text = target.read_text(encoding="utf-8")
    target.write_text(text + line + "\n", encoding="utf-8")
    return f"{path}:{len(text.splitlines()) + 1}"


def failing(copy: Path) -> str:
    result = lint.imports(copy)
    assert not result.ok, f"the planted fault passed the imports gate:\n{result.output}"
    return result.output


def test_the_unchanged_copy_passes(copy):
    result = lint.imports(copy)
    assert result.ok, f"the drills' copy should pass before a fault is planted:\n{result.output}"


def test_an_import_up_the_layers_fails(copy):
    where = plant(copy, "scripts/course/provision_engine.py", "from course import console")
    output = failing(copy)
    assert "course.provision_engine is not allowed to import course.console" in output, output
    assert f"{where}: course.provision_engine imports course.console" in output, output


def test_an_import_cycle_fails(copy):
    # The cycle this project had: Debian-root knowledge that imports the stand-ins back.
    where = plant(copy, "scripts/course/debian_root.py", "from course.baseimages import STANDIN_LABEL")
    output = failing(copy)
    assert "No cycles are allowed in course." in output, output
    assert "- .debian_root -> .baseimages" in output, output
    assert f"{where}: course.debian_root imports course.baseimages" in output, output


def test_a_hook_that_imports_more_than_diagrams_fails(copy):
    where = plant(copy, "hooks/offline_build.py", "from course import engine")
    output = failing(copy)
    assert "hooks.offline_build -> course.engine" in output, output
    assert f"{where}: hooks.offline_build imports course.engine" in output, output


def test_a_helper_without_a_layer_fails(copy):
    (copy / "scripts" / "course" / "newhelper.py").write_text('"""A helper that no layer names yet."""\n')
    output = failing(copy)
    assert "The following modules are not listed as layers:\n\n- course.newhelper" in output, output
