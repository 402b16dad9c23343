"""Does Debian hold a newer Docker than the course's engine? (`make doctor`, the weekly workflow)

The course records every output with the Debian packages pinned in
course.provision_engine.PINS (docker.io, docker-cli, docker-buildx,
docker-compose, containerd, from forky). When a suite gets a newer version of
one of them, the course should be re-recorded on it: update PINS, `make
engine`, recapture. This module reads what each suite in SUITES holds from the
suite's Packages index on Debian's mirrors (main, amd64), and compares the
versions with ``dpkg --compare-versions`` (Debian's own ordering).

Cheap and offline-safe:

* the answer is cached for a day (CACHE_FILE): `make doctor` within a day makes
  no request at all;
* after a day, each suite's InRelease (about 150 kB) is read first, and its
  Packages.xz (about 10 MB for forky and sid) is downloaded only when its
  SHA-256 there differs from the one the cache last read;
* no network (or a mirror that fails) gives "could not check", with the last
  answer when there is one; never an error.

``python -m course doctor`` prints one line from it (course.doctor);
``python -m course doctor --debian`` checks now (a day-old cache or not) and
exits 1 when a suite holds something newer, 2 when it could not check: the
weekly workflow fails on either, and its summary says which.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from course.debian_root import DEBIAN_MIRROR
from course.provision_engine import PINS, SUITE

SECURITY_MIRROR = "http://security.debian.org/debian-security"
# (suite, mirror): the pins come from forky; trixie is Debian 13 (stable), sid unstable.
SUITES = [
    ("trixie", DEBIAN_MIRROR),
    ("trixie-security", SECURITY_MIRROR),
    ("trixie-backports", DEBIAN_MIRROR),
    ("forky", DEBIAN_MIRROR),
    ("sid", DEBIAN_MIRROR),
]
INDEX = "main/binary-amd64/Packages.xz"
CACHE_FILE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "docker-basics" / "debian-updates.json"
MAX_AGE = datetime.timedelta(days=1)  # an answer is reused this long
RETRY_AFTER = datetime.timedelta(hours=1)  # a failed check is not tried again sooner (offline stays fast)
TIMEOUT = 10  # seconds per request
PINS_FILE = "scripts/course/provision_engine.py"

Fetch = Callable[[str], bytes]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - Debian's http mirrors
        return response.read()


def newer(candidate: str, than: str) -> bool:
    """Debian's ordering of versions (epochs, ~, revisions), from dpkg itself."""
    return subprocess.run(["dpkg", "--compare-versions", candidate, "gt", than], timeout=10).returncode == 0


def index_sha256(inrelease: str, path: str = INDEX) -> str | None:
    """The SHA-256 that a suite's InRelease gives for `path`."""
    section = re.search(r"^SHA256:\n((?: .*\n?)+)", inrelease, re.M)
    for line in section.group(1).splitlines() if section else []:
        digest, _size, name = line.split()
        if name == path:
            return digest
    return None


def versions_in(packages: str, names) -> dict[str, str]:
    """The highest version of each of `names` in a Packages index (a suite may list one twice)."""
    wanted = "|".join(re.escape(n) for n in names)
    found: dict[str, str] = {}
    for stanza in re.finditer(rf"^Package: ({wanted})\n(?:[^\n]+\n)*?Version: (\S+)$", packages, re.M):
        name, version = stanza.groups()
        if name not in found or newer(version, found[name]):
            found[name] = version
    return found


