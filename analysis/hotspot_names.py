"""A hotspot's name in words people use: nearest town or village, postcode sector(s) and authority.

"Margate, CT9 1 (Kent)": the nearest GeoNames town or village to the hotspot's centre (``geo.places``;
"near Ashford" when the nearest is further than :data:`NEAR_M`), the postcode sectors most of its
episodes were in (or, with no postcodes, the sector whose centre is nearest), and the children's
services authority of the first sector (ONS Postcode Directory, ``geo.postcodes``). Offline, and about
0.1 s for England's 1,500 hotspots once the gazetteer is loaded (bench/bench_hotspot_names.py).

:func:`hotspot_label` is the one way every output (the Missing page, its map, tables and exports, the
MASE pack, the command line) shows a hotspot: its number and its name.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

__all__ = ["name_hotspots", "hotspot_sectors", "hotspot_label", "NEAR_M", "MAX_SECTORS"]

# Further than this from the nearest town or village (metres) the name says "near ...".
NEAR_M = 2000
# A hotspot names at most this many sectors, each holding at least MIN_SECTOR_SHARE of its located episodes.
MAX_SECTORS = 2
MIN_SECTOR_SHARE = 0.25

_LOCK = threading.Lock()
_SECTORS: tuple | None = None  # (postcode index, sector table, KD-tree, sector -> authority)


def _sector_lookup():
    """The postcode index's sectors, a KD-tree on their centres and each sector's authority, once per process."""
    global _SECTORS
    from geo.postcodes import get_postcode_index

    index = get_postcode_index()
    if _SECTORS is None or _SECTORS[0] is not index:
        with _LOCK:
            if _SECTORS is None or _SECTORS[0] is not index:
                from scipy.spatial import cKDTree

                table = index.sectors_with_positions()
                tree = cKDTree(table[["easting", "northing"]].to_numpy(dtype=float))
                _SECTORS = (index, table, tree, dict(zip(table["sector"], table["la_name"])))
    return _SECTORS[1:]


def hotspot_sectors(postcodes: pd.Series, hotspot_ids: pd.Series) -> pd.Series:
    """The postcode sectors most of each hotspot's episodes were in: "CT9 1" or "CT9 1, CT9 2".

    Parameters
    ----------
    postcodes : the episodes' postcodes (any form; units or sectors), aligned with ``hotspot_ids``.
    hotspot_ids : each episode's hotspot (``analysis.hotspots.HOTSPOT_ID``; -1 for none).

    Returns
    -------
    Series of text indexed by hotspot id: at most :data:`MAX_SECTORS` sectors, most episodes first, each
    holding at least a quarter of the hotspot's episodes with a postcode. Hotspots without one are absent.
    """
    from geo.postcodes import sector_of

    hid = np.asarray(hotspot_ids)
    inside = hid >= 0
    # Count (hotspot, postcode) pairs first: England's 87,000 episodes are at far fewer distinct postcodes,
    # and the sector of each distinct one is worked out once.
    pairs = pd.DataFrame({"hid": hid[inside], "postcode": np.asarray(postcodes, dtype=object)[inside]})
    pairs = pairs.groupby(["hid", "postcode"], dropna=True).size().reset_index(name="n")
    pairs["sector"] = sector_of(pairs["postcode"].astype(object)).to_numpy(dtype=object)
    pairs = pairs[pairs["sector"] != ""]
    if pairs.empty:
        return pd.Series(dtype=object)
    counts = pairs.groupby(["hid", "sector"])["n"].sum().reset_index()
    counts["share"] = counts["n"] / counts.groupby("hid")["n"].transform("sum")
    counts = counts.sort_values(["hid", "n", "sector"], ascending=[True, False, True])
    top = counts.groupby("hid").head(MAX_SECTORS)
    top = top[(top["share"] >= MIN_SECTOR_SHARE) | ~top.duplicated("hid")]
    return top.groupby("hid")["sector"].agg(", ".join)


def name_hotspots(easting, northing, *, sectors=None) -> np.ndarray:
    """Names such as "Margate, CT9 1 (Kent)" for hotspot centres.

    Parameters
    ----------
    easting, northing : the centres, EPSG:27700 metres (array-likes of one length).
    sectors : optional, aligned with the centres: the sector text of each (from :func:`hotspot_sectors`);
        blank or missing where unknown, and then the sector whose centre is nearest is named.

    Returns
    -------
    numpy array of str, one name per centre ("" for a centre that is not finite).
    """
    from geo.places import get_places

    x = np.atleast_1d(np.asarray(easting, dtype=float))
    y = np.atleast_1d(np.asarray(northing, dtype=float))
    if len(x) == 0:
        return np.array([], dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    places = get_places().nearest(x, y)
    table, tree, authority_of = _sector_lookup()
    given = pd.Series(np.asarray(sectors, dtype=object)) if sectors is not None else pd.Series([None] * len(x))
    given = given.where(given.notna(), "").astype(str).to_numpy(dtype=object)
    nearest = np.full(len(x), "", dtype=object)
    if ok.any():
        _dist, row = tree.query(np.column_stack([x[ok], y[ok]]))
        nearest[ok] = table["sector"].to_numpy(dtype=object)[row]
    names = []
    for i in range(len(x)):
        if not ok[i]:
            names.append("")
            continue
        sector_text = given[i] or nearest[i]
        first = sector_text.split(", ")[0]
        authority = authority_of.get(first) or authority_of.get(nearest[i]) or ""
        town = places.at[i, "name"] if isinstance(places.at[i, "name"], str) else ""
        if town and places.at[i, "distance_m"] > NEAR_M:
            town = f"near {town}"
        where = ", ".join(part for part in (town, sector_text) if part)
        names.append(f"{where} ({authority})" if authority else where)
    return np.array(names, dtype=object)


def hotspot_label(hotspot_id, name=None) -> str:
    """How every output shows a hotspot: "3. Margate, CT9 1 (Kent)", or "Hotspot 3" without a name.

    ``hotspot_id`` is :func:`analysis.hotspots.find_hotspots`' ``hotspot_id`` (1 for the hotspot with most
    episodes); ``name`` its ``name`` column. Accepts a hotspot row (a mapping with both) as ``hotspot_id``.
    """
    if name is None and hasattr(hotspot_id, "get"):
        hotspot_id, name = hotspot_id.get("hotspot_id"), hotspot_id.get("name")
    number = int(hotspot_id)
    if isinstance(name, str) and name.strip():
        return f"{number}. {name.strip()}"
    return f"Hotspot {number}"
