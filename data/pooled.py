"""One authority's part of pooled files (several councils' 903 returns with an LA column).

The readers resolve a pooled file's ``LA`` to a GSS code in ``LA_CODE`` (data/readers.py); a briefing pack
is about one authority, so it is built from :func:`one_authority` of the pooled data.
"""

from __future__ import annotations

import dataclasses

from data.dataset import Dataset

__all__ = ["one_authority", "pooled_authorities"]

# The tables that belong to a responsible authority; the homes register and costs are the council's own.
_BY_AUTHORITY = ("header", "episodes", "missing", "uasc", "missing_log")


def pooled_authorities(dataset: Dataset) -> list[str]:
    """GSS codes of the responsible authorities in the dataset's pooled tables (``LA_CODE``), sorted."""
    codes: set[str] = set()
    for name in _BY_AUTHORITY:
        table = getattr(dataset, name)
        if len(table) and "LA_CODE" in table:
            codes |= {str(c) for c in table["LA_CODE"].dropna().unique() if str(c).strip()}
    return sorted(codes)


def one_authority(dataset: Dataset, la_code: str) -> Dataset:
    """A copy of ``dataset`` with each pooled table cut to the rows of responsible authority ``la_code`` (GSS)
    and ``la_code`` as its authority. Tables without ``LA_CODE`` are kept whole; the data-quality report is
    the whole load's (it is about the files, not the authority)."""
    tables = {}
    for name in _BY_AUTHORITY:
        table = getattr(dataset, name)
        if len(table) and "LA_CODE" in table:
            table = table[table["LA_CODE"].astype(object).eq(la_code).to_numpy()].reset_index(drop=True)
        tables[name] = table
    return dataclasses.replace(dataset, la_code=la_code, **tables)
