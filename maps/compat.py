"""Other libraries' private internals that the care map relies on, and the versions they were checked with.

Each is kept only because it is measured to matter (docs/scale.md, bench/bench_england.py) or needed for
correctness; everything else uses the libraries' public API:

* **branca** ``MacroElement._template.module`` and ``Element._children`` (:mod:`maps.common`'s
  ``_VerbatimMacroElement``): a GeoJSON layer's rendered data goes into the page as text instead of being
  compiled as a Jinja template again, about half of a map's render time with England loaded.
* **streamlit-folium** ``_get_html``, ``_get_header``, ``_get_map_string`` and ``_component_func``
  (:mod:`ui.map_view`): a map is rendered once per set of choices and cached, instead of two or three
  times on every rerun (about a second per rerun with England loaded).
* **CPython** ``multiprocessing.spawn._fixup_main_from_path`` / ``_fixup_main_from_name``
  (:mod:`analysis._worker_start`): the hotspot worker must not run the app's main script again.

On an upgrade of any of them ``tests/test_compat.py`` fails and says what to re-check: run
``tests/test_map_view.py`` and ``tests/test_workers.py``, then ``python -m bench`` for the timings, and only
then move the version here (and the pin in requirements.txt). At run time an untested version is
reported once as a warning in the server log, not an error: the maps still draw.
"""

from __future__ import annotations

import sys
import warnings
from importlib.metadata import PackageNotFoundError, version

__all__ = ["TESTED_VERSIONS", "TESTED_PYTHON", "untested_versions", "warn_if_untested"]

TESTED_VERSIONS = {"branca": "0.8.2", "folium": "0.20.0", "streamlit-folium": "0.27.4"}
TESTED_PYTHON = ((3, 11), (3, 12), (3, 13))  # multiprocessing.spawn's two private names are in each
_warned = False


def untested_versions() -> dict[str, str]:
    """Libraries installed at a version other than the one their internals were checked with: name -> version."""
    found = {}
    for name, tested in TESTED_VERSIONS.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != tested:
            found[name] = installed
    if sys.version_info[:2] not in TESTED_PYTHON:
        found["python"] = ".".join(map(str, sys.version_info[:3]))
    return found


def warn_if_untested() -> None:
    """Warn once per process when :func:`untested_versions` finds any."""
    global _warned
    found = untested_versions()
    if found and not _warned:
        _warned = True
        listed = ", ".join(f"{name} {got}" for name, got in found.items())
        warnings.warn(
            f"care map: private internals not checked with {listed} (see maps/compat.py)", RuntimeWarning, stacklevel=2
        )
