"""04-non-root: root in a container is uid 0 on the host; USER 10001 is uid 10001.

The files are written by containers into a bind-mounted directory and their
owners are read with os.stat on the host, as the README and
docs/building-images/non-root.md describe.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.docker

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def images(build, engine):
    options = engine.out("info", "--format", "{{json .SecurityOptions}}")
    if "rootless" in options or "userns" in options:
        pytest.skip(
            "this engine remaps user ids (rootless or userns-remap): "
            "container uid 0 is not host uid 0 here, which is the point of those modes"
        )
    return {
        "root": build(HERE, dockerfile=HERE / "Dockerfile.root").tag,
        "user": build(HERE, dockerfile=HERE / "Dockerfile").tag,
    }


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A host directory that any uid may write to, like `mkdir -m 777 data`."""
    d = tmp_path / "data"
    d.mkdir()
    d.chmod(0o777)
    return d


def write(engine, image, data_dir, *args, options=()):
    return engine.run_container(image, args, volumes=[f"{data_dir}:/data"], options=options, detach=False)


def test_image_users(engine, images):
    assert engine.inspect(images["root"])["Config"]["User"] == ""
    assert engine.inspect(images["user"])["Config"]["User"] == "10001:10001"


def test_root_in_the_container_is_uid_0_on_the_host(engine, images, data_dir):
    cp = write(engine, images["root"], data_dir)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.startswith("uid=0(root) gid=0(root)")
    st = os.stat(data_dir / "from-root.txt")
    assert (st.st_uid, st.st_gid) == (0, 0)


def test_user_10001_in_the_container_is_uid_10001_on_the_host(engine, images, data_dir):
    cp = write(engine, images["user"], data_dir)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.startswith("uid=10001(app) gid=10001(app)")
    st = os.stat(data_dir / "from-user.txt")
    assert (st.st_uid, st.st_gid) == (10001, 10001)


def test_docker_run_user_overrides_the_image(engine, images, data_dir):
    cp = write(engine, images["root"], data_dir, "from-run-user.txt", options=["--user", "10001:10001"])
    assert cp.returncode == 0, cp.stderr
    st = os.stat(data_dir / "from-run-user.txt")
    assert (st.st_uid, st.st_gid) == (10001, 10001)


def test_non_root_cannot_write_to_a_root_owned_directory(engine, images, tmp_path):
    # The root container makes the directory, so it is root-owned on the host
    # whoever runs the tests (root here, an ordinary user on GitHub's runners).
    engine.run_container(
        images["root"],
        ["mkdir", "-m", "755", "/data/root-owned"],
        volumes=[f"{tmp_path}:/data"],
        options=["--entrypoint", ""],
        detach=False,
    )
    d = tmp_path / "root-owned"
    assert d.stat().st_uid == 0
    cp = write(engine, images["user"], d)
    assert cp.returncode != 0
    assert "Permission denied" in cp.stderr
    assert not (d / "from-user.txt").exists()


def test_readme_shows_the_real_owners(engine, images, tmp_path):
    """Run the README's three containers and compare `stat -c '%u:%g %n' data/*`."""
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    write(engine, images["root"], data)
    write(engine, images["user"], data)
    write(engine, images["root"], data, "from-run-user.txt", options=["--user", "10001:10001"])
    lines = [f"{p.stat().st_uid}:{p.stat().st_gid} data/{p.name}" for p in sorted(data.iterdir())]
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    assert "```text\n" + "\n".join(lines) + "\n```" in readme
