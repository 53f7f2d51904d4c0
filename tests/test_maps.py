"""Panel maps: aggregated flows, homes at sector level, offline mode, escaping and size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from maps.common import base_map, escape, map_html
from maps.homes_map import homes_map, locate_homes_by_sector
from maps.placements_map import MAX_FLOWS, aggregate_flows, placements_map

XSS = '<img src=x onerror="alert(1)">'


def _snapshot(rows):
    return pd.DataFrame(
        rows, columns=["CHILD", "HOME_SECTOR", "PL_POST", "PL_DISTANCE", "PLACEMENT_GROUP", "PROVIDER_GROUP"]
    )


@pytest.fixture(scope="module")
def snapshot():
    rows = []
    # 7 children from ME15 6 to TN23 (a flow big enough to show), 2 from CT1 1 to ME15, 1 to Cardiff.
    # Placement postcodes are full units: only their district may reach the map.
    rows += [[f"A{i}", "ME15 6", "TN23 1AA", 15.0 + i, "Other foster care", "Private"] for i in range(7)]
    rows += [[f"B{i}", "CT1 1", "ME15 6RS", 22.0, "Other foster care", "Own provision"] for i in range(2)]
    rows += [["C1", "CT1 1", "CF10 1EP", 190.0, "Children's homes and secure", "Private"]]
    rows += [["D1", "", "TN23 1AA", np.nan, "Other foster care", "Private"]]  # no home sector
    rows += [["E1", "ME15 6", "", np.nan, "Other foster care", "Private"]]  # no placement district
    return _snapshot(rows)


def test_flows_count_children_per_sector_district_pair(snapshot, postcode_index):
    flows, summary = aggregate_flows(snapshot, index=postcode_index)
    assert summary.children == 12
    assert summary.no_home_sector == 1 and summary.no_placement_district == 1
    assert summary.drawn == 10
    big = flows[(flows["HOME_SECTOR"] == "ME15 6") & (flows["PLACEMENT_DISTRICT"] == "TN23")].iloc[0]
    assert big["children"] == 7 and big["median_miles"] == pytest.approx(18.0) and big["band"] == "10-20"
    wales = flows[flows["PLACEMENT_DISTRICT"] == "CF10"].iloc[0]
    assert wales["band"] == "over 100"
    # Home ends are sector centroids from the ONS index, not any unit postcode.
    sector = postcode_index.lookup(pd.Series(["ME15 6"])).iloc[0]
    assert big["home_lat"] == pytest.approx(sector["lat"]) and big["home_lon"] == pytest.approx(sector["lon"])
    by_provider, _ = aggregate_flows(snapshot, layer_by="PROVIDER_GROUP", index=postcode_index)
    assert set(by_provider["layer"]) == {"Private", "Own provision"}


def test_flows_from_a_snapshot_with_its_ends_worked_out_are_the_same(snapshot, postcode_index):
    from maps.placements_map import add_flow_ends

    # PL_DISTRICT is the placement's local authority district (analysis.placements): it must survive.
    with_districts = add_flow_ends(snapshot.assign(PL_DISTRICT="E07000110"), index=postcode_index)
    assert (with_districts["PL_DISTRICT"] == "E07000110").all()
    assert with_districts["PL_POSTCODE_DISTRICT"].tolist()[:8] == ["TN23"] * 7 + ["ME15"]
    assert with_districts.loc[snapshot["PL_POST"] == "", "PL_POSTCODE_DISTRICT"].tolist() == [""]
    flows, summary = aggregate_flows(snapshot, index=postcode_index)
    again, summary_again = aggregate_flows(with_districts, index=postcode_index)
    pd.testing.assert_frame_equal(flows, again)
    assert summary == summary_again


def test_flow_map_suppresses_small_pairs_and_never_carries_child_ids(snapshot, postcode_index):
    # Four more children in another small flow: the hidden flows hold 7 children, so the 7 can be shown.
    more = _snapshot([[f"F{i}", "CT1 1", "CT16 1AA", 9.0, "Other foster care", "Private"] for i in range(4)])
    flows, _ = aggregate_flows(pd.concat([snapshot, more], ignore_index=True), index=postcode_index)
    html = map_html(placements_map(flows))
    assert "children: 7" in html
    assert "children: 2" not in html and "children: 1<" not in html
    assert "children: c" in html
    for child in ("A1", "B0", "C1"):
        assert f'"{child}"' not in html and f">{child}<" not in html
    assert '"Other foster care"' in html  # a switchable layer per placement type group
    assert "TN23 1AA" not in html and "ME15 6RS" not in html and "TN23" in html
    assert "tile.openstreetmap.org" not in html  # offline by default


def test_a_flow_is_hidden_when_the_total_drawn_would_give_the_small_flows_away(snapshot, postcode_index):
    # 10 children drawn, 7 in one flow: 10 - 7 would say that the two hidden flows hold 3 children.
    flows, summary = aggregate_flows(snapshot, index=postcode_index)
    assert summary.drawn == 10
    big = flows[flows["PLACEMENT_DISTRICT"] == "TN23"].iloc[0]
    assert big["children"] == 7 and big["children_shown"] == "c"
    html = map_html(placements_map(flows))
    assert "children: 7" not in html and "median distance: c miles" in html
    assert "median distance: 18.0" not in html


def test_offline_map_still_draws_boundaries_and_20_mile_line(postcode_index):
    from geo.boundaries import adjacent_authorities, authority_boundaries, buffer_boundary

    gdf = authority_boundaries()
    kent = gdf[gdf["code"] == "E10000016"]
    neighbours = gdf[gdf["code"].isin(list(adjacent_authorities("E10000016")))]
    line = buffer_boundary("E10000016", miles=20)
    offline = map_html(
        placements_map(pd.DataFrame(columns=["layer"]), authority=kent, neighbours=neighbours, distance_line=line)
    )
    assert "Kent" in offline and "20 miles from the boundary" in offline
    assert "tile.openstreetmap.org" not in offline
    online = map_html(placements_map(pd.DataFrame(columns=["layer"]), authority=kent, tiles=True))
    assert "tile.openstreetmap.org" in online
    # The 20-mile line lies outside the authority by 20 miles (32.2 km), give or take simplification.
    gap = shapely.distance(kent.geometry.iloc[0].boundary, line.boundary)
    assert 31_500 < gap < 32_500


def test_largest_flow_map_stays_under_3_mb(postcode_index):
    from geo.postcodes import sector_of

    units = postcode_index.units_in("E10000016")["postcode"]
    kent_sectors = sorted(set(sector_of(units)) - {""})[:60]
    districts = [
        "TN23",
        "ME15",
        "CT1",
        "DA1",
        "BR1",
        "SE1",
        "CF10",
        "M1",
        "B1",
        "LS1",
        "NE1",
        "BS1",
        "CB1",
        "OX1",
        "RH1",
        "GU1",
        "PO1",
        "SO14",
        "BN1",
        "NR1",
        "IP1",
        "CO1",
        "SS1",
        "CM1",
        "LU1",
        "MK9",
        "NN1",
        "LE1",
        "NG1",
        "DE1",
        "S1",
        "HU1",
        "YO1",
        "DN1",
        "LN1",
        "PE1",
        "SG1",
        "AL1",
        "WD17",
        "HP1",
        "SL1",
        "RG1",
    ]
    rows = [
        [f"X{i}-{j}", s, d, float(i % 120), "Other foster care", "Private"]
        for i, s in enumerate(kent_sectors)
        for j, d in enumerate(districts)
    ]
    flows, summary = aggregate_flows(_snapshot(rows), index=postcode_index)
    assert summary.flows == len(rows) and len(flows) == min(len(rows), MAX_FLOWS)
    html = map_html(placements_map(flows))
    assert len(html.encode()) < 3_000_000


def test_homes_map_escapes_names_and_shows_homes_at_sector_level(postcode_index):
    homes = pd.DataFrame(
        {
            "NAME": [XSS, "Oak House", "Home at ME15 6RS"],
            "POSTCODE": ["ME15 6RS", "ME15 6RS", "ME15 6RS"],
            "SECTOR": ["PRIVATE", "LA", "PRIVATE"],
            "TYPE": ["Children's home", "Children's home", "Secure children's home"],
            "PLACES": [4, 3, None],
            "OFSTED_RATING": ["Good", "outstanding", ""],
            "OUR_CHILDREN": [3, 8, 0],
            "LA_NAME": ["Kent", "Kent", "Kent"],
            "WITHIN_LA": ["Y", "Y", "Y"],
            "MILES_FROM_BOUNDARY": [5.2, 5.2, 5.2],
        }
    )
    points = locate_homes_by_sector(homes, index=postcode_index)
    assert list(points["HOME_SECTOR"]) == ["ME15 6"] * 3
    assert "POSTCODE" not in points.columns
    assert points.loc[2, "NAME"] == "Home in sector ME15 6"  # an inferred name never shows a full postcode
    assert list(points["OFSTED_RATING"]) == ["Good", "Outstanding", "Not known"]
    centre = postcode_index.lookup(pd.Series(["ME15 6"])).iloc[0]
    # Every home sits on a small ring round the sector centroid, never on its own address.
    offsets = np.hypot(
        (points["MAP_LAT"] - centre["lat"]) * 111_320,
        (points["MAP_LON"] - centre["lon"]) * 111_320 * np.cos(np.radians(centre["lat"])),
    )
    assert np.allclose(offsets, 250, atol=5)
    html = map_html(homes_map(points))
    assert XSS not in html
    # The escaped name is in the page (as JSON text, where "&" is written \u0026).
    assert escape(XSS).replace("&", "\\u0026") in html
    assert "ME15 6RS" not in html
    assert "our children here: c" in html and "our children here: 8" in html


def test_offline_map_loads_nothing_from_the_internet():
    import re

    html = map_html(base_map())
    assert "leaflet" in html.lower()
    assert re.findall(r'(?:src|href)="https?://', html) == []  # Leaflet is embedded, not from a CDN
    assert "tile.openstreetmap.org" in map_html(base_map(tiles=True))


def test_escape_handles_blanks_and_markup():
    assert escape(None) == "" and escape(np.nan) == ""
    assert escape("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#x27;"
    assert "leaflet-container" in map_html(base_map())


def _layer_page(layer_class, collection) -> str:
    """The whole page of a map with one GeoJSON layer of ``layer_class``, element ids made comparable."""
    import re

    import folium

    m = base_map()
    layer_class(
        collection,
        style_function=lambda f: {"color": f["properties"]["colour"]},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    ).add_to(m)
    return re.sub(r"_[0-9a-f]{32}", "_ID", map_html(m))


def test_our_geojson_layer_draws_the_page_folium_draws():
    import folium

    from maps.common import GeoJson

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"colour": c, "tip": f"place {i}"},
                "geometry": {"type": "Point", "coordinates": [0.5 + i / 100, 51.2]},
            }
            for i, c in enumerate(["#d62f27", "#4575b5", "#d62f27"])
        ],
    }
    ours = _layer_page(GeoJson, collection)
    assert ours == _layer_page(folium.GeoJson, collection)
    assert "place 2" in ours and "#4575b5" in ours


def test_our_geojson_layer_keeps_template_syntax_in_its_data_as_text():
    """folium would compile the layer's data as a Jinja template: '{%' stopped the map, '{{ }}' ran."""
    from maps.common import GeoJson

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"colour": "#333333", "tip": "{{ 7 * 7 }} {% raw %}"},
                "geometry": {"type": "Point", "coordinates": [0.5, 51.2]},
            }
        ],
    }
    page = _layer_page(GeoJson, collection)
    assert '"{{ 7 * 7 }} {% raw %}"' in page


