"""Where missing children are found: how far from where they went missing, in which authority, in or out.

:func:`add_found_location` adds, for every missing episode, the found-side
counterparts of the placement fields the DfE adds to the 903 (see
:mod:`analysis.placements`):

* ``FOUND_DISTANCE``: miles, straight line, one decimal, the DfE formula of
  :mod:`geo.distances`, from where the child went missing (the log's FROM_POST,
  else the placement postcode at the time) to where they were found (FOUND_POST,
  else FOUND_LAT/FOUND_LON);
* ``FOUND_LA``: GSS code of the children's services authority where found (2025
  geography); WAL, SCO or NIR outside England, as for PL_LA;
* ``FOUND_LOCATION``: IN or OUT of the responsible authority;
* ``FOUND_NOTE``: why any of them is blank (and that a sector centroid or a
  latitude/longitude was used).

A place given only as latitude and longitude is in the English authority whose
polygon holds it (:func:`geo.boundaries.authority_at`), else in the authority or
nation of the nearest postcode sector centroid within 5 km
(:meth:`geo.postcodes.PostcodeIndex.nearest_sector`): Wales, Scotland, and
English coast just outside the approximate polygons.

:func:`found_figures`, :func:`found_in_authorities` and :func:`found_from_elsewhere`
summarise them (exact counts: disclosure control is the caller's, through
:mod:`analysis.disclosure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.placements import IN, OUT, _join_notes, _notes, _responsible, _sectors, _text
from data.schemas import OVER_DISTANCE_MILES, RISK_FLAG_LABELS, RISK_FLAGS
from geo import postcodes as _postcodes
from geo.distances import straight_line_miles

__all__ = [
    "add_found_location",
    "found_figures",
    "found_in_authorities",
    "found_from_elsewhere",
    "disclosed_found_figures",
    "FOUND_COLUMNS",
    "FIGURE_HEADINGS",
    "NEAREST_SECTOR_METRES",
]

# Columns add_found_location adds, in this order (the first four are the issue's; the last two
# are for journeys: the missing-from sector and the district where found).
FOUND_COLUMNS = [
    "FOUND_DISTANCE",
    "FOUND_LA",
    "FOUND_LOCATION",
    "FOUND_NOTE",
    "FOUND_LA_NAME",
    "FROM_SECTOR",
    "FOUND_DISTRICT",
]

# A found position further than this from every postcode sector centroid is at sea or abroad.
NEAREST_SECTOR_METRES = 5000.0

FROM_SIDE = "missing-from"
FOUND_SIDE = "found"
NOTE_NOT_RECORDED = "found location not recorded"
NOTE_LAT_LON = "found position from latitude/longitude"
NOTE_BAD_LAT_LON = "found latitude/longitude not a position in Great Britain"
NOTE_NO_AUTHORITY = "found position not within 5 km of a postcode: authority not known"
NOTE_NO_RESPONSIBLE = "responsible authority unknown"
_CROWN_DEPENDENCIES = ("Channel Islands", "Isle of Man")


def _found_by_coordinates(frame: pd.DataFrame, rows: np.ndarray, index) -> dict[str, np.ndarray]:
    """Grid position, authority, name and district of the rows found only by latitude/longitude."""
    from geo.authorities import resolve_authority
    from geo.projection import grid_from_lat_lon as _grid_from_lat_lon

    lat = pd.to_numeric(_text(frame, "FOUND_LAT"), errors="coerce").to_numpy(dtype=float)[rows]
    lon = pd.to_numeric(_text(frame, "FOUND_LON"), errors="coerce").to_numpy(dtype=float)[rows]
    east, north, _, _ = _grid_from_lat_lon(pd.Series(lat), pd.Series(lon))
    near = index.nearest_sector(east, north, max_metres=NEAREST_SECTOR_METRES)
    la = near["la_code"].fillna("").to_numpy(dtype=object)
    name = near["la_name"].fillna("").to_numpy(dtype=object)
    district = near["lad_code"].fillna("").to_numpy(dtype=object)
    from geo.boundaries import authority_at

    inside = authority_at(east, north)
    polygon = np.asarray([isinstance(c, str) and c != "" for c in inside], dtype=bool)
    la = np.where(polygon, inside, la)
    names = {c: resolve_authority(c).name for c in pd.unique(inside[polygon])}
    name = np.where(polygon, np.asarray([names.get(c, "") for c in inside], dtype=object), name)
    # The district of the nearest sector may lie over the border from the polygon's authority.
    district = np.where(polygon & (la != near["la_code"].fillna("").to_numpy(dtype=object)), "", district)
    return {"east": east, "north": north, "la": la, "name": name, "district": district}


def add_found_location(episodes: pd.DataFrame, la=None, *, index=None) -> pd.DataFrame:
    """Add found distance, authority and location columns to missing episodes (every row kept, in order).

    Parameters
    ----------
    episodes : DataFrame with FOUND_POST and/or FOUND_LAT, FOUND_LON (WGS84 degrees), FROM_POST and,
        when present, PL_POST (the placement at the start: used when FROM_POST is blank), LA_CODE or LA.
    la : the responsible children's services authority, anything
        :func:`geo.authorities.resolve_authority` accepts; None to use each row's LA_CODE (or LA).
        With neither, FOUND_LOCATION is blank and FOUND_NOTE says why.
    index : a :class:`geo.postcodes.PostcodeIndex`; the process-wide one by default.

    Returns
    -------
    A copy with :data:`FOUND_COLUMNS` added: ``FOUND_DISTANCE`` (miles, 1 dp, DfE formula, NaN when
    not measurable), ``FOUND_LA`` (GSS code; WAL/SCO/NIR outside England; '' when unknown and for the
    Channel Islands and Isle of Man), ``FOUND_LOCATION`` (IN/OUT/''), ``FOUND_NOTE``, ``FOUND_LA_NAME``
    (authority or nation), ``FROM_SECTOR`` (postcode sector gone missing from, never finer) and
    ``FOUND_DISTRICT`` (local authority district, 2025 GSS code, '' when unknown).

    Raises
    ------
    geo.authorities.UnknownAuthorityError
        When ``la`` names no authority. Bad rows never raise: they get a note.
    """
    index = index if index is not None else _postcodes.get_postcode_index()
    out = episodes.copy()
    n = len(out)
    try:
        responsible, no_responsible = _responsible(out, la)
    except ValueError:  # no authority given and no LA_CODE column: location unknown, distances still measured
        responsible, no_responsible = np.full(n, "", dtype=object), np.ones(n, dtype=bool)

    from_text = _text(out, "FROM_POST")
    from_text = from_text.where(from_text != "", _text(out, "PL_POST"))
    start = index.lookup(from_text)
    found = index.lookup(_text(out, "FOUND_POST"))

    found_e = found["easting"].to_numpy(np.float64).copy()
    found_n = found["northing"].to_numpy(np.float64).copy()
    country = found["country"].fillna("")
    found_la = found["la_code"].fillna("").where(~country.isin(_CROWN_DEPENDENCIES), "").to_numpy(dtype=object)
    found_name = found["la_name"].fillna("").where(~country.isin(_CROWN_DEPENDENCIES), country).to_numpy(dtype=object)
    district = found["lad_code"].fillna("").to_numpy(dtype=object)

    found_note = _notes(found["failure"], found["resolution"], FOUND_SIDE)
    lat_given = (_text(out, "FOUND_LAT") != "").to_numpy() & (_text(out, "FOUND_LON") != "").to_numpy()
    postcode_unusable = ~np.isfinite(found_e) & (found_la == "")
    by_coordinates = np.flatnonzero(postcode_unusable & lat_given)
    extra = np.full(n, "", dtype=object)
    if len(by_coordinates):
        got = _found_by_coordinates(out, by_coordinates, index)
        found_e[by_coordinates], found_n[by_coordinates] = got["east"], got["north"]
        found_la[by_coordinates], found_name[by_coordinates] = got["la"], got["name"]
        district[by_coordinates] = got["district"]
        placed = np.isfinite(got["east"])
        extra[by_coordinates] = np.where(
            placed, np.where(got["la"] == "", NOTE_NO_AUTHORITY, NOTE_LAT_LON), NOTE_BAD_LAT_LON
        )
        # A blank postcode is no reason once the coordinates place the child.
        blank = (found["failure"] == _postcodes.FAILURE_BLANK).to_numpy()[by_coordinates]
        found_note[by_coordinates[blank]] = ""
    nothing = (found["failure"] == _postcodes.FAILURE_BLANK).to_numpy() & ~lat_given
    found_note[nothing] = NOTE_NOT_RECORDED

    miles = straight_line_miles(
        start["easting"].to_numpy(np.float64), start["northing"].to_numpy(np.float64), found_e, found_n
    )
    start_note = _notes(start["failure"], start["resolution"], FROM_SIDE)

    outside_england = np.isin(found_la, ["WAL", "SCO", "NIR"]) | np.isin(found_name, _CROWN_DEPENDENCIES)
    known = (found_la != "") | outside_england
    same = found_la == (np.full(n, responsible, dtype=object) if isinstance(responsible, str) else responsible)
    location = np.where(known & ~no_responsible, np.where(same & ~outside_england, IN, OUT), "").astype(object)
    responsible_note = np.where(no_responsible, NOTE_NO_RESPONSIBLE, "").astype(object)

    out["FOUND_DISTANCE"] = miles
    out["FOUND_LA"] = found_la
    out["FOUND_LOCATION"] = location
    out["FOUND_NOTE"] = _join_notes(start_note, found_note, extra, responsible_note)
    out["FOUND_LA_NAME"] = found_name
    out["FROM_SECTOR"] = _sectors(start["postcode"], start["resolution"]).to_numpy(dtype=object)
    out["FOUND_DISTRICT"] = district
    for column in ("FOUND_LA", "FOUND_LOCATION", "FOUND_NOTE", "FOUND_LA_NAME", "FROM_SECTOR", "FOUND_DISTRICT"):
        out[column] = out[column].astype(object)
    return out


# ---------------------------------------------------------------- figures
def _share(count: int, denominator: int) -> float:
    return round(100.0 * count / denominator, 1) if denominator else np.nan


def _figures_of(frame: pd.DataFrame, group: str) -> dict:
    miles = pd.to_numeric(frame["FOUND_DISTANCE"], errors="coerce").to_numpy(dtype=float)
    measured = np.isfinite(miles)
    far = int((miles[measured] > OVER_DISTANCE_MILES).sum())
    location = frame["FOUND_LOCATION"].astype(object).to_numpy()
    known = np.isin(location, [IN, OUT])
    other = int((location == OUT).sum())
    return {
        "group": group,
        "episodes": len(frame),
        "measured": int(measured.sum()),
        "found_over_20_miles": far,
        "pct_over_20_miles": _share(far, int(measured.sum())),
        "located": int(known.sum()),
        "found_in_another_authority": other,
        "pct_in_another_authority": _share(other, int(known.sum())),
        "median_miles": round(float(np.median(miles[measured])), 1) if measured.any() else np.nan,
    }


def found_figures(episodes: pd.DataFrame, *, flags=RISK_FLAGS) -> pd.DataFrame:
    """Share found over 20 miles away, share found in another authority and median distance,
    for all episodes and for the episodes with each risk flag.

    Parameters
    ----------
    episodes : missing episodes with :data:`FOUND_COLUMNS` (:func:`add_found_location`).
    flags : risk-flag columns (``data.schemas.RISK_FLAGS``) to break down by.

    Returns
    -------
    One row per group ("all episodes", then each flag's label) with ``episodes``; ``measured``
    (episodes with a found distance: the denominator of the 20-mile share and the median);
    ``found_over_20_miles`` and ``pct_over_20_miles`` (0-100, 1 dp; over, not at, 20 miles,
    the DfE's measure); ``located`` (episodes whose found authority and responsible authority are
    known: the denominator of the next share); ``found_in_another_authority`` and
    ``pct_in_another_authority``; ``median_miles``. ``attrs["definitions"]`` words each column.
    """
    rows = [_figures_of(episodes, "all episodes")]
    for flag in flags:
        if flag in episodes:
            with_flag = episodes[episodes[flag].astype("boolean").fillna(False).to_numpy(dtype=bool)]
            rows.append(_figures_of(with_flag, RISK_FLAG_LABELS.get(flag, flag)))
    out = pd.DataFrame(rows)
    out.attrs["definitions"] = {
        "measured": "episodes with both where the child went missing from and where found known to a postcode "
        "or position",
        "pct_over_20_miles": f"found more than {OVER_DISTANCE_MILES} miles (straight line, DfE method) from where "
        "they went missing, of episodes measured",
        "located": "episodes where both the authority where found and the responsible authority are known",
        "pct_in_another_authority": "found outside the responsible authority (including Wales, Scotland and "
        "Northern Ireland), of episodes located",
        "median_miles": "median straight-line miles from where the child went missing to where found, of "
        "episodes measured",
    }
    return out


def found_in_authorities(episodes: pd.DataFrame) -> pd.DataFrame:
    """The authorities (or nations) where children were found: ``FOUND_LA``, ``authority``, ``episodes``,
    ``children``, ``share`` (0-1 of episodes with a known place found), most episodes first; unknown
    places are one row "not known" at the end (no share)."""
    name = episodes["FOUND_LA_NAME"].astype(object).fillna("").to_numpy()
    code = episodes["FOUND_LA"].astype(object).fillna("").to_numpy()
    frame = pd.DataFrame(
        {
            "FOUND_LA": code,
            "authority": np.where(name == "", "not known", name),
            "CHILD": episodes["CHILD"].astype(str).to_numpy(),
        }
    )
    out = (
        frame.groupby(["FOUND_LA", "authority"])
        .agg(episodes=("CHILD", "size"), children=("CHILD", "nunique"))
        .reset_index()
    )
    unknown = out["authority"] == "not known"
    known_total = int(out.loc[~unknown, "episodes"].sum())
    out["share"] = np.where(unknown, np.nan, out["episodes"] / known_total if known_total else np.nan)
    out = out.assign(_last=unknown).sort_values(["_last", "episodes", "authority"], ascending=[True, False, True])
    return out.drop(columns="_last").reset_index(drop=True)


def found_from_elsewhere(episodes: pd.DataFrame, la) -> pd.DataFrame:
    """Children of other authorities found in ``la`` (regional mode: several authorities loaded).

    Parameters
    ----------
    episodes : missing episodes of several authorities with LA_CODE (responsible) and FOUND_LA.
    la : the authority where they were found (name or code).

    Returns ``LA_CODE``, ``authority`` (responsible), ``episodes``, ``children``, most episodes first.
    """
    from geo.authorities import resolve_authority

    code = resolve_authority(la).code
    if "LA_CODE" not in episodes:
        return pd.DataFrame(columns=["LA_CODE", "authority", "episodes", "children"])
    mask = (episodes["FOUND_LA"].astype(object) == code) & (episodes["LA_CODE"].astype(object) != code)
    here = episodes[mask.to_numpy(dtype=bool)]
    out = here.groupby("LA_CODE").agg(episodes=("CHILD", "size"), children=("CHILD", "nunique")).reset_index()
    names = {c: resolve_authority(c).name for c in out["LA_CODE"]}
    out.insert(1, "authority", out["LA_CODE"].map(names))
    return out.sort_values(["episodes", "authority"], ascending=[False, True]).reset_index(drop=True)


FIGURE_HEADINGS = {
    "group": "Which episodes",
    "episodes": "Episodes",
    "measured": "Distance known",
    "found_over_20_miles": f"Found over {OVER_DISTANCE_MILES} miles away",
    "pct_over_20_miles": f"% over {OVER_DISTANCE_MILES} miles (of distance known)",
    "located": "Authority known",
    "found_in_another_authority": "Found in another authority",
    "pct_in_another_authority": "% in another authority (of authority known)",
    "median_miles": "Median miles (of distance known)",
}


def disclosed_found_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """:func:`found_figures` as a panel or MASE pack may show it: counts 1-5 "c" (analysis.disclosure),
    percentages on a suppressed count or base "c", and the median "c" when its base is 1-5 (a median
    of so few distances is one child's journey)."""
    from analysis.disclosure import SUPPRESSED, is_small, suppress_table

    out = suppress_table(
        figures,
        ["episodes", "measured", "found_over_20_miles", "located", "found_in_another_authority"],
        percent_columns={
            "pct_over_20_miles": "found_over_20_miles/measured",
            "pct_in_another_authority": "found_in_another_authority/located",
        },
    )
    median = ["-" if pd.isna(v) else f"{v:.1f}" for v in figures["median_miles"]]
    out["median_miles"] = np.where(is_small(figures["measured"]), SUPPRESSED, median)
    return out
