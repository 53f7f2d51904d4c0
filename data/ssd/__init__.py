"""Read a council's Standard Safeguarding Dataset (SSD) database and write the 903 tables from it.

``read_ssd(url, la=...)`` gives a :class:`data.dataset.Dataset` exactly as if the 903 export had been
uploaded; ``extract_tables(url)`` gives the mapped tables themselves (``python -m data extract`` writes them
as CSV with ``quality_report.csv`` beside them).
The connection only reads (docs/ssd.md). Connection strings come from the command line, the environment
or secrets.toml, never from a page, and never appear in a message.
"""

from __future__ import annotations

import pandas as pd

from data.dataset import Dataset
from data.quality import SET_ASIDE, QualityReport
from data.readers import InputFile, read_inputs
from data.ssd.connection import (
    DEFAULT_TIMEOUT_SECONDS,
    SSDError,
    read_only_connection,
    resolve_url,
    safe_url,
)
from data.ssd.mapping import ISSUE_COLUMNS, map_tables
from data.ssd.read import read_tables
from data.ssd.tables import DEFAULT_HOME_ADDRESS_TYPES, SSD_TABLES

__all__ = [
    "DEFAULT_HOME_ADDRESS_TYPES",
    "OUTPUT_FILES",
    "table_files",
    "QUALITY_FILE",
    "SSDError",
    "dataset_from_tables",
    "extract_tables",
    "read_ssd",
    "resolve_url",
    "safe_url",
]

OUTPUT_FILES = {
    "header": "ssd_903_header.csv",
    "episodes": "ssd_903_episodes.csv",
    "missing": "ssd_903_missing.csv",
    "missing_log": "ssd_missing_log.csv",
}
QUALITY_FILE = "quality_report.csv"


def extract_tables(
    url: str,
    *,
    child_id: str = "pers_person_id",
    home_address_types=DEFAULT_HOME_ADDRESS_TYPES,
    schema: str | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, int]]:
    """Read the SSD and map it: ``(tables, issues, rows_read)``.

    Parameters
    ----------
    url : SQLAlchemy database URL (``postgresql+psycopg://``, ``sqlite:///``, ``mssql+pyodbc://``).
    child_id : ``"pers_person_id"`` or ``"pers_legacy_id"``: which SSD id becomes the 903 CHILD.
    home_address_types : ``addr_address_type`` values that are the child's home (any case).
    schema : the SSD's schema (e.g. ``ssd_development``); None for the connection's default.
    timeout_seconds : the longest any one SELECT may run.

    Returns
    -------
    ``tables``: text DataFrames keyed ``header``, ``episodes``, ``missing``, ``missing_log`` with the 903
    columns; ``issues``: one row per SSD row not used or doubtful (:data:`data.ssd.mapping.ISSUE_COLUMNS`);
    ``rows_read``: rows read per SSD table name.
    """
    with read_only_connection(url, timeout_seconds=timeout_seconds) as conn:
        raw, notes = read_tables(conn, schema=schema, need=(child_id,))
    tables, issues = map_tables(raw, child_id=child_id, home_address_types=home_address_types)
    if notes:
        extra = pd.DataFrame(notes).assign(row=None, key=None, value=None, severity="warning")[ISSUE_COLUMNS]
        issues = pd.concat([extra, issues], ignore_index=True)
    rows_read = {SSD_TABLES[kind].name: len(frame) for kind, frame in raw.items()}
    return tables, issues, rows_read


def table_files(tables: dict[str, pd.DataFrame]) -> list[InputFile]:
    """The mapped tables as the CSV files an extract writes (:data:`OUTPUT_FILES`): what the readers read,
    and what a published snapshot records (name and SHA-256) as its inputs."""
    return [InputFile(OUTPUT_FILES[kind], frame.to_csv(index=False).encode("utf-8")) for kind, frame in tables.items()]


def dataset_from_tables(tables, issues, rows_read, *, la=None) -> Dataset:
    """The mapped tables read through the 903 readers, with the SSD's issues first in the quality report."""
    dataset = read_inputs(table_files(tables), la=la)
    ssd_quality = QualityReport()
    for name, count in rows_read.items():
        ssd_quality.add_file(name, "SSD", count)
    for rec in issues.itertuples(index=False):
        # The row's SSD key goes with the value, so that one reason reads the same for every row (and groups).
        value = None if rec.value is None or pd.isna(rec.value) else str(rec.value)
        if rec.key is not None and not pd.isna(rec.key):
            value = f"{_key_name(rec.table)}={rec.key}" + ("" if value is None else f": {value}")
        row = None if pd.isna(rec.row) else int(rec.row)
        add = ssd_quality.set_aside if rec.severity == SET_ASIDE else ssd_quality.warn
        add(rec.table, "SSD", row, rec.column, value, rec.reason)
    ssd_quality.extend(dataset.quality)
    dataset.quality = ssd_quality
    return dataset


def _key_name(table: str) -> str:
    return next((spec.key for spec in SSD_TABLES.values() if spec.name == table), "row")


def read_ssd(url: str, *, la=None, label: str = "", **settings) -> Dataset:
    """The SSD as a :class:`Dataset`, read through the same readers as the 903 files.

    ``la`` is the responsible authority (name, DfE or GSS code); ``settings`` are those of
    :func:`extract_tables`. The quality report lists each SSD table's rows (file = SSD table name) and
    then the readers' own checks of the mapped tables.
    """
    tables, issues, rows_read = extract_tables(url, **settings)
    dataset = dataset_from_tables(tables, issues, rows_read, la=la)
    dataset.label = label or f"SSD at {safe_url(url)}"
    return dataset
