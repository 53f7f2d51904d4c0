"""Journeys of missing children, aggregated: from where they went missing to where they were found.

Two levels, both aggregates (never a child or a postcode finer than a sector):

* :func:`journeys`: from the postcode sector a child went missing from (FROM_SECTOR) to the
  hotspot where found, or, outside hotspots, the local authority district where found
  (FOUND_DISTRICT), with episodes, children and the share with a chosen risk flag;
* :func:`corridors`: between the responsible authority (LA_CODE) and the authority where
  found (FOUND_LA), for regional mode; the rows :func:`maps.flow_map.flow_lines` draws.

Positions are sector centroids (:meth:`geo.postcodes.PostcodeIndex.lookup`), hotspot centres
(median of the hotspot's episodes, as :mod:`analysis.hotspots` reports them) and district
centroids (:meth:`geo.postcodes.PostcodeIndex.district_centroids`), EPSG:27700 metres.
Counts are exact: panel and MASE views drop journeys of 1-5 children through
:mod:`analysis.disclosure` (``maps.journeys_map`` does so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.hotspot_names import hotspot_label
from analysis.hotspots import NOISE

__all__ = ["journeys", "corridors", "JOURNEY_COLUMNS", "TO_HOTSPOT", "TO_DISTRICT"]

TO_HOTSPOT = "hotspot"
TO_DISTRICT = "district"
JOURNEY_COLUMNS = [
    "from_sector",
    "to_kind",
    "to_id",
    "to_name",
    "episodes",
    "children",
    "flag_episodes",
    "flag_recorded",
    "flag_share",
    "median_miles",
    "from_easting",
    "from_northing",
    "to_easting",
    "to_northing",
]


def _flag_values(episodes: pd.DataFrame, flag: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(set, recorded) per episode for the flag; all False when no flag is chosen or the column is absent."""
    n = len(episodes)
    if not flag or flag not in episodes:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    values = episodes[flag].astype("boolean")
    return values.fillna(False).to_numpy(dtype=bool), values.notna().to_numpy(dtype=bool)


def journeys(
    episodes: pd.DataFrame, *, labels=None, hotspots=None, flag: str | None = None, index=None
) -> pd.DataFrame:
    """Episodes and children per journey from a postcode sector to a hotspot or district where found.

    Parameters
    ----------
    episodes : missing episodes with FROM_SECTOR, FOUND_DISTRICT, FOUND_DISTANCE (miles) and CHILD
        (:func:`analysis.missing.missing_episodes`).
    labels : each episode's hotspot id when clustered by where found (-1 for none); None: districts only.
    hotspots : the hotspots of those labels (``hotspot_id``, ``easting``, ``northing``), for their centres.
    flag : a risk flag column (``data.schemas.RISK_FLAGS``) whose share colours each journey.
    index : a :class:`geo.postcodes.PostcodeIndex`; the process-wide one by default.

    Returns
    -------
    :data:`JOURNEY_COLUMNS`, one row per (from_sector, to_kind, to_id), most children first:
    ``flag_share`` is flag_episodes / flag_recorded (0-1, NaN when never recorded);
    ``median_miles`` the median FOUND_DISTANCE; positions in EPSG:27700 metres. Episodes without a
    missing-from sector or a place found are left out (``attrs["left_out"]`` counts them).
    """
    from geo.postcodes import get_postcode_index

    index = index if index is not None else get_postcode_index()
    n = len(episodes)
    hid = np.full(n, NOISE, dtype=np.int64) if labels is None else np.asarray(labels, dtype=np.int64)
    if hotspots is None or len(hotspots) == 0:
        hid = np.full(n, NOISE, dtype=np.int64)
    sector = episodes["FROM_SECTOR"].astype(object).fillna("").to_numpy()
    district = episodes["FOUND_DISTRICT"].astype(object).fillna("").to_numpy()
    to_kind = np.where(hid != NOISE, TO_HOTSPOT, np.where(district != "", TO_DISTRICT, ""))
    to_id = np.where(hid != NOISE, hid.astype(str), district)
    flag_set, flag_recorded = _flag_values(episodes, flag)
    frame = pd.DataFrame(
        {
            "from_sector": sector,
            "to_kind": to_kind,
            "to_id": to_id,
            "CHILD": episodes["CHILD"].astype(str).to_numpy(),
            "flag_set": flag_set,
            "flag_recorded": flag_recorded,
            "miles": pd.to_numeric(episodes["FOUND_DISTANCE"], errors="coerce").to_numpy(dtype=float),
        }
    )
    usable = (frame["from_sector"] != "") & (frame["to_kind"] != "")
    frame = frame[usable]
    out = (
        frame.groupby(["from_sector", "to_kind", "to_id"], sort=False)
        .agg(
            episodes=("CHILD", "size"),
            children=("CHILD", "nunique"),
            flag_episodes=("flag_set", "sum"),
            flag_recorded=("flag_recorded", "sum"),
            median_miles=("miles", "median"),
        )
        .reset_index()
    )
    out["flag_share"] = out["flag_episodes"] / out["flag_recorded"].where(out["flag_recorded"] > 0)

    # Positions and names looked up once per distinct sector, hotspot and district, not per row.
    sectors = pd.unique(out["from_sector"])
    where = index.lookup(pd.Series(sectors, dtype=object))
    pos = pd.Series(np.arange(len(sectors)), index=sectors).reindex(out["from_sector"]).to_numpy()
    out["from_easting"] = where["easting"].to_numpy(float)[pos]
    out["from_northing"] = where["northing"].to_numpy(float)[pos]
    districts = index.district_centroids()
    to_x = dict(zip(districts["lad_code"], districts["easting"]))
    to_y = dict(zip(districts["lad_code"], districts["northing"]))
    to_name = {code: f"{name} ({code})" for code, name in zip(districts["lad_code"], districts["la_name"])}
    if hotspots is not None and len(hotspots):
        ids = hotspots["hotspot_id"].astype(int).astype(str)
        to_x.update(zip(ids, hotspots["easting"].astype(float)))
        to_y.update(zip(ids, hotspots["northing"].astype(float)))
        names = hotspots["name"] if "name" in hotspots else pd.Series(None, index=hotspots.index)
        to_name.update((i, hotspot_label(i, n)) for i, n in zip(ids, names))
    key = out["to_id"].astype(object)
    out["to_easting"] = key.map(to_x).astype(float)
    out["to_northing"] = key.map(to_y).astype(float)
    out["to_name"] = key.map(to_name).fillna(key)
    out = (
        out[JOURNEY_COLUMNS]
        .sort_values(
            ["children", "episodes", "from_sector", "to_id"], ascending=[False, False, True, True], kind="stable"
        )
        .reset_index(drop=True)
    )
    out.attrs["left_out"] = int((~usable).sum())
    return out


