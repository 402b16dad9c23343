"""04-data: a bind mount the container's user cannot write, a volume in use, a full file system.

Fixtures: the root conftest.py (engine, build) and examples/troubleshooting/conftest.py
(docker: commands that may fail, and clean-up).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def image(build):
    return build(HERE).tag


def test_a_bind_mount_of_someone_elses_folder_is_read_only_for_the_container(docker, image, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    cp = docker("run", "--rm", *docker.labels(), "-v", f"{data}:/data", image)
    assert cp.returncode == 2
    assert cp.stderr.strip() == "/app/save.sh: 4: cannot create /data/note.txt: Permission denied"
    assert not (data / "note.txt").exists()
    me = f"{os.getuid()}:{os.getgid()}"
    cp = docker("run", "--rm", *docker.labels(), "--user", me, "-v", f"{data}:/data", image)
    assert (cp.returncode, cp.stdout) == (0, "saved /data/note.txt\n"), cp.stderr
    assert (data / "note.txt").read_text() == f"saved by {os.getuid()}\n"
    assert docker.leftovers() == []


def test_a_volume_in_use_cannot_be_removed(docker, image):
    volume, name = docker.name("data"), docker.name("saver")
    assert docker("volume", "create", *docker.labels(), volume).returncode == 0
    cp = docker("run", "--name", name, *docker.labels(), "-v", f"{volume}:/data", image)
    assert (cp.returncode, cp.stdout) == (0, "saved /data/note.txt\n")  # a new volume copies /data's owner
    cid = docker("inspect", "--format", "{{.Id}}", name).stdout.strip()
    cp = docker("volume", "rm", volume)
    assert cp.returncode == 1
    assert cp.stderr.strip() == f"Error response from daemon: remove {volume}: volume is in use - [{cid}]"
    assert docker.leftovers() == [f"{name} exited"]
    assert docker("rm", name).returncode == 0
    assert docker("volume", "rm", volume).returncode == 0


def test_a_full_file_system(docker):
    cmd = ["dd", "if=/dev/zero", "of=/scratch/big", "bs=1M", "count=2", "status=none"]
    cp = docker("run", "--rm", *docker.labels(), "--tmpfs", "/scratch:size=1m", "debian:trixie-slim", *cmd)
    assert (cp.returncode, cp.stderr.strip()) == (1, "dd: error writing '/scratch/big': No space left on device")
    assert docker.leftovers() == []
