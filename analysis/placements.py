"""Where children in care are placed: distance from home, placing authority, out of area.

:func:`add_placement_location` derives, for every 903 episode, the fields the
DfE adds to the return (PL_DISTANCE, PL_LA, PL_LOCATION; see
``shared/reference/ssda903.md`` §2.2) plus the two approval tiers of the Care
Planning, Placement and Case Review (England) Regulations 2010, reg. 11 as
amended in 2013: a placement *outside* the responsible authority (nominated
officer's approval) and a placement *at a distance*, i.e. outside the
responsible authority and not in an adjoining one (the Director's approval).
The 20-mile figure is the DfE's statistical measure, not the legal test; both
are reported.

Decisions a reader of the figures should know:

* Distances are straight lines between postcode centroids (miles, 1 dp, the
  DfE formula in :mod:`geo.distances`). A sector ("CR0 1") or district ("CR0")
  is measured from the centroid of its unit postcodes and says so in
  ``DISTANCE_NOTE``.
* Northern Ireland, Channel Islands and Isle of Man postcodes are never
  measured (no British grid reference); the note says why.
* Placements in Wales, Scotland, Northern Ireland, the Channel Islands or the
  Isle of Man are OUT of area and counted *at a distance*. Our adjacency list
  (``geo.boundaries``) covers English authorities only. Reg. 11 speaks of
  "local authorities", which in the Children Act 1989 (s.105) includes Welsh
  councils, so a placement just over the Welsh border from a border authority
  may legally be "adjoining"; such rows are few and are worth checking by hand.
* Short breaks (LS V3/V4) carry no postcodes in the return: no distance, no
  placing authority, and they are not counted as looked after at a snapshot.
* Unknown distances stay in every denominator (as in the DfE's tables, where
  "not known" is a category of all children looked after) and are shown as
  their own measure, so percentages never silently shrink their base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import schemas
from geo import authorities as _authorities
from geo import postcodes as _postcodes
from geo.boundaries import adjacent_authorities
from geo.distances import straight_line_miles

__all__ = [
    "add_placement_location",
    "placements_on",
    "headline_figures",
    "summarise_placements",
    "monthly_trend",
    "placement_costs",
    "ILLUSTRATIVE_WEEKLY_COSTS",
    "LOCATION_COLUMNS",
    "GROUP_SECURE",
    "NOT_RECORDED",
]

# Columns add_placement_location adds, in this order.
LOCATION_COLUMNS = [
    "PL_DISTANCE",
    "DISTANCE_NOTE",
    "PL_LA",
    "PL_LA_NAME",
    "PL_LOCATION",
    "PL_ADJOINING",
    "AT_A_DISTANCE",
    "DISTANCE_BAND",
    "HOME_SECTOR",
    "HOME_EASTING",
    "HOME_NORTHING",
    "PL_EASTING",
    "PL_NORTHING",
    "PL_LAT",
    "PL_LON",
    "PL_DISTRICT",
    "PLACEMENT_GROUP",
    "PROVIDER_GROUP",
]

IN, OUT = "IN", "OUT"
YES, NO = "Y", "N"
UNKNOWN_BAND = "unknown"
NOT_RECORDED = "Not recorded"
GROUP_SECURE = schemas.GROUP_SECURE  # only in the cost table
WEEKS_PER_YEAR = 365.25 / 7

_LOCATION_LABELS = ("", IN, OUT)
_YES_NO_LABELS = ("", YES, NO)
_UASC_TRUE = {"1", "Y", "YES", "TRUE", "T"}

# How a failed look-up reads in DISTANCE_NOTE; "{side}" is "home" or "placement".
_FAILURE_NOTES = {
    _postcodes.FAILURE_BLANK: "{side} postcode blank",
    _postcodes.FAILURE_NOT_A_POSTCODE: "{side} postcode is not a postcode",
    _postcodes.FAILURE_NOT_FOUND: "{side} postcode not found in the ONS Postcode Directory",
    _postcodes.FAILURE_NO_COORDINATES: "{side} postcode in the Channel Islands or Isle of Man (no grid reference)",
    _postcodes.FAILURE_NORTHERN_IRELAND: "{side} postcode in Northern Ireland (Irish grid, not measured)",
}
_CENTROID_NOTES = {
    "sector": "{side} measured from its postcode sector centroid",
    "district": "{side} measured from its postcode district centroid",
}
NOTE_SHORT_BREAK = "short break (LS V3/V4): no postcodes in the return"
NOTE_UASC = "UASC: no home postcode expected"
NOTE_NO_RESPONSIBLE = "responsible authority unknown"

# Countries outside England that have no children's services authority code of their own in PL_LA.
_CROWN_DEPENDENCIES = ("Channel Islands", "Isle of Man")


# ---------------------------------------------------------------- enrichment
def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as stripped strings, '' for missing (or absent) values."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    col = frame[column]
    return col.astype("str").fillna("").str.strip()


def _responsible(episodes: pd.DataFrame, la) -> tuple[str | np.ndarray, np.ndarray]:
    """GSS code of the responsible authority (one, or per row with '' when unknown), and the rows it is unknown for."""
    n = len(episodes)
    if la is not None:
        return _authorities.resolve_authority(la).code, np.zeros(n, dtype=bool)
    column = "LA_CODE" if "LA_CODE" in episodes.columns else "LA" if "LA" in episodes.columns else None
    if column is None:
        raise ValueError("Give the responsible authority (la=...) or an LA_CODE column for pooled files.")
    values = _text(episodes, column)
    codes, uniques = pd.factorize(values)
    resolved = []
    for value in uniques:
        try:
            resolved.append(_authorities.resolve_authority(value).code if value else "")
        except _authorities.UnknownAuthorityError:
            resolved.append("")
    out = np.asarray(resolved + [""], dtype=object)[codes]
    return out, out == ""


def _lookup_table(values: pd.Series, mapping: dict, default: str = "") -> np.ndarray:
    """``mapping`` applied to text values, via their few distinct values (fast on long columns)."""
    codes, uniques = pd.factorize(values)
    labels = np.asarray([mapping.get(u, default) for u in uniques] + [default], dtype=object)
    return labels[codes]


def _notes(failure: pd.Series, resolution: pd.Series, side: str) -> np.ndarray:
    """DISTANCE_NOTE fragment for one side: why unmeasurable, or that a centroid was used."""
    notes = {k: v.format(side=side) for k, v in _FAILURE_NOTES.items()}
    centroid = {k: v.format(side=side) for k, v in _CENTROID_NOTES.items()}
    note = _lookup_table(failure, notes)
    by_resolution = _lookup_table(resolution, centroid)
    return np.where(note == "", by_resolution, note)


def _join_notes(*parts: np.ndarray) -> np.ndarray:
    """Non-empty fragments joined with '; ', row by row (via the few distinct combinations)."""
    n = len(parts[0])
    key = np.zeros(n, dtype=np.int64)
    vocab = []
    for part in parts:
        codes, uniques = pd.factorize(np.asarray(part, dtype=object))
        vocab.append(list(uniques))
        key = key * (len(uniques) + 1) + codes  # codes are never -1: fragments are strings
    combos, distinct = pd.factorize(key)
    joined = []
    for value in distinct:
        words = []
        for words_of_part in reversed(vocab):
            value, code = divmod(int(value), len(words_of_part) + 1)
            words.append(words_of_part[code])
        joined.append("; ".join(w for w in reversed(words) if w))
    return np.asarray(joined + [""], dtype=object)[combos]


def _sectors(display: pd.Series, resolution: pd.Series) -> pd.Series:
    """Postcode sector of each looked-up home postcode ('' when only a district or nothing is known)."""
    display = display.fillna("")
    out = display.str.slice(0, -2).where(resolution == "unit", "")
    return out.where(resolution != "sector", display).fillna("")


def _labels(labels, positions: np.ndarray):
    """Text column of ``labels[positions]`` without making one Python string per row."""
    import pyarrow as pa

    return pd.array(pa.array(list(labels), type=pa.large_string()).take(pa.array(positions)), dtype="str")


def _as_text(values: np.ndarray):
    """An object array of a few distinct strings as a pandas text column."""
    codes, uniques = pd.factorize(values)
    return _labels(list(uniques), codes)


def distance_bands(miles) -> np.ndarray:
    """DISTANCE_BAND label for each distance in miles (a band includes its lower edge); 'unknown' for NaN."""
    miles = np.asarray(miles, dtype=np.float64)
    edges = np.asarray(schemas.DISTANCE_BAND_EDGES, dtype=np.float64)
    pos = np.searchsorted(edges, miles, side="right") - 1
    labels = np.asarray(schemas.DISTANCE_BANDS + [UNKNOWN_BAND], dtype=object)
    pos = np.where(np.isfinite(miles) & (miles >= 0), pos, len(labels) - 1)
    return labels[pos]


def add_placement_location(episodes: pd.DataFrame, la=None, *, index=None) -> pd.DataFrame:
    """Add placement distance and location columns to 903 episodes (every row kept, in order).

    Parameters
    ----------
    episodes : DataFrame with HOME_POST, PL_POST and, when present, LS, PLACE,
        PLACE_PROVIDER, UASC (header flag), LA_CODE or LA (pooled files).
    la : the responsible children's services authority, anything
        :func:`geo.authorities.resolve_authority` accepts ("Kent", "886", "E10000016").
        When None, each row's ``LA_CODE`` (or ``LA``) column names it.
    index : a :class:`geo.postcodes.PostcodeIndex`; the process-wide one by default.

    Returns
    -------
    A copy of ``episodes`` with :data:`LOCATION_COLUMNS` added:
    ``PL_DISTANCE`` (miles, 1 dp, DfE formula; NaN when not measurable),
    ``DISTANCE_NOTE`` (why not measured, or that a sector/district centroid was used),
    ``PL_LA`` (GSS code of the placing area's children's services authority; WAL/SCO/NIR outside
    England; '' if unknown, and for the Channel Islands and Isle of Man, which have none),
    ``PL_LA_NAME`` (authority or nation, e.g. "Wales", "Channel Islands"), ``PL_LOCATION`` (IN/OUT/''), ``PL_ADJOINING``
    (Y/N for OUT placements, '' when IN or unknown), ``AT_A_DISTANCE`` (Y/N/''),
    ``DISTANCE_BAND``, ``HOME_SECTOR`` (never finer than a sector), ``HOME_EASTING``,
    ``HOME_NORTHING``, ``PL_EASTING``, ``PL_NORTHING`` (EPSG:27700 metres), ``PL_LAT``,
    ``PL_LON`` (EPSG:4326), ``PL_DISTRICT`` (LAD code), ``PLACEMENT_GROUP``, ``PROVIDER_GROUP``.

    Raises
    ------
    geo.authorities.UnknownAuthorityError
        When ``la`` names no authority. Bad rows never raise: they get a note.
    """
    index = index if index is not None else _postcodes.get_postcode_index()
    out = episodes.copy()
    n = len(out)
    responsible, no_responsible = _responsible(out, la)

    ls = _text(out, "LS").str.upper()
    short_break = ls.isin(schemas.SHORT_BREAK_LS).to_numpy()
    uasc = _text(out, "UASC").str.upper().isin(_UASC_TRUE).to_numpy()
    home = index.lookup(_text(out, "HOME_POST"))
    pl = index.lookup(_text(out, "PL_POST"))

    home_e = home["easting"].to_numpy(np.float64)
    home_n = home["northing"].to_numpy(np.float64)
    pl_e = pl["easting"].to_numpy(np.float64)
    pl_n = pl["northing"].to_numpy(np.float64)
    miles = straight_line_miles(home_e, home_n, pl_e, pl_n)
    miles[short_break] = np.nan

    home_note = _notes(home["failure"], home["resolution"], "home")
    home_blank = (home["failure"] == _postcodes.FAILURE_BLANK).to_numpy()
    home_note[uasc & home_blank] = NOTE_UASC
    pl_note = _notes(pl["failure"], pl["resolution"], "placement")
    responsible_note = np.where(no_responsible, NOTE_NO_RESPONSIBLE, "").astype(object)
    short_note = np.where(short_break, NOTE_SHORT_BREAK, "").astype(object)
    home_note[short_break] = ""
    pl_note[short_break] = ""
    note = _join_notes(short_note, home_note, pl_note, responsible_note)

    # Where the child is placed: children's services authority, or the nation outside England.
    country = pl["country"].fillna("")
    crown = country.isin(_CROWN_DEPENDENCIES)
    pl_la = pl["la_code"].fillna("").where(~short_break, "")
    pl_la_name = pl["la_name"].fillna("").where(~crown, country).where(~short_break, "")
    outside_england = ((country != "") & (country != "England")).to_numpy() & ~short_break

    same = (
        (pl_la == responsible).to_numpy()
        if isinstance(responsible, str)
        else pl_la.to_numpy(dtype=object) == responsible
    )
    known = (pl_la != "").to_numpy() & ~no_responsible & ~outside_england
    location = np.zeros(n, dtype=np.int64)  # index into _LOCATION_LABELS
    location[known & same] = 1
    location[known & ~same] = 2
    location[outside_england & ~no_responsible] = 2
    is_out = location == 2

    adjoining = np.zeros(n, dtype=np.int64)  # index into _YES_NO_LABELS
    adjoining[outside_england & is_out] = 2
    english_out = is_out & ~outside_england
    codes_out = np.full(n, responsible, dtype=object) if isinstance(responsible, str) else responsible
    for code in pd.unique(codes_out[english_out]):
        neighbours = adjacent_authorities(code)
        rows = english_out & (codes_out == code)
        adjoining[rows] = np.where(pl_la[rows].isin(list(neighbours)).to_numpy(), 1, 2)
    at_distance = np.zeros(n, dtype=np.int64)
    at_distance[location == 1] = 2
    at_distance[is_out & (adjoining == 1)] = 2
    at_distance[is_out & (adjoining == 2)] = 1

    place = _text(out, "PLACE").str.upper()
    provider = _text(out, "PLACE_PROVIDER").str.upper()
    added = {
        "PL_DISTANCE": miles,
        "DISTANCE_NOTE": note,
        "PL_LA": pl_la,
        "PL_LA_NAME": pl_la_name,
        "PL_LOCATION": _labels(_LOCATION_LABELS, location),
        "PL_ADJOINING": _labels(_YES_NO_LABELS, adjoining),
        "AT_A_DISTANCE": _labels(_YES_NO_LABELS, at_distance),
        "DISTANCE_BAND": distance_bands(miles),
        "HOME_SECTOR": _sectors(home["postcode"], home["resolution"]),
        "HOME_EASTING": home_e,
        "HOME_NORTHING": home_n,
        "PL_EASTING": pl_e,
        "PL_NORTHING": pl_n,
        "PL_LAT": pl["lat"].to_numpy(np.float64),
        "PL_LON": pl["lon"].to_numpy(np.float64),
        "PL_DISTRICT": pl["lad_code"].fillna(""),
        "PLACEMENT_GROUP": _lookup_table(place, schemas.PLACE_GROUP, NOT_RECORDED),
        "PROVIDER_GROUP": _lookup_table(provider, schemas.PROVIDER_GROUP, NOT_RECORDED),
    }
    for column, values in added.items():
        if isinstance(values, pd.Series):
            values = values.array  # positions, not index labels: the look-ups keep the input's order
        elif values.dtype == object:
            values = _as_text(values)
        out[column] = values
    return out


# ---------------------------------------------------------------- snapshots
def _dates(values: pd.Series) -> pd.Series:
    """Dates from datetime, dd/mm/yyyy (the return) or ISO (pooled files) text; NaT when unreadable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("str").fillna("").str.strip()
    parsed = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.where(parsed.isna(), ""), format="%Y-%m-%d", errors="coerce")
    return parsed.fillna(iso)


