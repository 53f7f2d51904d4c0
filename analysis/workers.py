"""A worker process for analysis that holds the GIL, so a page can compute something else meanwhile.

HDBSCAN's Cython code holds Python's GIL: run in a thread, it does not overlap with the page's other
work (Gi*, tables, map layers), it only takes turns with it. In a worker process it does. With all of
England and one risk flag chosen, the Missing page clusters 12,000 episodes this way while it computes
the Gi* grid and the tables (docs/scale.md).

One worker per server process, started on first use from a fork server (a fresh interpreter that has
imported the analysis modules), never by forking the server itself: Streamlit's server runs threads, and
a forked copy of a threaded process can deadlock. If the worker cannot start or dies, the work is done
in the calling thread instead, with the same result.

multiprocessing would run the parent's main module again in a worker: the fork server first imports
analysis._worker_start, which stops that; app.py also runs the app only under ``if __name__ ==
"__main__"``; and a child process never starts workers of its own, so workers cannot cascade.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

__all__ = ["Job", "submit", "start", "shutdown"]

log = logging.getLogger(__name__)

# Imported once in the fork server, so a worker starts with them loaded (hdbscan alone takes about 1 s).
# analysis._worker_start first: a worker must not run its parent's main module (an app script) again.
PRELOAD = ["analysis._worker_start", "analysis.hotspots", "hdbscan"]

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_disabled = False  # set when the worker cannot start here: everything then runs in the caller


def _executor() -> ProcessPoolExecutor | None:
    global _pool, _disabled
    with _lock:
        if multiprocessing.parent_process() is not None:
            # Already in a worker (or another child process): never start workers from one. A child
            # re-imports its parent's main module, and a main that starts a worker would start one
            # from every worker in turn.
            _disabled = True
        if _pool is None and not _disabled:
            try:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(PRELOAD)
                _pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            except (OSError, ValueError, RuntimeError) as exc:  # no fork server on this platform, or no processes
                log.warning("analysis worker unavailable, computing in the page's thread: %s", exc)
                _disabled = True
        return _pool


class Job:
    """Work handed to :func:`submit`; ``result()`` waits for its value (or raises its exception).
    One job may be shared by several sessions' threads (a page caches it as a resource)."""

    def __init__(
        self,
        future: Future | None,
        pool: ProcessPoolExecutor | None,
        call: tuple | None,
        value=None,
        error: BaseException | None = None,
    ):
        self._future, self._pool, self._call = future, pool, call
        self._value, self._error, self._done = value, error, future is None
        self._lock = threading.Lock()

    def done(self) -> bool:
        """Whether ``result()`` would return at once (the worker has answered, or it was done here)."""
        future = self._future
        return self._done or future is None or future.done()

    def result(self):
        with self._lock:  # the first caller collects the result; the others wait for it, then share it
            if not self._done:
                try:
                    self._value = self._future.result()
                except BrokenProcessPool:  # the worker died (killed, out of memory): do it here instead
                    _forget(self._pool)
                    fn, args, kwargs = self._call
                    self._value, self._error = _run(fn, args, kwargs)
                except Exception as exc:  # noqa: BLE001 - the function's own exception, kept for every caller
                    self._error = exc
                self._done, self._future, self._call = True, None, None  # let go of the arguments
        if self._error is not None:
            raise self._error
        return self._value


def _run(fn: Callable, args: tuple, kwargs: dict) -> tuple:
    try:
        return fn(*args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - raised again by Job.result, as the worker's would be
        return None, exc


def _forget(pool: ProcessPoolExecutor) -> None:
    """Drop a broken pool so that the next call starts a new worker."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def submit(fn: Callable, *args, **kwargs) -> Job:
    """Run ``fn(*args, **kwargs)`` in the worker process; returns a :class:`Job` whose ``result()`` is its value.

    ``fn`` must be a module-level function and its arguments and value picklable. An exception raised
    by ``fn`` is raised again by ``result()``. If the worker cannot be used, ``fn`` runs in the calling
    thread before ``submit`` returns; if it dies, in the thread that asks for the result.
    """
    pool = _executor()
    if pool is not None:
        try:
            return Job(pool.submit(fn, *args, **kwargs), pool, (fn, args, kwargs))
        except (BrokenProcessPool, RuntimeError) as exc:  # a worker died earlier, or the pool was shut down
            log.warning("analysis worker lost, starting another next time: %s", exc)
            _forget(pool)
    value, error = _run(fn, args, kwargs)
    return Job(None, None, None, value=value, error=error)


def start() -> int | None:
    """Start the worker now and wait until it is ready (the server's warm-up does this, so the first
    clustering does not wait about 2 s for the worker to import its modules); returns its process id,
    or None when work runs in the caller's thread."""
    job = submit(os.getpid)
    pid = job.result()
    return None if pid == os.getpid() else pid


def shutdown() -> None:
    """Stop the worker (tests; the interpreter does it at exit)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
