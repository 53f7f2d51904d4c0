"""Places of concern kept in a real database: SQLite and the throwaway PostgreSQL server."""
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import create_engine

from analysis import places_of_concern as poc


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = poc.local_engine(tmp_path / "places.sqlite")
    else:
        engine = create_engine(request.getfixturevalue("postgres_url"))
        poc.create_table(engine)
    yield engine
    engine.dispose()


def test_mark_list_and_unmark(engine, postcode_index):
    spot = {"hotspot_id": 3, "easting": 635576.0, "northing": 170803.0}
    first = poc.mark_hotspot(engine, spot, note="Arcade: older males <b>seen</b>", marked_by="analyst1")
    second = poc.mark_postcode(engine, "ct11aa", note="", marked_by="analyst1", index=postcode_index)
    places = poc.list_places(engine)
    assert places["id"].tolist() == [first, second]
    assert places[["kind", "label", "easting", "northing"]].values.tolist() == [
        ["hotspot", "Hotspot 3", 635576.0, 170803.0], ["postcode", "CT1 1AA", 615886.0, 158470.0]]
    assert places.loc[0, "note"] == "Arcade: older males <b>seen</b>"  # kept as typed; escaped where shown
    assert places["marked_at"].notna().all()
    assert poc.unmark_place(engine, first) is True
    assert poc.unmark_place(engine, first) is False
    assert poc.list_places(engine)["id"].tolist() == [second]


def test_bad_marks_are_refused_and_nothing_is_stored(engine, postcode_index):
    with pytest.raises(ValueError, match="not found"):
        poc.mark_postcode(engine, "ZZ9 9ZZ", index=postcode_index)
    with pytest.raises(ValueError, match="full postcode or a sector"):
        poc.mark_postcode(engine, "CT1", index=postcode_index)  # a whole district is not a place
    with pytest.raises(ValueError, match="at most 200"):
        poc.mark_place(engine, kind="postcode", label="CT1 1AA", easting=1, northing=1, note="x" * 201)
    with pytest.raises(ValueError, match="kind"):
        poc.mark_place(engine, kind="child", label="A", easting=1, northing=1)
    with pytest.raises(ValueError, match="position"):
        poc.mark_place(engine, kind="postcode", label="A", easting=float("nan"), northing=1)
    assert poc.list_places(engine).empty


def test_flag_hotspots_inside_outline_or_near_centre():
    spots = gpd.GeoDataFrame(
        {"hotspot_id": [0, 1, 2], "easting": [0.0, 10_000.0, 20_000.0], "northing": [0.0, 0.0, 0.0]},
        geometry=[shapely.Point(0, 0).buffer(500), shapely.Point(10_000, 0).buffer(100),
                  shapely.Point(20_000, 0).buffer(100)], crs=27700)
    places = pd.DataFrame({"easting": [400.0, 10_200.0], "northing": [0.0, 0.0]})
    assert poc.flag_hotspots(spots, places).tolist() == [True, True, False]  # inside; 200 m from the centre
    assert poc.flag_hotspots(spots, places.iloc[:0]).tolist() == [False, False, False]


def test_saved_places_for_scheduled_jobs(tmp_path, postcode_index):
    path = tmp_path / "places.sqlite"
    assert poc.saved_places(path) is None  # no mark ever made: no file, and none is created
    assert not path.exists()
    engine = poc.local_engine(path)
    poc.mark_postcode(engine, "CT1 1AA", index=postcode_index)
    engine.dispose()
    assert poc.saved_places(path)["label"].tolist() == ["CT1 1AA"]
