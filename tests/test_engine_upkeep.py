"""The course's own engine stays as fast on the hundredth run as on the first.

Every `make test` builds about 700 times. BuildKit keeps a record of each build for 48 hours
whatever their number, and containerd walks every record and every build-cache entry on each
garbage collection: after a day of runs the same build cost the engine three times the CPU.
`engine up` (which `make test` runs through `doctor --setup`) starts dockerd with a history
bound (provision_engine.DAEMON_JSON), restarts an engine started without it, and prunes the
build cache that no build used for a while (STALE_CACHE).
"""

from __future__ import annotations

import json
import subprocess
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
    monkeypatch.setattr(pe, "tidy", lambda *a, **k: done.append("tidy"))
    return done


def test_the_engine_keeps_at_most_50_build_records_older_than_an_hour():
    history = pe.DAEMON_JSON["builder"]["history"]
    assert history == {"maxAge": "1h", "maxEntries": 50}
    assert ("--config-file", str(pe.CONFIG)) == pe.ENGINE.args[:2]


def test_up_restarts_an_engine_started_with_another_configuration(calls, capsys):
    pe.CONFIG.write_text(json.dumps({"features": {"containerd-snapshotter": True}}))
    assert pe.up() == 0
    assert calls == ["stop", "start", "tidy"]
    assert json.loads(pe.CONFIG.read_text()) == pe.DAEMON_JSON
    assert "older daemon.json: restarting it" in capsys.readouterr().out


def test_up_keeps_a_current_engine_running_and_prunes_its_stale_cache(calls, capsys):
    pe.CONFIG.write_text(pe._config_text())
    assert pe.up() == 0
    assert calls == ["tidy"]
    assert capsys.readouterr().out.startswith("engine already up")


def test_up_as_another_user_leaves_an_older_engine_running_and_says_how_to_restart_it(calls, monkeypatch, capsys):
    monkeypatch.setattr(pe.os, "geteuid", lambda: 1000)
    pe.CONFIG.unlink(missing_ok=True)
    assert pe.up() == 0
    assert calls == []
    assert pe.UP_COMMAND in capsys.readouterr().out


def test_tidy_prunes_build_contexts_after_an_hour_and_other_cache_after_a_day(monkeypatch):
    seen = []

    def run(cmd, **kwargs):
        seen.append((cmd[1:], kwargs["env"]["DOCKER_HOST"]))
        return subprocess.CompletedProcess(cmd, 0, "Total:\t1.2GB\n", "")

    monkeypatch.setattr(pe, "client_paths", lambda: {"docker": Path("/root-cli/docker"), "plugins": pe.PLUGINS})
    monkeypatch.setattr(pe, "client_env", lambda plugins: {"DOCKER_CONFIG": "/x"})
    monkeypatch.setattr(pe.subprocess, "run", run)
    said = []
    pe.tidy(log=said.append)
    prune = ["builder", "prune", "--force", "--filter"]
    assert seen == [
        ([*prune, "until=1h", "--filter", "type=source.local"], pe.DOCKER_HOST),
        ([*prune, "until=24h"], pe.DOCKER_HOST),
    ]
    assert said == [
        "build cache (source.local) unused for 1h pruned: Total:\t1.2GB",
        "build cache (all) unused for 24h pruned: Total:\t1.2GB",
    ]


def test_a_failed_prune_names_its_command(monkeypatch):
    def run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, "", "Error response from daemon: no builder\n")

    monkeypatch.setattr(pe, "client_paths", lambda: {"docker": Path("/root-cli/docker"), "plugins": pe.PLUGINS})
    monkeypatch.setattr(pe, "client_env", lambda plugins: {})
    monkeypatch.setattr(pe.subprocess, "run", run)
    with pytest.raises(
        pe.ProvisionError, match=r"`/root-cli/docker builder prune .*until=1h.*` failed \(exit 1\): .*no builder"
    ):
        pe.tidy()


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
