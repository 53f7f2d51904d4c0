"""Command line for the data layer: ``python -m data check|publish|snapshots|purge|extract ...``.

Each command lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``; adding a
command is one line in ``COMMANDS``. A :class:`CommandError` becomes exit status 2 and one line on stderr.
"""

from __future__ import annotations

import sys

from data.cli_errors import run_command_table

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module with add_arguments and run, one-line help)
    "check": ("data.cli_check", "check files before loading them: rows read, used and set aside per table"),
    "publish": ("store.cli_publish", "read a council's files and publish them as a new snapshot"),
    "snapshots": ("store.cli_snapshots", "list the published snapshots, newest first"),
    "purge": ("store.cli_purge", "delete snapshots for good (retention)"),
    "ssd-demo": (
        "data.ssd.cli_demo",
        "create a demo SSD database filled from the synthetic demo, to try the SSD reader",
    ),
    "extract": (
        "data.cli_extract",
        "write the 903 tables and the missing-team log from the council's SSD database as CSV",
    ),
}


def main(argv: list[str] | None = None) -> int:
    return run_command_table("python -m data", __doc__.splitlines()[0], COMMANDS, argv)


if __name__ == "__main__":
    sys.exit(main())
