"""Fixtures for the site tests: one strict build per session, a local server, Chromium."""

from __future__ import annotations

import json
import os

import pytest

from course import browser as course_browser
from site_checks import browser as chromium
from site_checks.building import Build, build
from site_checks.tally import TALLY


@pytest.fixture(scope="session")
def served_site(tmp_path_factory):
    """(build, base URL): the site built for, and served at, http://127.0.0.1:PORT/.

    The server starts first so that the build knows its address: Material's
    instant navigation only follows links that sitemap.xml lists at that address.
    """
    site_dir = tmp_path_factory.mktemp("site")
    with chromium.serve(site_dir) as base:
        result = build(site_dir=site_dir, site_url=base)
        assert result.returncode == 0, f"strict build failed:\n{result.log}"
        yield result, base


@pytest.fixture(scope="session")
def site(served_site) -> Build:
    return served_site[0]


@pytest.fixture(scope="session")
def csp_site(served_site):
    """(build, base URL): the same build served again as the course image's nginx serves it,
    with gzip and its Content-Security-Policy (course.image.policy: its hashes of the inline
    scripts), so that a sweep of every page meets what nginx enforces without building the image."""
    from course import image

    built, _ = served_site
    policy = {"Content-Security-Policy": image.policy(built.site_dir)}
    with chromium.serve(built.site_dir, gzip=True, headers=policy) as base:
        yield built, base


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Build:
    result = build(site_dir=tmp_path_factory.mktemp("offline") / "site", config="mkdocs.offline.yml")
    assert result.returncode == 0, f"strict offline build failed:\n{result.log}"
    return result


@pytest.fixture(scope="session")
def browser():
    try:
        with course_browser.chromium() as instance:
            yield instance
    except course_browser.BrowserMissing as error:
        pytest.fail(f"{error} (.ci/run installs it)")


@pytest.fixture
def context(browser):
    """A fresh browser profile with shadow roots opened and layout shifts counted."""
    ctx = chromium.reader_context(browser)
    yield ctx
    ctx.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in item.fixturenames or "context" in item.fixturenames:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- the fault drills' tally
def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its tally to the controller
        workeroutput["fault_tally"] = json.dumps(TALLY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist, on the controller: add up what a worker counted."""
    for name, count in json.loads(getattr(node, "workeroutput", {}).get("fault_tally", "{}")).items():
        TALLY[name] += count


def pytest_terminal_summary(terminalreporter):
    if TALLY["planted"]:
        terminalreporter.write_line(f"faults planted {TALLY['planted']}, caught {TALLY['caught']}")


os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
