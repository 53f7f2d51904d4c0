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

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED, is_small, suppress_parts
from analysis.placements import distance_bands
from data.schemas import OVER_DISTANCE_MILES
from geo.postcodes import normalise_postcodes
from maps.common import (
    BAND_COLOURS,
    UNKNOWN_COLOUR,
    GeoJson,
    add_authority_context,
    base_map,
    boundaries_geojson,
    escape,
    fit_to,
    legend,
    outline_geojson,
)

__all__ = ["add_flow_ends", "aggregate_flows", "placements_map", "FlowSummary", "LAYER_COLUMNS", "MAX_FLOWS"]

# What the map's switchable layers can be split by, in the users' words.
LAYER_COLUMNS = {"Placement type group": "PLACEMENT_GROUP", "Provider": "PROVIDER_GROUP"}
MAX_FLOWS = 2500  # a map stays responsive and its HTML well under 3 MB
# Lines drawn when the map opens: the pairs with most children. The rest are one tick away ("Other
# flows"); 2,000 lines at once were a tangle nobody could read.
TOP_FLOWS = 60
# Receiving authorities shaded by children placed there: (fewest children, colour), lightest first; "c" (1-5)
# has the lightest colour, so the shade says no more than the tooltip.
AREA_SHADES = ((1, "#eff3ff"), (6, "#c6dbef"), (21, "#9ecae1"), (51, "#6baed6"), (101, "#3182bd"))
FLOW_COLUMNS = [
    "layer",
    "HOME_SECTOR",
    "PLACEMENT_DISTRICT",
    "children",
    "median_miles",
    "band",
    "home_lat",
    "home_lon",
    "pl_lat",
    "pl_lon",
    "children_shown",
]
HIDDEN_LEGEND = "unknown, or a hidden (c) flow"


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


_FLOW_ENDS = {
    "home_lat": "HOME_SECTOR_LAT",
    "home_lon": "HOME_SECTOR_LON",
    "pl_lat": "PL_POSTCODE_DISTRICT_LAT",
    "pl_lon": "PL_POSTCODE_DISTRICT_LON",
}


def aggregate_flows(
    snapshot: pd.DataFrame, *, layer_by: str = "PLACEMENT_GROUP", index=None, max_flows: int = MAX_FLOWS
) -> tuple[pd.DataFrame, FlowSummary]:
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
    frame = pd.DataFrame(
        {
            "layer": snapshot[layer_by].astype(object).fillna("Unknown").astype(str).to_numpy(),
            "HOME_SECTOR": sector.to_numpy(),
            "PLACEMENT_DISTRICT": district.to_numpy(),
            "miles": pd.to_numeric(snapshot["PL_DISTANCE"], errors="coerce").to_numpy(dtype=float),
            **(
                {end: snapshot[column].to_numpy(dtype=float) for end, column in _FLOW_ENDS.items()}
                if ends_known
                else {}
            ),
        }
    )
    frame = frame[(frame["HOME_SECTOR"] != "") & (frame["PLACEMENT_DISTRICT"] != "")]
    flows = (
        frame.groupby(["layer", "HOME_SECTOR", "PLACEMENT_DISTRICT"], sort=False)
        .agg(
            children=("miles", "size"),
            median_miles=("miles", "median"),
            # every row of a pair has the same two ends
            **({end: (end, "first") for end in _FLOW_ENDS} if ends_known else {}),
        )
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
    # A pair's children split over the layers: the pair's total can be had from another layer choice,
    # so a hidden layer is never alone in its pair, nor are the hidden ones 1-5 children in all.
    pair = flows["HOME_SECTOR"].astype(str) + "|" + flows["PLACEMENT_DISTRICT"].astype(str)
    flows["children_shown"] = suppress_parts(flows["children"], groups=pair)
    return flows[FLOW_COLUMNS], summary


def _width(shown: str) -> float:
    """Line width from the shown count: every hidden ("c") flow is drawn alike, so its width says nothing."""
    if shown == SUPPRESSED or not str(shown).isdigit():
        return 1.5
    return 1.5 + 1.2 * math.sqrt(max(int(shown) - SMALL_NUMBER_MAX, 0))


def _shown_count(children) -> str:
    """A flow's count for a frame without ``children_shown`` (made elsewhere): counts 1-5 hidden."""
    return SUPPRESSED if is_small([children])[0] else str(int(children))


def _flow_layer(part: pd.DataFrame, layer_label: str, *, lazy: bool = False) -> GeoJson:
    """All flows of one layer as a single GeoJSON layer (one element: fast to render, small HTML)."""
    features = []
    for row in part.itertuples(index=False):
        shown = getattr(row, "children_shown", None)
        shown = shown if isinstance(shown, str) else _shown_count(row.children)
        hidden = shown == SUPPRESSED
        if hidden:  # the median of a hidden flow is a figure about its 1-5 children: not shown or coloured
            miles = SUPPRESSED
        else:
            miles = "unknown" if pd.isna(row.median_miles) else f"{row.median_miles:.1f}"
        tip = (
            f"{escape(row.HOME_SECTOR)} &rarr; {escape(row.PLACEMENT_DISTRICT)}<br>"
            f"{layer_label or escape(row.layer)}<br>children: {shown}<br>"
            f"median distance: {miles} miles"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(float(row.home_lon), 5), round(float(row.home_lat), 5)],
                        [round(float(row.pl_lon), 5), round(float(row.pl_lat), 5)],
                    ],
                },
                "properties": {
                    "tip": tip,
                    "colour": UNKNOWN_COLOUR if hidden else BAND_COLOURS.get(row.band, UNKNOWN_COLOUR),
                    "weight": round(_width(shown), 2),
                },
            }
        )
    return GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "weight": f["properties"]["weight"],
            "opacity": 0.7,
        },
        highlight_function=lambda _f: {"opacity": 1.0},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        lazy=lazy,
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
    top_flows: int = TOP_FLOWS,
) -> folium.Map:
    """Folium map of aggregated placement flows with switchable layers.

    ``authority``, ``neighbours`` and ``receiving`` are boundary frames
    (``code``, ``name``, ``geometry`` in EPSG:27700; ``receiving`` may carry a
    ``children`` text column, already through disclosure control) or their
    :func:`maps.common.boundaries_geojson` text; ``distance_line`` a polygon
    (EPSG:27700) or its :func:`maps.common.outline_geojson` text, drawn as the
    ``distance_miles`` line.

    Receiving authorities are shaded by the children placed there (:data:`AREA_SHADES`); lines join the
    ``top_flows`` pairs with most children, one FeatureGroup per value of ``flows.layer``, and the other pairs
    are one hidden layer ("Other flows"). The map opens on the authority and those lines.
    """
    m = base_map(tiles=tiles)
    if receiving is not None and len(receiving):
        _shaded_areas(m, receiving)
    add_authority_context(
        m, authority=authority, neighbours=neighbours, distance_line=distance_line, distance_miles=distance_miles
    )
    top, rest = flows.iloc[:top_flows], flows.iloc[top_flows:]
    for layer, part in top.groupby("layer", sort=True):
        group = folium.FeatureGroup(name=escape(layer))
        _flow_layer(part, escape(layer)).add_to(group)
        group.add_to(m)
    if len(rest):
        group = folium.FeatureGroup(name=f"Other flows ({len(rest):,} smaller pairs)", show=False)
        _flow_layer(rest, "", lazy=True).add_to(group)
        group.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)  # opens on hover: an open list covers the map and its tooltips
    legend(
        m,
        f"Lines: the {min(len(flows), top_flows)} largest flows, median distance (miles)",
        {**BAND_COLOURS, HIDDEN_LEGEND: UNKNOWN_COLOUR},
    )
    if receiving is not None and len(receiving):
        legend(m, "Areas: children placed there", _shade_legend(), bottom=190)
    # Fit the authority and the lines drawn at first: one far placement must not shrink the rest to a dot.
    lats, lons = _outline_points(distance_line if distance_line is not None else authority)
    if len(top):
        lats += list(top["home_lat"]) + list(top["pl_lat"])
        lons += list(top["home_lon"]) + list(top["pl_lon"])
    if lats:
        fit_to(m, lats, lons)
    return m


