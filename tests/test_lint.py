"""The quality gates of scripts/course/lint.py pass on the project (`make lint` runs the same).

Dockerfiles under examples/ are linted by test_examples_static.py and workflows by
test_workflows.py; here the rest. tests/test_faults.py proves each gate can fail.
"""

from __future__ import annotations

import pytest

from course import lint
from site_checks.building import ROOT


@pytest.mark.parametrize("gate", ["markdown", "spelling", "shell", "python"])
def test_gate_passes(gate):
    result = lint.GATES[gate](ROOT)
    assert result.ok, f"`python -m course.lint {gate}` fails:\n{result.output}"


def test_gates_see_the_files_they_should():
    """A gate that lints no file passes for nothing: guard the file lists."""
    pages = {str(p.relative_to(ROOT)) for p in lint.markdown_files(ROOT)}
    assert {"docs/index.md", "README.md", "CONTRIBUTING.md", "docs/contributing/page-template.md"} <= pages
    assert any(p.startswith("examples/") and p.endswith("/README.md") for p in pages)
    assert not any("/vendor/" in p or "node_modules" in p for p in pages)
    assert ROOT / ".ci" / "run" in lint.shell_scripts(ROOT)
    assert ROOT / "docs.Dockerfile" in lint.dockerfiles(ROOT)


def test_the_markdown_gate_scans_again_what_changed(tmp_path, monkeypatch):
    """The gate keeps the files PyMarkdown passed (lint.PASSED_MARKDOWN): a file passes from
    that record only while its text and the settings are the ones it passed with."""
    monkeypatch.setattr(lint, "PASSED_MARKDOWN", tmp_path / "passed")
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    settings = (ROOT / ".pymarkdown.yml").read_text(encoding="utf-8")
    (project / ".pymarkdown.yml").write_text(settings, encoding="utf-8")
    page = project / "docs" / "index.md"
    page.write_text("# A page\n\nSome text.\n", encoding="utf-8")
    assert lint.markdown(project).ok and len(list((tmp_path / "passed").iterdir())) == 1
    page.write_text("#A page\n\nSome text.\n", encoding="utf-8")  # MD018: no space after the hash
    assert "MD018" in lint.markdown(project).output
    page.write_text("# A page\n\nSome text.\n", encoding="utf-8")
    assert lint.markdown(project).ok
    (project / ".pymarkdown.yml").write_text(settings + "  md041:\n    enabled: true\n    level: 2\n", encoding="utf-8")
    assert "MD041" in lint.markdown(project).output, "a change of settings must scan the files again"


def test_dockerfiles_outside_examples_pass_hadolint():
    others = [p for p in lint.dockerfiles(ROOT) if "examples" not in p.relative_to(ROOT).parts]
    assert others, "no Dockerfile outside examples/ (docs.Dockerfile is expected)"
    result = lint.dockerfiles_gate(ROOT, others)
    assert result.ok, result.output


def test_internal_links_and_anchors_of_the_built_site(site):
    """LinkChecker on the session's strict build: links and #anchors in the HTML, also those
    from templates and raw HTML, which MkDocs' own validation does not see."""
    result = lint.links(site.site_dir)
    assert result.ok, result.output


def test_issue_forms_and_dependabot_pass_their_schemas():
    forms = sorted((ROOT / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))
    assert {p.name for p in forms} >= {"content-error.yml", "new-topic.yml", "example-bug.yml", "config.yml"}
    checks = [("vendor.github-issue-config", [f for f in forms if f.name == "config.yml"])]
    checks += [("vendor.github-issue-forms", [f for f in forms if f.name != "config.yml"])]
    checks += [("vendor.dependabot", [ROOT / ".github" / "dependabot.yml"])]
    for schema, files in checks:
        result = lint.run(
            "schemas", ROOT, [lint.tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)]
        )
        assert result.ok, result.output


def test_dependabot_watches_every_example_base_image():
    import yaml

    from course.examples import list_examples

    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    docker = next(u for u in config["updates"] if u["package-ecosystem"] == "docker")
    watched = set(docker["directories"])
    missing = [f"/{p.relative_to(ROOT)}" for p in list_examples(ROOT) if f"/{p.relative_to(ROOT)}" not in watched]
    assert not missing, f".github/dependabot.yml: add these example folders to the docker entry: {missing}"
