"""05-compose: Compose files with an undefined service, a tab, an obsolete `version`, none at all, a dependency
that exits before it is healthy.

Fixtures: the root conftest.py (engine) and examples/troubleshooting/conftest.py
(docker: commands that may fail, and clean-up). Each project gets a name of its own
(`-p`), so nothing clashes with the README's run; the test removes it with `down`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def compose(docker, *args: str, timeout: float = 120):
    return docker("compose", "--project-directory", str(HERE), *args, timeout=timeout)


def test_depends_on_an_undefined_service(docker):
    cp = compose(docker, "-f", str(HERE / "broken/undefined-service/compose.yaml"), "config", "--quiet")
    assert (cp.returncode, cp.stderr.strip()) == (
        1,
        'service "web" depends on undefined service "db": invalid compose project',
    )


def test_a_tab_in_the_indentation(docker):
    cp = compose(docker, "-f", str(HERE / "broken/tab/compose.yaml"), "config", "--quiet")
    assert (cp.returncode, cp.stderr.strip()) == (1, "yaml: line 4: found character that cannot start any token")


def test_a_top_level_version_is_only_a_warning(docker):
    path = HERE / "broken/obsolete-version/compose.yaml"
    cp = compose(docker, "-f", str(path), "config", "--services")
    assert (cp.returncode, cp.stdout) == (0, "web\n"), cp.stderr
    warning = "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"
    assert f"{path}: {warning}" in cp.stderr


def test_no_compose_file_in_the_folder_or_above(docker, tmp_path):
    cp = docker("compose", "--project-directory", str(tmp_path), "config")
    assert (cp.returncode, cp.stderr.strip()) == (1, "no configuration file provided: not found")


def test_the_working_file_starts_both_services(docker):
    project = ["-p", docker.name("compose")]
    try:
        cp = compose(docker, *project, "--progress", "quiet", "up", "--build", "--wait", timeout=180)
        assert cp.returncode == 0, cp.stderr
        states = compose(docker, *project, "ps", "--format", "{{.Service}}: {{.State}}").stdout.split("\n")
        assert sorted(s for s in states if s) == ["db: running", "web: running"]
        assert "web is up" in compose(docker, *project, "logs", "web").stdout
    finally:
        compose(docker, *project, "--progress", "quiet", "down", "--rmi", "local")
    assert compose(docker, *project, "ps", "-a", "--quiet").stdout.strip() == ""


def test_a_dependency_that_exits_stops_up_without_starting_the_service(docker):
    name = docker.name("exits")
    project = ["-f", str(HERE / "broken/dependency-exits/compose.yaml"), "-p", name]
    try:
        cp = compose(docker, *project, "--progress", "quiet", "up", "-d")
        db = f"{name}-db-1"
        assert (cp.returncode, cp.stderr.strip()) == (1, f"dependency failed to start: container {db} exited (1)")
        states = compose(docker, *project, "ps", "-a", "--format", "{{.Service}}: {{.State}} {{.ExitCode}}").stdout
        assert sorted(s for s in states.split("\n") if s) == ["db: exited 1", "web: created 0"]
        logs = compose(docker, *project, "logs", "--no-log-prefix", "db").stdout
        assert logs.strip() == "cat: /etc/db/db.conf: No such file or directory"
    finally:
        compose(docker, *project, "--progress", "quiet", "down")
    assert compose(docker, *project, "ps", "-a", "--quiet").stdout.strip() == ""
