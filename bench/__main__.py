"""``python -m bench [--quick] [--only NAME]``: run every ``bench/bench_*.py`` and write bench/results/latest.*."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import traceback
from pathlib import Path

from bench.common import QUICK_ENV

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _modules() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def _machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")).split()[1]
        )
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
    }


def _markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"- date: {report['date']}" + (" (quick run: small sizes)" if report["quick"] else ""),
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['platform']}",
        "",
        "| module | measure | value | baseline | baseline value | ratio | target | met | note | run |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:

        def cell(v):
            return "" if v is None else str(v).replace("|", "/")

        met = {True: "yes", False: "**no**", None: ""}[r.get("met")]
        lines.append(
            f"| {cell(r.get('module'))} | {cell(r['name'])} | {cell(r['value'])} {cell(r['unit'])} | "
            f"{cell(r['baseline'])} | {cell(r['baseline_value'])} | {cell(r['ratio'])} | {cell(r['target'])} | "
            f"{met} | {cell(r['note'])} | {cell(r.get('date'))} |"
        )
    for e in report["errors"]:
        lines.append(f"\n**{e['module']} failed:** {e['error']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not numbers to quote")
    parser.add_argument("--only", action="append", default=[], help="run only this module (e.g. bench_postcodes)")
    args = parser.parse_args(argv)
    if args.quick:
        os.environ[QUICK_ENV] = "1"
    report = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": _machine(),
        "results": [],
        "errors": [],
    }
    for name in _modules():
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            rows = importlib.import_module(f"bench.{name}").run()
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            report["errors"].append({"module": name, "error": f"{type(exc).__name__}: {exc}"})
            continue
        for row in rows:
            report["results"].append({"module": name, "date": report["date"][:10], **row})
            print(
                f"  {row['name']}: {row['value']} {row['unit']} (ratio {row['ratio']}, target {row['target']})",
                file=sys.stderr,
                flush=True,
            )
    if args.only:
        # Keep the other modules' rows from the last full run, so one module can be re-run alone.
        try:
            previous = json.loads((RESULTS / "latest.json").read_text())
        except (OSError, ValueError):
            previous = {}
        kept = [r for r in previous.get("results", []) if r.get("module") not in args.only]
        report["results"] = kept + report["results"]
        report["errors"] = [e for e in previous.get("errors", []) if e.get("module") not in args.only] + report[
            "errors"
        ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(_markdown(report))
    print(f"wrote {RESULTS / 'latest.md'} and latest.json", file=sys.stderr)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
