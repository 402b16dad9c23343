"""Keep every request on the site's own host.

Material's JavaScript bundle falls back to a CDN for two libraries: mermaid.js
(when a page reached by instant navigation has a diagram but the library was
not loaded yet) and a ResizeObserver polyfill (old browsers). This hook checks
that the vendored copies exist and points those fallbacks at them. It fails the
build if Material's bundle changes so that a fallback can no longer be found.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

# CDN address in Material's bundle -> key of `__md_vendor` (overrides/main.html)
FALLBACKS = {
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js": "mermaid",
    "https://unpkg.com/resize-observer-polyfill": "resizeObserver",
}

# Files overrides/main.html and mkdocs.yml refer to, relative to docs/.
VENDORED = [
    "assets/vendor/mermaid/mermaid.min.js",
    "assets/vendor/resize-observer-polyfill/ResizeObserver.js",
    "assets/vendor/iframe-worker/shim.js",
]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    docs_dir = Path(config.docs_dir)
    missing = [path for path in VENDORED if not (docs_dir / path).is_file()]
    if missing:
        raise PluginError(f"Vendored browser assets missing in {docs_dir}: {', '.join(missing)}. Run `make vendor`.")
    return config


def on_post_build(config: MkDocsConfig) -> None:
    bundles = sorted(Path(config.site_dir).glob("assets/javascripts/bundle.*.min.js"))
    if not bundles:
        raise PluginError(f"No Material bundle found in {config.site_dir}/assets/javascripts/")
    for bundle in bundles:
        source = bundle.read_text(encoding="utf-8")
        for url, key in FALLBACKS.items():
            literal = f'"{url}"'
            if literal not in source:
                raise PluginError(
                    f"{bundle}: CDN fallback {url} not found; Material's bundle changed, "
                    "update hooks/vendored_assets.py"
                )
            source = source.replace(literal, f"__md_vendor.{key}")
        bundle.write_text(source, encoding="utf-8")
