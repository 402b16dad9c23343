"""Live preview only: let mkdocs-mermaid2-plugin draw, in the browser, a diagram being edited.

Every build draws diagrams as SVG (scripts/course/diagrams.py). Under
`mkdocs serve` a diagram not in the cache yet (the one you are editing) is
left as Mermaid source for mermaid.js, so that a change shows at once and a
mistake shows as Mermaid's error in the page. COURSE_DIAGRAMS, when set,
wins (the tests use COURSE_DIAGRAMS=browser to draw every diagram in the
browser). The page template loads mermaid.js's address only in that case.
"""

from __future__ import annotations

import os

from mkdocs.config.defaults import MkDocsConfig

from course import diagrams


def on_startup(command: str, dirty: bool) -> None:
    if command == "serve" and "COURSE_DIAGRAMS" not in os.environ:
        diagrams.MODE = "preview"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.extra["diagrams_in_browser"] = diagrams.MODE != "svg"
    return config
