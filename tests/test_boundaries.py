"""Authority polygons, adjacency and the official-file override, on the shipped derived boundaries."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundaries as gb
from geo.authorities import authorities, resolve_authority
from geo.boundary_build import derive_boundaries


def code(name: str) -> str:
    return resolve_authority(name).code


@pytest.fixture(autouse=True)
def no_official_file(monkeypatch, tmp_path_factory):
    """Every test starts from the shipped derived polygons, whatever sits in local/boundaries/."""
    monkeypatch.setenv(gb.BOUNDARIES_ENV, str(tmp_path_factory.mktemp("no-official")))


@pytest.fixture(scope="module")
def derived():
    return gb._read_derived()


def test_one_valid_polygon_per_authority(derived):
    bounds = gb.authority_boundaries()
    assert gb.boundaries_source() == gb.DERIVED_SOURCE
    assert gb.boundaries_problem() is None
    assert list(bounds.columns) == ["code", "name", "geometry"]
    assert bounds.crs.to_epsg() == 27700
    assert len(bounds) == 153 and bounds["code"].is_unique
    assert set(bounds["code"]) == set(authorities()["code"])
    assert bounds.is_valid.all() and not bounds.is_empty.any()
    assert set(bounds.geom_type) <= {"Polygon", "MultiPolygon"}
    assert bounds.loc[bounds["code"] == code("Kent"), "name"].item() == "Kent"


def test_polygons_do_not_overlap(derived):
    # A coverage: neighbours share edges, they do not overlap (allow float dust only).
    geoms = derived.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]]))
    assert overlap.max() < 1.0


def test_areas_are_plausible(derived):
    area = derived.set_index("code").area / 1e6
    # Approximate official areas (km²): the City ~2.9, Croydon ~87, Kent ~3,540, Isles of Scilly ~16.
    assert 2 < area[code("City of London")] < 5
    assert 75 < area[code("Croydon")] < 100
    assert 3200 < area[code("Kent")] < 3900
    assert 10 < area[code("Isles of Scilly")] < 40
    assert 120_000 < area.sum() < 135_000  # England ~130,300 km²


@pytest.mark.parametrize(
    "a, b",
    [
        ("Kent", "Medway"),
        ("Kent", "East Sussex"),
        ("Kent", "Surrey"),
        ("Croydon", "Sutton"),
        ("Croydon", "Bromley"),
        ("Cumberland", "Westmorland and Furness"),
        ("North Yorkshire", "York"),
        ("Somerset", "Devon"),
        ("Sheffield", "Barnsley"),
        ("Cornwall", "Devon"),
        ("Northumberland", "Newcastle upon Tyne"),
    ],
)
def test_known_neighbours(a, b):
    assert code(b) in gb.adjacent_authorities(code(a))
    assert code(a) in gb.adjacent_authorities(code(b))


@pytest.mark.parametrize(
    "a, b",
    [("Kent", "Cornwall"), ("Croydon", "Camden"), ("Isle of Wight", "Hampshire"), ("Isles of Scilly", "Cornwall")],
)
def test_known_non_neighbours(a, b):
    assert code(b) not in gb.adjacent_authorities(code(a))


def test_adjacency_is_symmetric_sorted_and_irreflexive():
    pairs = gb.adjacency()
    assert list(pairs.columns) == ["code", "neighbour"]
    assert not (pairs["code"] == pairs["neighbour"]).any()
    forward = set(zip(pairs["code"], pairs["neighbour"]))
    assert forward == {(b, a) for a, b in forward}
    assert pairs.equals(pairs.sort_values(["code", "neighbour"]).reset_index(drop=True))
    assert set(pairs["code"]) <= set(authorities()["code"])
    # Only the Isles of Scilly and the Isle of Wight have no land neighbour.
    lonely = set(authorities()["code"]) - set(pairs["code"])
    assert lonely == {code("Isles of Scilly"), code("Isle of Wight")}


def test_shipped_adjacency_matches_polygons(derived):
    computed = gb.compute_adjacency(derived)[["code", "neighbour"]]
    assert computed.equals(gb.adjacency())


def test_retired_code_is_accepted():
    assert gb.adjacent_authorities("E08000016") == gb.adjacent_authorities(code("Barnsley"))
    assert gb.adjacent_authorities("not a code") == frozenset()


@pytest.mark.parametrize(
    "postcode, name",
    [
        ("CR0 1AA", "Croydon"),
        ("ME14 1NG", "Kent"),
        ("TA1 1AA", "Somerset"),
        ("S70 2AA", "Barnsley"),
        ("LA9 4DL", "Westmorland and Furness"),
        ("EC2V 7HH", "City of London"),
        ("SW1A 2AA", "Westminster"),
        ("TR21 0HE", "Isles of Scilly"),
        ("PO30 1UD", "Isle of Wight"),
    ],
)
def test_real_postcodes_fall_in_their_authority(postcode_index, postcode, name):
    found = postcode_index.lookup([postcode]).iloc[0]
    assert found["la_name"] == name  # the directory agrees with the test's expectation
    assert gb.authority_at([found["easting"]], [found["northing"]])[0] == code(name)


def test_authority_at_outside_england_and_missing():
    # Cardiff, Edinburgh, mid-Channel, NaN.
    got = gb.authority_at([318000, 325000, 450000, np.nan], [176000, 673000, 50000, 100000])
    assert list(got) == [None, None, None, None]
    assert gb.authority_at([], []).shape == (0,)


def test_postcodes_mostly_inside_own_polygon_sample(postcode_index, derived):
    units = postcode_index.english_units().sample(20_000, random_state=1)
    found = gb.authority_at(units["easting"], units["northing"])
    assert (found == units["la_code"].to_numpy(dtype=object)).mean() > 0.99


def test_buffer_boundary_is_twenty_miles(derived):
    kent = derived.loc[derived["code"] == code("Kent"), "geometry"].item()
    ring = gb.buffer_boundary("Kent")
    assert ring.contains(kent)
    # Every point of the outline is ~20 miles from Kent (200 m simplification, segmented arcs).
    outline = shapely.points(
        shapely.get_coordinates(ring.geoms[0].exterior if ring.geom_type == "MultiPolygon" else ring.exterior)
    )
    miles = shapely.distance(outline, kent) / gb.METRES_PER_MILE
    assert miles.min() > 19.8 and miles.max() < 20.2
    assert gb.buffer_boundary("E10000016", miles=5).area < ring.area


def test_tiny_derivation_around_croydon(postcode_index):
    bbox = (520_000, 155_000, 545_000, 172_000)
    small = derive_boundaries(postcode_index, cell_metres=500, bbox=bbox, seal_metres=0)
    assert small.is_valid.all()
    assert {code("Croydon"), code("Sutton"), code("Bromley")} <= set(small["code"])
    croydon = small.loc[small["code"] == code("Croydon"), "geometry"].item()
    cr0 = postcode_index.lookup(["CR0 1AA"]).iloc[0]
    assert croydon.contains(shapely.Point(cr0["easting"], cr0["northing"]))
    pairs = gb.compute_adjacency(small)
    assert ((pairs["code"] == code("Croydon")) & (pairs["neighbour"] == code("Sutton"))).any()


# ------------------------------------------------------------------ official files
def _official_like(derived, folder, *, retire_barnsley=True):
    """A zipped Shapefile like an ONS CTYUA download: CTYUA24CD/CTYUA24NM, WGS84, plus a Welsh row."""
    import geopandas as gpd

    frame = derived.copy()
    frame["geometry"] = shapely.simplify(frame.geometry.values, 50)
    if retire_barnsley:
        frame.loc[frame["code"] == code("Barnsley"), "code"] = "E08000016"
    wales = gpd.GeoDataFrame(
        {"code": ["W06000015"], "name": ["Cardiff"]}, geometry=[shapely.box(310000, 170000, 325000, 185000)], crs=gb.CRS
    )
    frame = pd.concat([frame, wales], ignore_index=True)
    frame = frame.rename(columns={"code": "CTYUA24CD", "name": "CTYUA24NM"}).to_crs(4326)
    shp_dir = folder / "shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / "CTYUA_DEC_2024_UK_BGC.shp")
    archive = folder / "CTYUA_DEC_2024_UK_BGC.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    for part in shp_dir.iterdir():
        part.unlink()
    shp_dir.rmdir()
    return archive


def test_official_file_takes_precedence(derived, tmp_path, monkeypatch):
    archive = _official_like(derived, tmp_path)
    monkeypatch.setenv(gb.BOUNDARIES_ENV, str(tmp_path))
    bounds = gb.authority_boundaries()
    assert gb.boundaries_source() == f"official ONS file: {archive.name}"
    assert gb.boundaries_problem() is None
    assert bounds.crs.to_epsg() == 27700
    assert len(bounds) == 153 and set(bounds["code"]) == set(authorities()["code"])  # Wales dropped, Barnsley recoded
    assert bounds.loc[bounds["code"] == code("Barnsley"), "name"].item() == "Barnsley"
    assert code("Medway") in gb.adjacent_authorities(code("Kent"))
    assert code("Barnsley") in gb.adjacent_authorities(code("Sheffield"))
    assert code("Camden") not in gb.adjacent_authorities(code("Croydon"))
    assert gb.authority_at([533000], [165000])[0] == code("Croydon")


def test_code_column_found_by_values(derived, tmp_path, monkeypatch):
    frame = derived.rename(columns={"code": "areacode", "name": "areaname"})
    frame.to_file(tmp_path / "upper_tier.gpkg")
    monkeypatch.setenv(gb.BOUNDARIES_ENV, str(tmp_path))
    assert gb.boundaries_source() == "official ONS file: upper_tier.gpkg"
    assert len(gb.authority_boundaries()) == 153


def test_broken_file_falls_back_with_reason(tmp_path, monkeypatch):
    (tmp_path / "CTYUA_DEC_2024.geojson").write_text("this is not GeoJSON")
    monkeypatch.setenv(gb.BOUNDARIES_ENV, str(tmp_path))
    assert gb.boundaries_source() == gb.DERIVED_SOURCE
    problem = gb.boundaries_problem()
    assert "CTYUA_DEC_2024.geojson" in problem and "could not be read" in problem
    assert len(gb.authority_boundaries()) == 153


def test_incomplete_file_falls_back_with_reason(derived, tmp_path, monkeypatch):
    frame = derived[derived["code"].str.startswith("E09")]  # London only
    frame.to_file(tmp_path / "london.geojson", driver="GeoJSON")
    monkeypatch.setenv(gb.BOUNDARIES_ENV, str(tmp_path))
    assert gb.boundaries_source() == gb.DERIVED_SOURCE
    assert "covers 33 of the 153 authorities" in gb.boundaries_problem()
    with pytest.raises(gb.BoundaryFileError, match="covers 33"):
        gb.read_official_boundaries(tmp_path / "london.geojson")


# ------------------------------------------------------------------ command line
def test_clear_cache_removes_only_index_folders(tmp_path, monkeypatch, capsys):
    from geo.__main__ import main

    (tmp_path / "postcode-index-v1-test").mkdir()
    (tmp_path / "keep-me").mkdir()
    monkeypatch.setenv("CARE_MAP_CACHE", str(tmp_path))
    assert main(["clear-cache"]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep-me"]


def test_unknown_command_exits_2():
    from geo.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["draw-dragons"])
    assert stop.value.code == 2
