"""Laying down a minimal Debian root: what the course's engine and the base-image stand-ins share.

Two helpers debootstrap a root from Debian's packages:

* course.provision_engine: the forky root that the course's own Docker engine runs from;
* course.baseimages: the trixie rootfs imported as the ``debian:trixie-slim`` stand-in.

Both take their packages from DEBIAN_MIRROR, run debootstrap the same way
(``debootstrap``) and keep maintainer scripts from starting services
while packages install into a root (NO_SERVICE_STARTS).  What only one of them
needs (the engine's PINS, the stand-ins' slim layout) stays in that module.

This module is the bottom layer of the helpers: it imports no course module
(CONTRIBUTING.md, "How the helpers are layered").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DEBIAN_MIRROR = "http://deb.debian.org/debian"
# Where Debian's debootstrap keeps one script per suite it knows.
DEBOOTSTRAP_SCRIPTS = Path("/usr/share/debootstrap/scripts")
# No init system runs in a root: policy-rc.d exiting 101 tells maintainer scripts not to start services.
NO_SERVICE_STARTS = "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d"


def debootstrap_knows(suite: str) -> bool:
    """True when this machine's debootstrap has a script for `suite`."""
    return (DEBOOTSTRAP_SCRIPTS / suite).exists()


def debootstrap(suite: str, target: Path, run: Callable[[list[str]], object], script: str | None = None) -> None:
    """Lay a minimal (minbase) root of `suite` into `target`, from DEBIAN_MIRROR.

    `run` runs the command and turns a failure into the caller's own error.
    `script`: another suite's debootstrap script, for a suite this debootstrap has
    none for (Debian 12's debootstrap lays forky down with sid's)."""
    extra = [str(DEBOOTSTRAP_SCRIPTS / script)] if script else []
    run(["debootstrap", "--variant=minbase", suite, str(target), DEBIAN_MIRROR, *extra])
