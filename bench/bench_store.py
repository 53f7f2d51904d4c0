"""The store: opening the latest published snapshot against reading the same files, and 20 panel sessions.

Data: the synthetic pooled England set (``python -m data.england``; ``$CARE_MAP_ENGLAND_DIR`` or
``england_demo/``, generated there when absent, as bench_england does). It is read and checked once,
published into a fresh SQLite store (a temporary folder), then:

1. **Open vs read.** ``store.open_snapshot`` of the latest snapshot against ``data.readers.read_folder``
   plus ``data.validation.check_dataset`` of the same files (what the app does with an upload): the
   store keeps the checked tables, so opening is reading Parquet blobs. Best of 3, same run.
   Also reported: the publish itself and the store's size, uncompressed Parquet (what the store uses)
   against zstd (what it would save on disk, and cost to open).
2. **Twenty panel sessions at once.** The app is started on 127.0.0.1 with ``CARE_MAP_DATABASE_URL`` on that
   store, started as ``make run`` starts it (``MALLOC_ARENA_MAX=2``). Server side only, over Streamlit's
   WebSocket protocol (``bench_load._ws_session``), so no browsers compete for the two cores: (a) a fresh
   server, one session alone: seconds to its first drawn page (the Placements page's run finished, map
   included), which opens the snapshot; (b) another fresh
   server, 20 sessions at the same moment: each one's seconds to its first drawn page against (a) (target:
   under 2x), and the server's memory per extra session (target under 15 MB), two ways: over that first
   wave ((RSS after 20 - RSS at start - one session's) / 19, which includes the peaks of 20 first runs at
   once), and over a second wave of 20 on the warm server ((RSS after 40 - RSS after 20) / 20, as bench_load
   measures it). One shared copy of the snapshot (``ui.published.open_published``, ``st.cache_resource``),
   not one per session, is what keeps both small against one session's 700 MB.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import best_of, is_quick, result, time_once

SESSIONS = 20
QUICK_SESSIONS = 3
HARD_TIMEOUT = 900  # seconds, all sessions together (a cold England page is 10-60 s on a busy machine)
SESSION_MB_TARGET = 15
SLOWDOWN_TARGET = 2.0
# As `make run` starts the app (docs/operations.md): without it, 20 first runs at once leave 16-18 MB per
# session of freed memory in glibc's per-thread arenas (measured on 2026-12-04), with it 11-12 MB.
MALLOC_ARENA_MAX = "2"


def _store_size(dataset, compression: str) -> tuple[int, float]:
    """(bytes of every table as Parquet with ``compression``, seconds to read them back)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from store.snapshots import DATASET_TABLES

    blobs = []
    for name in DATASET_TABLES:
        frame = getattr(dataset, name)
        if frame is not None and not frame.empty:
            sink = io.BytesIO()
            pq.write_table(
                pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False), sink, compression=compression
            )
            blobs.append(sink.getvalue())
    seconds = best_of(lambda: [pq.read_table(pa.BufferReader(b)).to_pandas() for b in blobs], 3)
    return sum(len(b) for b in blobs), seconds


def _sessions(url: str, n: int, *, again: bool = False) -> dict:
    """n sessions at once on a fresh server, then (``again``) n more on the now warm server.

    Returns ``found`` ((done, error) per session of the first wave), ``rss_start``, ``rss_after`` (after the
    first wave), ``rss_again`` (after the second), ``wall`` (the first wave), ``again_errors``.
    """
    from bench.bench_load import _rss_mb, _ws_session
    from tests.app_server import start_app, stop_app

    proc, base = start_app(env={"CARE_MAP_DATABASE_URL": url, "MALLOC_ARENA_MAX": MALLOC_ARENA_MAX})
    stream = base.replace("http://", "ws://", 1) + "/_stcore/stream"
    out: dict = {}

    async def wave():
        start = time.monotonic()
        found = await asyncio.gather(*[_ws_session(stream, HARD_TIMEOUT) for _ in range(n)])
        return found, time.monotonic() - start

    try:
        out["rss_start"] = _rss_mb(proc.pid)
        found, out["wall"] = asyncio.run(wave())
        out["rss_after"] = _rss_mb(proc.pid)
        out["found"] = [(done, err) for _, done, err in found]
        if again:
            found, _ = asyncio.run(wave())
            out["rss_again"] = _rss_mb(proc.pid)
            out["again_errors"] = [err for _, _, err in found if err]
    finally:
        stop_app(proc)
    return out


