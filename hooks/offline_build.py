"""Offline build only (mkdocs.offline.yml): turn off instant navigation.

From file:// Material cannot fetch pages for instant navigation, and with the
feature on it also never mounts the page's content components, so Mermaid
diagrams stay undrawn. Every click is a full page load there anyway.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

INSTANT_FEATURES = {"navigation.instant", "navigation.instant.progress"}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    features = config.theme["features"]
    features[:] = [feature for feature in features if feature not in INSTANT_FEATURES]
    return config
