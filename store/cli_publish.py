"""``python -m data publish --files DIR --la LA`` (or ``--ssd [URL]``): read a council's files, or its Standard
Safeguarding Dataset, and publish them as a new snapshot.

The data-quality summary is printed first; a dataset with no usable 903 episodes, or of another authority
(than ``--la``, than the store's, or than most of its children's home postcodes), is refused (exit 2, one line) and the previous snapshot stays current.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from analysis.cli_errors import CommandError, authority_argument
from data.ssd.settings import add_setting_arguments
from store.cli_common import audit, command_user, store_engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--files", type=Path, help="folder of 903 files (CSV, XLSX, XML) and the team's own files")
    source.add_argument(
        "--ssd",
        metavar="URL",
        nargs="?",
        const="",
        help="the council's SSD database, read-only (SQLAlchemy URL; without one: env "
        "CARE_MAP_SSD_URL or [ssd] url in secrets.toml); see docs/ssd.md",
    )
    parser.add_argument(
        "--la",
        default=None,
        help="responsible authority: GSS code, DfE code or name (omit for pooled files with an LA_CODE or LA column)",
    )
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="snapshot date YYYY-MM-DD (default: the latest date in the data)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="the store (default: CARE_MAP_DATABASE_URL, "
        "secrets.toml [store] database_url, else store.sqlite in the state folder)",
    )
    add_setting_arguments(parser)


def read_source(args: argparse.Namespace, la: str | None):
    """(dataset, inputs, source) from the chosen source: a folder of files, or the council's SSD database.

    For the SSD the inputs recorded are the 903 tables as read from it (their CSV text's SHA-256), so a
    snapshot says exactly what was published even though the SSD itself changes every day.
    """
    from data.readers import InputFile, folder_files, read_folder
    from store.snapshots import describe_inputs

    if args.ssd is not None:
        from config.secrets import read_secrets
        from data.ssd import SSDError, dataset_from_tables, extract_tables, resolve_url, table_files
        from data.ssd.connection import safe_url
        from data.ssd.settings import settings_from

        secrets = read_secrets()
        try:
            url = resolve_url(args.ssd or None, secrets=secrets)
            tables, issues, rows_read = extract_tables(url, **settings_from(args, secrets=secrets))
        except SSDError as exc:
            raise CommandError(str(exc)) from None
        dataset = dataset_from_tables(tables, issues, rows_read, la=la)
        dataset.label = f"SSD at {safe_url(url)}"
        return dataset, describe_inputs(table_files(tables)), "ssd"
    if not args.files.is_dir():
        raise CommandError(f"{args.files} is not a folder")
    paths = folder_files(args.files)
    if not paths:
        raise CommandError(f"{args.files} holds no data files (CSV, TSV, TXT, XLSX, XML)")
    inputs = describe_inputs([InputFile(p.name, p.read_bytes()) for p in paths])
    return read_folder(args.files, la=la), inputs, "files"


def run(args: argparse.Namespace) -> int:
    from analysis.authority_check import wrong_authority
    from analysis.history import headline_history
    from data.validation import check_dataset
    from store.snapshots import PublishError, publish_dataset, snapshot_date_of

    la = authority_argument(args.la).code if args.la else None
    dataset, inputs, source = read_source(args, la)
    check_dataset(dataset)
    summary = dataset.quality.summary()
    print(
        f"read {len(summary)} files: {int(summary['rows_used'].sum()):,} rows used, "
        f"{int(summary['rows_set_aside'].sum()):,} set aside, {int(summary['warnings'].sum()):,} warnings"
    )
    wrong = wrong_authority(dataset)
    if wrong:
        raise CommandError(f"not published: {wrong}")
    engine = store_engine(args.database_url)
    on = args.date or snapshot_date_of(dataset)
    try:
        figures = (
            headline_history(dataset, on=on) if dataset.episodes is not None and not dataset.episodes.empty else None
        )
        info = publish_dataset(
            dataset,
            published_by=command_user(),
            inputs=inputs,
            la=la,
            snapshot_date=on,
            figures=figures,
            source=source,
            engine=engine,
        )
    except PublishError as exc:
        raise CommandError(f"not published: {exc}") from None
    audit(
        "publish",
        {
            "snapshot": info.id,
            "authority": info.la_code or "several",
            "snapshot_date": info.snapshot_date,
            "files": len(inputs),
        },
    )
    print(
        f"published snapshot {info.id}: {info.la_code or 'several authorities'} at {info.snapshot_date:%Y-%m-%d}, "
        f"{len(dataset.episodes):,} episodes"
    )
    return 0
