"""``python -m data purge --before YYYY-MM-DD | --snapshot ID``: delete snapshots for good (retention).

Asks for confirmation unless ``--yes``. The space is reclaimed (SQLite VACUUM, PostgreSQL VACUUM FULL),
so a purged child's records are no longer anywhere in the database file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from analysis.cli_errors import CommandError
from store.cli_common import audit, store_engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--before", type=date.fromisoformat, help="purge snapshots dated before YYYY-MM-DD")
    which.add_argument("--snapshot", type=int, action="append", help="purge this snapshot (repeatable)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--database-url", default=None, help="the store (default as for publish)")


def run(args: argparse.Namespace) -> int:
    from store.snapshots import list_snapshots, purge_snapshots

    engine = store_engine(args.database_url)
    chosen = [
        s
        for s in list_snapshots(engine=engine)
        if (args.before and s.snapshot_date < args.before) or (args.snapshot and s.id in args.snapshot)
    ]
    unknown = sorted(set(args.snapshot or ()) - {s.id for s in chosen})
    if unknown:
        raise CommandError(f"no snapshot {', '.join(map(str, unknown))} in the store")
    if not chosen:
        print("no snapshots to purge")
        return 0
    ids = [s.id for s in chosen]
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(f"purge would delete snapshot(s) {', '.join(map(str, ids))}: add --yes to confirm")
        answer = input(f"Delete snapshot(s) {', '.join(map(str, ids))} for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing purged")
            return 1
    deleted = purge_snapshots(snapshot_ids=ids, engine=engine)
    audit("purge", {"snapshots": deleted, "before": args.before})
    print(f"purged snapshot(s) {', '.join(map(str, deleted))}")
    return 0
