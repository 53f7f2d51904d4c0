"""Several authorities at once: figures per authority and per region, flows between them, homes supply.

For pooled 903 data (London's boroughs in one file with ``LA`` and ``YEAR`` columns, a regional
care co-operative, or the synthetic whole-England set from ``python -m data.england``). The
input is a *snapshot*: :func:`analysis.placements.placements_on` of episodes enriched by
:func:`analysis.placements.add_placement_location` with ``la=None``, so every row carries its
responsible authority in ``LA_CODE`` (GSS) and its placing authority in ``PL_LA`` (GSS, or
WAL / SCO / NIR outside England).

Every measure keeps the definitions of :func:`analysis.placements.headline_figures` (unknown
distances stay in the denominator), computed for all authorities in one grouped pass, so that a
region's median is the median of its children, never a median of medians.

Outputs are aggregate counts and carry no child identifier, but they are *not* disclosure
controlled: pass them through :mod:`analysis.disclosure` before a panel sees them (counts 1-5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.homes import homes_from_register
from analysis.missing import REPEAT_EPISODES, of_kind, offered_in_time
from analysis.periods import episodes_open_during
from data import schemas
from geo import authorities as _authorities
from geo.boundaries import adjacency

__all__ = [
    "figures_by_authority",
    "figures_by_region",
    "children_looked_after_by_authority",
    "missing_figures",
    "MISSING_COLUMNS",
    "placement_flows",
    "net_flows",
    "homes_supply",
    "home_sources",
    "FIGURE_COLUMNS",
    "NOT_KNOWN",
    "ALL_ENGLAND",
]

NOT_KNOWN = "Not known"
ALL_ENGLAND = "All authorities loaded"
IN, OUT, YES = "IN", "OUT", "Y"
# PL_LA outside England (data.schemas / the 903 guidance) and how to name them.
_NATIONS = {"WAL": "Wales", "SCO": "Scotland", "NIR": "Northern Ireland"}

# Measures per group, in this order (see headline_figures for the definitions).
FIGURE_COLUMNS = [
    "children",
    "over_20_miles",
    "percent_over_20_miles",
    "outside",
    "percent_outside",
    "outside_over_20_miles",
    "percent_outside_over_20_miles",
    "at_a_distance",
    "percent_at_a_distance",
    "median_miles",
    "distance_unknown",
    "percent_distance_unknown",
    "location_unknown",
    "in_childrens_homes",
]
FLOW_COLUMNS = [
    "from_code",
    "from_name",
    "from_region",
    "to_code",
    "to_name",
    "to_region",
    "children",
    "median_miles",
    "adjoining",
    "same_region",
]
NET_COLUMNS = ["code", "name", "region", "loaded", "placed_out", "placed_in", "net", "balance"]


# ---------------------------------------------------------------- names
def _directory() -> pd.DataFrame:
    table = _authorities.authorities()[["code", "name", "region"]]
    nations = pd.DataFrame({"code": list(_NATIONS), "name": list(_NATIONS.values()), "region": list(_NATIONS.values())})
    return pd.concat([table, nations], ignore_index=True).set_index("code")


def _names(codes: pd.Series) -> pd.DataFrame:
    """``name`` and ``region`` of GSS / nation codes; 'Not known' for blanks and unknown codes."""
    directory = _directory()
    codes = codes.astype(object).fillna("").astype(str)
    return pd.DataFrame(
        {
            "name": codes.map(directory["name"]).fillna(NOT_KNOWN).to_numpy(),
            "region": codes.map(directory["region"]).fillna(NOT_KNOWN).to_numpy(),
        },
        index=codes.index,
    )


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise ValueError(
            f"Column {column} missing: pooled data needs LA_CODE, and run add_placement_location(la=None)."
        )
    return frame[column].astype(object).fillna("").astype(str).str.strip()


def _responsible_codes(snapshot: pd.DataFrame) -> pd.Series:
    return _codes(snapshot, "LA_CODE")


# ---------------------------------------------------------------- figures
def _require(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"Columns {missing} missing: run add_placement_location first.")


def _indicators(snapshot: pd.DataFrame) -> pd.DataFrame:
    """One row per child: the booleans every measure is a sum of, and the miles."""
    _require(snapshot, ["PL_DISTANCE", "PL_LOCATION", "AT_A_DISTANCE"])
    miles = pd.to_numeric(snapshot["PL_DISTANCE"], errors="coerce").to_numpy(np.float64)
    known = np.isfinite(miles)
    over = known & (miles > schemas.OVER_DISTANCE_MILES)
    location = snapshot["PL_LOCATION"].astype(object).fillna("").to_numpy()
    outside = location == OUT
    place = (
        snapshot["PLACE"].astype(object).fillna("").astype(str).str.upper()
        if "PLACE" in snapshot.columns
        else pd.Series("", index=snapshot.index)
    )
    return pd.DataFrame(
        {
            "miles": miles,
            "over_20_miles": over,
            "outside": outside,
            "outside_over_20_miles": outside & over,
            "at_a_distance": (snapshot["AT_A_DISTANCE"].astype(object).fillna("") == YES).to_numpy(),
            "distance_unknown": ~known,
            "location_unknown": ~np.isin(location, [IN, OUT]),
            "in_childrens_homes": place.isin(schemas.CHILDRENS_HOME_PLACES).to_numpy(),
        },
        index=snapshot.index,
    )


def _percent(count: pd.Series, base: pd.Series) -> pd.Series:
    return (100.0 * count / base.where(base > 0)).round(1)


def _measures(ind: pd.DataFrame, keys: list[pd.Series]) -> pd.DataFrame:
    """FIGURE_COLUMNS per group of ``keys`` in one grouped pass."""
    counts = [
        "over_20_miles",
        "outside",
        "outside_over_20_miles",
        "at_a_distance",
        "distance_unknown",
        "location_unknown",
        "in_childrens_homes",
    ]
    grouped = ind.groupby(keys, sort=True, dropna=False)
    table = grouped[counts].sum().astype(np.int64)
    table["children"] = grouped.size().astype(np.int64)
    table["median_miles"] = grouped["miles"].median()
    for col in ("over_20_miles", "outside", "outside_over_20_miles", "at_a_distance", "distance_unknown"):
        table[f"percent_{col}"] = _percent(table[col], table["children"])
    return table[FIGURE_COLUMNS]


def _total_row(ind: pd.DataFrame, label: dict) -> pd.DataFrame:
    total = _measures(ind.assign(_all=0), [ind.assign(_all=0)["_all"]]).reset_index(drop=True)
    for col, value in reversed(label.items()):
        total.insert(0, col, value)
    return total


def figures_by_authority(snapshot: pd.DataFrame, *, total: bool = True) -> pd.DataFrame:
    """Headline placement measures for each responsible authority in a pooled snapshot.

    Parameters
    ----------
    snapshot : children looked after on one date (:func:`analysis.placements.placements_on`) of
        episodes enriched with :func:`analysis.placements.add_placement_location`; needs
        ``LA_CODE`` (responsible authority, GSS), ``PL_DISTANCE`` (miles), ``PL_LOCATION``,
        ``AT_A_DISTANCE`` and, for the children's homes count, ``PLACE``.
    total : add a last row for all authorities loaded (code '', name "All authorities loaded").

    Returns
    -------
    One row per authority, sorted by region then name: ``code``, ``name``, ``region``, then
    :data:`FIGURE_COLUMNS`: ``children``; counts ``over_20_miles``, ``outside``,
    ``outside_over_20_miles``, ``at_a_distance``, ``distance_unknown``, ``location_unknown``,
    ``in_childrens_homes`` (PLACE K1/K2); ``percent_*`` of all the authority's children (1 dp,
    unknowns in the denominator, as :func:`analysis.placements.headline_figures`); ``median_miles``
    of the children whose distance is known. Rows whose authority is blank or unknown are grouped
    under code '' and name "Not known".
    """
    ind = _indicators(snapshot)
    code = _responsible_codes(snapshot).rename("code")
    table = _measures(ind, [code]).reset_index()
    table = pd.concat([table[["code"]], _names(table["code"]), table[FIGURE_COLUMNS]], axis=1)
    table = table.sort_values(["region", "name"], kind="stable").reset_index(drop=True)
    if total:
        table = pd.concat([table, _total_row(ind, {"code": "", "name": ALL_ENGLAND, "region": ""})], ignore_index=True)
    return table


def figures_by_region(snapshot: pd.DataFrame, *, total: bool = True) -> pd.DataFrame:
    """The measures of :func:`figures_by_authority` per region of the responsible authority.

    Returns ``region``, ``authorities`` (how many of the region's authorities have children in the
    snapshot) and :data:`FIGURE_COLUMNS`, sorted by region, with a last row "All authorities
    loaded" when ``total``. Medians are over the region's children, not of its authorities' medians.
    """
    ind = _indicators(snapshot)
    code = _responsible_codes(snapshot)
    region = _names(code)["region"].rename("region")
    table = _measures(ind, [region]).reset_index()
    per = pd.DataFrame({"region": region, "code": code}).groupby("region")["code"].nunique()
    table.insert(1, "authorities", table["region"].map(per).astype(np.int64))
    if total:
        all_row = _total_row(ind, {"region": ALL_ENGLAND})
        all_row.insert(1, "authorities", int(code.nunique()))
        table = pd.concat([table, all_row], ignore_index=True)
    return table


# ---------------------------------------------------------------- missing from care
MISSING_COLUMNS = [
    "children_looked_after",
    "children_missing",
    "percent_missing",
    "missing_episodes",
    "episodes_per_missing_child",
    "children_away",
    "away_episodes",
    "repeat_children",
    "returned",
    "rhi_offered_within",
    "percent_rhi_offered_within",
]


def children_looked_after_by_authority(episodes: pd.DataFrame, start, end) -> pd.Series:
    """Distinct children with a 903 episode open at any time from ``start`` to ``end`` (dates, both
    included), per responsible authority (``LA_CODE``, GSS): the denominator of the missing rates.
    Episodes as :func:`analysis.periods.episodes_open_during` counts them (short breaks aside). One
    authority's episodes without ``LA_CODE`` are counted under code ''."""
    open_ = episodes_open_during(episodes, (start, end))
    codes = _codes(episodes, "LA_CODE") if "LA_CODE" in episodes else pd.Series("", index=episodes.index)
    frame = pd.DataFrame({"code": codes.to_numpy()[open_], "child": episodes["CHILD"].astype(str).to_numpy()[open_]})
    return frame.groupby("code")["child"].nunique().astype(np.int64)


