"""Places of concern kept in a real database: SQLite and the throwaway PostgreSQL server."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis import places_of_concern as poc
from store.engine import dispose_engines
from store.schema import MIGRATIONS, open_store, store_version


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """The store, on SQLite and on the real PostgreSQL server, with its schema brought up by the migrations."""
    url = (
        f"sqlite:///{tmp_path / 'store.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = open_store(url)
    with engine.connect() as conn:
        assert store_version(conn) == len(MIGRATIONS)
    yield engine
    dispose_engines()


def test_mark_list_and_unmark(engine, postcode_index):
    spot = {"hotspot_id": 3, "easting": 635576.0, "northing": 170803.0}
    first = poc.mark_hotspot(engine, spot, note="Arcade: older males <b>seen</b>", marked_by="analyst1")
    second = poc.mark_postcode(engine, "ct11aa", note="", marked_by="analyst1", index=postcode_index)
    places = poc.list_places(engine)
    assert places["id"].tolist() == [first, second]
    assert places[["kind", "label", "easting", "northing"]].values.tolist() == [
        ["hotspot", "Hotspot 3", 635576.0, 170803.0],
        ["postcode", "CT1 1AA", 615886.0, 158470.0],
    ]
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
        geometry=[
            shapely.Point(0, 0).buffer(500),
            shapely.Point(10_000, 0).buffer(100),
            shapely.Point(20_000, 0).buffer(100),
        ],
        crs=27700,
    )
    places = pd.DataFrame({"easting": [400.0, 10_200.0], "northing": [0.0, 0.0]})
    assert poc.flag_hotspots(spots, places).tolist() == [True, True, False]  # inside; 200 m from the centre
    assert poc.flag_hotspots(spots, places.iloc[:0]).tolist() == [False, False, False]


def test_saved_places_for_scheduled_jobs(tmp_path, monkeypatch, postcode_index):
    monkeypatch.setenv("CARE_MAP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    assert poc.saved_places().empty
    poc.mark_postcode(open_store(), "CT1 1AA", index=postcode_index)
    assert poc.saved_places()["label"].tolist() == ["CT1 1AA"]
    dispose_engines()


def test_a_store_of_the_previous_version_gains_the_table_and_keeps_its_snapshots(tmp_path):
    """A store written before places of concern (schema version 2) is upgraded in place."""
    import sqlalchemy as sa

    from store.schema import migrate

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    old = sa.create_engine(url)
    assert migrate(old, up_to=2) == 2
    assert not sa.inspect(old).has_table("places_of_concern")
    old.dispose()
    engine = open_store(url)
    assert sa.inspect(engine).has_table("places_of_concern") and sa.inspect(engine).has_table("snapshots")
    assert poc.list_places(engine).empty
    dispose_engines()
