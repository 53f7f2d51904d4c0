"""A shared server under load: 20 sessions open the Placements page at once.

The app is started on 127.0.0.1 (a free port) with the committed demo data. One session opens the
Placements page first (the warm-up: the postcode index, boundaries and demo are loaded once per
process) and a second one measures a page alone on a warm server. Then:

1. ``SESSIONS`` sessions connect at the same moment over Streamlit's own WebSocket protocol, as a
   browser tab does (``/_stcore/stream``, protobuf ``BackMsg`` / ``ForwardMsg``), each asking for the
   Placements page and timing the arrival of the map (the ``st_folium`` component with its Leaflet
   map) and the end of the page's run. This loads the server exactly as 20 tabs would, without 20
   browsers competing with the server for the same two cores of the benchmark machine.
2. ``BROWSER_SESSIONS`` real Chromium contexts (separate cookies, so separate sessions) open the page
   together and wait until Leaflet has drawn the shapes: the whole path, browser included.

Everything is bounded (``HARD_TIMEOUT`` seconds per phase, one page per session) and stays on
localhost. Reported: errors (must be 0), seconds to the map per session (median, max), the server's
resident memory before and after and per extra session, and evidence that the ONS postcode index is
shared rather than copied per session: its files stay memory-mapped once each (/proc/<pid>/maps)
and the memory per extra session is a small fraction of the index's size.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from bench.common import is_quick, result
from tests.app_server import CHROMIUM, launch_chromium, start_app, stop_app

SESSIONS = 20
QUICK_SESSIONS = 3
BROWSER_SESSIONS = 5
QUICK_BROWSER_SESSIONS = 2
HARD_TIMEOUT = 180  # seconds for all sessions together
DRAWN = ".leaflet-overlay-pane canvas, .leaflet-overlay-pane path"


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size of these processes together (pages shared between them counted once), MB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _index_mappings(pid: int, folder: Path) -> tuple[int, int]:
    """(mapping lines, distinct files) of the postcode index in the process's address space."""
    lines, files = 0, set()
    with open(f"/proc/{pid}/maps") as fh:
        for line in fh:
            parts = line.split(maxsplit=5)
            if len(parts) == 6 and parts[5].strip().startswith(str(folder)):
                lines += 1
                files.add(parts[5].strip())
    return lines, len(files)