def corridors(episodes: pd.DataFrame) -> pd.DataFrame:
    """Children of each responsible authority found in another authority: the corridors of regional mode.

    Parameters
    ----------
    episodes : missing episodes of one or several authorities with LA_CODE (responsible), FOUND_LA,
        FOUND_DISTANCE (miles).

    Returns
    -------
    ``from_code``, ``from_name`` (responsible), ``to_code``, ``to_name`` (where found: an authority,
    or WAL / SCO / NIR), ``episodes``, ``children``, ``median_miles``: the columns of
    :func:`analysis.regional.placement_flows`, so that :func:`maps.flow_map.flow_lines` draws them.
    Only episodes found outside the responsible authority; most children (then episodes) first.
    """
    from geo.authorities import resolve_authority

    columns = ["from_code", "from_name", "to_code", "to_name", "episodes", "children", "median_miles"]
    if "LA_CODE" not in episodes or episodes.empty:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "from_code": episodes["LA_CODE"].astype(object).fillna("").to_numpy(),
            "to_code": episodes["FOUND_LA"].astype(object).fillna("").to_numpy(),
            "to_name": episodes["FOUND_LA_NAME"].astype(object).fillna("").to_numpy(),
            "CHILD": episodes["CHILD"].astype(str).to_numpy(),
            "miles": pd.to_numeric(episodes["FOUND_DISTANCE"], errors="coerce").to_numpy(dtype=float),
        }
    )
    frame = frame[(frame["from_code"] != "") & (frame["to_code"] != "") & (frame["from_code"] != frame["to_code"])]
    out = (
        frame.groupby(["from_code", "to_code", "to_name"])
        .agg(episodes=("CHILD", "size"), children=("CHILD", "nunique"), median_miles=("miles", "median"))
        .reset_index()
    )

    def name(code):
        try:
            return resolve_authority(code).name
        except Exception:  # noqa: BLE001 - a code we cannot name is shown as given
            return code

    out["from_name"] = out["from_code"].map({c: name(c) for c in pd.unique(out["from_code"])})
    return (
        out[columns]
        .sort_values(
            ["children", "episodes", "from_code", "to_code"], ascending=[False, False, True, True], kind="stable"
        )
        .reset_index(drop=True)
    )