def _child_key(frame: pd.DataFrame) -> list[str]:
    # In pooled files a child id is unique only within its authority.
    extra = [c for c in ("LA_CODE", "LA") if c in frame.columns][:1]
    return extra + ["CHILD"]


def placements_on(episodes: pd.DataFrame, date) -> pd.DataFrame:
    """Children looked after on ``date``: one row per child, their episode open that day.

    An episode counts when DECOM <= date and DEC is blank or after the date;
    short breaks (LS V3/V4) are excluded, as in the DfE's 31 March counts.
    When a child has more than one such episode the latest DECOM wins.
    DECOM/DEC may be datetimes or dd/mm/yyyy / ISO text. Columns are kept as given.
    """
    return episodes.iloc[_SnapshotIndex(episodes).rows_on(date)]


class _SnapshotIndex:
    """The parts of :func:`placements_on` that do not depend on the date, worked out once, so that a
    monthly trend over hundreds of thousands of episodes does not parse every date again each month."""

    def __init__(self, episodes: pd.DataFrame):
        self.decom = _dates(episodes["DECOM"]).to_numpy()
        dec = _dates(episodes["DEC"]) if "DEC" in episodes.columns else pd.Series(pd.NaT, index=episodes.index)
        self.dec = dec.to_numpy()
        self.counted = ~_text(episodes, "LS").str.upper().isin(schemas.SHORT_BREAK_LS).to_numpy()
        self.child = episodes.groupby(_child_key(episodes), sort=False, dropna=False).ngroup().to_numpy()

    def rows_on(self, date) -> np.ndarray:
        """Positions (file order) of each child's latest episode open on ``date``."""
        when = np.datetime64(pd.Timestamp(date))
        open_then = (self.decom <= when) & (np.isnat(self.dec) | (self.dec > when)) & self.counted
        rows = np.flatnonzero(open_then)
        rows = rows[np.argsort(self.decom[rows], kind="stable")]
        # The last of each child's open episodes in DECOM order wins.
        child = self.child[rows][::-1]
        _, first_of_reversed = np.unique(child, return_index=True)
        return np.sort(rows[::-1][first_of_reversed])  # back in file order


