"""analysis.workers: work done in a worker process gives what the caller's thread would, and survives the
worker dying."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import workers

ROOT = Path(__file__).resolve().parents[1]


def _die_in_a_worker(value):
    """Kills the process it runs in unless that is the test's own process; else returns ``value``."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return value


def test_work_runs_in_another_process_and_exceptions_come_back():
    pid = workers.start()
    assert pid is not None and pid != os.getpid()
    assert workers.submit(os.getpid).result() == pid  # the same worker, kept
    job = workers.submit(int, "not a number")
    with pytest.raises(ValueError):
        job.result()
    with pytest.raises(ValueError):  # every caller of a shared job sees the same error
        job.result()


def test_hotspots_found_in_the_worker_equal_those_found_here():
    from analysis.hotspots import label_and_find_hotspots
    from analysis.missing import missing_episodes
    from data.readers import read_folder
    from ui import dataset_choice

    episodes = missing_episodes(read_folder(dataset_choice.DEMO_DIR, la=dataset_choice.DEMO_LA))
    params = {"location": "found", "min_cluster_size": 8, "method": "hdbscan", "eps_m": 250.0}
    there_spots, there_labels = workers.submit(label_and_find_hotspots, episodes, **params).result()
    here_spots, here_labels = label_and_find_hotspots(episodes, **params)
    assert len(here_spots) > 5
    pd.testing.assert_series_equal(there_labels, here_labels)
    pd.testing.assert_frame_equal(
        pd.DataFrame(there_spots.drop(columns="geometry")), pd.DataFrame(here_spots.drop(columns="geometry"))
    )
    assert there_spots.geometry.geom_equals_exact(here_spots.geometry, tolerance=0).all()


def test_a_dead_worker_is_replaced_and_its_work_done_here():
    first = workers.start()
    assert first is not None
    assert workers.submit(_die_in_a_worker, 42).result() == 42  # the worker died; done in this process
    second = workers.start()
    assert second is not None and second not in (first, os.getpid())  # a new worker took over


def _start_a_worker_from_here():
    return workers.start()


def test_a_worker_never_starts_workers_and_the_app_does_not_run_when_a_worker_imports_it():
    # A worker asked to start a worker does the work itself: no chain of worker processes.
    assert workers.submit(_start_a_worker_from_here).result() is None
    # A worker re-imports its parent's main module under another name (multiprocessing's rule);
    # Streamlit's main module is app.py, which must then define the app without running it.
    code = (
        "import runpy, threading\n"
        "names = runpy.run_path('app.py', run_name='__mp_main__')\n"
        "assert callable(names['main'])\n"
        "assert 'care-map-warmup' not in [t.name for t in threading.enumerate()]\n"
        "print('not run')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "not run"


def test_a_new_worker_does_not_run_the_parents_main_module(tmp_path):
    """As under AppTest, or Streamlit with any script as "__main__": a worker must not run it again."""
    import types

    script = tmp_path / "some_app.py"
    script.write_text("raise SystemExit('the main module ran in the worker')\n")
    fake = types.ModuleType("__main__")
    fake.__file__, fake.__spec__ = str(script), None
    real = sys.modules["__main__"]
    workers.shutdown()
    sys.modules["__main__"] = fake
    try:
        pid = workers.start()
    finally:
        sys.modules["__main__"] = real
    assert pid is not None and pid != os.getpid()


def test_one_job_shared_by_several_threads_gives_each_the_same_result():
    import threading
    import time

    job = workers.submit(time.sleep, 0.3)
    assert not job.done()  # still sleeping in the worker
    results, errors = [], []

    def collect():
        try:
            results.append(job.result())
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=collect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and results == [None] * 4
    assert job.done()
