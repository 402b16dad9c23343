"""The course's own engine stays as fast on the hundredth run as on the first.

Every `make test` builds about 700 times. BuildKit keeps a record of each build for 48 hours
whatever their number, and containerd walks every record and every build-cache entry on each
garbage collection: after a day of runs the same build cost the engine three times the CPU.
`engine up` (which `make test` runs through `doctor --setup`) starts dockerd with a history
bound (provision_engine.DAEMON_JSON) and restarts an engine started without it. It prunes no
build cache: on dockerd 28.5.2 a prune that removes any record makes every later build miss
the cache, so a prune at each run would make every warm run cold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course import provision_engine as pe


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """provision_engine with its daemon replaced: records what up() asks of it."""
    done: list[str] = []
    monkeypatch.setattr(pe, "CONFIG", tmp_path / "daemon.json")
    monkeypatch.setattr(pe, "ping", lambda *a, **k: True)
    monkeypatch.setattr(pe.os, "geteuid", lambda: 0)
    monkeypatch.setattr(pe, "build_root", lambda *a, **k: False)
    monkeypatch.setattr(pe, "_pid", lambda *a, **k: 4242)
    monkeypatch.setattr(pe, "_link_default_socket", lambda: None)
    monkeypatch.setattr(pe, "stop", lambda *a, **k: done.append("stop"))
    monkeypatch.setattr(pe, "launch", lambda *a, **k: done.append("start") or 1.0)
    monkeypatch.setattr(pe.subprocess, "run", lambda cmd, *a, **k: done.append(" ".join(map(str, cmd))))
    return done


def test_the_engine_keeps_at_most_50_build_records_older_than_an_hour():
    history = pe.DAEMON_JSON["builder"]["history"]
    assert history == {"maxAge": "1h", "maxEntries": 50}
    assert ("--config-file", str(pe.CONFIG)) == pe.ENGINE.args[:2]


def test_up_restarts_an_engine_started_with_another_configuration(calls, capsys):
    pe.CONFIG.write_text(json.dumps({"features": {"containerd-snapshotter": True}}))
    assert pe.up() == 0
    assert calls == ["stop", "start"]
    assert json.loads(pe.CONFIG.read_text()) == pe.DAEMON_JSON
    assert "older daemon.json: restarting it" in capsys.readouterr().out


def test_up_keeps_a_current_engine_running_and_its_build_cache(calls, capsys):
    pe.CONFIG.write_text(pe._config_text())
    assert pe.up() == 0
    assert calls == []  # no stop, no start, and no command (a `docker builder prune`)
    assert capsys.readouterr().out.startswith("engine already up")


def test_up_as_another_user_leaves_an_older_engine_running_and_says_how_to_restart_it(calls, monkeypatch, capsys):
    monkeypatch.setattr(pe.os, "geteuid", lambda: 1000)
    pe.CONFIG.unlink(missing_ok=True)
    assert pe.up() == 0
    assert calls == []
    assert pe.UP_COMMAND in capsys.readouterr().out


def test_the_running_course_engine_was_started_with_the_bound(engine):
    if not pe.ping() or not pe.is_course_engine(engine.server.host):
        pytest.skip("the tests use another engine (Docker Desktop, a CI runner): its configuration is its owner's")
    assert pe.config_is_current(), f"{pe.CONFIG} is not provision_engine.DAEMON_JSON: run `make engine`"
    cmdline = Path(f"/proc/{pe._pid()}/cmdline").read_bytes().split(b"\0")
    assert [b"--config-file", str(pe.CONFIG).encode()] == cmdline[cmdline.index(b"--config-file") :][:2]


def test_a_host_is_the_course_engine_by_its_socket_or_a_link_to_it(tmp_path):
    link = tmp_path / "docker.sock"
    link.symlink_to(pe.SOCKET)
    assert pe.is_course_engine(pe.DOCKER_HOST) and pe.is_course_engine(f"unix://{link}")
    assert not pe.is_course_engine(f"unix://{tmp_path}/other.sock")
    assert not pe.is_course_engine("tcp://127.0.0.1:2375")
