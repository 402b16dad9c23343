"""The built site: strict, edit links on every page, and nothing loaded from other hosts."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from site_checks.building import ROOT, site_pages

CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)

# Attributes through which HTML makes the browser load something.
RESOURCE_ATTRIBUTES = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "iframe": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "input": ["src"],
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
# In JavaScript, a URL in a string literal is a resource when it names a CDN or
# a file a browser would load (URLs in comments are documentation).
JS_RESOURCE = re.compile(
    r"""(?<=["'`])https?://(?:[^\s"'`]*(?:unpkg\.com|jsdelivr\.net|cdnjs\.|googleapis\.com|gstatic\.com)[^\s"'`]*"""
    r"""|[^\s"'`]+\.(?:m?js|css|woff2?|ttf|otf|png|jpe?g|gif|webp|wasm)(?=["'`?#]))"""
)


def is_remote(url: str) -> bool:
    return bool(urlsplit(url.strip()).netloc) or url.strip().startswith("//")


def remote_resources_in_html(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attributes in RESOURCE_ATTRIBUTES.items():
        for element in soup.find_all(tag):
            for attribute in attributes:
                for url in str(element.get(attribute, "")).split(","):
                    if url.strip() and is_remote(url.split()[0]):
                        found.append(f"<{tag} {attribute}={url.strip()}>")
    for link in soup.find_all("link"):
        if link.get("href") and set(link.get("rel", [])) - {"canonical", "alternate", "author", "license"}:
            if is_remote(link["href"]):
                found.append(f"<link rel={link.get('rel')} href={link['href']}>")
    for style in soup.find_all(style=True):
        found += [m for m in remote_css_urls(style["style"])]
    for style in soup.find_all("style"):
        found += remote_css_urls(style.get_text())
    return found


def remote_css_urls(css: str) -> list[str]:
    return [url for match in CSS_URL.finditer(css) for url in match.groups() if url and is_remote(url)]


def remote_resources(site_dir: Path) -> list[str]:
    problems = []
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in {".html", ".css", ".js"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html":
            found = remote_resources_in_html(text)
        elif path.suffix == ".css":
            found = remote_css_urls(text)
        else:
            found = JS_RESOURCE.findall(text)
        problems += [f"{path.relative_to(site_dir)}: {url}" for url in found]
    return problems


def test_strict_build_has_no_warnings(site):
    assert site.warnings == [], "\n".join(site.warnings)


def test_offline_build_has_no_warnings(offline_site):
    assert offline_site.warnings == [], "\n".join(offline_site.warnings)


@pytest.mark.parametrize("which", ["site", "offline_site"])
def test_nothing_is_loaded_from_another_host(which, request):
    built = request.getfixturevalue(which)
    assert remote_resources(built.site_dir) == []


def test_remote_resource_detection_catches_cdn_script_and_font():
    html = (
        '<script src="https://unpkg.com/mermaid@11/dist/mermaid.min.js"></script>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<a href="https://docs.docker.com/">docs</a><img src="../img/local.png">'
    )
    assert len(remote_resources_in_html(html)) == 2
    assert JS_RESOURCE.findall('_t("https://unpkg.com/iframe-worker/shim")') == ["https://unpkg.com/iframe-worker/shim"]
    assert JS_RESOURCE.findall('ns="http://www.w3.org/2000/svg"') == []


def test_every_page_has_an_edit_link(site):
    edit_base = CONFIG["repo_url"].rstrip("/") + "/" + CONFIG["edit_uri"]
    missing = []
    for page in site_pages():
        soup = BeautifulSoup((site.site_dir / page.dest).read_text(encoding="utf-8"), "html.parser")
        expected = edit_base + page.source.removeprefix("docs/")
        if not soup.select_one(f'a.md-content__button[href="{expected}"]'):
            missing.append(f"{page.source}: no edit link to {expected}")
    assert missing == []


def test_no_page_loads_mermaid_js(site):
    """Diagrams are SVG drawn at build time: no page needs mermaid.js, and the site does not ship it."""
    wrong = []
    for page in site_pages():
        html = (site.site_dir / page.dest).read_text(encoding="utf-8")
        if "mermaid.min.js" in html or BeautifulSoup(html, "html.parser").select("pre.mermaid"):
            wrong.append(f"{page.source}: refers to mermaid.min.js or has a diagram left to the browser")
    assert wrong == []
    assert not (site.site_dir / "assets" / "vendor" / "mermaid").exists(), "the site ships the vendored mermaid.js"
