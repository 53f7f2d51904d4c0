"""Command line for scheduled jobs: ``python -m analysis placements|hotspots|missing|briefing ...``.

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``.
A :class:`CommandError` becomes exit status 2 and one line on stderr.
"""

from __future__ import annotations

import sys

from data.cli_errors import run_command_table

COMMANDS = {
    "placements": ("analysis.cli_placements", "add placement distance and location columns to 903 episodes"),
    "hotspots": ("analysis.cli_hotspots", "find missing-episode hotspots in a missing-team log"),
    "missing": ("analysis.cli_missing", "add where-found distance, authority and location columns to a missing log"),
    "briefing": ("reports.cli_briefing", "build a MASE or panel briefing pack (HTML or PDF)"),
}


def main(argv: list[str] | None = None) -> int:
    return run_command_table("python -m analysis", __doc__.splitlines()[0], COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main())