def run() -> list[dict]:
    from bench.bench_england import _folder
    from data.readers import read_folder
    from data.validation import check_dataset
    from geo.postcodes import get_postcode_index
    from store import get_engine, open_snapshot, publish_dataset
    from store.engine import dispose_engines

    rows: list[dict] = []
    folder = _folder(rows)
    index = get_postcode_index()

    def read_files():
        dataset = read_folder(folder)
        check_dataset(dataset, index=index)
        return dataset

    read_s, dataset = time_once(read_files)
    tmp = Path(tempfile.mkdtemp(prefix="care_map_bench_store_"))
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    engine = get_engine(url)
    publish_s, info = time_once(lambda: publish_dataset(dataset, published_by="bench", engine=engine))
    n_episodes = len(dataset.episodes)
    read_best = min(read_s, best_of(read_files, 2))
    open_best = best_of(lambda: open_snapshot(info.id, engine=engine), 3)
    size = (tmp / "store.sqlite").stat().st_size
    rows.append(
        result(
            f"open the latest snapshot ({n_episodes:,} episodes) from the store",
            open_best,
            "s",
            baseline="read and check the same CSV files",
            baseline_value=read_best,
            target=read_best,
            note=f"SQLite store, one snapshot {size / 2**20:.0f} MB (uncompressed Parquet); "
            f"publishing it took {publish_s:.1f} s",
        )
    )
    plain_bytes, plain_s = _store_size(dataset, "none")
    zstd_bytes, zstd_s = _store_size(dataset, "zstd")
    rows.append(
        result(
            "Parquet tables uncompressed (the store's choice): seconds to read back",
            plain_s,
            "s",
            baseline="zstd-compressed",
            baseline_value=zstd_s,
            note=f"{plain_bytes / 2**20:.0f} MB uncompressed, {zstd_bytes / 2**20:.0f} MB with zstd: "
            "uncompressed also lets the privacy test find a child id in the file before a purge",
        )
    )
    dataset = None  # the frames are not needed while the app servers run
    dispose_engines()

    n = QUICK_SESSIONS if is_quick() else SESSIONS
    alone = _sessions(url, 1)
    ((alone_s, alone_err),) = alone["found"]
    if alone_err:
        raise RuntimeError(f"a session alone failed: {alone_err}")
    many = _sessions(url, n, again=True)
    errors = [err for _, err in many["found"] if err] + many["again_errors"]
    times = [d for d, err in many["found"] if d is not None and not err]
    median, worst = (statistics.median(times), max(times)) if times else (float("nan"), float("nan"))
    one_session_mb = alone["rss_after"] - alone["rss_start"]
    cold_extra = (many["rss_after"] - many["rss_start"] - one_session_mb) / max(1, n - 1)
    warm_extra = (many["rss_again"] - many["rss_after"]) / n
    rows += [
        result(
            f"{n} panel sessions at once: errors",
            len(errors),
            "errors",
            target=None if is_quick() else 1,
            note="; ".join(sorted(set(errors)))[:300] or f"every session drew its page ({2 * n} sessions)",
        ),
        result(
            f"{n} panel sessions at once: seconds to the first drawn page, max",
            worst,
            "s",
            baseline="one session alone on a fresh server",
            baseline_value=alone_s,
            target=None if is_quick() else SLOWDOWN_TARGET * alone_s,
            note=f"median {median:.1f} s; all done in {many['wall']:.1f} s; fresh servers both (the snapshot is "
            "opened once and shared)",
        ),
        result(
            f"{n} panel sessions at once on a fresh server: server memory per extra session",
            cold_extra,
            "MB",
            baseline="server memory of one session alone",
            baseline_value=one_session_mb,
            target=None if is_quick() else SESSION_MB_TARGET,
            note=f"(RSS after {n} - RSS at start - one session's) / {n - 1}: includes the peaks of {n} first runs "
            f"at once that the allocator keeps; RSS {many['rss_start']:.0f} -> {many['rss_after']:.0f} MB; "
            f"one session alone {alone['rss_start']:.0f} -> {alone['rss_after']:.0f} MB",
        ),
        result(
            f"{n} more panel sessions at once: server memory per extra session",
            warm_extra,
            "MB",
            baseline="server memory of one session alone",
            baseline_value=one_session_mb,
            note=f"(RSS after {2 * n} - RSS after {n}) / {n}, as bench_load measures it: what each session keeps "
            f"once the snapshot is open (below 0: the second wave reused the first's freed memory); "
            f"RSS {many['rss_after']:.0f} -> {many['rss_again']:.0f} MB",
        ),
    ]
    return rows
