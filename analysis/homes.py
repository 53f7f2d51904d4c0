"""Children's homes: from the council's register, or inferred from 903 episodes, and how we use them.

Panels ask where the homes our children live in are, whether they are inside
our area, how far from our boundary, and how many of our children each one
holds. Outputs here never carry a child identifier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from data import schemas
from geo import authorities as _authorities
from geo import postcodes as _postcodes
from geo.boundaries import authority_boundaries
from geo.distances import metres_to_miles

__all__ = ["homes_from_register", "infer_homes", "home_usage", "NO_URN"]

# URN used in the 903 for settings that Ofsted does not inspect (and some placements in Wales etc.).
NO_URN = "XXXXXXX"
_SECTOR_BY_PROVIDER = {"PR1": "LA", "PR2": "LA", "PR3": "LA", "PR4": "PRIVATE", "PR5": "VOLUNTARY"}
_TYPE_BY_PLACE = {"K1": "Secure children's home", "K2": "Children's home"}


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].astype("str").fillna("").str.strip()


def _urn(values: pd.Series) -> pd.Series:
    """URNs comparable across files: upper case, no spaces, '' for none or XXXXXXX."""
    urn = values.astype("str").fillna("").str.upper().str.replace(r"\s+", "", regex=True)
    return urn.where(urn != NO_URN, "")


def _boundary_miles(easting: np.ndarray, northing: np.ndarray, la_code: str) -> np.ndarray:
    """Straight-line miles from each point to the responsible authority's boundary; NaN for an authority
    without a polygon. Boundaries always exist (derived ones ship with the code), so an error is not hidden."""
    out = np.full(len(easting), np.nan)
    shapes = authority_boundaries()
    polygon = shapes.loc[shapes["code"] == la_code, "geometry"]
    if polygon.empty:
        return out
    outline = shapely.boundary(polygon.iloc[0])
    ok = np.isfinite(easting) & np.isfinite(northing)
    points = shapely.points(easting[ok], northing[ok])
    metres = shapely.distance(points, outline)
    out[ok] = metres_to_miles(metres)
    return out


def homes_from_register(register: pd.DataFrame, la=None, *, index=None) -> pd.DataFrame:
    """Geocode a children's homes register.

    Parameters
    ----------
    register : DataFrame with at least ``POSTCODE`` (and usually NAME, URN, SECTOR, TYPE, PLACES,
        OFSTED_RATING, PROVIDER; see ``data.schemas.HOMES_COLUMNS``).
    la : the responsible authority (anything :func:`geo.authorities.resolve_authority` accepts);
        without it WITHIN_LA and MILES_FROM_BOUNDARY stay blank.
    index : a :class:`geo.postcodes.PostcodeIndex`; the process-wide one by default.

    Returns
    -------
    A copy of ``register`` (rows kept, in order) with ``POSTCODE_FOUND`` (normalised), ``LOCATION_NOTE``
    (why a home could not be placed, '' if it could), ``LAT``, ``LON`` (EPSG:4326), ``EASTING``,
    ``NORTHING`` (EPSG:27700 metres), ``LA_CODE``, ``LA_NAME`` (children's services authority of the
    home), ``WITHIN_LA`` (Y/N/''), ``MILES_FROM_BOUNDARY`` (straight-line miles to the responsible
    authority's boundary, inside or outside; NaN without boundary data).
    """
    index = index if index is not None else _postcodes.get_postcode_index()
    out = register.copy()
    found = index.lookup(_text(out, "POSTCODE"))
    out["POSTCODE_FOUND"] = found["postcode"].to_numpy()
    out["LOCATION_NOTE"] = found["failure"].fillna("").to_numpy()
    out["LAT"] = found["lat"].to_numpy(np.float64)
    out["LON"] = found["lon"].to_numpy(np.float64)
    out["EASTING"] = found["easting"].to_numpy(np.float64)
    out["NORTHING"] = found["northing"].to_numpy(np.float64)
    out["LA_CODE"] = found["la_code"].fillna("").to_numpy()
    out["LA_NAME"] = found["la_name"].fillna("").to_numpy()
    within = np.full(len(out), "", dtype=object)
    miles = np.full(len(out), np.nan)
    if la is not None:
        code = _authorities.resolve_authority(la).code
        known = (out["LA_CODE"] != "").to_numpy()
        within[known] = np.where(out["LA_CODE"].to_numpy()[known] == code, "Y", "N")
        miles = _boundary_miles(out["EASTING"].to_numpy(), out["NORTHING"].to_numpy(), code)
    out["WITHIN_LA"] = pd.array(within, dtype="str")
    out["MILES_FROM_BOUNDARY"] = miles
    return out


def infer_homes(episodes: pd.DataFrame) -> pd.DataFrame:
    """Children's homes seen in 903 episodes (PLACE K1/K2), for when there is no register.

    A home is one URN (or, where the URN is blank or XXXXXXX, one placement postcode).
    Returns register-shaped columns ``NAME`` ("Home URN ..." / "Home at ..."), ``URN``, ``POSTCODE``,
    ``TYPE``, ``SECTOR`` (from PLACE_PROVIDER: LA / PRIVATE / VOLUNTARY), ``EPISODES`` (count) and
    ``INFERRED`` (True); no child identifiers. Pass the result to :func:`homes_from_register` to geocode it.
    """
    place = _text(episodes, "PLACE").str.upper()
    rows = episodes[place.isin(schemas.CHILDRENS_HOME_PLACES).to_numpy()]
    frame = pd.DataFrame(
        {
            "URN": _urn(_text(rows, "URN")).to_numpy(),
            "POSTCODE": _postcodes.normalise_postcodes(_text(rows, "PL_POST")).to_numpy(),
            "PLACE": _text(rows, "PLACE").str.upper().to_numpy(),
            "PROVIDER": _text(rows, "PLACE_PROVIDER").str.upper().to_numpy(),
        }
    )
    frame = frame[(frame["URN"] != "") | (frame["POSTCODE"] != "")]
    frame["KEY"] = np.where(frame["URN"] != "", "U:" + frame["URN"], "P:" + frame["POSTCODE"])
    columns = ["NAME", "URN", "POSTCODE", "TYPE", "SECTOR", "EPISODES", "INFERRED"]
    if frame.empty:
        return pd.DataFrame(columns=columns)

    def _most_common(values: pd.Series) -> str:
        values = values[values != ""]
        return values.value_counts().index[0] if len(values) else ""

    grouped = frame.groupby("KEY", sort=True)
    homes = pd.DataFrame(
        {
            "URN": grouped["URN"].agg(_most_common),
            "POSTCODE": grouped["POSTCODE"].agg(_most_common),
            "PLACE": grouped["PLACE"].agg(_most_common),
            "PROVIDER": grouped["PROVIDER"].agg(_most_common),
            "EPISODES": grouped.size(),
        }
    ).reset_index(drop=True)
    homes["NAME"] = np.where(homes["URN"] != "", "Home URN " + homes["URN"], "Home at " + homes["POSTCODE"])
    homes["TYPE"] = homes["PLACE"].map(_TYPE_BY_PLACE).fillna("")
    homes["SECTOR"] = homes["PROVIDER"].map(_SECTOR_BY_PROVIDER).fillna("")
    homes["INFERRED"] = True
    return homes[columns]


def home_usage(homes: pd.DataFrame, snapshot: pd.DataFrame) -> pd.DataFrame:
    """How many of our children live at each home on the snapshot date; no child identifiers.

    ``homes`` is a register (or :func:`infer_homes`) with URN and/or POSTCODE; ``snapshot`` is
    children looked after on a date (:func:`analysis.placements.placements_on`) with PLACE, URN,
    PL_POST. A child in a children's home (K1/K2) is matched to a home by URN, else by postcode.

    Returns ``homes`` (every row, in order; a CHILD column, if any, dropped) with ``OUR_CHILDREN``,
    plus a last row "Not matched to a listed home" counting the children in children's homes that
    match none.
    """
    place = _text(snapshot, "PLACE").str.upper()
    in_homes = snapshot[place.isin(schemas.CHILDRENS_HOME_PLACES).to_numpy()]
    child_urn = _urn(_text(in_homes, "URN")).to_numpy()
    child_post = _postcodes.normalise_postcodes(_text(in_homes, "PL_POST")).to_numpy()

    out = homes.drop(columns=[c for c in ("CHILD",) if c in homes.columns]).copy()
    home_urn = _urn(_text(out, "URN")).to_numpy()
    home_post = _postcodes.normalise_postcodes(_text(out, "POSTCODE")).to_numpy()
    urn_row = pd.Series(np.arange(len(out)), index=home_urn)[lambda s: s.index != ""]
    urn_row = urn_row[~urn_row.index.duplicated()]
    post_row = pd.Series(np.arange(len(out)), index=home_post)[lambda s: s.index != ""]
    post_row = post_row[~post_row.index.duplicated()]

    by_urn = pd.Series(child_urn).map(urn_row)
    by_post = pd.Series(child_post).map(post_row)
    matched = by_urn.fillna(by_post)
    counts = matched.dropna().astype(int).value_counts()
    out["OUR_CHILDREN"] = counts.reindex(np.arange(len(out)), fill_value=0).to_numpy()
    unmatched = int(matched.isna().sum())
    extra: dict[str, object] = {c: "" for c in out.columns if c != "OUR_CHILDREN"}
    extra["NAME"] = "Not matched to a listed home"
    extra["OUR_CHILDREN"] = unmatched
    return pd.concat([out, pd.DataFrame([extra])], ignore_index=True)