# ---------------------------------------------------------------- figures
def _require(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Columns {missing} missing: run add_placement_location first.")


def _percent(count, denominator) -> float:
    return round(100.0 * count / denominator, 1) if denominator else np.nan


def _indicators(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Per row: miles, and whether the distance is known, over the limit, outside the authority,
    of unknown location and at a distance: what every headline measure counts."""
    miles = frame["PL_DISTANCE"].to_numpy(np.float64)
    known = np.isfinite(miles)
    return (
        miles,
        known,
        known & (miles > schemas.OVER_DISTANCE_MILES),
        (frame["PL_LOCATION"] == OUT).to_numpy(),
        ~frame["PL_LOCATION"].isin([IN, OUT]).to_numpy(),
        (frame["AT_A_DISTANCE"] == YES).to_numpy(),
    )


def headline_figures(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Headline placement-distance measures for children looked after at one date.

    ``snapshot`` is :func:`placements_on` of enriched episodes. Returns one row per measure with
    ``measure``, ``count``, ``denominator``, ``percent`` (of the denominator, 1 dp),
    ``value`` (the median for the median row, else the count) and ``definition``.

    Every percentage is of *all* children looked after, unknown distances and
    locations included, as in the DfE's tables; the unknowns are a measure of their own.
    """
    _require(snapshot, ["PL_DISTANCE", "PL_LOCATION", "AT_A_DISTANCE"])
    n = len(snapshot)
    miles, known, over, outside, location_unknown, at_distance = _indicators(snapshot)
    base = f"of all {n:,} children looked after"
    miles_limit = schemas.OVER_DISTANCE_MILES
    rows = [
        ("children looked after", n, "children looked after on the date, excluding short breaks (LS V3/V4)"),
        (
            f"placed over {miles_limit} miles from home",
            over.sum(),
            f"straight line from home to placement postcode more than {miles_limit} miles, {base} "
            f"(unknown distances count in the denominator, not the numerator)",
        ),
        ("placed outside the authority", outside.sum(), f"placement outside the responsible authority's area, {base}"),
        (
            f"outside the authority and over {miles_limit} miles",
            (outside & over).sum(),
            f"outside the area and more than {miles_limit} miles from home, {base}",
        ),
        (
            "placed at a distance",
            at_distance.sum(),
            "outside the authority and not in an adjoining one (reg. 11: Director's approval), "
            f"{base}; placements in Wales, Scotland, Northern Ireland and the islands count here",
        ),
        (
            "distance unknown",
            (~known).sum(),
            f"no distance could be measured (blank, unknown or non-British-grid postcode), {base}",
        ),
        (
            "placement location unknown",
            location_unknown.sum(),
            f"placing authority not known from the placement postcode, {base}",
        ),
    ]
    table = pd.DataFrame(
        [
            {
                "measure": m,
                "count": int(c),
                "denominator": n,
                "percent": _percent(c, n),
                "value": float(c),
                "definition": d,
            }
            for m, c, d in rows
        ]
    )
    table.loc[0, "percent"] = 100.0 if n else np.nan
    median = float(np.median(miles[known])) if known.any() else np.nan
    median_row = {
        "measure": "median miles from home",
        "count": int(known.sum()),
        "denominator": n,
        "percent": _percent(known.sum(), n),
        "value": median,
        "definition": f"median straight-line miles of the {int(known.sum()):,} children whose distance is known "
        f"({base}; percent is the share measured)",
    }
    table = pd.concat([table.iloc[:6], pd.DataFrame([median_row]), table.iloc[6:]], ignore_index=True)
    return table[["measure", "count", "denominator", "percent", "value", "definition"]]


def summarise_placements(snapshot: pd.DataFrame, by: str = "PLACEMENT_GROUP") -> pd.DataFrame:
    """Counts, % outside the authority, % over 20 miles and median miles per group of ``by``.

    ``by`` is any column of the enriched snapshot: PLACEMENT_GROUP, PROVIDER_GROUP, or
    PL_LA_NAME (placements by receiving authority). Percentages are of all children in the
    group (unknowns included). Returns columns ``by``, ``children``, ``outside``,
    ``percent_outside``, ``over_20_miles``, ``percent_over_20_miles``, ``median_miles``,
    ``distance_unknown``, sorted by children (largest first) with an "All" row last.
    """
    _require(snapshot, ["PL_DISTANCE", "PL_LOCATION", by])
    miles = snapshot["PL_DISTANCE"].astype(np.float64)
    frame = pd.DataFrame(
        {
            by: snapshot[by].astype("str").fillna("").replace("", NOT_RECORDED).to_numpy(),
            "miles": miles.to_numpy(),
            "outside": (snapshot["PL_LOCATION"] == OUT).to_numpy(),
            "over": (miles > schemas.OVER_DISTANCE_MILES).to_numpy(),
            "unknown": miles.isna().to_numpy(),
        }
    )

    # One grouped pass, not a DataFrame per group: by receiving authority there are hundreds.
    grouped = frame.groupby(by, sort=False)
    table = pd.DataFrame(
        {
            "children": grouped.size(),
            "outside": grouped["outside"].sum(),
            "over_20_miles": grouped["over"].sum(),
            "median_miles": grouped["miles"].median(),
            "distance_unknown": grouped["unknown"].sum(),
        }
    ).reset_index()
    total = pd.DataFrame(
        {
            by: ["All"],
            "children": [len(frame)],
            "outside": [frame["outside"].sum()],
            "over_20_miles": [frame["over"].sum()],
            "median_miles": [frame["miles"].median()],
            "distance_unknown": [frame["unknown"].sum()],
        }
    )
    table = table.sort_values(["children", by], ascending=[False, True], kind="stable")
    table = pd.concat([table, total], ignore_index=True) if len(table) else total
    for col in ("children", "outside", "over_20_miles", "distance_unknown"):
        table[col] = table[col].astype(np.int64)
    table["median_miles"] = table["median_miles"].astype(float)
    table["percent_outside"] = [_percent(c, n) for c, n in zip(table["outside"], table["children"])]
    table["percent_over_20_miles"] = [_percent(c, n) for c, n in zip(table["over_20_miles"], table["children"])]
    return table[
        [
            by,
            "children",
            "outside",
            "percent_outside",
            "over_20_miles",
            "percent_over_20_miles",
            "median_miles",
            "distance_unknown",
        ]
    ]


def _month_ends(start, end) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="ME")


def monthly_trend(episodes: pd.DataFrame, start, end, *, keep=None) -> pd.DataFrame:
    """Headline percentages at each month end from ``start`` to ``end`` (inclusive).

    ``episodes`` must already have :func:`add_placement_location` columns. ``keep`` (booleans, one
    per episode) counts only some children, chosen by the episode each child has on the day, as a
    filter on :func:`placements_on` would (a placement type, say). Returns one row per
    month end: ``date``, ``children``, ``percent_over_20_miles``, ``percent_outside``,
    ``percent_outside_over_20_miles``, ``percent_at_a_distance``, ``median_miles``,
    ``percent_distance_unknown`` (all of all children looked after that day).
    """
    _require(episodes, ["PL_DISTANCE", "PL_LOCATION", "AT_A_DISTANCE", "DECOM"])
    rows = []
    index = _SnapshotIndex(episodes)
    miles, known, over, outside, _location_unknown, at_distance = _indicators(episodes)
    for day in _month_ends(start, end):
        # The measures of headline_figures, on arrays: a DataFrame per month costs more than the sums.
        on = index.rows_on(day)
        if keep is not None:
            on = on[np.asarray(keep, dtype=bool)[on]]
        n = len(on)
        measured = known[on]
        rows.append(
            {
                "date": day,
                "children": n,
                "percent_over_20_miles": _percent(over[on].sum(), n),
                "percent_outside": _percent(outside[on].sum(), n),
                "percent_outside_over_20_miles": _percent((outside[on] & over[on]).sum(), n),
                "percent_at_a_distance": _percent(at_distance[on].sum(), n),
                "median_miles": float(np.median(miles[on][measured])) if measured.any() else np.nan,
                "percent_distance_unknown": _percent((~measured).sum(), n),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "date",
            "children",
            "percent_over_20_miles",
            "percent_outside",
            "percent_outside_over_20_miles",
            "percent_at_a_distance",
            "median_miles",
            "percent_distance_unknown",
        ],
    )


# ---------------------------------------------------------------- costs
# Illustrative, not real prices: see data.schemas.ILLUSTRATIVE_WEEKLY_COSTS.
ILLUSTRATIVE_WEEKLY_COSTS = pd.DataFrame(
    {
        "PLACEMENT_GROUP": list(schemas.ILLUSTRATIVE_WEEKLY_COSTS),
        "WEEKLY_COST": [float(v) for v in schemas.ILLUSTRATIVE_WEEKLY_COSTS.values()],
    }
)


def _cost_group(snapshot: pd.DataFrame) -> pd.Series:
    group = snapshot["PLACEMENT_GROUP"].astype("str").fillna(NOT_RECORDED).replace("", NOT_RECORDED)
    if "PLACE" in snapshot.columns:
        secure = _text(snapshot, "PLACE").str.upper().isin(schemas.SECURE_PLACES)
        group = group.where(~secure, GROUP_SECURE)
    return group


def placement_costs(snapshot: pd.DataFrame, costs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weekly and annual cost of today's placements by placement group.

    Parameters
    ----------
    snapshot : enriched children looked after on a date (:func:`placements_on`); needs
        PLACEMENT_GROUP and PLACE (secure children's homes, K1, are costed as their own group).
    costs : ``PLACEMENT_GROUP``, ``WEEKLY_COST`` (£ per child per week). Defaults to
        :data:`ILLUSTRATIVE_WEEKLY_COSTS`, which are illustrative, not real prices.

    Returns
    -------
    ``PLACEMENT_GROUP``, ``children``, ``percent_of_children``, ``WEEKLY_COST`` (per child),
    ``weekly_cost``, ``annual_cost`` (weekly x 52.18), ``percent_of_cost``, one row per group in the
    cost table (children may be 0) plus any group of the snapshot without a cost (cost NaN),
    and an "All" row. Shares are of all children / of the known cost.
    """
    costs = ILLUSTRATIVE_WEEKLY_COSTS if costs is None else costs
    missing = [c for c in schemas.COSTS_COLUMNS if c not in costs.columns]
    if missing:
        raise ValueError(f"Cost table needs columns {missing}.")
    _require(snapshot, ["PLACEMENT_GROUP"])
    counts = _cost_group(snapshot).value_counts()
    price = (
        costs.assign(WEEKLY_COST=pd.to_numeric(costs["WEEKLY_COST"], errors="coerce"))
        .drop_duplicates("PLACEMENT_GROUP", keep="last")
        .set_index("PLACEMENT_GROUP")["WEEKLY_COST"]
    )
    groups = list(price.index) + [g for g in counts.index if g not in price.index]
    table = pd.DataFrame({"PLACEMENT_GROUP": groups})
    table["children"] = table["PLACEMENT_GROUP"].map(counts).fillna(0).astype(int)
    total_children = int(table["children"].sum())
    table["percent_of_children"] = [_percent(c, total_children) for c in table["children"]]
    table["WEEKLY_COST"] = table["PLACEMENT_GROUP"].map(price).astype(np.float64)
    table["weekly_cost"] = table["children"] * table["WEEKLY_COST"]
    table["annual_cost"] = (table["weekly_cost"] * WEEKS_PER_YEAR).round(0)
    total_cost = table["weekly_cost"].sum(min_count=1)
    table["percent_of_cost"] = [_percent(c, total_cost) if np.isfinite(c) else np.nan for c in table["weekly_cost"]]
    total = {
        "PLACEMENT_GROUP": "All",
        "children": total_children,
        "percent_of_children": 100.0 if total_children else np.nan,
        "WEEKLY_COST": np.nan,
        "weekly_cost": total_cost,
        "annual_cost": round(total_cost * WEEKS_PER_YEAR, 0) if pd.notna(total_cost) else np.nan,
        "percent_of_cost": 100.0 if total_cost else np.nan,
    }
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)
