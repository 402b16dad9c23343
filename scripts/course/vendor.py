"""Copy the browser assets the site serves itself from node_modules into docs/.

The site must work with no network, so nothing is loaded from a CDN: mermaid.js
and Material's iframe-worker shim come from pinned npm packages (package.json,
package-lock.json) and are copied to docs/assets/vendor/, which git ignores.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = ROOT / "docs" / "assets" / "vendor"

# destination (relative to VENDOR_DIR) -> (npm package, file inside the package)
ASSETS = {
    "mermaid/mermaid.min.js": ("mermaid", "dist/mermaid.min.js"),
    "mermaid/LICENSE": ("mermaid", "LICENSE"),
    "iframe-worker/shim.js": ("iframe-worker", "shim/index.js"),
    "resize-observer-polyfill/ResizeObserver.js": ("resize-observer-polyfill", "dist/ResizeObserver.js"),
    "resize-observer-polyfill/LICENSE": ("resize-observer-polyfill", "LICENSE"),
    "iframe-worker/LICENSE": ("iframe-worker", "LICENSE"),
}


class VendorError(RuntimeError):
    pass


def locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def installed_version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        raise VendorError(f"{manifest.relative_to(ROOT)} is missing: run `npm ci` first")
    return json.loads(manifest.read_text(encoding="utf-8"))["version"]


def vendor() -> list[Path]:
    """Copy every asset, refusing a node_modules that does not match the lock."""
    copied = []
    for destination, (package, source) in ASSETS.items():
        installed, locked = installed_version(package), locked_version(package)
        if installed != locked:
            raise VendorError(
                f"node_modules/{package} is {installed} but package-lock.json pins {locked}: run `npm ci`"
            )
        target = VENDOR_DIR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / package / source, target)
        copied.append(target)
    return copied


def run(args: argparse.Namespace) -> int:
    for path in vendor():
        print(f"vendored {path.relative_to(ROOT)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("vendor", help="copy pinned browser assets into docs/assets/vendor/")
    parser.set_defaults(func=run)
