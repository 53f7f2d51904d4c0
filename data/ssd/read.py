"""SELECT the SSD tables this app needs, only the columns that exist, as text and dates."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data.ssd.connection import SSDError
from data.ssd.tables import SSD_TABLES

__all__ = ["read_tables"]


def read_tables(
    conn, *, schema: str | None = None, need: tuple[str, ...] = ()
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Each table of :data:`SSD_TABLES` as a DataFrame of its columns (absent optional ones blank).

    Returns ``(tables, notes)``: ``notes`` are data-quality records (``table``, ``column``, ``reason``) for
    absent optional tables and columns. An absent needed table or required column is an :class:`SSDError`
    naming it. ``need`` adds columns that a setting requires (e.g. ``pers_legacy_id``).
    """
    inspector = sa.inspect(conn)
    notes: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    where = f" in schema {schema}" if schema else ""
    for kind, spec in SSD_TABLES.items():
        if not inspector.has_table(spec.name, schema=schema):
            if spec.needed:
                raise SSDError(f"the SSD has no table {spec.name}{where}: is this the SSD database (and schema)?")
            notes.append(
                {
                    "table": spec.name,
                    "column": None,
                    "reason": f"table {spec.name} not found{where}: its figures are blank",
                }
            )
            tables[kind] = pd.DataFrame(columns=list(spec.columns), dtype=object)
            continue
        present = {c["name"].lower(): c["name"] for c in inspector.get_columns(spec.name, schema=schema)}
        lacking = [c for c in (*spec.required, *(n for n in need if n in spec.optional)) if c not in present]
        if lacking:
            if spec.needed:
                raise SSDError(f"the SSD table {spec.name} has no column {', '.join(lacking)}: this app needs it")
            notes.append(
                {
                    "table": spec.name,
                    "column": ", ".join(lacking),
                    "reason": f"column {', '.join(lacking)} not found: table {spec.name} not used",
                }
            )
            tables[kind] = pd.DataFrame(columns=list(spec.columns), dtype=object)
            continue
        wanted = [c for c in spec.columns if c in present]
        for col in spec.optional:
            if col not in present:
                notes.append(
                    {
                        "table": spec.name,
                        "column": col,
                        "reason": f"column {col} not in this SSD version: read as blank",
                    }
                )
        source = sa.table(spec.name, *(sa.column(present[c]) for c in wanted), schema=schema)
        query = sa.select(*(source.c[present[c]].label(c) for c in wanted))
        if spec.key in wanted:  # a stable order, so that a row number in the report means the same row next time
            query = query.order_by(source.c[present[spec.key]])
        result = conn.execute(query)
        # Plain tuples: pandas probes each Row for attributes, which costs SQLAlchemy an exception per row.
        frame = pd.DataFrame([tuple(row) for row in result], columns=wanted, dtype=object)
        for col in spec.columns:
            if col not in frame:
                frame[col] = None
        tables[kind] = frame[list(spec.columns)]
    return tables, notes
