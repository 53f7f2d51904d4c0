"""Command line for the geography layer.

    python -m geo build-index        build the postcode index into the user cache (~15 s, once)
    python -m geo build-boundaries   derive authority polygons + adjacency into geo/reference/
    python -m geo check-boundaries   measure the boundaries in use against the postcode directory
    python -m geo clear-cache        delete the built postcode index (rebuilt on next use)

Exits 0 on success, 2 with one line on stderr when something goes wrong.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

# Each command imports the modules it needs when it runs: the boundary build brings in geopandas and scipy,
# the postcode index pyarrow, and clear-cache or --help needs none of them.


def _build_index(args) -> str:
    from geo.postcodes import build_index

    return f"postcode index built in {build_index()}"


def _build_boundaries(args) -> str:
    from geo.boundary_build import build_boundaries

    out = build_boundaries(Path(args.out) if args.out else None)
    return (
        f"{out['authorities']} authorities, {out['pairs']} neighbour pairs, "
        f"{out['bytes'] / 1e6:.1f} MB, {out['seconds']} s -> {out['path']}"
    )


def _check_boundaries(args) -> str:
    from geo.boundaries import boundaries_problem, boundaries_source
    from geo.boundary_build import measure_accuracy

    started = time.perf_counter()
    summary, per = measure_accuracy()
    lines = [
        f"boundaries: {boundaries_source()}",
        f"{summary['postcodes']:,} English unit postcodes; {summary['share_in_own']:.2%} inside their own "
        f"authority's polygon; {summary['share_outside_all']:.4%} outside every polygon",
        "worst 10:",
    ]
    for row in per.head(10).itertuples():
        lines.append(f"  {row.code} {row.name}: {row.share_in_own:.2%} of {row.postcodes:,}")
    problem = boundaries_problem()
    if problem:
        lines.append(problem)
    lines.append(f"({time.perf_counter() - started:.0f} s)")
    return "\n".join(lines)


def _clear_cache(args) -> str:
    from geo.postcodes import cache_dir

    folder = cache_dir()
    removed = [p for p in folder.glob("postcode-index-*") if p.is_dir()] if folder.is_dir() else []
    for path in removed:
        shutil.rmtree(path)
    return f"removed {len(removed)} postcode index folder(s) from {folder}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Geography data for the care map.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build-index", help="build the ONS postcode index into the user cache").set_defaults(
        run=_build_index
    )
    boundaries = sub.add_parser("build-boundaries", help="derive authority polygons and adjacency from postcodes")
    boundaries.add_argument("--out", help="folder to write to (default geo/reference)")
    boundaries.set_defaults(run=_build_boundaries)
    sub.add_parser("check-boundaries", help="measure the boundaries in use").set_defaults(run=_check_boundaries)
    sub.add_parser("clear-cache", help="delete the built postcode index").set_defaults(run=_clear_cache)
    args = parser.parse_args(argv)
    try:
        print(args.run(args))
    except Exception as exc:  # a CLI prints one line, never a traceback
        print(f"error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
