"""GitHub workflows cannot run here: lint them (schema, and zizmor for pinning and security)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from course import doctor
from site_checks.building import ROOT


def lint(repo: Path) -> list[subprocess.CompletedProcess]:
    workflows = sorted(str(p) for p in (repo / ".github" / "workflows").glob("*.yml"))
    assert workflows, f"no workflows in {repo}/.github/workflows"
    return [
        subprocess.run(
            [doctor.tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
            capture_output=True,
            text=True,
        ),
        subprocess.run(
            [doctor.tool("zizmor"), "--offline", "--config", repo / "zizmor.yml", repo / ".github" / "workflows"],
            capture_output=True,
            text=True,
        ),
    ]


def test_workflows_pass_schema_and_zizmor():
    failures = [r.stdout + r.stderr for r in lint(ROOT) if r.returncode != 0]
    assert failures == [], "\n".join(failures)


def test_an_unpinned_action_is_caught(tmp_path):
    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    shutil.copy2(ROOT / "zizmor.yml", tmp_path / "zizmor.yml")
    ci = tmp_path / ".github" / "workflows" / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    ci.write_text(
        text.replace("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "actions/checkout@v4"),
        encoding="utf-8",
    )
    schema, zizmor = lint(tmp_path)
    assert schema.returncode == 0
    assert zizmor.returncode != 0 and "ci.yml" in zizmor.stdout + zizmor.stderr, zizmor.stdout
