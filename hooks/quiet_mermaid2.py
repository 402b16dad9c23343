"""Keep build logs readable: mkdocs-mermaid2-plugin logs an INFO line for every page.

(`mkdocs build --quiet` is no way out: it also hides the warnings that
strict mode turns into errors.)
"""

import logging

logging.getLogger("mkdocs.plugins.mermaid2").setLevel(logging.WARNING)
