"""Command line for the data layer: ``python -m data check|publish|snapshots|purge|extract ...``.

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``; adding a
command is one line in ``COMMANDS``. A :class:`CommandError` becomes exit status 2 and one line on stderr.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from analysis.cli_errors import CommandError

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module with add_arguments and run, one-line help)
    "publish": ("store.cli_publish", "read a council's files and publish them as a new snapshot"),
    "snapshots": ("store.cli_snapshots", "list the published snapshots, newest first"),
    "purge": ("store.cli_purge", "delete snapshots for good (retention)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
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
