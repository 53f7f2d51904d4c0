"""Command line for scheduled jobs: ``python -m analysis placements|hotspots|missing|briefing ...``.

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``.
A :class:`CommandError` becomes exit status 2 and one line on stderr.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from data.cli_errors import CommandError

COMMANDS = {
    "placements": ("analysis.cli_placements", "add placement distance and location columns to 903 episodes"),
    "hotspots": ("analysis.cli_hotspots", "find missing-episode hotspots in a missing-team log"),
    "missing": ("analysis.cli_missing", "add where-found distance, authority and location columns to a missing log"),
    "briefing": ("reports.cli_briefing", "build a MASE or panel briefing pack (HTML or PDF)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # command not built in this version
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
