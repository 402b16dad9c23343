"""`make doctor` says when Debian's suites hold newer engine packages than the pins (course.debian_updates).

No network: each test serves fake InRelease and Packages.xz files through the module's fetch
function, and keeps its cache in a temporary folder.
"""

from __future__ import annotations

import datetime
import hashlib
import lzma
import urllib.error

import pytest

from course import debian_updates, doctor
from course.provision_engine import PINS

NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=datetime.UTC)


def packages_index(versions: dict[str, str]) -> bytes:
    """A Packages.xz holding `versions`, among other packages (as a real index does)."""
    stanzas = ["Package: docker-doc\nVersion: 99.0-1\nArchitecture: all\n"]  # not pinned: never reported
    for name, version in versions.items():
        stanzas.append(f"Package: {name}\nSource: x\nVersion: {version}\nArchitecture: amd64\nDescription: y\n")
    stanzas.append("Package: docker.io-doc-extra\nVersion: 1.0\n")
    return lzma.compress("\n".join(stanzas).encode())


def inrelease(index: bytes) -> bytes:
    digest = hashlib.sha256(index).hexdigest()
    return (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSuite: x\nMD5Sum:\n"
        f" {'0' * 32} {len(index)} main/binary-amd64/Packages.xz\nSHA256:\n"
        f" {'1' * 64} 123 main/binary-amd64/Packages\n {digest} {len(index)} main/binary-amd64/Packages.xz\n"
        " 2222 9 main/source/Sources.xz\n-----BEGIN PGP SIGNATURE-----\n"
    ).encode()


class Mirror:
    """Fake mirrors: every suite holds the pins, except what `suites` says; `down` fails every request."""

    def __init__(self, suites: dict[str, dict[str, str]] | None = None, down: bool = False):
        self.files: dict[str, bytes] = {}
        for suite, mirror in debian_updates.SUITES:
            index = packages_index({**PINS, **(suites or {}).get(suite, {})})
            self.files[f"{mirror}/dists/{suite}/InRelease"] = inrelease(index)
            self.files[f"{mirror}/dists/{suite}/main/binary-amd64/Packages.xz"] = index
        self.down = down
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if self.down:
            raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))
        return self.files[url]


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "debian-updates.json"


def test_newer_in_sid_is_named_with_the_pin_and_the_fix(cache):
    mirror = Mirror({"sid": {"docker.io": "29.1.3+dfsg1-1", "docker-cli": "29.1.3+dfsg1-1"}})
    answer = debian_updates.check(get=mirror, cache=cache, now=NOW)
    line = answer.line()
    assert "NEWER than the pins: docker.io 29.1.3+dfsg1-1 in sid (pinned 28.5.2+dfsg4-5); docker-cli" in line
    assert "update PINS in scripts/course/provision_engine.py" in line
    assert debian_updates.exit_status(answer) == 1


def test_the_same_versions_everywhere_say_nothing_newer(cache):
    answer = debian_updates.check(get=Mirror(), cache=cache, now=NOW)
    assert answer.line().startswith("Debian (trixie, trixie-security, trixie-backports, forky, sid; read 2026-12-05")
    assert "nothing newer than the engine's pins (docker.io 28.5.2+dfsg4-5," in answer.line()
    assert debian_updates.exit_status(answer) == 0


def test_older_and_tilde_versions_are_not_newer(cache):
    # Debian's ordering: 28.5.2~rc1 comes before 28.5.2; trixie's 26.1.5 is older.
    mirror = Mirror({"trixie": {"docker.io": "26.1.5+dfsg1-9+deb13u1"}, "sid": {"docker.io": "28.5.2+dfsg4-5~rc1"}})
    answer = debian_updates.check(get=mirror, cache=cache, now=NOW)
    assert answer.updates() == []
    assert answer.suites["trixie"]["versions"]["docker.io"] == "26.1.5+dfsg1-9+deb13u1"


def test_a_suite_listing_a_package_twice_counts_the_highest():
    index = "Package: containerd\nVersion: 2.1.9+ds1-5\n\nPackage: containerd\nVersion: 2.2.0~ds1-1\n"
    assert debian_updates.versions_in(index, ["containerd"]) == {"containerd": "2.2.0~ds1-1"}


