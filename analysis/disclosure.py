"""Disclosure control for every aggregate view: small numbers, secondary suppression, pseudonyms.

The rule follows DfE practice for children's social care statistics: any count
from 1 to 5 inclusive is suppressed and shown as ``c``; a zero stays a zero
(it is a recorded nothing, not a small group). Where a published total would
let a reader work a suppressed cell back out (total minus the other cells), a
second cell in the same row or column is suppressed too, and again until every
row and column with a total holds either no suppressed cell or suppressed cells
that add up to 6 or more (so no subtraction reveals a group of 1-5 children):
:func:`hidden_mask`, for any set of additive lines. Figures linked to a
suppressed count (the episodes of those children, a percentage with a numerator
or denominator of 1-5, a rate, a median) are suppressed with it.

A figure seen in several views is suppressed once, over everything it adds up
to, and every view shows that text: :func:`suppress_parts` for parts of a whole
shown elsewhere (homes, map flows), :func:`suppress_crosstab` for a two-way
table (flows between authorities). Which protection applies where, and why the
panel role has no filters to subtract, is in ``docs/disclosure.md``; this module
is the only place that compares a number with :data:`SMALL_NUMBER_MAX`.

Maps for panels carry aggregated areas only (authority polygons, grid cells,
hotspot outlines), never points, child ids, postcodes finer than a sector or
free-text notes: :func:`safe_map_layer` refuses them.

Pseudonymous ids (:func:`pseudonymise`) are keyed hashes. The ICO is clear that
pseudonymised data remains personal data for whoever holds the key, so the key
(:func:`installation_key`) stays on the council's machine, in ``local/``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from config import state_dir

__all__ = [
    "SUPPRESSED",
    "NOT_AVAILABLE",
    "SMALL_NUMBER_MAX",
    "CHILD_DATA_COLUMNS",
    "is_small",
    "suppress_counts",
    "suppress_table",
    "suppress_parts",
    "suppress_crosstab",
    "CrosstabText",
    "hidden_mask",
    "is_safe",
    "child_data_columns",
    "check_no_child_data",
    "safe_map_layer",
    "pseudonymise",
    "installation_key",
]

SUPPRESSED = "c"  # DfE's symbol for a suppressed value
NOT_AVAILABLE = "x"  # DfE's symbol for a value that is not known
SMALL_NUMBER_MAX = 5  # counts 1..5 are suppressed; 0 and 6+ are shown

# Columns that identify a child, locate a home or carry free text. None of them may reach a panel view.
CHILD_DATA_COLUMNS = frozenset(
    {
        "CHILD",
        "CHILD_ID",
        "PSEUDONYM",
        "UPN",
        "DOB",
        "MC_DOB",
        "MOTHER",
        "NAME_OF_CHILD",
        "HOME_POST",
        "PL_POST",
        "FROM_POST",
        "FOUND_POST",
        "POSTCODE",
        "POST_CODE",
        "FOUND_LAT",
        "FOUND_LON",
        "LAT",
        "LON",
        "LATITUDE",
        "LONGITUDE",
        "EASTING",
        "NORTHING",
        "NOTES",
        "NOTE",
        "COMMENTS",
        "FREE_TEXT",
        "SOURCE_ROW",
    }
)
_CHILD_COLUMN_RE = re.compile(r"^(CHILD(_|$)|.*_POST$|.*POSTCODE.*|.*NOTES?$)")
# A full unit postcode ("ME14 1XX"), as opposed to a sector ("ME14 1") or a district ("ME14").
_UNIT_POSTCODE_RE = re.compile(r"^\s*[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\s*$", re.IGNORECASE)
_POINT_TYPES = {"Point", "MultiPoint"}

SECRET_FILE_ENV = "CARE_MAP_SECRET_FILE"
_KEY_BYTES = 32


# ---------------------------------------------------------------- small numbers
def is_small(values) -> np.ndarray:
    """True where a count is 1..5 (to be suppressed). Zero, 6+ and missing values are False."""
    arr = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return (arr >= 1) & (arr <= SMALL_NUMBER_MAX)


def _show_count(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    number = float(value)
    return str(int(round(number))) if number == round(number) else f"{number:g}"


def suppress_counts(series: pd.Series) -> pd.Series:
    """Counts ready to show: 1..5 become ``"c"``, others their integer text, missing ``"x"``.

    Takes a numeric Series of counts; returns an object Series of strings with the same index.
    Primary suppression only: use :func:`suppress_table` when totals are shown alongside.
    """
    series = pd.Series(series)
    small = is_small(series)
    out = [SUPPRESSED if s else _show_count(v) for v, s in zip(series.tolist(), small)]
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def _lines(n_rows: int, count_idx: list[int], total_idx: list[int], total_row: int | None) -> list[list[tuple]]:
    """The additive lines of a table: each is a list of (row, col) cells whose last cell is the total."""
    lines = []
    data_rows = [r for r in range(n_rows) if r != total_row]
    for t in total_idx:
        for r in range(n_rows):
            lines.append([(r, c) for c in count_idx] + [(r, t)])
    if total_row is not None:
        for c in count_idx + total_idx:
            lines.append([(r, c) for r in data_rows] + [(total_row, c)])
    return lines


def hidden_mask(values, lines, *, hidden=None, links=(), published=None) -> np.ndarray:
    """Which cells to hide so that no line gives a hidden number back.

    Parameters
    ----------
    values : ndarray of float
        The true figures, any shape (a table, or a stack of tables for several views); NaN for
        a figure that is not known.
    lines : list of list of tuple
        Additive lines: each a list of cell indexes into ``values`` whose last cell is the sum
        of the others (a row with its total, a column with its total row, a figure under every
        filter value with the figure for all values).
    hidden : ndarray of bool, optional
        Cells already hidden. Default: the counts 1-5 (primary suppression).
    links : iterable of (cell, cell)
        ``(linked, base)`` pairs: ``linked`` is hidden whenever ``base`` is, because it is worked
        out from the same children (the episodes of a hidden number of children, a rate or a
        median on a hidden count).
    published : ndarray of bool, optional
        Cells shown elsewhere as they are (only counts 1-5 hidden): never chosen for secondary
        suppression.

    Returns
    -------
    ndarray of bool, the shape of ``values``.

    Secondary suppression: while a line with a shown total holds exactly one hidden cell, or
    hidden cells that add up to 1-5 (the total less the shown cells would reveal a group of
    1-5 children), the smallest shown non-zero part of the line is hidden too (the total
    itself when no part is left); a line with a hidden total and every part shown hides a
    part. Linked cells follow their base. Repeats until nothing changes.
    """
    values = np.asarray(values, dtype=float)
    shape = values.shape
    if hidden is None:
        with np.errstate(invalid="ignore"):
            mask = (values >= 1) & (values <= SMALL_NUMBER_MAX)
    else:
        mask = np.array(hidden, dtype=bool, copy=True)
    fixed = np.zeros(shape, dtype=bool) if published is None else np.asarray(published, dtype=bool)
    # Work on flat positions (C order keeps the cells' order, so ties still go to the first cell).
    flat = values.ravel()
    mask, fixed = mask.ravel().copy(), fixed.ravel()
    unknown = np.isnan(flat)

    def positions(cells) -> np.ndarray:
        return np.ravel_multi_index(tuple(np.array(cells).T), shape) if len(cells) else np.zeros(0, dtype=int)

    flat_lines = [(positions(line[:-1]), int(positions(line[-1:])[0])) for line in lines if len(line)]
    flat_links = [(int(positions([a])[0]), int(positions([b])[0])) for a, b in links]
    changed = True
    while changed:
        changed = False
        for linked, base in flat_links:
            if mask[base] and not mask[linked]:
                mask[linked] = True
                changed = True
        for parts, total in flat_lines:
            hidden_parts = parts[mask[parts]]
            if not _line_gives_away(flat, hidden_parts, bool(mask[total])):
                continue
            # Suppress the smallest shown part: it hides the least. Prefer a non-zero part (a suppressed
            # zero next to a small number gives little cover), then any part, then the total itself.
            open_parts = parts[~mask[parts] & ~fixed[parts] & ~unknown[parts]]
            candidates = open_parts[flat[open_parts] > 0]
            if not len(candidates):
                candidates = open_parts
            if not len(candidates):
                if mask[total] or fixed[total]:
                    continue
                candidates = np.array([total])
            order = np.lexsort((candidates, flat[candidates]))
            mask[candidates[order[0]]] = True
            changed = True
    return mask.reshape(shape)


def _line_gives_away(values: np.ndarray, hidden_parts: np.ndarray, total_hidden: bool) -> bool:
    """True if subtracting the shown cells of a line from one another gives a hidden number or a group of 1-5."""
    n_hidden = len(hidden_parts) + int(total_hidden)
    if n_hidden == 0:
        return False
    if n_hidden == 1:
        return True
    if total_hidden:
        return False  # a hidden total and one or more hidden parts: nothing follows
    hidden_sum = float(np.nansum(values[hidden_parts]))
    return 1 <= hidden_sum <= SMALL_NUMBER_MAX


def _suppression_mask(values: np.ndarray, lines: list[list[tuple]], links=()) -> np.ndarray:
    return hidden_mask(values, lines, links=links)


def _parse_percent_spec(spec: str) -> tuple[str, str | None]:
    numerator, _, denominator = spec.partition("/")
    return numerator.strip(), (denominator.strip() or None)


def suppress_table(
    table: pd.DataFrame,
    count_columns: list[str],
    *,
    total_row=None,
    total_columns: list[str] | None = None,
    percent_columns: dict[str, str] | None = None,
    linked_columns: dict[str, str] | None = None,
    decimals: int = 1,
) -> pd.DataFrame:
    """A copy of ``table`` that is safe to show to a panel.

    Parameters
    ----------
    table : DataFrame
        Label columns plus numeric count columns (and optional totals and percentages).
    count_columns : list of str
        Columns holding counts of children or episodes.
    total_row : index label, optional
        Label of the row that holds the column totals (e.g. ``"Total"``).
    total_columns : list of str, optional
        Columns holding the row total of ``count_columns``.
    percent_columns : dict, optional
        ``{percent column: "NUMERATOR"}`` or ``{percent column: "NUMERATOR/DENOMINATOR"}``
        where both name count columns of the same row. A percentage is suppressed when its
        numerator or denominator is; with no denominator named, also when the row's total or
        the column total of its numerator is suppressed (conservative). A percentage whose
        numerator or denominator is 1-5 is hidden even when that count is not shown.
    linked_columns : dict, optional
        ``{column: "BASE"}``: counts worked out from the same children as the count column
        ``BASE`` (e.g. ``{"episodes": "children"}``): hidden wherever ``BASE`` is hidden (ten or
        more episodes of a hidden number of children would give that number away), with
        secondary suppression applied again to the column. Both must be count or total columns.
    decimals : int
        Decimal places of shown percentages.

    Returns
    -------
    DataFrame of the same shape and index, count, total and percent columns as strings
    (``"c"`` for suppressed, ``"x"`` for missing), other columns unchanged; dtype object.

    Primary suppression hides counts 1..5. Secondary suppression then makes sure that every
    row and column with a shown total holds zero or at least two suppressed cells, choosing the
    smallest remaining cell of the line each time, until nothing changes.
    """
    total_columns = list(total_columns or [])
    percent_columns = dict(percent_columns or {})
    missing = [c for c in [*count_columns, *total_columns, *percent_columns] if c not in table.columns]
    if missing:
        raise KeyError(f"columns not in table: {missing}")
    extra_counts = []
    for spec in percent_columns.values():
        for name in _parse_percent_spec(spec):
            if name is None:
                continue
            if name not in table.columns:
                raise KeyError(f"percentage refers to a column not in table: {name}")
            if name not in count_columns and name not in total_columns and name not in extra_counts:
                extra_counts.append(name)

    columns = [*count_columns, *total_columns, *extra_counts]
    values = (
        np.column_stack(
            [
                pd.to_numeric(table[c].astype(object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                for c in columns
            ]
        )
        if columns
        else np.zeros((len(table), 0))
    )
    if total_row is not None:
        positions = np.flatnonzero(table.index == total_row)
        if len(positions) != 1:
            raise KeyError(f"total row {total_row!r} not found once in the index")
        total_pos = int(positions[0])
    else:
        total_pos = None
    col_pos = {c: i for i, c in enumerate(columns)}
    lines = _lines(
        len(table),
        [col_pos[c] for c in count_columns],
        [col_pos[c] for c in total_columns],
        total_pos,
    )
    links = []
    for linked, base in dict(linked_columns or {}).items():
        if linked not in col_pos or base not in col_pos:
            raise KeyError(f"linked columns must be count or total columns: {linked!r} -> {base!r}")
        links += [((r, col_pos[linked]), (r, col_pos[base])) for r in range(len(table))]
    mask = _suppression_mask(values, lines, links)

    out = table.copy().astype(object)
    for c in columns:
        i = col_pos[c]
        out[c] = pd.Series(
            [SUPPRESSED if mask[r, i] else _show_count(values[r, i]) for r in range(len(table))],
            index=out.index,
            dtype=object,
        )

    for pct_col, spec in percent_columns.items():
        numerator, denominator = _parse_percent_spec(spec)
        if numerator not in col_pos:
            raise KeyError(f"percentage numerator {numerator!r} is not a count column")
        hide = mask[:, col_pos[numerator]].copy()
        if denominator is not None:
            hide |= mask[:, col_pos[denominator]]
        else:
            for t in total_columns:
                hide |= mask[:, col_pos[t]]
            if total_pos is not None and mask[total_pos, col_pos[numerator]]:
                hide[:] = True
        pct = pd.to_numeric(table[pct_col].astype(object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out[pct_col] = pd.Series(
            [
                SUPPRESSED if hide[r] else (NOT_AVAILABLE if np.isnan(pct[r]) else f"{pct[r]:.{decimals}f}")
                for r in range(len(table))
            ],
            index=out.index,
            dtype=object,
        )
    return out


def suppress_parts(counts, *, groups=None, rest: int = 0, unshown=None) -> pd.Series:
    """Counts of the parts of a whole (homes, hotspots, areas) as text, safe when totals are shown elsewhere.

    Parameters
    ----------
    counts : Series of int
        One count of children per part (e.g. our children in each children's home).
    groups : Series, optional
        A label per part (e.g. the home's sector) whose subtotals another output shows.
    rest : int
        Children in the whole who are in no listed part (e.g. in homes not on the list); shown
        elsewhere, so it is a part of the whole's line.
    unshown : Series of bool, optional
        Parts counted in the totals but not shown on their own (e.g. homes that cannot be put on
        the map): to a reader they are hidden already.

    Returns
    -------
    Series of text (``"c"`` for hidden), the index of ``counts``.

    The whole, each group's subtotal and ``rest`` are treated as known to the reader (they are
    on another screen or in the pack), so a hidden part is never the only hidden part of its
    group or of the whole, nor are the hidden parts of either 1-5 children in all. Suppress over
    all parts before filtering them: every filter choice then shows the same text for a part.
    """
    counts = pd.Series(counts)
    n = len(counts)
    values = np.concatenate(
        [pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float, na_value=np.nan), [float(rest)], [np.nan]]
    )
    whole = n + 1
    values[whole] = np.nansum(values[: n + 1])
    lines = [[*((i,) for i in range(n + 1)), (whole,)]]
    extra = []
    if groups is not None:
        labels = pd.Series(groups).astype(object).fillna("").astype(str).to_numpy()
        for label in dict.fromkeys(labels):
            members = [(int(i),) for i in np.flatnonzero(labels == label)]
            extra.append(float(np.nansum([values[m] for m in members])))
            lines.append([*members, (whole + len(extra),)])
    values = np.concatenate([values, extra])
    published = np.zeros(values.shape, dtype=bool)
    published[n:] = True  # the rest, the whole and the subtotals are shown elsewhere
    with np.errstate(invalid="ignore"):
        hidden = (values >= 1) & (values <= SMALL_NUMBER_MAX)
    if unshown is not None:
        hidden[:n] |= pd.Series(unshown).fillna(False).astype(bool).to_numpy()
    mask = hidden_mask(values, lines, hidden=hidden, published=published)
    return pd.Series(
        [SUPPRESSED if mask[i] else _show_count(values[i]) for i in range(n)],
        index=counts.index,
        name=counts.name,
        dtype=object,
    )


@dataclass(frozen=True)
class CrosstabText:
    """A two-way table of counts as a panel may see it (:func:`suppress_crosstab`)."""

    cells: pd.Series  # text per row of the input, its index
    rows: dict  # row key -> text of the row's total
    columns: dict  # column key -> text of the column's total
    total: str  # text of the grand total


def suppress_crosstab(frame: pd.DataFrame, *, row: str, column: str, count: str) -> CrosstabText:
    """Counts of a two-way table (e.g. children placed by authority A in authority B) made safe at once.

    Parameters
    ----------
    frame : DataFrame
        One line per non-empty cell: the ``row`` key, the ``column`` key and the ``count``
        (each pair once).
    row, column, count : str
        Column names.

    Returns
    -------
    :class:`CrosstabText`: the text of every cell, every row total, every column total and the
    grand total.

    Every view cut from the table (one authority's flows out, another's flows in, the net table
    of row and column totals, a map of the pairs) must show these texts, so that no figure is
    hidden in one view and shown in another; each row and each column with its total then
    holds no hidden cell, or two or more that add up to 6 or more (:func:`hidden_mask`).
    """
    counts = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    row_keys = list(dict.fromkeys(frame[row].tolist()))
    col_keys = list(dict.fromkeys(frame[column].tolist()))
    n, n_rows, n_cols = len(frame), len(row_keys), len(col_keys)
    row_pos = {k: n + i for i, k in enumerate(row_keys)}
    col_pos = {k: n + n_rows + j for j, k in enumerate(col_keys)}
    grand = n + n_rows + n_cols
    known = np.nan_to_num(counts)
    row_of = frame[row].map({k: i for i, k in enumerate(row_keys)}).to_numpy(dtype=int)
    col_of = frame[column].map({k: j for j, k in enumerate(col_keys)}).to_numpy(dtype=int)
    values = np.concatenate(
        [
            counts,
            np.bincount(row_of, weights=known, minlength=n_rows),
            np.bincount(col_of, weights=known, minlength=n_cols),
            [known.sum()],
        ]
    )
    cells = np.arange(n)
    lines = [[*((i,) for i in cells[row_of == r]), (n + r,)] for r in range(n_rows)]
    lines += [[*((i,) for i in cells[col_of == c]), (n + n_rows + c,)] for c in range(n_cols)]
    lines.append([*((row_pos[k],) for k in row_keys), (grand,)])
    lines.append([*((col_pos[k],) for k in col_keys), (grand,)])
    mask = hidden_mask(values, lines)

    def text(i: int) -> str:
        return SUPPRESSED if mask[i] else _show_count(values[i])

    return CrosstabText(
        cells=pd.Series([text(i) for i in range(n)], index=frame.index, dtype=object),
        rows={k: text(row_pos[k]) for k in row_keys},
        columns={k: text(col_pos[k]) for k in col_keys},
        total=text(grand),
    )


def _cell_is_small(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        text = value.strip()
        return text.isdigit() and 1 <= int(text) <= SMALL_NUMBER_MAX
    if isinstance(value, (int, np.integer)):
        return 1 <= int(value) <= SMALL_NUMBER_MAX
    if isinstance(value, (float, np.floating)) and not np.isnan(value) and float(value).is_integer():
        return 1 <= value <= SMALL_NUMBER_MAX
    return False


def is_safe(
    table: pd.DataFrame,
    count_columns: list[str] | None = None,
    *,
    total_row=None,
    total_columns: list[str] | None = None,
) -> bool:
    """True if ``table`` shows no count 1..5, no child-data column and no recoverable suppressed cell.

    ``count_columns`` defaults to every column; text such as "0-5" or "12.5" is not read as a count.
    With totals given, every row/column with a total must hold zero or at least two ``"c"``.
    """
    if child_data_columns(table.columns):
        return False
    columns = list(count_columns) if count_columns is not None else list(table.columns)
    for col in columns:
        if any(_cell_is_small(v) for v in table[col].tolist()):
            return False
    total_columns = list(total_columns or [])
    if total_row is None and not total_columns:
        return True
    cols = [*(count_columns or []), *total_columns]
    hidden = np.column_stack([(table[c].astype(object) == SUPPRESSED).to_numpy(dtype=bool) for c in cols])
    total_pos = int(np.flatnonzero(table.index == total_row)[0]) if total_row is not None else None
    n_counts = len(count_columns or [])
    lines = _lines(len(table), list(range(n_counts)), list(range(n_counts, len(cols))), total_pos)
    return all(sum(hidden[cell] for cell in line) != 1 for line in lines)


# ---------------------------------------------------------------- child data
def child_data_columns(columns) -> list[str]:
    """The names among ``columns`` that look like a child id, a postcode, a location or free text."""
    found = []
    for name in columns:
        upper = str(name).strip().upper()
        if upper in CHILD_DATA_COLUMNS:
            found.append(name)
        elif _CHILD_COLUMN_RE.match(upper) and not upper.endswith(("SECTOR", "DISTRICT", "AREA")):
            found.append(name)
    return found


def check_no_child_data(frame: pd.DataFrame, *, what: str = "this output") -> None:
    """Raise ValueError if ``frame`` has a child-data column or a full unit postcode in any text cell."""
    bad = child_data_columns(frame.columns)
    if bad:
        raise ValueError(f"{what} must not carry child data; refusing columns {bad}")
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            text = col.dropna().astype(str)
            if text.str.match(_UNIT_POSTCODE_RE).any():
                raise ValueError(
                    f"{what} must not show postcodes finer than a sector; column {name!r} holds full postcodes"
                )


def safe_map_layer(gdf, count_column: str, *, small: str = "drop", keep_columns: list[str] | None = None):
    """Aggregated areas ready for a panel map: polygons with counts, small numbers dealt with.

    Parameters
    ----------
    gdf : GeoDataFrame
        Areas (authority polygons, grid cells, hotspot outlines) with a count per area.
    count_column : str
        The count of children or episodes in each area.
    small : {"drop", "c"}
        ``"drop"`` (default) removes areas whose count is 1..5, because an outline drawn around
        one or two children's locations points at them even without its number. ``"c"`` keeps
        the area and shows its count as ``"c"``: for fixed areas such as whole authorities,
        whose shape says nothing about where a child is.
    keep_columns : list of str, optional
        Other columns to keep (default: all). Any child-data column among them is refused.

    Returns
    -------
    GeoDataFrame with the count column as text (``"c"`` or the integer), same CRS.

    Raises
    ------
    ValueError for point geometries, child-id, postcode, coordinate or notes columns, or full
    unit postcodes in any text column.
    """
    import geopandas as gpd

    if small not in ("drop", "c"):
        raise ValueError("small must be 'drop' or 'c'")
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise ValueError("safe_map_layer needs a GeoDataFrame of areas")
    if count_column not in gdf.columns:
        raise KeyError(f"count column {count_column!r} not in layer")
    geom_types = set(gdf.geometry.geom_type.dropna().unique())
    if geom_types & _POINT_TYPES:
        raise ValueError("a panel map shows aggregated areas only; point geometries are refused")
    columns = list(gdf.columns) if keep_columns is None else [*keep_columns, count_column, gdf.geometry.name]
    columns = list(dict.fromkeys(columns))
    layer = gdf[columns]
    check_no_child_data(layer.drop(columns=[layer.geometry.name]), what="a panel map layer")
    small_mask = is_small(layer[count_column])
    if small == "drop":
        layer = layer[~small_mask]
        small_mask = np.zeros(len(layer), dtype=bool)
    layer = layer.copy()
    raw = layer[count_column].astype(object)
    counts = pd.to_numeric(raw, errors="coerce")
    # A count already through suppress_table or suppress_parts (text, "c" included) keeps its text.
    layer[count_column] = pd.Series(
        [SUPPRESSED if s or r == SUPPRESSED else _show_count(v) for v, r, s in zip(counts.tolist(), raw, small_mask)],
        index=layer.index,
        dtype=object,
    )
    return layer


# ---------------------------------------------------------------- pseudonyms
def pseudonymise(ids, *, key: bytes) -> pd.Series:
    """Stable pseudonymous ids: ``"P-"`` + 10 base32 characters of HMAC-SHA256(key, id).

    The same id and key give the same pseudonym on every run; without the key the id cannot be
    worked back out (50 bits of the keyed hash; collisions are negligible for a council's children).
    Missing ids stay missing. Returns an object Series with the input's index.
    """
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise ValueError("pseudonymise needs a secret key of at least 16 bytes (see installation_key())")
    series = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    cache: dict[str, str] = {}

    def one(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        text = str(value).strip()
        if text not in cache:
            digest = hmac.new(bytes(key), text.encode("utf-8"), hashlib.sha256).digest()
            cache[text] = "P-" + base64.b32encode(digest).decode("ascii")[:10]
        return cache[text]

    return pd.Series([one(v) for v in series.tolist()], index=series.index, name=series.name, dtype=object)


def _secret_path(path) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get(SECRET_FILE_ENV)
    if env:
        return Path(env)
    return state_dir() / "secret.key"


def installation_key(path=None) -> bytes:
    """This installation's 32-byte secret, created on first use with file mode 0600.

    Location: ``path``, else the environment variable ``CARE_MAP_SECRET_FILE``, else
    ``secret.key`` in the state folder (:func:`config.state_dir`). Losing the file changes every pseudonym;
    copying it elsewhere lets the holder link pseudonyms back to ids.
    """
    file = _secret_path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
    key = file.read_bytes()
    if len(key) < _KEY_BYTES:
        raise ValueError(f"the secret key file {file} is damaged (too short); restore it from backup")
    return key
