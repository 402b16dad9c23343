"""One entry point for the course's helper commands.

Each subcommand lives in its own module, which exposes `register(subparsers)`
and sets `func` on its parser. Add new modules to COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["vendor", "engine", "baseimages", "console", "examples", "delivery", "image", "bench", "lint"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"course.{name}").register(subparsers)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
