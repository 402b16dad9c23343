"""Offline build only (mkdocs.offline.yml): turn off instant navigation, and give
404.html relative addresses.

From file:// Material cannot fetch pages for instant navigation, and with the
feature on it never mounts the page's components at all: its instant module
returns an empty stream on file://, which completes the document stream before
the first page is emitted. Diagrams no longer need those components (they are
SVG drawn at build time), but the rest still does: tried with Material 9.8.2,
the palette toggle did nothing and code blocks had no copy button. Every click
is a full page load there anyway.

MkDocs gives an error page absolute addresses from the path of site_url (e.g.
/docker-basics/assets/…), since a web server shows it at any address. The
offline copy has no server: 404.html lies at the top of the folder and is opened
as a file, so its stylesheets, scripts and links are made relative to it, like
those of every other page.
"""

from __future__ import annotations

from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils import is_error_template

INSTANT_FEATURES = {"navigation.instant", "navigation.instant.progress"}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    features = config.theme["features"]
    features[:] = [feature for feature in features if feature not in INSTANT_FEATURES]
    return config


def on_template_context(context, template_name: str, config: MkDocsConfig):
    if is_error_template(template_name):
        context.update(get_context(context["nav"], context["pages"], config, base_url="."))
    return context
