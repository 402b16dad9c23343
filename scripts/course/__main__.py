"""One entry point for the course's helper commands.

Each subcommand lives in its own module, which exposes `register(subparsers)`
and sets `func` on its parser. Add new modules to COMMANDS. Only the module of
the command asked for is imported, so `doctor` runs on a bare system Python.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = [
    "vendor",
    "diagrams",
    "engine",
    "baseimages",
    "console",
    "examples",
    "delivery",
    "image",
    "bench",
    "lint",
    "doctor",
    "cleancheck",
    "podman",
    "labs",
    "errorfinder",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    argv = sys.argv[1:] if argv is None else argv
    asked = argv[0].replace("-", "") if argv else ""  # `clean-check` lives in cleancheck.py
    for name in [asked] if asked in COMMANDS else COMMANDS:
        importlib.import_module(f"course.{name}").register(subparsers)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