def test_unreachable_says_it_could_not_check_without_failing(cache):
    answer = debian_updates.check(get=Mirror(down=True), cache=cache, now=NOW)
    line = answer.line()
    assert line.startswith("Debian: could not check whether its suites hold newer engine packages than the pins")
    assert (
        "http://deb.debian.org/debian/dists/trixie/InRelease: [Errno -3] Temporary failure in name resolution" in line
    )
    assert debian_updates.exit_status(answer) == 2


def test_unreachable_after_an_answer_gives_the_last_answer(cache):
    debian_updates.check(get=Mirror({"forky": {"containerd": "2.2.1~ds1-1"}}), cache=cache, now=NOW)
    later = NOW + datetime.timedelta(days=2)
    answer = debian_updates.check(get=Mirror(down=True), cache=cache, now=later)
    assert answer.line().startswith("Debian: could not check today (http://deb.debian.org/debian/dists/trixie/")
    assert "the last answer, from 2026-12-05 12:00 UTC: NEWER than the pins: containerd 2.2.1~ds1-1 in forky" in (
        answer.line()
    )
    assert debian_updates.exit_status(answer) == 2


def test_an_answer_is_reused_for_a_day_and_an_unchanged_index_not_downloaded(cache):
    debian_updates.check(get=Mirror(), cache=cache, now=NOW)
    quiet = Mirror(down=True)
    debian_updates.check(get=quiet, cache=cache, now=NOW + datetime.timedelta(hours=23))
    assert quiet.asked == []  # within a day: no request at all
    again = Mirror({"sid": {"docker-compose": "2.41.0-1"}})
    answer = debian_updates.check(get=again, cache=cache, now=NOW + datetime.timedelta(hours=25))
    downloaded = [url for url in again.asked if url.endswith(".xz")]
    assert downloaded == ["http://deb.debian.org/debian/dists/sid/main/binary-amd64/Packages.xz"]
    assert [u[:3] for u in answer.updates()] == [("docker-compose", "2.41.0-1", "sid")]


def test_a_failed_try_waits_an_hour_offline(cache):
    debian_updates.check(get=Mirror(down=True), cache=cache, now=NOW)
    quiet = Mirror()
    assert debian_updates.check(get=quiet, cache=cache, now=NOW + datetime.timedelta(minutes=30)).error
    assert quiet.asked == []
    assert not debian_updates.check(get=quiet, cache=cache, now=NOW + datetime.timedelta(minutes=61)).error


def test_an_index_that_does_not_match_its_inrelease_is_not_read(cache):
    mirror = Mirror()
    url = "http://deb.debian.org/debian/dists/forky/main/binary-amd64/Packages.xz"
    mirror.files[url] = packages_index({"docker.io": "30.0.0-1"})
    answer = debian_updates.check(get=mirror, cache=cache, now=NOW)
    assert answer.error == f"{url} does not match the SHA-256 in its InRelease"


def test_doctor_prints_the_line_and_its_debian_option_exits_by_it(cache, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("DOCKER_BASICS_DEBIAN_CHECK", raising=False)  # conftest.py keeps the tests offline
    monkeypatch.setattr(debian_updates, "CACHE_FILE", cache)
    monkeypatch.setattr(debian_updates, "fetch", Mirror({"trixie-backports": {"docker.io": "29.0.4+dfsg1-1~bpo13+1"}}))
    assert "docker.io 29.0.4+dfsg1-1~bpo13+1 in trixie-backports (pinned 28.5.2+dfsg4-5)" in doctor.debian_line()
    assert doctor.debian_report() == 1
    assert "NEWER than the pins" in capsys.readouterr().out
    monkeypatch.setattr(debian_updates, "fetch", Mirror(down=True))
    assert doctor.debian_report() == 2  # --debian checks now, whatever the cache holds
    monkeypatch.setenv("DOCKER_BASICS_DEBIAN_CHECK", "off")
    offline = doctor.debian_line()
    assert offline.startswith("Debian: not checked (DOCKER_BASICS_DEBIAN_CHECK=off); the last answer: Debian: could")
    monkeypatch.setenv("CI", "true")
    assert doctor.debian_line().startswith("Debian: not checked in CI")