def missing_figures(
    episodes: pd.DataFrame, children_looked_after: pd.Series, *, by: str = "authority", total: bool = True
) -> pd.DataFrame:
    """Missing and away episodes per responsible authority or region, with the national measures.

    Parameters
    ----------
    episodes : missing and away episodes of the period (:func:`analysis.missing.missing_episodes`),
        with ``LA_CODE`` (responsible authority, GSS), ``CHILD``, ``MISSING`` (M / A), ``MIS_END``
        and ``RHI_OFFERED``.
    children_looked_after : children looked after in the same period per GSS code
        (:func:`children_looked_after_by_authority`).
    by : "authority" or "region".
    total : add a last row for all authorities loaded.

    Returns
    -------
    ``code``, ``name``, ``region`` (by authority) or ``region``, ``authorities`` (by region), then
    :data:`MISSING_COLUMNS`: ``children_missing`` (distinct children with a missing (M) episode),
    ``percent_missing`` (of children looked after, 1 dp), ``missing_episodes``,
    ``episodes_per_missing_child``, ``children_away``, ``away_episodes``, ``repeat_children``
    (children with 3 or more episodes, M and A), ``returned`` (episodes that have ended),
    ``rhi_offered_within`` (return home interview offered within 72 hours of the return, see
    :func:`analysis.missing.offered_in_time`) and ``percent_rhi_offered_within`` (of ``returned``).
    Every authority with children looked after or an episode has a row.
    """
    if by not in ("authority", "region"):
        raise ValueError(f"by must be 'authority' or 'region', not {by!r}")
    codes = _codes(episodes, "LA_CODE")
    frame = pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "child": episodes["CHILD"].astype(str).to_numpy(),
            "m": of_kind(episodes, "missing"),
            "a": of_kind(episodes, "away"),
            "returned": episodes["MIS_END"].notna().to_numpy(dtype=bool),
            "within": offered_in_time(episodes).to_numpy(dtype=bool),
        }
    )
    looked_after = children_looked_after.astype(np.int64)
    all_codes = sorted((set(frame["code"]) | set(looked_after.index)) - {""}) + (
        [""] if (frame["code"] == "").any() else []
    )
    table = pd.DataFrame({"code": all_codes})
    table = pd.concat([table, _names(table["code"])], axis=1)
    table["children_looked_after"] = table["code"].map(looked_after).fillna(0).astype(np.int64)

    def per(keys: pd.Series, rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows.assign(key=keys.to_numpy())
        g = rows.groupby("key")
        out = pd.DataFrame(index=pd.Index(sorted(set(rows["key"])), name="key"))
        out["children_missing"] = rows[rows["m"]].groupby("key")["child"].nunique()
        out["missing_episodes"] = g["m"].sum()
        out["children_away"] = rows[rows["a"]].groupby("key")["child"].nunique()
        out["away_episodes"] = g["a"].sum()
        out["repeat_children"] = (rows.groupby(["key", "child"]).size() >= REPEAT_EPISODES).groupby(level="key").sum()
        out["returned"] = g["returned"].sum()
        out["rhi_offered_within"] = g["within"].sum()
        return out.fillna(0).astype(np.int64)

    key_of = {"authority": lambda c: c, "region": lambda c: _names(c)["region"]}[by]
    measures = per(key_of(frame["code"]), frame)
    if by == "region":
        table = (
            table.groupby("region", sort=True)
            .agg(authorities=("code", "size"), children_looked_after=("children_looked_after", "sum"))
            .reset_index()
        )
        keys = table["region"]
    else:
        keys = table["code"]
    for col in measures.columns:
        table[col] = keys.map(measures[col]).fillna(0).astype(np.int64).to_numpy()
    if total:
        row = per(pd.Series("", index=frame.index), frame) if len(frame) else None
        total_row: dict[str, object] = (
            {"region": ALL_ENGLAND} if by == "region" else {"code": "", "name": ALL_ENGLAND, "region": ""}
        )
        total_row["children_looked_after"] = int(looked_after.sum())
        if by == "region":
            total_row["authorities"] = int(table["authorities"].sum())
        for col in measures.columns:
            total_row[col] = int(row[col].iloc[0]) if row is not None else 0
        table = pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)
    table["percent_missing"] = _percent(table["children_missing"], table["children_looked_after"])
    table["episodes_per_missing_child"] = (
        table["missing_episodes"] / table["children_missing"].where(table["children_missing"] > 0)
    ).round(1)
    table["percent_rhi_offered_within"] = _percent(table["rhi_offered_within"], table["returned"])
    head = ["code", "name", "region"] if by == "authority" else ["region", "authorities"]
    out = table[head + MISSING_COLUMNS]
    if by == "authority":
        body, last = (out.iloc[:-1], out.iloc[-1:]) if total else (out, out.iloc[:0])
        out = pd.concat([body.sort_values(["region", "name"], kind="stable"), last], ignore_index=True)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- flows