def test_placements_map_reads_at_a_glance(postcode_index):
    """Receiving authorities shaded by children placed there; only the largest flows drawn at first (the rest
    one tick away); the map opens on the authority and those lines, not on the farthest placement."""
    from geo.boundaries import authority_boundaries
    from geo.postcodes import sector_of
    from geo.projection import transform_points
    from maps.placements_map import AREA_SHADES, TOP_FLOWS

    sectors = sorted(set(sector_of(postcode_index.units_in("E10000016")["postcode"])) - {""})[:40]
    rows = [[f"A{i}", "ME15 6", "TN23 1AA", 15.0, "Other foster care", "Private"] for i in range(40)]
    rows += [
        [f"B{i}-{j}", s, d, 30.0, "Other foster care", "Private"]
        for i, s in enumerate(sectors)
        for j, d in enumerate(["CT1 1AA", "ME15 6RS", "DA1 1AA"])
    ]
    rows += [["F1", "ME15 6", "IV1 1AA", 500.0, "Other foster care", "Private"]]  # one child in Inverness
    flows, _ = aggregate_flows(_snapshot(rows), index=postcode_index)
    assert len(flows) > TOP_FLOWS
    gdf = authority_boundaries()
    kent = gdf[gdf["code"] == "E10000016"]
    receiving = gdf[gdf["code"].isin(["E06000034", "E09000006", "E10000012"])].copy()  # Thurrock, Bromley, Essex
    receiving["children"] = ["c", "12", "150"]
    m = placements_map(flows, authority=kent, receiving=receiving)
    html = map_html(m)
    shades = dict(AREA_SHADES)
    for colour in (shades[1], shades[6], shades[101]):
        assert colour in html
    assert "Other flows (" in html and "Where our children are placed" in html
    # Lines drawn at first: only the top ones; the others are in one layer that starts hidden.
    groups = [c for c in m._children.values() if type(c).__name__ == "FeatureGroup"]
    lines = {
        g.layer_name: sum(len(j.data["features"]) for j in g._children.values() if hasattr(j, "data")) for g in groups
    }
    shown = {g.layer_name: g.show for g in groups}
    assert lines["Other foster care"] == TOP_FLOWS and shown["Other foster care"]
    other = next(name for name in lines if name.startswith("Other flows"))
    assert lines[other] == len(flows) - TOP_FLOWS and not shown[other]
    # Opens on Kent and its lines: Inverness (57.5 N) is not what sets the zoom.
    lon, lat = transform_points([kent.geometry.iloc[0].centroid.x], [kent.geometry.iloc[0].centroid.y])
    assert m.options["zoom"] >= 7 and abs(m.location[0] - lat[0]) < 1.0
    assert "\\u0026rarr; IV1\\u003cbr" in html  # the far placement is still there, one tick away