def _shade(children) -> str:
    """The fill of a receiving authority with ``children`` (text through disclosure control: "c" or a count)."""
    text = str(children)
    n = int(text) if text.isdigit() else 1  # "c": the lightest, as for 1-5
    return [colour for least, colour in AREA_SHADES if n >= least][-1]


def _shade_legend() -> dict[str, str]:
    edges = [least for least, _ in AREA_SHADES]
    labels = (
        [f"{SUPPRESSED} (1-{SMALL_NUMBER_MAX})"]
        + [f"{a}-{b - 1}" for a, b in zip(edges[1:-1], edges[2:])]
        + [f"{edges[-1]} or more"]
    )
    return dict(zip(labels, [colour for _, colour in AREA_SHADES]))


def _shaded_areas(m: folium.Map, receiving) -> None:
    """Receiving authorities filled by the children placed there (``children`` through disclosure control)."""
    import json

    data = (
        json.loads(receiving)
        if isinstance(receiving, str)
        else json.loads(boundaries_geojson(receiving, extra_fields=("children",) if "children" in receiving else ()))
    )
    with_counts = any("children" in (f.get("properties") or {}) for f in data.get("features", []))
    for feature in data.get("features", []):
        props = feature.setdefault("properties", {})
        props["fill"] = _shade(props.get("children", 1))
    group = folium.FeatureGroup(name="Where our children are placed (authorities)")
    GeoJson(
        data,
        style_function=lambda f: {
            "color": "#6b6b6b",
            "weight": 0.6,
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "children"] if with_counts else ["name"],
            aliases=["", "children placed:"] if with_counts else [""],
            labels=with_counts,
        ),
    ).add_to(group)
    group.add_to(m)


def _outline_points(shape) -> tuple[list, list]:
    """Latitudes and longitudes of an outline (GeoJSON text or EPSG:27700 frame or polygon); empty for None."""
    import json

    if shape is None or (not isinstance(shape, str) and hasattr(shape, "__len__") and not len(shape)):
        return [], []
    if isinstance(shape, str):
        text = shape
    elif isinstance(shape, gpd.GeoDataFrame):
        text = boundaries_geojson(shape)
    else:
        text = outline_geojson(shape) or '{"features": []}'
    coords = []

    def walk(node):
        if isinstance(node, list) and node and isinstance(node[0], (int, float)):
            coords.append(node[:2])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for feature in json.loads(text).get("features", []):
        walk((feature.get("geometry") or {}).get("coordinates", []))
    return [c[1] for c in coords], [c[0] for c in coords]
