"""``python -m data snapshots``: the published snapshots, newest first, one line each starting with its id."""

from __future__ import annotations

import argparse

from store.cli_common import store_engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None, help="the store (default as for publish)")


def describe(info) -> str:
    """One line for a snapshot: id, snapshot date, authority, who and when, how many input files."""
    flags = " synthetic" if info.synthetic else ""
    return (
        f"{info.id}\t{info.snapshot_date:%Y-%m-%d}\t{info.la_code or 'several authorities'}\t"
        f"published {info.published_at:%Y-%m-%d %H:%M} UTC by {info.published_by}\t"
        f"{len(info.inputs)} files ({info.source}){flags}"
    )


def run(args: argparse.Namespace) -> int:
    from store.snapshots import list_snapshots

    found = list_snapshots(engine=store_engine(args.database_url))
    for info in found:
        print(describe(info))
    if not found:
        print("nothing published yet")
    return 0
