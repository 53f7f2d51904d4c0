"""``python -m data.demo --la LA --seed N --out DIR [--years 3] [--end 2026-03-31]``.

Exit 0 on success; exit 2 with one line on stderr for an unknown authority or bad arguments.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data.demo", description="Write synthetic demo data (real postcodes, invented children)."
    )
    parser.add_argument(
        "--la", required=True, help="children's services authority: name, GSS code (E10000016) or DfE code (886)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="folder to write to")
    parser.add_argument("--years", type=int, default=3, help="collection years (April-March)")
    parser.add_argument("--end", default="2026-03-31", help="last day of the last collection year (a 31 March)")
    args = parser.parse_args(argv)

    from geo.authorities import UnknownAuthorityError, resolve_authority

    try:
        authority = resolve_authority(args.la)
    except UnknownAuthorityError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        end = pd.Timestamp(args.end)
    except (ValueError, TypeError):
        print(f"error: --end {args.end!r} is not a date (use YYYY-MM-DD)", file=sys.stderr)
        return 2
    if (end.month, end.day) != (3, 31) or not 1 <= args.years <= 10:
        print("error: --end must be a 31 March and --years between 1 and 10", file=sys.stderr)
        return 2

    from data.demo import write_demo

    try:
        files = write_demo(authority, args.out, seed=args.seed, years=args.years, end=str(end.date()))
    except OSError as exc:
        print(f"error: cannot write to {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {len(files)} synthetic files for {authority.name} ({authority.code}) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
