"""Offline build only (mkdocs.offline.yml): turn off instant navigation.

From file:// Material cannot fetch pages for instant navigation, and with the
feature on it never mounts the page's components at all: its instant module
returns an empty stream on file://, which completes the document stream before
the first page is emitted. Diagrams no longer need those components (they are
SVG drawn at build time), but the rest still does: tried with Material 9.8.2,
the palette toggle did nothing and code blocks had no copy button. Every click
is a full page load there anyway.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

INSTANT_FEATURES = {"navigation.instant", "navigation.instant.progress"}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    features = config.theme["features"]
    features[:] = [feature for feature in features if feature not in INSTANT_FEATURES]
    return config
