"""Imported first in the analysis worker's fork server (analysis.workers.PRELOAD), and nowhere else.

multiprocessing runs its parent's main module again in every new worker process ("safe importing of
the main module"). Our parent is a Streamlit server or a test run, whose main module is an app script
that must not run again; the worker only runs analysis functions, which it imports by name. So the
fork server, and every worker forked from it, skips that step. These two names are private to CPython's
multiprocessing: the Python versions they were checked with are in :mod:`maps.compat` (tests/test_compat.py).
"""

import multiprocessing.spawn as _spawn


def _skip(_main):
    return None


_spawn._fixup_main_from_path = _skip  # type: ignore[attr-defined]  # private; see analysis.workers
_spawn._fixup_main_from_name = _skip  # type: ignore[attr-defined]