async def _map_drawn(page, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if await frame.locator(DRAWN).count() > 0:
                    return True
            except Exception:  # noqa: BLE001 - frames come and go while the page loads
                continue
        await asyncio.sleep(0.25)
    return False


async def _session(browser, url: str, timeout: float) -> tuple[float | None, str | None]:
    """Seconds until the map is drawn in a fresh browser context, or an error."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        start = time.monotonic()
        await page.goto(url, timeout=timeout * 1000)
        if not await _map_drawn(page, timeout - (time.monotonic() - start)):
            return None, "no map within the time limit"
        seconds = time.monotonic() - start
        if await page.locator('[data-testid="stException"]').count():
            return seconds, "the page shows an exception"
        return seconds, None
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the others
        return None, f"{type(exc).__name__}: {str(exc)[:100]}"
    finally:
        await context.close()


async def _ws_session(url: str, timeout: float) -> tuple[float | None, float | None, str | None]:
    """One session over the WebSocket protocol: (seconds to the map, seconds to the end of the run, error)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.typing import Subprotocol

    start = time.monotonic()
    map_at = None
    try:
        async with asyncio.timeout(timeout):
            async with websockets.connect(url, subprotocols=[Subprotocol("streamlit")], max_size=None) as ws:
                back = BackMsg()
                back.rerun_script.query_string = ""
                back.rerun_script.page_script_hash = ""  # the default page: Placements
                await ws.send(back.SerializeToString())
                while True:
                    raw = await ws.recv()
                    msg = ForwardMsg()
                    msg.ParseFromString(raw)
                    kind = msg.WhichOneof("type")
                    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        element = msg.delta.new_element.WhichOneof("type")
                        if element == "exception":
                            return map_at, None, f"exception: {msg.delta.new_element.exception.message[:80]}"
                        if element == "component_instance" and map_at is None and b"leaflet" in raw.lower():
                            map_at = time.monotonic() - start
                    elif kind == "script_finished":
                        done = time.monotonic() - start
                        return map_at, done, None if map_at is not None else "the page finished without a map"
    except TimeoutError:
        return map_at, None, "no map within the time limit"
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the others
        return map_at, None, f"{type(exc).__name__}: {str(exc)[:100]}"


def _summary(times: list[float]) -> tuple[float, float]:
    return (statistics.median(times), max(times)) if times else (float("nan"), float("nan"))


def measure(sessions: int = SESSIONS, browser_sessions: int = BROWSER_SESSIONS) -> dict:
    """Run the load test once; returns the raw numbers (see the module docstring)."""
    from geo.postcodes import _index_dir

    if browser_sessions and not CHROMIUM.exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    index_dir = _index_dir()
    index_mb = sum(p.stat().st_size for p in index_dir.glob("*.npy")) / 2**20
    proc, base = start_app()
    url = f"{base}/"
    stream = base.replace("http://", "ws://", 1) + "/_stcore/stream"
    out: dict = {
        "sessions": sessions,
        "browser_sessions": browser_sessions,
        "index_mb": index_mb,
        "index_files": len(list(index_dir.glob("*.npy"))),
    }
    try:
        out["rss_start"] = _rss_mb(proc.pid)

        async def run_all():
            cold_map, cold_done, err1 = await _ws_session(stream, HARD_TIMEOUT)  # loads index, demo, boundaries
            alone_map, alone_done, err2 = await _ws_session(stream, HARD_TIMEOUT)
            if err1 or err2:
                raise RuntimeError(f"warm-up failed: {err1 or err2}")
            out.update(cold=cold_map, alone=alone_map, alone_done=alone_done)
            out["rss_before"] = _rss_mb(proc.pid)
            out["maps_before"] = _index_mappings(proc.pid, index_dir)
            start = time.monotonic()
            results = await asyncio.gather(*[_ws_session(stream, HARD_TIMEOUT) for _ in range(sessions)])
            out["wall"] = time.monotonic() - start
            out["rss_after"] = _rss_mb(proc.pid)
            helpers = _descendants(proc.pid)  # the analysis worker, its fork server, multiprocessing's tracker
            out["helpers"], out["helpers_pss"] = len(helpers), _pss_mb(helpers)
            out["maps_after"] = _index_mappings(proc.pid, index_dir)
            out["errors"] = [err for _, _, err in results if err]
            out["times"] = [t for t, _, err in results if t is not None and err is None]
            out["done_times"] = [d for _, d, err in results if d is not None and err is None]
            if not browser_sessions:
                return
            from playwright.async_api import async_playwright

            async with async_playwright() as pw:
                browser = await launch_chromium(pw)
                try:
                    out["browser_alone"], err = await _session(browser, url, HARD_TIMEOUT)
                    if err:
                        out["browser_errors"] = [f"alone: {err}"]
                    start = time.monotonic()
                    found = await asyncio.gather(
                        *[_session(browser, url, HARD_TIMEOUT) for _ in range(browser_sessions)]
                    )
                    out["browser_wall"] = time.monotonic() - start
                finally:
                    await browser.close()
            out["browser_errors"] = out.get("browser_errors", []) + [err for _, err in found if err]
            out["browser_times"] = [t for t, err in found if t is not None and err is None]
            out["rss_end"] = _rss_mb(proc.pid)

        asyncio.run(run_all())
    finally:
        stop_app(proc)
    out["median"], out["max"] = _summary(out["times"])
    out["done_median"], out["done_max"] = _summary(out["done_times"])
    out["browser_median"], out["browser_max"] = _summary(out.get("browser_times", []))
    out["per_session_mb"] = (out["rss_after"] - out["rss_before"]) / sessions
    return out


def run() -> list[dict]:
    quick = is_quick()
    n = QUICK_SESSIONS if quick else SESSIONS
    b = QUICK_BROWSER_SESSIONS if quick else BROWSER_SESSIONS
    m = measure(n, b)
    mapped = (
        f"index files mapped after: {m['maps_after'][1]} of {m['index_files']} ({m['maps_after'][0]} mappings); "
        f"before: {m['maps_before'][1]} ({m['maps_before'][0]}): one shared copy, not one per session"
    )
    rows = [
        result(
            f"{n} simultaneous sessions: errors",
            len(m["errors"]),
            "errors",
            target=None if quick else 1,
            note="; ".join(sorted(set(m["errors"])))[:300] or "every session received its map",
        ),
        result(
            f"{n} simultaneous sessions: seconds to the map, median",
            m["median"],
            "s",
            baseline="one session alone",
            baseline_value=m["alone"],
            target=None if quick else 30,
            note=f"cold first session {m['cold']:.1f} s (loads index, demo, boundaries); all {n} runs "
            f"finished in {m['wall']:.1f} s (median run {m['done_median']:.1f} s)",
        ),
        result(
            f"{n} simultaneous sessions: seconds to the map, max",
            m["max"],
            "s",
            baseline="one session alone",
            baseline_value=m["alone"],
            target=None if quick else 60,
        ),
        result(
            "server RSS after the warm-up (2 sessions)",
            m["rss_before"],
            "MB",
            note=f"{m['rss_start']:.0f} MB once started, before any session",
        ),
        result(f"server RSS after {n} more sessions", m["rss_after"], "MB"),
        result(
            "helper processes of the server, proportional memory",
            m["helpers_pss"],
            "MB",
            note=f"{m['helpers']} processes: the analysis worker (analysis.workers), its fork server and "
            "multiprocessing's resource tracker; a fixed cost, not per session",
        ),
        result(
            "server memory per extra session",
            m["per_session_mb"],
            "MB",
            baseline="postcode index size",
            baseline_value=m["index_mb"],
            target=None if quick else m["index_mb"] / 2,
            note=mapped,
        ),  # a copy each: >= 1x
    ]
    if b:
        rows.append(
            result(
                f"{b} Chromium sessions at once: seconds to the drawn map, median",
                m["browser_median"],
                "s",
                baseline="one Chromium session alone",
                baseline_value=m.get("browser_alone"),
                note=f"max {m['browser_max']:.1f} s; errors: {len(m['browser_errors'])}"
                + (f" ({'; '.join(sorted(set(m['browser_errors'])))[:200]})" if m["browser_errors"] else "")
                + "; the browsers share the server's 2 cores here",
            )
        )
    return rows


if __name__ == "__main__":
    import json

    found = measure(*(int(a) for a in sys.argv[1:3]))
    for key in ("times", "done_times", "browser_times"):
        found[key] = [round(t, 2) for t in found.get(key, [])]
    print(json.dumps(found, indent=2, default=str))