@dataclass
class Answer:
    checked: str  # ISO time of the last successful read of every suite ("" when none)
    suites: dict[str, dict] = field(default_factory=dict)  # suite -> {"sha256", "versions"}
    error: str = ""  # why the last try could not read the suites ("" when it could)
    tried: str = ""  # ISO time of the last try

    def updates(self, pins: dict[str, str] = PINS) -> list[tuple[str, str, str, str]]:
        """(package, newer version, suite, pinned version), newest suite order as in SUITES."""
        found = []
        for suite, _ in SUITES:
            for package, version in (self.suites.get(suite) or {}).get("versions", {}).items():
                if package in pins and newer(version, pins[package]):
                    found.append((package, version, suite, pins[package]))
        return found

    def line(self, pins: dict[str, str] = PINS) -> str:
        """The one line `make doctor` prints."""
        names = ", ".join(s for s, _ in SUITES)
        when = self.checked[:16].replace("T", " ") + " UTC" if self.checked else ""
        if not self.checked:
            return f"Debian: could not check whether its suites hold newer engine packages than the pins ({self.error})"
        updates = self.updates(pins)
        if self.error:
            prefix = f"Debian: could not check today ({self.error}); the last answer, from {when}: "
        else:
            prefix = f"Debian ({names}; read {when}): "
        if not updates:
            return prefix + f"nothing newer than the engine's pins ({', '.join(f'{p} {v}' for p, v in pins.items())})"
        listed = "; ".join(f"{p} {v} in {s} (pinned {pinned})" for p, v, s, pinned in updates)
        return (
            prefix + f"NEWER than the pins: {listed}. Re-record the course on it: update PINS in {PINS_FILE} "
            f"({SUITE} holds the engine), `make engine`, recapture"
        )


def load(cache: Path) -> Answer | None:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return Answer(data["checked"], data.get("suites", {}), data.get("error", ""), data.get("tried", ""))
    except (OSError, ValueError, KeyError):
        return None


def save(answer: Answer, cache: Path) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    data = {"checked": answer.checked, "suites": answer.suites, "error": answer.error, "tried": answer.tried}
    cache.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


class Unreadable(RuntimeError):
    """A suite's index could not be read: the message names the address and why."""


def _get(get: Fetch, url: str) -> bytes:
    try:
        return get(url)
    except OSError as exc:  # urllib's URLError and HTTPError, timeouts, refused connections
        raise Unreadable(f"{url}: {getattr(exc, 'reason', None) or exc}") from exc


def read_suites(previous: Answer | None, get: Fetch, names=tuple(PINS)) -> dict[str, dict]:
    """What each suite holds now; a suite whose index did not change since `previous` is not downloaded.
    Raises Unreadable when a suite cannot be read."""
    suites = {}
    for suite, mirror in SUITES:
        base = f"{mirror}/dists/{suite}"
        digest = index_sha256(_get(get, f"{base}/InRelease").decode("utf-8", "replace"))
        if digest is None:
            raise Unreadable(f"{base}/InRelease lists no {INDEX}")
        known = (previous.suites.get(suite) if previous else None) or {}
        if known.get("sha256") == digest:
            suites[suite] = known
            continue
        raw = _get(get, f"{base}/{INDEX}")
        if hashlib.sha256(raw).hexdigest() != digest:
            raise Unreadable(f"{base}/{INDEX} does not match the SHA-256 in its InRelease")
        try:
            packages = lzma.decompress(raw).decode("utf-8", "replace")
        except lzma.LZMAError as exc:
            raise Unreadable(f"{base}/{INDEX}: {exc}") from exc
        suites[suite] = {"sha256": digest, "versions": versions_in(packages, names)}
    return suites


def check(
    *, get: Fetch | None = None, cache: Path | None = None, now: datetime.datetime | None = None, force: bool = False
) -> Answer:
    """The answer: the cached one while it is less than a day old (a failed try: an hour), unless
    `force`; else the suites read now. Never raises for the network: a failure is in `error`."""
    get, cache = get or fetch, cache or CACHE_FILE
    now = now or datetime.datetime.now(datetime.UTC)
    previous = load(cache)
    if previous and not force:
        last = previous.tried or previous.checked
        age = now - datetime.datetime.fromisoformat(last) if last else None
        if age is not None and datetime.timedelta(0) <= age < (RETRY_AFTER if previous.error else MAX_AGE):
            return previous
    stamp = now.isoformat(timespec="seconds")
    if shutil.which("dpkg") is None:  # macOS, Windows: nothing to compare Debian's versions with
        return Answer("", {}, "no dpkg on this machine to compare Debian's versions", stamp)
    try:
        answer = Answer(stamp, read_suites(previous, get), tried=stamp)
    except Unreadable as exc:
        answer = Answer(previous.checked if previous else "", previous.suites if previous else {}, str(exc), stamp)
    save(answer, cache)
    return answer


def exit_status(answer: Answer) -> int:
    """For `doctor --debian`: 1 when a suite holds something newer, 2 when it could not check, else 0."""
    if answer.error or not answer.checked:
        return 2
    return 1 if answer.updates() else 0