def placement_flows(snapshot: pd.DataFrame, *, include_within: bool = False) -> pd.DataFrame:
    """Children placed by each responsible authority in each other authority (one row per pair).

    Takes ``LA_CODE`` (responsible), ``PL_LA`` (placing authority, GSS or WAL/SCO/NIR),
    ``PL_DISTANCE`` (miles) and, when present, ``PL_ADJOINING`` of a snapshot. Children whose
    placing authority is unknown (blank PL_LA, e.g. a missing or Channel Islands postcode) or
    whose responsible authority is unknown are not in any flow. ``include_within`` keeps the
    rows where both are the same authority.

    Returns :data:`FLOW_COLUMNS`: ``from_code``, ``from_name``, ``from_region``, ``to_code``,
    ``to_name``, ``to_region``, ``children``, ``median_miles`` (of the pair's known distances),
    ``adjoining`` (Y when the two authorities share a border, N otherwise, '' within),
    ``same_region`` (bool); sorted by children (largest first), then codes.
    """
    _require(snapshot, ["PL_LA", "PL_DISTANCE"])
    frame = pd.DataFrame(
        {
            "from_code": _responsible_codes(snapshot).to_numpy(),
            "to_code": _codes(snapshot, "PL_LA").to_numpy(),
            "miles": pd.to_numeric(snapshot["PL_DISTANCE"], errors="coerce").to_numpy(np.float64),
        }
    )
    keep = (frame["from_code"] != "") & (frame["to_code"] != "")
    if not include_within:
        keep &= frame["from_code"] != frame["to_code"]
    frame = frame[keep]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in FLOW_COLUMNS})
    flows = (
        frame.groupby(["from_code", "to_code"], sort=True)
        .agg(children=("miles", "size"), median_miles=("miles", "median"))
        .reset_index()
    )
    src, dst = _names(flows["from_code"]), _names(flows["to_code"])
    flows["from_name"], flows["from_region"] = src["name"].to_numpy(), src["region"].to_numpy()
    flows["to_name"], flows["to_region"] = dst["name"].to_numpy(), dst["region"].to_numpy()
    flows["children"] = flows["children"].astype(np.int64)
    flows["adjoining"] = _adjoining(flows["from_code"], flows["to_code"])
    flows["same_region"] = (flows["from_region"] == flows["to_region"]).to_numpy()
    flows = flows.sort_values(["children", "from_code", "to_code"], ascending=[False, True, True], kind="stable")
    return flows[FLOW_COLUMNS].reset_index(drop=True)


