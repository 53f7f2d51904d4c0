"""The panel's placement distance map: aggregated flows from home sector to placement district.

No child is drawn. Each line joins the centroid of a postcode sector the
children came from (never finer, ``HOME_SECTOR``) to the centroid of the
postcode district they are placed in (the outward code of ``PL_POST``, e.g.
"TN23"; never the placement's own address), one line per pair and
layer, its width growing with the number of children and its colour the
distance band of the pair's median distance (miles). Pairs of 1-5 children are
drawn at the thinnest width and labelled "c", so neither the line width nor
the tooltip tells a 1 from a 5.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.disclosure import SUPPRESSED
from analysis.placements import distance_bands
from data.schemas import OVER_DISTANCE_MILES
from geo.postcodes import normalise_postcodes
from maps.common import (
    BAND_COLOURS,
    UNKNOWN_COLOUR,
    GeoJson,
    add_boundaries,
    add_authority_context,
    base_map,
    boundaries_geojson,
    escape,
    fit_geojson,
    fit_to,
    legend,
    outline_geojson,
)

__all__ = ["add_flow_ends", "aggregate_flows", "placements_map", "FlowSummary", "LAYER_COLUMNS", "MAX_FLOWS"]

# What the map's switchable layers can be split by, in the users' words.
LAYER_COLUMNS = {"Placement type group": "PLACEMENT_GROUP", "Provider": "PROVIDER_GROUP"}
MAX_FLOWS = 2500  # a map stays responsive and its HTML well under 3 MB
SMALL_MAX = 5  # counts 1-5 are suppressed
FLOW_COLUMNS = [
    "layer", "HOME_SECTOR", "PLACEMENT_DISTRICT", "children", "median_miles", "band",
    "home_lat", "home_lon", "pl_lat", "pl_lon",
]


@dataclass
class FlowSummary:
    """How many children the map could and could not draw (shown under the map)."""

    children: int = 0
    drawn: int = 0
    no_home_sector: int = 0
    no_placement_district: int = 0
    flows: int = 0
    flows_dropped: int = 0  # pairs beyond MAX_FLOWS (the smallest), not drawn


def postcode_district_of(values) -> pd.Series:
    """Postcode district (outward code, "TN23") of unit postcodes, sectors or districts; '' otherwise."""
    # Placement postcodes repeat (homes, carers): work on each distinct value once.
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    norm = normalise_postcodes(pd.Series(uniques, dtype=object))
    outward = norm.str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?: [0-9](?:[A-Z]{2})?)?$")[0]
    district = outward.fillna("").astype(object).to_numpy()
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(district[codes] if len(codes) else np.array([], dtype=object), index=index, dtype=object)


def add_flow_ends(snapshot: pd.DataFrame, *, index=None) -> pd.DataFrame:
    """``snapshot`` with where its flows are drawn from and to, worked out once for a date so that every
    filter of the same snapshot reuses them (England: about a second on each filter change otherwise):
    ``PL_POSTCODE_DISTRICT`` (postcode district of ``PL_POST``, '' when none), ``HOME_SECTOR_LAT``/``_LON`` and
    ``PL_POSTCODE_DISTRICT_LAT``/``_LON`` (EPSG:4326 centroids from the ONS postcode index, NaN when unknown)."""
    if "PL_POST" not in snapshot or "HOME_SECTOR" not in snapshot:
        return snapshot
    if index is None:
        from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

        index = get_postcode_index()
    district = postcode_district_of(snapshot["PL_POST"].astype(object).fillna("").astype(str)).to_numpy()
    sector = snapshot["HOME_SECTOR"].astype(object).where(snapshot["HOME_SECTOR"].notna(), "").astype(str).str.strip()
    home, place = index.lookup(sector), index.lookup(pd.Series(district, dtype=object))
    return snapshot.assign(
        PL_POSTCODE_DISTRICT=district,
        HOME_SECTOR_LAT=pd.to_numeric(home["lat"], errors="coerce").to_numpy(dtype=float),
        HOME_SECTOR_LON=pd.to_numeric(home["lon"], errors="coerce").to_numpy(dtype=float),
        PL_POSTCODE_DISTRICT_LAT=pd.to_numeric(place["lat"], errors="coerce").to_numpy(dtype=float),
        PL_POSTCODE_DISTRICT_LON=pd.to_numeric(place["lon"], errors="coerce").to_numpy(dtype=float),
    )


_FLOW_ENDS = {"home_lat": "HOME_SECTOR_LAT", "home_lon": "HOME_SECTOR_LON",
              "pl_lat": "PL_POSTCODE_DISTRICT_LAT", "pl_lon": "PL_POSTCODE_DISTRICT_LON"}


def aggregate_flows(snapshot: pd.DataFrame, *, layer_by: str = "PLACEMENT_GROUP", index=None,
                    max_flows: int = MAX_FLOWS) -> tuple[pd.DataFrame, FlowSummary]:
    """Count children per (layer, home sector, placement district) and locate both ends.

    Takes ``HOME_SECTOR``, ``PL_POST`` (only its postcode district is kept; the columns of
    :func:`add_flow_ends` are used when present, instead of working them out again),
    ``PL_DISTANCE`` (miles, NaN when unknown) and the ``layer_by`` column of
    placed children on one date.
    Returns one row per pair with ``children``, ``median_miles``, ``band`` and
    both ends' ``lat``/``lon`` (EPSG:4326, centroids from the ONS postcode
    index), biggest first, and a :class:`FlowSummary`.
    """
    if index is None:
        from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

        index = get_postcode_index()
    summary = FlowSummary(children=len(snapshot))
    if snapshot.empty:
        return pd.DataFrame(columns=FLOW_COLUMNS), summary
    sector = snapshot["HOME_SECTOR"].astype(object).where(snapshot["HOME_SECTOR"].notna(), "").astype(str).str.strip()
    if "PL_POSTCODE_DISTRICT" in snapshot:
        district = snapshot["PL_POSTCODE_DISTRICT"].astype(object).fillna("")
    else:
        district = postcode_district_of(snapshot["PL_POST"].astype(object).fillna("").astype(str))
        district.index = snapshot.index
    summary.no_home_sector = int((sector == "").sum())
    summary.no_placement_district = int(((district == "") & (sector != "")).sum())
    ends_known = all(column in snapshot for column in _FLOW_ENDS.values())
    frame = pd.DataFrame({
        "layer": snapshot[layer_by].astype(object).fillna("Unknown").astype(str).to_numpy(),
        "HOME_SECTOR": sector.to_numpy(),
        "PLACEMENT_DISTRICT": district.to_numpy(),
        "miles": pd.to_numeric(snapshot["PL_DISTANCE"], errors="coerce").to_numpy(dtype=float),
        **({end: snapshot[column].to_numpy(dtype=float) for end, column in _FLOW_ENDS.items()} if ends_known else {}),
    })
    frame = frame[(frame["HOME_SECTOR"] != "") & (frame["PLACEMENT_DISTRICT"] != "")]
    flows = (
        frame.groupby(["layer", "HOME_SECTOR", "PLACEMENT_DISTRICT"], sort=False)
        .agg(children=("miles", "size"), median_miles=("miles", "median"),
             # every row of a pair has the same two ends
             **({end: (end, "first") for end in _FLOW_ENDS} if ends_known else {}))
        .reset_index()
    )
    if not ends_known:
        home = index.lookup(flows["HOME_SECTOR"])
        place = index.lookup(flows["PLACEMENT_DISTRICT"])
        flows["home_lat"], flows["home_lon"] = home["lat"].to_numpy(), home["lon"].to_numpy()
        flows["pl_lat"], flows["pl_lon"] = place["lat"].to_numpy(), place["lon"].to_numpy()
    located = flows[["home_lat", "home_lon", "pl_lat", "pl_lon"]].notna().all(axis=1)
    unlocated = flows.loc[~located, "children"].sum()
    summary.no_placement_district += int(unlocated)
    flows = flows[located]
    flows["band"] = distance_bands(flows["median_miles"])  # "unknown" draws in UNKNOWN_COLOUR
    flows = flows.sort_values("children", ascending=False, kind="stable").reset_index(drop=True)
    summary.flows = len(flows)
    if len(flows) > max_flows:
        summary.flows_dropped = len(flows) - max_flows
        flows = flows.iloc[:max_flows]
    summary.drawn = int(flows["children"].sum())
    return flows[FLOW_COLUMNS], summary


def _width(children: int) -> float:
    if children <= SMALL_MAX:
        return 1.5
    return 1.5 + 1.2 * math.sqrt(children - SMALL_MAX)


def _shown_count(children: int) -> str:
    return SUPPRESSED if 1 <= children <= SMALL_MAX else str(children)


def _flow_layer(part: pd.DataFrame, layer_label: str) -> GeoJson:
    """All flows of one layer as a single GeoJSON layer (one element: fast to render, small HTML)."""
    features = []
    for row in part.itertuples(index=False):
        children = int(row.children)
        miles = "unknown" if pd.isna(row.median_miles) else f"{row.median_miles:.1f}"
        tip = (
            f"{escape(row.HOME_SECTOR)} &rarr; {escape(row.PLACEMENT_DISTRICT)}<br>"
            f"{layer_label}<br>children: {_shown_count(children)}<br>"
            f"median distance: {miles} miles"
        )
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [
                [round(float(row.home_lon), 5), round(float(row.home_lat), 5)],
                [round(float(row.pl_lon), 5), round(float(row.pl_lat), 5)],
            ]},
            "properties": {
                "tip": tip,
                "colour": BAND_COLOURS.get(row.band, UNKNOWN_COLOUR),
                "weight": round(_width(children), 2),
            },
        })
    return GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {"color": f["properties"]["colour"], "weight": f["properties"]["weight"],
                                  "opacity": 0.7},
        highlight_function=lambda _f: {"opacity": 1.0},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


def placements_map(
    flows: pd.DataFrame,
    *,
    authority: gpd.GeoDataFrame | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    receiving: gpd.GeoDataFrame | None = None,
    distance_line=None,
    distance_miles: float = OVER_DISTANCE_MILES,
    tiles: bool = False,
    layer_title: str = "Placement type group",
) -> folium.Map:
    """Folium map of aggregated placement flows with switchable layers.

    ``authority``, ``neighbours`` and ``receiving`` are boundary frames
    (``code``, ``name``, ``geometry`` in EPSG:27700; ``receiving`` may carry a
    ``children`` text column, already through disclosure control) or their
    :func:`maps.common.boundaries_geojson` text; ``distance_line`` a polygon
    (EPSG:27700) or its :func:`maps.common.outline_geojson` text, drawn as the
    ``distance_miles`` line.
    One FeatureGroup per value of ``flows.layer``, with a LayerControl.
    """
    m = base_map(tiles=tiles)
    if receiving is not None and len(receiving):
        with_counts = '"children"' in receiving if isinstance(receiving, str) else "children" in receiving
        fields = ("name", "children") if with_counts else ("name",)
        add_boundaries(m, receiving, name="Receiving authorities", colour="#8c8c8c", weight=0.6,
                       fill_opacity=0.04, tooltip_fields=fields)
    add_authority_context(m, authority=authority, neighbours=neighbours, distance_line=distance_line,
                          distance_miles=distance_miles)
    for layer, part in flows.groupby("layer", sort=True):
        group = folium.FeatureGroup(name=escape(layer))
        _flow_layer(part, escape(layer)).add_to(group)
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    legend(m, "Median distance (miles)", {**BAND_COLOURS, "unknown": UNKNOWN_COLOUR})
    if distance_line is not None:
        fit_geojson(m, distance_line if isinstance(distance_line, str) else outline_geojson(distance_line))
    elif authority is not None and len(authority):
        fit_geojson(m, authority if isinstance(authority, str) else boundaries_geojson(authority))
    elif len(flows):
        fit_to(m, pd.concat([flows["home_lat"], flows["pl_lat"]]), pd.concat([flows["home_lon"], flows["pl_lon"]]))
    return m
