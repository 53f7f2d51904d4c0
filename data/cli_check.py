"""``python -m data check FILE... [--la LA] [--report REPORT.csv]``: check files before loading them.

Reads the files exactly as the app does (``data.readers.read_inputs``, several years together,
then the validator-style checks of ``data.validation.check_dataset``) and prints one line per table found in each file::

    episodes.csv: 903 Episodes: 1,204 read, 1,198 used, 6 set aside

``--report`` writes the full data-quality report (file, table, row, column, value, reason,
severity, rule), formula-safe. Exit status 0 when every file was read; 2 with one line on stderr
naming the first file that could not be read (the lines for the others are printed first, and
the report is still written). Nothing is changed and nothing leaves the machine.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli_errors import CommandError, authority_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="903 CSV / XLSX / XML, missing log, homes register, costs"
    )
    parser.add_argument("--la", default=None, help="responsible children's services authority (name, GSS or DfE code)")
    parser.add_argument("--report", type=Path, default=None, help="write the full data-quality report to this CSV")


def _table_name(label: str, file_name: str, kind: str) -> str:
    from data.read_tables import TABLE_NAMES

    name = TABLE_NAMES.get(kind, kind)
    part = label[len(file_name) :].strip() if label.startswith(file_name) else ""
    part = part[1:-1] if part.startswith("[") and part.endswith("]") else part
    if part and part.lower() != kind.replace("_", " "):
        name += f" (sheet {part})"  # a workbook's sheet; XML tables are named by the table itself
    return name


def check_lines(files, *, la=None):
    """``(lines, unreadable, dataset)``: one text line per table per file, and (file, reason) for each file not read."""
    from data.quality import FILE_ERROR
    from data.readers import read_inputs
    from data.validation import check_dataset

    paths = [Path(f) for f in files]
    dataset = read_inputs(paths, la=la)
    check_dataset(dataset)  # the validator-style warnings the app adds too
    summary = dataset.quality.summary()
    errors = {i.file: i for i in dataset.quality.issues if i.severity == FILE_ERROR}
    lines, unreadable = [], []
    for path in paths:
        name = path.name
        files = summary["file"].astype(str)
        mine = summary[(files == name) | files.str.startswith(name + " [")]
        for rec in mine.itertuples(index=False):
            error = errors.get(rec.file)
            if error is not None:  # this table (file or sheet) was not read at all
                if error.table not in ("unknown", None):  # a 903 table this app does not use: not a failure
                    lines.append(f"{path}: 903 {error.table}: not used by this app")
                else:
                    unreadable.append((path, error.reason))
                continue
            lines.append(
                f"{path}: {_table_name(rec.file, name, rec.table)}: {rec.rows_read:,} read, "
                f"{rec.rows_used:,} used, {rec.rows_set_aside:,} set aside"
            )
        if mine.empty:
            unreadable.append((path, "nothing could be read from it"))
    return lines, unreadable, dataset


def run(args: argparse.Namespace) -> int:
    from reports.export import to_safe_csv

    la = authority_argument(args.la).code if args.la is not None else None
    lines, unreadable, dataset = check_lines(args.files, la=la)
    for line in lines:
        print(line)
    if args.report is not None:
        try:
            args.report.write_bytes(to_safe_csv(dataset.quality.to_frame()))
        except OSError as exc:
            raise CommandError(f"cannot write {args.report}: {exc.strerror or exc}") from None
    if unreadable:
        path, reason = unreadable[0]
        more = f" (and {len(unreadable) - 1} other file(s))" if len(unreadable) > 1 else ""
        raise CommandError(f"cannot read {path}: {reason}{more}")
    return 0
