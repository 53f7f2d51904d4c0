"""geo.projection: the same coordinates as pyproj's own transformer, from any thread."""

from __future__ import annotations

import threading

import numpy as np
import shapely
from pyproj import Transformer

from geo.projection import BNG, WGS84, transform_geometries, transform_points


def test_points_match_pyproj_both_ways_and_nan_stays_nan():
    east = np.array([530_000.0, 385_000.0, np.nan, 651_000.0])
    north = np.array([180_000.0, 398_000.0, 200_000.0, 308_000.0])
    lon, lat = transform_points(east, north)
    want_lon, want_lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(east[[0, 1, 3]], north[[0, 1, 3]])
    np.testing.assert_allclose(lon[[0, 1, 3]], want_lon, atol=1e-9)
    np.testing.assert_allclose(lat[[0, 1, 3]], want_lat, atol=1e-9)
    assert np.isnan(lon[2]) and np.isnan(lat[2])
    assert 51.4 < lat[0] < 51.6 and -0.2 < lon[0] < 0.0  # central London
    back_x, back_y = transform_points(lon[[0]], lat[[0]], source=WGS84, target=BNG)
    assert abs(back_x[0] - 530_000) < 0.01 and abs(back_y[0] - 180_000) < 0.01


def test_geometries_move_together_and_calls_from_other_threads_agree():
    square = shapely.box(530_000, 180_000, 531_000, 181_000)
    (moved,) = transform_geometries([square])
    lon, lat = transform_points(*np.asarray(square.exterior.coords).T)
    np.testing.assert_allclose(np.asarray(moved.exterior.coords), np.column_stack([lon, lat]))
    here = np.ravel(transform_points([530_000.0], [180_000.0]))
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(transform_points([530_000.0], [180_000.0]))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 and all(np.allclose(np.ravel(s), here) for s in seen)


def _in_child(_):
    return np.ravel(transform_points([530_000.0], [180_000.0])).tolist()


def test_a_forked_worker_process_transforms_too():
    """A ProcessPoolExecutor worker forked after the parent used its transform thread must not wait on it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    here = np.ravel(transform_points([530_000.0], [180_000.0]))  # the parent's thread now exists
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        there = pool.submit(_in_child, None).result(timeout=60)
    np.testing.assert_allclose(there, here)
