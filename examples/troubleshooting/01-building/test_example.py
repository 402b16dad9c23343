"""01-building: each broken build fails with the message the troubleshooting page shows.

The checks run the same commands as the README (fixtures: the root conftest.py and
examples/troubleshooting/conftest.py) and assert Docker's exact words, and that a failed
build left no image and no container behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def failed_build(docker, *args: str, input: str | None = None) -> str:
    """Run a `docker build` that must fail; return its log. No image may be tagged."""
    tag = f"docker-basics-test/{docker.name('build')}:broken"
    cp = docker("build", "--progress=plain", "--label", docker.label, "-t", tag, *args, input=input)
    assert cp.returncode != 0, f"the build succeeded:\n{cp.stderr[-2000:]}"
    assert docker("image", "inspect", tag).returncode != 0, "a failed build left an image"
    return cp.stdout + cp.stderr


def test_working_image_prints_its_line(build, docker):
    image = build(HERE).tag
    cp = docker("run", "--rm", *docker.labels(), image)
    assert (cp.returncode, cp.stdout) == (0, "hello from app.sh\n"), cp.stderr
    assert docker.leftovers() == []


@pytest.mark.parametrize(
    "dockerfile, missing",
    [("Dockerfile.missing-file", "/config.json"), ("Dockerfile.ignored", "/notes.txt")],
)
def test_copy_of_a_file_outside_the_context_fails(docker, dockerfile, missing):
    log = failed_build(docker, "-f", str(HERE / dockerfile), str(HERE))
    assert "ERROR: failed to build: failed to solve: failed to compute cache key: failed to calculate checksum" in log
    assert f'"{missing}": not found' in log
    assert (HERE / "notes.txt").is_file()  # the ignored file is there: only the build does not see it


def test_typo_in_an_instruction_is_a_parse_error(docker):
    typo = (HERE / "Dockerfile").read_text(encoding="utf-8").replace("\nCOPY", "\nCOPPY")
    log = failed_build(docker, "-f", "-", str(HERE), input=typo)
    assert (
        "ERROR: failed to build: failed to solve: dockerfile parse error on line 4: "
        "unknown instruction: COPPY (did you mean COPY?)"
    ) in log


def test_apt_get_install_without_update_finds_no_package(docker):
    log = failed_build(docker, "-f", str(HERE / "Dockerfile.no-update"), str(HERE))
    # apt-get's own line ("E: Unable to locate package curl") is in the transcript; BuildKit's plain
    # log now and then ends before a failed step's output is flushed, so the test checks the error line.
    assert (
        'ERROR: failed to build: failed to solve: process "/bin/sh -c apt-get install -y curl" '
        "did not complete successfully: exit code: 100"
    ) in log


def test_capital_letters_are_refused_by_build_and_run(docker):
    cp = docker("build", "-t", "MyApp", str(HERE))
    assert cp.returncode != 0
    assert 'ERROR: failed to build: invalid tag "MyApp": repository name must be lowercase' in cp.stderr
    cp = docker("run", "--rm", *docker.labels(), "MyApp")
    assert cp.returncode == 125
    assert "docker: invalid reference format: repository name (library/MyApp) must be lowercase" in cp.stderr
    assert docker.leftovers() == []


def test_build_in_a_folder_without_a_dockerfile(docker):
    log = failed_build(docker, str(HERE.parent))
    assert "failed to read dockerfile: open Dockerfile: no such file or directory" in log


@pytest.mark.parametrize(
    "args",
    [
        ["\u2013rm", "IMAGE"],  # --rm as a word processor or a chat prints it: an en dash
        ["--rm", "\u201cIMAGE\u201d"],  # curly quotes pasted from a document
        ["--rm", "IMAGE:"],  # "$IMAGE:$VERSION" with VERSION empty
        [":1.0"],  # "$IMAGE:1.0" with IMAGE empty
        ["--rm", "-v", "/tmp/my", "data:/data", "IMAGE"],  # -v $PWD/my data:/data, the path not quoted
    ],
    ids=["en-dash", "curly-quotes", "trailing-colon", "empty-name", "path-with-a-space"],
)
def test_names_docker_cannot_read_are_invalid_references(build, docker, args):
    image = build(HERE).tag
    cp = docker("run", *docker.labels(), *(a.replace("IMAGE", image) for a in args))
    assert cp.returncode == 125
    assert cp.stderr.startswith("docker: invalid reference format\n"), cp.stderr
    assert docker.leftovers() == []


def test_an_option_after_the_image_name_is_the_containers_command(build, docker):
    image, name = build(HERE).tag, docker.name("late")
    cp = docker("run", "--name", name, *docker.labels(), image, "--rm")
    assert cp.returncode == 127
    assert 'exec: "--rm": executable file not found in $PATH' in cp.stderr
    assert "invalid reference format" not in cp.stderr
    assert docker.leftovers() == [f"{name} created"]  # --rm was no option: the container stays