def _adjoining(src: pd.Series, dst: pd.Series) -> np.ndarray:
    # Boundaries always exist (the derived ones ship with the code; a broken official file falls back to
    # them), so a failure here is a bug to see, not a blank column.
    pairs = adjacency()
    known = set(zip(pairs["code"], pairs["neighbour"]))
    pair = list(zip(src, dst))
    return np.asarray(["" if a == b else ("Y" if (a, b) in known else "N") for a, b in pair], dtype=object)


def net_flows(flows: pd.DataFrame, *, loaded=None) -> pd.DataFrame:
    """Per authority: children it places elsewhere, children others place in it, and the balance.

    Parameters
    ----------
    flows : :func:`placement_flows` (within-authority rows, if any, are ignored).
    loaded : GSS codes of the authorities whose data is loaded; default the ``from_code`` values.
        For any other authority ``placed_out`` is 0 because its own children are not in the data,
        and ``placed_in`` counts only what the loaded authorities place there.

    Returns
    -------
    :data:`NET_COLUMNS`, one row per authority (and nation) in any flow or in ``loaded``:
    ``code``, ``name``, ``region``, ``loaded`` (bool), ``placed_out``, ``placed_in``, ``net``
    (placed_in - placed_out: above 0 a net importer of other authorities' children),
    ``balance`` ("net importer", "net exporter" or "balanced"); sorted by net (largest first).
    Every flow counts once out and once in, so ``net`` sums to 0 over the rows.
    """
    between = flows[flows["from_code"] != flows["to_code"]] if len(flows) else flows
    out = between.groupby("from_code")["children"].sum() if len(between) else pd.Series(dtype=np.int64)
    into = between.groupby("to_code")["children"].sum() if len(between) else pd.Series(dtype=np.int64)
    loaded_codes = set(out.index) if loaded is None else {str(c) for c in loaded}
    codes = sorted(set(out.index) | set(into.index) | loaded_codes)
    table = pd.DataFrame({"code": codes})
    table = pd.concat([table, _names(table["code"])], axis=1)
    table["loaded"] = table["code"].isin(loaded_codes)
    table["placed_out"] = table["code"].map(out).fillna(0).astype(np.int64)
    table["placed_in"] = table["code"].map(into).fillna(0).astype(np.int64)
    table["net"] = table["placed_in"] - table["placed_out"]
    table["balance"] = np.select([table["net"] > 0, table["net"] < 0], ["net importer", "net exporter"], "balanced")
    table = table.sort_values(["net", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return table[NET_COLUMNS]


# ---------------------------------------------------------------- children's homes
def _homes_located(homes: pd.DataFrame) -> pd.DataFrame:
    """The register with the authority each home is in (``LA_CODE``), geocoding it if needed."""
    if "LA_CODE" in homes.columns and "LAT" in homes.columns:
        return homes
    return homes_from_register(homes)


def home_sources(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Children in children's homes (PLACE K1/K2) by where the home is and whose child it is.

    Returns ``location_code``, ``location_name``, ``origin_code``, ``origin_name``, ``children``
    (one row per pair, largest first). Homes with an unknown placing authority are left out.
    """
    _require(snapshot, ["PL_LA"])
    place = (
        snapshot["PLACE"].astype(object).fillna("").astype(str).str.upper()
        if "PLACE" in snapshot.columns
        else pd.Series("", index=snapshot.index)
    )
    in_homes = place.isin(schemas.CHILDRENS_HOME_PLACES).to_numpy()
    frame = pd.DataFrame(
        {
            "location_code": _codes(snapshot, "PL_LA").to_numpy()[in_homes],
            "origin_code": _responsible_codes(snapshot).to_numpy()[in_homes],
        }
    )
    frame = frame[frame["location_code"] != ""]
    table = frame.groupby(["location_code", "origin_code"], sort=True).size().rename("children").reset_index()
    table["location_name"] = _names(table["location_code"])["name"].to_numpy()
    table["origin_name"] = _names(table["origin_code"])["name"].to_numpy()
    table["children"] = table["children"].astype(np.int64)
    table = table.sort_values(
        ["children", "location_code", "origin_code"], ascending=[False, True, True], kind="stable"
    )
    return table[["location_code", "location_name", "origin_code", "origin_name", "children"]].reset_index(drop=True)


def homes_supply(homes: pd.DataFrame, snapshot: pd.DataFrame, *, top: int = 3) -> pd.DataFrame:
    """Children's homes supply against demand, per authority.

    Parameters
    ----------
    homes : a children's homes register (``POSTCODE``, ``PLACES``; geocoded by
        :func:`analysis.homes.homes_from_register` unless it already has ``LA_CODE`` and ``LAT``),
        e.g. a region's registers pooled. Each row is one home, located by its postcode.
    snapshot : pooled enriched snapshot (``LA_CODE``, ``PL_LA``, ``PLACE``).
    top : how many other authorities to name in ``main_other_sources``.

    Returns
    -------
    One row per authority that has a listed home, loaded children, or children placed in a home in
    it, sorted by region and name: ``code``, ``name``, ``region``, ``homes`` (listed homes located
    there), ``places`` (their registered places; blank PLACES count 0), ``own_children_in_homes``
    (the authority's children in children's homes anywhere), ``own_in_own_area`` (of them, in homes
    inside the authority), ``children_in_homes_here`` (children of any loaded authority in homes
    located there), ``from_own``, ``from_other_authorities`` (of them), ``places_per_own_child``
    (places / own_children_in_homes), ``main_other_sources`` (names of the authorities, other than
    itself, with most children in its homes, "; "-separated, largest first; names only, so no small
    count shows).
    """
    located = _homes_located(homes)
    home_la = located["LA_CODE"].astype(object).fillna("").astype(str)
    places = pd.to_numeric(located.get("PLACES", pd.Series(np.nan, index=located.index)), errors="coerce").fillna(0)
    listed = pd.DataFrame({"code": home_la, "places": places})
    listed = listed[listed["code"] != ""]
    supply = listed.groupby("code").agg(homes=("places", "size"), places=("places", "sum"))

    sources = home_sources(snapshot)
    own_total = sources.groupby("origin_code")["children"].sum()
    own_here = sources[sources["origin_code"] == sources["location_code"]].groupby("location_code")["children"].sum()
    here = sources.groupby("location_code")["children"].sum()
    others = sources[sources["origin_code"] != sources["location_code"]]
    ranked = others.sort_values(
        ["location_code", "children", "origin_name"], ascending=[True, False, True], kind="stable"
    )
    main = ranked.groupby("location_code")["origin_name"].agg(lambda s: "; ".join(s.iloc[:top]))

    loaded = set(_responsible_codes(snapshot)) - {""}
    codes = sorted(set(supply.index) | loaded | set(here.index))
    table = pd.DataFrame({"code": codes})
    table = pd.concat([table, _names(table["code"])], axis=1)
    table["homes"] = table["code"].map(supply["homes"]).fillna(0).astype(np.int64)
    table["places"] = table["code"].map(supply["places"]).fillna(0).astype(np.int64)
    table["own_children_in_homes"] = table["code"].map(own_total).fillna(0).astype(np.int64)
    table["own_in_own_area"] = table["code"].map(own_here).fillna(0).astype(np.int64)
    table["children_in_homes_here"] = table["code"].map(here).fillna(0).astype(np.int64)
    table["from_own"] = table["own_in_own_area"]
    table["from_other_authorities"] = table["children_in_homes_here"] - table["from_own"]
    own = table["own_children_in_homes"]
    table["places_per_own_child"] = (table["places"] / own.where(own > 0)).round(2)
    table["main_other_sources"] = table["code"].map(main).astype(object).fillna("")  # float NaN when none
    return table.sort_values(["region", "name"], kind="stable").reset_index(drop=True)
