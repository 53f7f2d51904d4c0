"""``python -m data extract --ssd URL --la LA --out DIR``: the 903 tables from the council's SSD database, as CSV.

Writes the 903 Header, Episodes and Missing tables and the missing team's log with exactly the columns the
readers take (the folder loads like an export), and ``quality_report.csv`` beside them. The URL may leave
out the password (then ``CARE_MAP_SSD_PASSWORD`` or ``[ssd] password`` in secrets.toml gives it); without
``--ssd`` the URL comes from ``CARE_MAP_SSD_URL`` or ``[ssd] url``. Nothing is ever written to the database.
"""

from __future__ import annotations

from pathlib import Path

from analysis.cli_errors import CommandError, authority_argument
from data.ssd import (
    OUTPUT_FILES,
    QUALITY_FILE,
    SSDError,
    dataset_from_tables,
    extract_tables,
    resolve_url,
)
from data.ssd.settings import add_setting_arguments, settings_from

__all__ = ["add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--ssd",
        metavar="URL",
        default=None,
        help="SQLAlchemy URL of the SSD database, e.g. postgresql+psycopg://reader@host/ssd "
        "(default: env CARE_MAP_SSD_URL or [ssd] url in secrets.toml)",
    )
    parser.add_argument(
        "--la", required=True, help="the responsible children's services authority (name, DfE or GSS code)"
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write the CSV files into")
    add_setting_arguments(parser)


def run(args) -> int:
    from access.roles import read_secrets
    from reports.export import to_safe_csv

    authority = authority_argument(args.la)
    secrets = read_secrets()
    try:
        url = resolve_url(args.ssd, secrets=secrets)
        settings = settings_from(args, secrets=secrets)
        tables, issues, rows_read = extract_tables(url, **settings)
    except SSDError as exc:
        raise CommandError(str(exc)) from None
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for kind, frame in tables.items():
            (args.out / OUTPUT_FILES[kind]).write_bytes(to_safe_csv(frame))
        dataset = dataset_from_tables(tables, issues, rows_read, la=authority.code)
        (args.out / QUALITY_FILE).write_bytes(to_safe_csv(dataset.quality.to_frame()))
    except OSError as exc:
        raise CommandError(f"could not write to {args.out}: {exc.strerror or type(exc).__name__}") from None
    summary = dataset.quality.summary()
    aside = int(summary["rows_set_aside"].sum())
    counts = ", ".join(f"{len(frame):,} {kind.replace('_', ' ')} rows" for kind, frame in tables.items())
    print(
        f"wrote {counts} to {args.out}; {aside:,} rows not used and {int(summary['warnings'].sum()):,} warnings "
        f"are in {QUALITY_FILE}"
    )
    return 0
