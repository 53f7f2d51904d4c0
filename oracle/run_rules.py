"""Run the DfE 903 validator (``csc-validator-be-903``) on one return, each rule on its own copy.

This script runs with the validator's own virtualenv (``.venv-validator``, pandas < 2; ``make
validator``), never with the app's: ``.venv-validator/bin/python oracle/run_rules.py ...``. It
prints one JSON object on stdout::

    {"ruleset": "lac2025_26", "rules": [...every rule run...],
     "errors": {"146": {"Episodes": [2, 17]}, ...},   # row indexes (0 = the first data row)
     "skipped": [...rules that lack a table...], "crashed": {"231": "KeyError: 'UASC_STATUS'"}}

Each rule gets a deep copy of the tables: the validator's own loop hands rules a shallow copy, so
a rule that changes a table in place (575, 577) changes what later rules see.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import logging
import sys
from pathlib import Path

TABLES = ("header", "episodes", "missing", "uasc")


def _files(folder: Path, year: int, description: str) -> list[dict]:
    out = []
    for table in TABLES:
        path = folder / f"{year}_{table}.csv"
        if path.is_file():
            out.append({"name": path.name, "description": description, "file_content": path.read_bytes()})
    return out


def run(folder: Path, year: int, la: str, *, previous: bool = True, rules: list[str] | None = None) -> dict:
    """Run every rule of the ``year`` ruleset (``year`` = the return's year, e.g. 2026 for 2025/26)."""
    import pandas as pd
    from lac_validator.datastore import create_datastore
    from lac_validator.ingress import read_from_text
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    files = _files(folder, year, "This year")
    if previous:
        files += _files(folder, year - 1, "Prev year")
    dfs, extras = read_from_text(raw_files=files)
    metadata = {"collectionYear": str(year), "localAuthority": la, **extras}
    store = create_datastore(dfs, metadata)
    registry = get_year_ruleset(str(year))
    result = {"ruleset": f"lac{year - 1}_{str(year)[2:]}", "rules": [], "errors": {}, "skipped": [], "crashed": {}}
    for code, rule in registry.items():
        if rules and str(code) not in rules:
            continue
        result["rules"].append(str(code))
        data = {k: (v.copy(deep=True) if isinstance(v, pd.DataFrame) else copy.deepcopy(v)) for k, v in store.items()}
        try:
            found = rule.func(data)
        except Exception as exc:  # a rule that cannot run on the data is reported, not fatal
            result["crashed"][str(code)] = f"{type(exc).__name__}: {exc}"
            continue
        if found == {}:
            result["skipped"].append(str(code))
            continue
        hits = {}
        for table, rows in found.items():
            rows = [int(r) for r in pd.Series(list(rows), dtype=object).dropna()]
            if rows:
                hits[table] = sorted(set(rows))
        if hits:
            result["errors"][str(code)] = hits
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder with {year}_header/episodes/missing/uasc.csv")
    parser.add_argument("--year", type=int, required=True, help="the return's year (2026 = 2025/26)")
    parser.add_argument("--la", required=True, help="GSS code of the responsible authority, e.g. E10000016")
    parser.add_argument("--no-previous", action="store_true", help="do not load last year's files as *_last")
    parser.add_argument("--rule", action="append", help="run only these rules (repeatable)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    # The validator prints progress; stdout is kept for the JSON answer.
    with contextlib.redirect_stdout(io.StringIO()):
        result = run(args.folder, args.year, args.la, previous=not args.no_previous, rules=args.rule)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
