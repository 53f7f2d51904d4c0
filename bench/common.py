"""Helpers shared by the ``bench_*.py`` modules: timing, memory of a child process, result rows.

A benchmark module defines ``run() -> list[dict]`` and builds each row with :func:`result`.
Sizes come from :func:`size` so that ``python -m bench --quick`` runs the same code on less data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parents[1]
_T = TypeVar("_T")
QUICK_ENV = "CARE_MAP_BENCH_QUICK"

__all__ = [
    "best_of",
    "best_wall_and_cpu",
    "time_once",
    "child_memory",
    "child_seconds",
    "result",
    "size",
    "is_quick",
    "ROOT",
]


def is_quick() -> bool:
    """True under ``python -m bench --quick`` (a smoke run on small sizes)."""
    return os.environ.get(QUICK_ENV) == "1"


def size(full: int, quick: int) -> int:
    """``full`` normally, ``quick`` in a quick run."""
    return quick if is_quick() else full


def time_once(fn: Callable[[], _T]) -> tuple[float, _T]:
    """Seconds one call of ``fn`` took, and what it returned."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def best_of(fn: Callable[[], object], n: int = 3) -> float:
    """Fastest of ``n`` calls of ``fn``, in seconds (the least disturbed by other work on the machine)."""
    return min(time_once(fn)[0] for _ in range(max(1, n)))


def best_wall_and_cpu(fn: Callable[[], object], n: int = 3) -> tuple[float, float]:
    """Fastest wall-clock and fastest CPU seconds (this process, all threads) of ``n`` calls.

    On a busy shared machine wall time can be several times the CPU time; report both.
    """
    walls, cpus = [], []
    for _ in range(max(1, n)):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    return min(walls), min(cpus)


_TIMING_SCRIPT = r"""
import sys, time
sys.path.insert(0, {root!r})
{setup}
_start = time.perf_counter()
{code}
print("BENCH-SECONDS %r" % (time.perf_counter() - _start))
"""


def child_seconds(code: str, *, setup: str = "", n: int = 3, timeout: float = 600) -> float:
    """Fastest of ``n`` fresh Python processes at running ``code`` after ``setup``, in seconds.

    For start-up costs (loading an index, first imports) that a warm process would hide.
    """
    best = float("inf")
    for _ in range(max(1, n)):
        out = _run_child(_TIMING_SCRIPT.format(root=str(ROOT), setup=setup, code=code), timeout)
        best = min(best, float(_marked(out, "BENCH-SECONDS")))
    return best


def _run_child(script: str, timeout: float) -> str:
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child process failed: {proc.stderr.strip().splitlines()[-1:]}")
    return proc.stdout


def _marked(stdout: str, marker: str) -> str:
    return [ln for ln in stdout.splitlines() if ln.startswith(marker + " ")][-1].split(" ", 1)[1]


_MEMORY_SCRIPT = r"""
import json, sys
sys.path.insert(0, {root!r})
def _status_mb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
def _rss_mb():
    return _status_mb("VmRSS")
{setup}
_before = _rss_mb()
{code}
_after = _rss_mb()
print("BENCH-MEMORY " + json.dumps({{"before_mb": _before, "after_mb": _after,
      "peak_mb": _status_mb("VmHWM")}}))
"""


def child_memory(code: str, *, setup: str = "", timeout: float = 600) -> dict:
    """Memory used by ``code`` in a fresh Python process, in MB (1 MB = 2**20 bytes).

    ``setup`` runs first (imports), then the resident set size (RSS, /proc VmRSS) is taken,
    then ``code`` runs and RSS is taken again. Returns ``before_mb``, ``after_mb``, ``delta_mb``
    (after - before: what ``code`` keeps resident) and ``peak_mb`` (the process's peak RSS,
    /proc VmHWM; not ``getrusage``, which would report the parent's size copied at fork). Linux only.
    """
    script = _MEMORY_SCRIPT.format(root=str(ROOT), setup=setup, code=code)
    out = json.loads(_marked(_run_child(script, timeout), "BENCH-MEMORY"))
    out["delta_mb"] = out["after_mb"] - out["before_mb"]
    return out


def result(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: str = "",
    baseline_value: float | None = None,
    target: float | None = None,
    note: str = "",
) -> dict:
    """One benchmark row.

    ``target`` is an upper limit in ``unit`` (lower is better for every measure here); ``ratio``
    is value / baseline_value (below 1: we beat the baseline); ``met`` says if the target holds.
    """
    ratio = value / baseline_value if baseline_value else None
    return {
        "name": name,
        "value": round(float(value), 4),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": None if baseline_value is None else round(float(baseline_value), 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": None if target is None else f"< {target:g} {unit}",
        "met": None if target is None else bool(value < target),
        "note": note,
    }
