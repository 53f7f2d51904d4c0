"""``python -m analysis briefing``: build a MASE or panel briefing pack from a folder of input files.

    python -m analysis briefing --data DIR --la Kent --period 2025-04-01:2026-03-31 \\
        --audience mase --out pack.pdf

The output type follows the file name (.html or .pdf). Problems the user must fix (no such folder,
unknown authority, bad period, unwritable output) exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path

from data.cli_errors import CommandError, authority_argument

__all__ = ["add_arguments", "run", "parse_period"]


def parse_period(text: str) -> tuple[date, date]:
    """``"2025-04-01:2026-03-31"`` -> (date(2025, 4, 1), date(2026, 3, 31)); CommandError if malformed."""
    first, sep, last = str(text).partition(":")
    try:
        if not sep:
            raise ValueError
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise CommandError(
            f"--period must be FIRST:LAST as ISO dates, e.g. 2025-04-01:2026-03-31, not {text!r}"
        ) from None
    if end < start:
        raise CommandError(f"--period ends ({end}) before it starts ({start})")
    return start, end


_RETURN_TABLES = ("header", "episodes", "missing", "uasc")  # the 903 return's own tables


def _refuse_two_exports(dataset, folder: Path) -> None:
    """Stop when the folder holds the 903 both as XML and as CSV or spreadsheet files: councils export the
    same return both ways, and reading both would count every child twice (or silently keep one copy)."""
    sources = set()
    for name in _RETURN_TABLES:
        table = getattr(dataset, name)
        if len(table) and "SOURCE_FILE" in table:
            # "fake_903.xml [Episodes]": the file, then the table read from it
            sources |= set(table["SOURCE_FILE"].dropna().astype(str).str.replace(r" \[[^\]]*\]$", "", regex=True))
    xml = sorted(s for s in sources if s.lower().endswith(".xml"))
    other = sorted(s for s in sources if not s.lower().endswith(".xml"))
    if xml and other:
        raise CommandError(
            f"{folder} holds the 903 return both as XML ({', '.join(xml)}) and as other files "
            f"({', '.join(other)}): keep one of the two exports in the folder"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="folder of input files (903 tables, missing log, homes, costs)")
    parser.add_argument("--la", required=True, help="responsible authority: name, DfE code or GSS code")
    parser.add_argument("--period", required=True, help="FIRST:LAST, ISO dates, inclusive")
    parser.add_argument("--audience", choices=["mase", "panel"], default="mase")
    parser.add_argument("--out", required=True, help="output file, .html or .pdf")
    parser.add_argument("--synthetic", action="store_true", help="mark the pack SYNTHETIC DATA (demo data)")


def run(args: argparse.Namespace) -> int:
    period = parse_period(args.period)
    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".pdf"):
        raise CommandError(f"--out must end in .html or .pdf, not {out.name!r}")
    if not out.parent.exists():
        raise CommandError(f"output folder does not exist: {out.parent}")
    folder = Path(args.data)
    if not folder.is_dir():
        raise CommandError(f"--data is not a folder: {folder}")
    authority = authority_argument(args.la)

    from data.readers import read_folder

    dataset = read_folder(folder, la=authority.code)
    _refuse_two_exports(dataset, folder)
    if args.synthetic:
        dataset.synthetic = True
    if dataset.episodes.empty and dataset.missing.empty and dataset.missing_log.empty:
        raise CommandError(f"no 903 episodes, missing table or missing-team log found in {folder}")

    from sqlalchemy.exc import SQLAlchemyError

    from analysis.places_of_concern import saved_places
    from reports.briefing import build_briefing
    from store.schema import StoreVersionError

    try:
        places = saved_places()
    except (SQLAlchemyError, StoreVersionError, OSError) as exc:
        raise CommandError(
            f"cannot read the places of concern from the store: {str(exc).splitlines()[0][:200]}"
        ) from None
    try:
        pack = build_briefing(dataset, la=authority.code, period=period, audience=args.audience, places=places)
    except ValueError as exc:
        raise CommandError(str(exc).splitlines()[0]) from None
    try:
        if kind == ".pdf":
            out.write_bytes(pack.to_pdf())
        else:
            out.write_text(pack.html, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {out}: {exc.strerror or exc}") from None
    unavailable = [s.title for s in pack.sections if not s.available]
    print(f"{args.audience} briefing for {authority.name}, {period[0]} to {period[1]}: {out}")
    if unavailable:
        print("not available: " + "; ".join(unavailable))
    try:
        from access.audit import write_audit

        write_audit(
            "briefing",
            user=getpass.getuser(),
            role=None,
            details={
                "via": "command line",
                "la": authority.code,
                "audience": args.audience,
                "period": [str(period[0]), str(period[1])],
                "format": kind.lstrip("."),
            },
        )
    except (OSError, ValueError, KeyError):
        pass  # the audit log is best effort from the command line; the pack itself is written
    return 0
