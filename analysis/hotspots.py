"""Hotspots of missing episodes: density clusters of where children were found (or went missing from).

Points are clustered in British National Grid metres (EPSG:27700) with Euclidean
distance: the ``hdbscan`` library's Boruvka KD-tree HDBSCAN by default (about
10x less CPU than scikit-learn's HDBSCAN at a year of England's incidents: 2.5 s,
see bench/bench_hotspots.py and docs/hotspots.md), or scikit-learn's DBSCAN with ``eps`` in metres.
Each hotspot is outlined by the hull of its episodes, buffered, and profiled:
how many episodes and children, which exploitation risks were recorded, when,
and where the children were placed. See docs/hotspots.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.missing import missing_by
from data.schemas import RISK_FLAGS
from geo.authorities import UnknownAuthorityError, resolve_authority
from geo.projection import BNG, transform_points

__all__ = ["find_hotspots", "label_hotspots", "label_and_find_hotspots", "hotspot_profile", "NOISE", "HOTSPOT_ID"]

NOISE = -1
HOTSPOT_ID = "HOTSPOT_ID"
MIN_MONTHS_FOR_TREND = 4  # Mann-Kendall on fewer monthly counts says nothing
# A hotspot is a place: median distance of its episodes from its centre at most this (metres).
MAX_RADIUS_M = 1000
# The outline leaves out the furthest 5 % of a hotspot's episodes, so one straggler does not stretch it.
OUTLINE_QUANTILE = 0.95
_LOCATIONS = {"found": "FOUND", "from": "FROM"}


def _xy(episodes: pd.DataFrame, location: str) -> tuple[np.ndarray, np.ndarray]:
    if location not in _LOCATIONS:
        raise ValueError(f"location must be 'found' or 'from', not {location!r}")
    prefix = _LOCATIONS[location]
    cols = (f"{prefix}_EASTING", f"{prefix}_NORTHING")
    missing = [c for c in cols if c not in episodes]
    if missing:
        raise KeyError(f"episodes have no {', '.join(missing)}: build them with analysis.missing.missing_episodes")
    return (
        pd.to_numeric(episodes[cols[0]], errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(episodes[cols[1]], errors="coerce").to_numpy(dtype=float),
    )


def label_hotspots(
    episodes: pd.DataFrame,
    *,
    location: str = "found",
    min_cluster_size: int = 8,
    min_samples: int | None = None,
    method: str = "hdbscan",
    eps_m: float = 250,
    max_radius_m: float | None = MAX_RADIUS_M,
    n_jobs: int = 1,
) -> pd.Series:
    """The hotspot of each episode (``HOTSPOT_ID``), or -1 for none (noise or no position).

    Parameters
    ----------
    episodes : from :func:`analysis.missing.missing_episodes`; uses FOUND_EASTING/FOUND_NORTHING
        (``location="found"``) or FROM_EASTING/FROM_NORTHING (``"from"``), EPSG:27700 metres.
    min_cluster_size : the fewest episodes that make a hotspot (HDBSCAN), or the ``min_samples``
        of DBSCAN when ``min_samples`` is not given.
    min_samples : HDBSCAN's density smoothing (defaults to ``min_cluster_size``).
    method : "hdbscan" (the ``hdbscan`` library, Boruvka KD-tree) or "dbscan" (scikit-learn).
    eps_m : metres. DBSCAN: the neighbourhood radius. HDBSCAN: ``cluster_selection_epsilon``,
        clusters closer than this are not split (so a place is not cut into its postcodes).
    n_jobs : worker processes for HDBSCAN's core distances (DBSCAN: threads). 1 by default: a
        year of England's incidents takes about 2 s of one core, less than starting the workers.
    max_radius_m : a cluster whose episodes lie further than this (median distance from its
        centre, metres) is a diffuse spread, not a place: its episodes get -1. ``None`` keeps all.

    Hotspot 1 has the most episodes, 2 the next, and so on (ties by easting, then northing,
    of the centre), so that ids are stable for the same data. People count from 1, and every
    output (app, exports, packs, command line) shows these same numbers.
    """
    x, y = _xy(episodes, location)
    ok = np.isfinite(x) & np.isfinite(y)
    labels = np.full(len(episodes), NOISE, dtype=np.int64)
    points = np.column_stack([x[ok], y[ok]])
    if len(points) >= max(min_cluster_size, 2):
        if method == "hdbscan":
            import hdbscan

            # Episodes found at one postcode share one point, so plain HDBSCAN splits a place into
            # one "cluster" per postcode; cluster_selection_epsilon stops splits below eps_m
            # (HDBSCAN(eps-hat), Malzer and Baum 2020).
            model = hdbscan.HDBSCAN(
                min_cluster_size=min_cluster_size,
                min_samples=min_samples,
                metric="euclidean",
                algorithm="boruvka_kdtree",
                core_dist_n_jobs=n_jobs,
                cluster_selection_epsilon=float(eps_m or 0.0),
            )
            raw = model.fit_predict(points)
        elif method == "dbscan":
            from sklearn.cluster import DBSCAN

            raw = DBSCAN(eps=eps_m, min_samples=min_samples or min_cluster_size, n_jobs=n_jobs).fit_predict(points)
        else:
            raise ValueError(f"method must be 'hdbscan' or 'dbscan', not {method!r}")
        labels[ok] = _relabel(raw, points, max_radius_m)
    return pd.Series(labels, index=episodes.index, name=HOTSPOT_ID)


def _relabel(raw: np.ndarray, points: np.ndarray, max_radius_m: float | None = None) -> np.ndarray:
    """Renumber clusters by size (largest first), ties by centre position; drop diffuse ones.

    Centres are the median easting and northing, not the mean: HDBSCAN keeps stragglers that
    joined a place late as members, and episodes found at one postcode share one point, so a
    mean drifts away from the place itself.
    """
    clusters = np.unique(raw[raw >= 0])
    if len(clusters) == 0:
        return raw
    frame = pd.DataFrame({"label": raw, "x": points[:, 0], "y": points[:, 1]})
    frame = frame[frame["label"] >= 0]
    grouped = frame.groupby("label")
    stats = grouped[["x", "y"]].median().assign(n=grouped.size())
    dist = np.hypot(
        frame["x"].to_numpy() - stats["x"].reindex(frame["label"]).to_numpy(),
        frame["y"].to_numpy() - stats["y"].reindex(frame["label"]).to_numpy(),
    )
    stats["radius"] = pd.Series(dist, index=frame.index).groupby(frame["label"]).median()
    if max_radius_m is not None:
        stats = stats[stats["radius"] <= max_radius_m]
    if stats.empty:
        return np.full(len(raw), NOISE, dtype=np.int64)
    stats = stats.sort_values(["n", "x", "y"], ascending=[False, True, True])
    mapping = np.full(raw.max() + 1, NOISE, dtype=np.int64)
    mapping[stats.index.to_numpy()] = np.arange(1, len(stats) + 1)
    return np.where(raw >= 0, mapping[np.maximum(raw, 0)], NOISE)


def _outlines(
    hid: np.ndarray, x: np.ndarray, y: np.ndarray, dist: np.ndarray, *, buffer_m: float, outline: str
) -> np.ndarray:
    """One outline per hotspot (sorted by id): the convex or concave hull of its episodes, leaving out
    the furthest 5 % from its centre (``dist``), buffered by ``buffer_m`` metres. All hotspots at once."""
    if outline not in ("convex", "concave"):
        raise ValueError(f"outline must be 'convex' or 'concave', not {outline!r}")
    order = np.lexsort((dist, hid))
    hid, x, y, dist = hid[order], x[order], y[order], dist[order]
    groups, start, size = np.unique(hid, return_index=True, return_counts=True)
    # np.quantile's default (linear) of each group's sorted distances, for all groups together.
    h = (size - 1) * OUTLINE_QUANTILE
    lo, hi = np.floor(h).astype(np.int64), np.ceil(h).astype(np.int64)
    cut = dist[start + lo] + (h - lo) * (dist[start + hi] - dist[start + lo])
    core = dist <= np.repeat(cut, size)
    points = shapely.multipoints(np.column_stack([x[core], y[core]]), indices=np.searchsorted(groups, hid[core]))
    hulls = shapely.concave_hull(points, ratio=0.3) if outline == "concave" else shapely.convex_hull(points)
    return shapely.buffer(hulls, buffer_m)


def _trends(hid: np.ndarray, start: np.ndarray, ids: pd.Index) -> pd.DataFrame:
    """``trend``, ``trend_per_month``, ``trend_p`` of each hotspot in ``ids``: Mann-Kendall on its monthly
    episode counts from its first month with an episode to its last (analysis.trends, all at once)."""
    from analysis.trends import mann_kendall  # pymannkendall and its statistics take ~3 s to import

    out = pd.DataFrame({"trend": "not enough data", "trend_per_month": np.nan, "trend_p": np.nan}, index=ids)
    when = pd.DatetimeIndex(start)
    ok = ~when.isna()
    if not ok.any():
        return out
    month = (when.year * 12 + when.month).to_numpy()[ok]
    order = np.lexsort((month, hid[ok]))
    groups, first = np.unique(hid[ok][order], return_index=True)
    series = [np.bincount(m - m[0]).astype(float) for m in np.split(month[order], first[1:])]
    long_enough = np.array([len(v) >= MIN_MONTHS_FOR_TREND for v in series], dtype=bool)
    if not long_enough.any():
        return out
    tested = mann_kendall([v for v, keep in zip(series, long_enough) if keep])
    where = groups[long_enough]
    out.loc[where, "trend"] = (
        tested["trend"].map({"increasing": "rising", "decreasing": "falling"}).fillna("no clear trend").to_numpy()
    )
    out.loc[where, "trend_per_month"] = tested["slope"].to_numpy()
    out.loc[where, "trend_p"] = tested["p"].to_numpy()
    return out


def _authority_names(codes: pd.Series) -> pd.Series:
    def name(code):
        if not isinstance(code, str) or not code:
            return code
        try:
            found = resolve_authority(code)
        except UnknownAuthorityError:  # an unknown code is shown as given
            return code
        return getattr(found, "name", code) or code

    uniques = {c: name(c) for c in codes.dropna().unique()}
    return codes.map(uniques)


def _mode(values: pd.Series, by: pd.Series) -> pd.Series:
    """Most common value per group (ties: first in sort order), None where all are missing."""
    frame = pd.DataFrame({"by": by.to_numpy(), "v": values.to_numpy()}).dropna()
    if frame.empty:
        return pd.Series(dtype=object)
    counts = frame.groupby(["by", "v"]).size().reset_index(name="n")
    counts = counts.sort_values(["by", "n", "v"], ascending=[True, False, True]).drop_duplicates("by")
    return counts.set_index("by")["v"].astype(object)


def _top_by(values: pd.Series, by: pd.Series, k: int = 3) -> pd.Series:
    """ "Name (n); Name (n)" of the ``k`` most common non-blank values per group."""
    text = values.astype(object).to_numpy()
    # Blank or not text, decided once per distinct value: England has a few hundred names, not 80,000.
    codes, uniques = pd.factorize(text)
    named = np.array([isinstance(v, str) and v.strip() != "" for v in uniques], dtype=bool)
    keep = (codes >= 0) & named[np.maximum(codes, 0)] if len(uniques) else np.zeros(len(text), dtype=bool)
    frame = pd.DataFrame({"by": by.to_numpy()[keep], "v": text[keep]})
    if frame.empty:
        return pd.Series(dtype=object)
    counts = frame.groupby(["by", "v"]).size().reset_index(name="n")
    counts = counts.sort_values(["by", "n", "v"], ascending=[True, False, True]).groupby("by").head(k)
    labels = (counts["v"].astype(str) + " (" + counts["n"].astype(str) + ")").to_numpy(dtype=object)
    return pd.Series(labels, dtype=object).groupby(counts["by"].to_numpy()).agg("; ".join)


def find_hotspots(
    episodes: pd.DataFrame,
    *,
    location: str = "found",
    min_cluster_size: int = 8,
    min_samples: int | None = None,
    method: str = "hdbscan",
    eps_m: float = 250,
    buffer_m: float = 100,
    max_radius_m: float | None = MAX_RADIUS_M,
    outline: str = "convex",
    labels: pd.Series | None = None,
) -> gpd.GeoDataFrame:
    """One row per hotspot of missing episodes, largest first.

    Parameters are those of :func:`label_hotspots`, plus ``buffer_m`` (metres added around
    the hull of the hotspot's episodes, leaving out the furthest 5 %), ``max_radius_m``, ``outline`` ("convex" or "concave" hull) and
    ``labels`` (reuse labels already computed).

    Returns
    -------
    GeoDataFrame (EPSG:27700, outline polygons) with ``hotspot_id`` (1 for the most episodes);
    ``name`` ("Margate, CT9 1 (Kent)": nearest town or village, postcode sector(s) of its episodes and
    authority, :mod:`analysis.hotspot_names`; show it with ``hotspot_label``); ``easting``, ``northing``
    (median of the episodes, EPSG:27700 metres), ``lat``, ``lon`` (EPSG:4326); ``radius_m``
    (median distance of the episodes from the centre); ``episodes``, ``children``;
    for each risk flag ``<flag>_share`` = episodes with the flag set / episodes where the
    flag was recorded (True or False; unrecorded flags are left out, so 0-1 or NaN when
    none was recorded), ``<flag>_episodes``, ``<flag>_recorded``, and ``dominant_flag`` (the
    flag set on most episodes); ``first_date``, ``last_date``; ``trend`` (rising / falling /
    no clear trend, Mann-Kendall on monthly counts, 5 %), ``trend_per_month`` (Sen's slope,
    episodes per month), ``trend_p``; ``night_share`` (starts 22:00-05:59, of episodes
    with a time), ``top_weekday``; ``median_distance_miles`` (placement distance at the
    start), ``out_of_area_share`` (placed out of the authority, of known; its numerator and base
    ``out_of_area_episodes``, ``out_of_area_known``), ``top_placement_areas``
    (authorities where the children were placed), ``top_responsible_authorities`` (pooled
    files only); ``children_at_other_hotspots`` (this hotspot's children seen at another
    one) and ``linked_hotspots`` (ids of those hotspots).
    ``attrs["params"]`` records the clustering parameters; ``attrs["peer_children"]`` the
    number of children seen at more than one hotspot.
    """
    if labels is None:
        labels = label_hotspots(
            episodes,
            location=location,
            min_cluster_size=min_cluster_size,
            min_samples=min_samples,
            method=method,
            eps_m=eps_m,
            max_radius_m=max_radius_m,
        )
    x, y = _xy(episodes, location)
    keep = labels.to_numpy() >= 0
    members = pd.DataFrame(
        {
            "hid": labels.to_numpy()[keep],
            "x": x[keep],
            "y": y[keep],
            "CHILD": episodes["CHILD"].astype(str).to_numpy()[keep],
        }
    )
    src = episodes.loc[keep]
    params = {
        "location": location,
        "min_cluster_size": min_cluster_size,
        "min_samples": min_samples,
        "method": method,
        "eps_m": eps_m,
        "max_radius_m": max_radius_m,
        "buffer_m": buffer_m,
        "outline": outline,
    }
    if members.empty:
        out = gpd.GeoDataFrame(
            {"hotspot_id": pd.Series(dtype=int), "name": pd.Series(dtype=object)},
            geometry=gpd.GeoSeries([], crs=BNG),
            crs=BNG,
        )
        out.attrs.update(params=params, peer_children=0)
        return out
    grouped = members.groupby("hid", sort=True)
    frame = grouped[["x", "y"]].median().rename(columns={"x": "easting", "y": "northing"})
    dist = np.hypot(
        members["x"].to_numpy() - frame["easting"].reindex(members["hid"]).to_numpy(),
        members["y"].to_numpy() - frame["northing"].reindex(members["hid"]).to_numpy(),
    )
    members["dist"] = dist
    frame["radius_m"] = members.groupby("hid")["dist"].median()
    frame["episodes"] = grouped.size()
    frame["children"] = grouped["CHILD"].nunique()

    # Risk flags: share over episodes where the flag was recorded (True or False).
    best_count = pd.Series(0, index=frame.index)
    frame["dominant_flag"] = None
    for flag in RISK_FLAGS:
        values = src[flag].astype("boolean") if flag in src else pd.Series(pd.NA, index=src.index, dtype="boolean")
        recorded = pd.Series(values.notna().to_numpy(), index=members.index).groupby(members["hid"]).sum()
        count = (
            pd.Series(values.fillna(False).astype(bool).to_numpy(), index=members.index).groupby(members["hid"]).sum()
        )
        name = flag.lower()
        frame[f"{name}_episodes"] = count.astype(int)
        frame[f"{name}_recorded"] = recorded.astype(int)
        frame[f"{name}_share"] = (count / recorded.where(recorded > 0)).astype(float)
        better = count > best_count
        frame.loc[better, "dominant_flag"] = flag
        best_count = best_count.where(~better, count)

    start = pd.to_datetime(src["MIS_START"], errors="coerce").to_numpy()
    members["start"] = start
    frame["first_date"] = members.groupby("hid")["start"].min()
    frame["last_date"] = members.groupby("hid")["start"].max()
    frame = frame.join(_trends(members["hid"].to_numpy(), start, frame.index))
    if "START_HOUR" in src:
        hour = pd.to_numeric(src["START_HOUR"], errors="coerce").to_numpy(dtype=float)
        night = np.where(np.isnan(hour), np.nan, ((hour >= 22) | (hour < 6)).astype(float))
        frame["night_share"] = pd.Series(night, index=members.index).groupby(members["hid"]).mean()
    else:
        frame["night_share"] = np.nan
    if "START_WEEKDAY" in src:
        day = pd.Series(src["START_WEEKDAY"].astype(object).to_numpy(), index=members.index)
        frame["top_weekday"] = _mode(day, members["hid"])
    else:
        frame["top_weekday"] = None
    if "PL_DISTANCE" in src:
        miles = pd.Series(pd.to_numeric(src["PL_DISTANCE"], errors="coerce").to_numpy(dtype=float), index=members.index)
        frame["median_distance_miles"] = miles.groupby(members["hid"]).median()
    else:
        frame["median_distance_miles"] = np.nan
    if "PL_LOCATION" in src:
        loc = pd.Series(src["PL_LOCATION"].astype(object).to_numpy(), index=members.index)
        out_area = np.where(loc.isin(["IN", "OUT"]), (loc == "OUT").astype(float), np.nan)
        by_spot = pd.Series(out_area, index=members.index).groupby(members["hid"])
        frame["out_of_area_share"] = by_spot.mean()
        # The share's numerator and base, so a panel view can hide a share of 1-5 episodes.
        frame["out_of_area_episodes"] = by_spot.sum().astype(int)
        frame["out_of_area_known"] = by_spot.count().astype(int)
    else:
        frame["out_of_area_share"] = np.nan
        frame["out_of_area_episodes"] = 0
        frame["out_of_area_known"] = 0
    frame["top_placement_areas"] = (
        _top_by(
            _authority_names(pd.Series(src["PL_LA"].astype(object).to_numpy(), index=members.index)), members["hid"]
        )
        if "PL_LA" in src
        else ""
    )
    frame["top_responsible_authorities"] = (
        _top_by(pd.Series(src["LA"].astype(object).to_numpy(), index=members.index), members["hid"])
        if "LA" in src
        else ""
    )
    for col in ("top_placement_areas", "top_responsible_authorities"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), "")

    # Peer links: children seen at more than one hotspot.
    pairs = members[["CHILD", "hid"]].drop_duplicates()
    per_child = pairs.groupby("CHILD")["hid"].size()
    linked = pairs.merge(pairs, on="CHILD", suffixes=("", "_other"))
    linked = linked[linked["hid"] != linked["hid_other"]]
    frame["children_at_other_hotspots"] = linked.groupby("hid")["CHILD"].nunique().reindex(frame.index, fill_value=0)
    others = linked.drop_duplicates(["hid", "hid_other"]).sort_values(["hid", "hid_other"])
    # object, not pandas' arrow strings: joining those goes through a slow per-item iterator
    ids = pd.Series(
        others["hid_other"].astype(int).astype(str).to_numpy(dtype=object), index=others.index, dtype=object
    )
    frame["linked_hotspots"] = ids.groupby(others["hid"]).agg(", ".join).reindex(frame.index).fillna("")

    shapes = _outlines(
        members["hid"].to_numpy(),
        members["x"].to_numpy(),
        members["y"].to_numpy(),
        dist,
        buffer_m=buffer_m,
        outline=outline,
    )

    lon, lat = transform_points(frame["easting"].to_numpy(), frame["northing"].to_numpy())
    frame.insert(2, "lat", lat)
    frame.insert(3, "lon", lon)
    frame.insert(0, "name", _names(frame, src, members["hid"], location))
    frame = frame.reset_index().rename(columns={"hid": "hotspot_id"})
    frame["hotspot_id"] = frame["hotspot_id"].astype(int)
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=BNG), crs=BNG)
    out = out.sort_values(["episodes", "hotspot_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["params"] = params
    out.attrs["peer_children"] = int((per_child > 1).sum())
    return out


def _names(frame: pd.DataFrame, src: pd.DataFrame, hid: pd.Series, location: str) -> np.ndarray:
    """Each hotspot's name (analysis.hotspot_names), from the postcodes of its episodes where the log has them."""
    from analysis.hotspot_names import hotspot_sectors, name_hotspots

    post = f"{_LOCATIONS[location]}_POST"
    sectors = (
        hotspot_sectors(src[post].to_numpy(dtype=object), hid.to_numpy()).reindex(frame.index) if post in src else None
    )
    return name_hotspots(frame["easting"].to_numpy(), frame["northing"].to_numpy(), sectors=sectors)


def label_and_find_hotspots(episodes: pd.DataFrame, **params) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """:func:`label_hotspots` then :func:`find_hotspots` with those labels, in one call (one job for
    analysis.workers). ``params`` are the keyword arguments both take (location, min_cluster_size,
    method, eps_m, ...). Returns (hotspots, each episode's HOTSPOT_ID)."""
    label_params = {k: v for k, v in params.items() if k not in ("buffer_m", "outline")}
    labels = label_hotspots(episodes, **label_params)
    return find_hotspots(episodes, labels=labels, **params), labels


def hotspot_profile(hotspots: gpd.GeoDataFrame, episodes: pd.DataFrame, hotspot_id: int) -> dict[str, pd.DataFrame]:
    """Tables for one hotspot, for the analyst's click-through.

    ``episodes`` either carry a ``HOTSPOT_ID`` column (from :func:`label_hotspots`) or are
    labelled again with the parameters stored in ``hotspots.attrs["params"]``.
    Returns a dict of DataFrames: ``summary`` (measure, value), ``flags`` (flag, episodes,
    recorded, share), ``by_month`` (month, episodes, children), ``by_weekday``,
    ``by_time_of_day``, ``placements`` (placement type group and area counts), ``children``
    (CHILD, episodes here, first and last date, other hotspots) and ``episodes`` (the
    episodes themselves, NOTES included: analyst view only).
    """
    match = hotspots[hotspots["hotspot_id"] == hotspot_id]
    if match.empty:
        raise KeyError(f"no hotspot {hotspot_id}")
    spot = match.iloc[0]
    if HOTSPOT_ID in episodes:
        labels = episodes[HOTSPOT_ID]
    else:
        params = {k: v for k, v in hotspots.attrs.get("params", {}).items() if k not in ("buffer_m", "outline")}
        labels = label_hotspots(episodes, **params)
    all_eps = episodes.assign(**{HOTSPOT_ID: labels.to_numpy()})
    here = all_eps[all_eps[HOTSPOT_ID] == hotspot_id]
    summary = pd.DataFrame(
        {
            "measure": [
                "episodes",
                "children",
                "first date",
                "last date",
                "trend",
                "trend (episodes per month)",
                "dominant risk",
                "median placement distance (miles)",
                "share placed out of area",
                "children also seen at other hotspots",
            ],
            "value": [
                spot["episodes"],
                spot["children"],
                spot["first_date"],
                spot["last_date"],
                spot["trend"],
                spot["trend_per_month"],
                spot["dominant_flag"],
                spot["median_distance_miles"],
                spot["out_of_area_share"],
                spot["children_at_other_hotspots"],
            ],
        }
    )
    flags = pd.DataFrame(
        {
            "flag": RISK_FLAGS,
            "episodes": [spot[f"{f.lower()}_episodes"] for f in RISK_FLAGS],
            "recorded": [spot[f"{f.lower()}_recorded"] for f in RISK_FLAGS],
            "share": [spot[f"{f.lower()}_share"] for f in RISK_FLAGS],
        }
    )
    month = pd.to_datetime(here["MIS_START"]).dt.to_period("M").astype(str)
    by_month = (
        here.assign(month=month.to_numpy())
        .groupby("month")
        .agg(episodes=("CHILD", "size"), children=("CHILD", "nunique"))
        .reset_index()
    )
    tables = {"summary": summary, "flags": flags, "by_month": by_month}
    if "START_WEEKDAY" in here:
        tables["by_weekday"] = missing_by(here, by="day of week")
    if "START_HOUR" in here:
        tables["by_time_of_day"] = missing_by(here, by="time of day")
    if "PLACEMENT_GROUP" in here:
        tables["placements"] = missing_by(here, by="placement type")
    if "PL_LOCATION" in here:
        tables["areas"] = missing_by(here, by="area")
    members = all_eps[all_eps[HOTSPOT_ID] >= 0]
    # Only this hotspot's children matter: England has tens of thousands of children in hotspots.
    others = members[(members[HOTSPOT_ID] != hotspot_id) & members["CHILD"].isin(here["CHILD"].unique())]
    # Each child's other hotspots, ascending: one sort, not a Python call per child (groupby.unique).
    pairs = others[["CHILD", HOTSPOT_ID]].drop_duplicates().sort_values(["CHILD", HOTSPOT_ID], kind="stable")
    elsewhere = pairs[HOTSPOT_ID].astype(np.int64).astype(str).groupby(pairs["CHILD"].to_numpy()).agg(", ".join)
    children = (
        here.groupby("CHILD")
        .agg(episodes=("MIS_START", "size"), first_date=("MIS_START", "min"), last_date=("MIS_START", "max"))
        .reset_index()
    )
    children["other_hotspots"] = children["CHILD"].map(elsewhere).fillna("").astype(str)
    tables["children"] = children.sort_values("episodes", ascending=False, kind="stable").reset_index(drop=True)
    tables["episodes"] = here.drop(columns=[HOTSPOT_ID]).reset_index(drop=True)
    return tables
