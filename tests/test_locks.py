"""The site lock (container images) and the full lock (development, CI) pin the same versions."""

from __future__ import annotations

import re

from site_checks.building import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    return {package.lower(): version for package, version in PIN.findall((ROOT / name).read_text(encoding="utf-8"))}


def test_site_lock_agrees_with_the_full_lock():
    site, full = pins("requirements-site.txt"), pins("requirements.txt")
    assert site, "requirements-site.txt pins nothing"
    disagree = {p: (v, full.get(p)) for p, v in site.items() if full.get(p) != v}
    assert disagree == {}, f"run `make lock`: (site, full) versions differ: {disagree}"
