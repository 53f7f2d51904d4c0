"""Fault injection for tests/test_browser_errors.py only: loaded by a test server through PYTHONPATH.

CARE_MAP_TEST_FAULT=page makes every page fail while drawing its banner (the guard must turn that
into one sentence); CARE_MAP_TEST_FAULT=unguarded also switches the guard off, so Streamlit's own
error display (limited by .streamlit/config.toml) is what the user sees.
"""

import os

_FAULT = os.environ.get("CARE_MAP_TEST_FAULT")
if _FAULT in ("page", "unguarded"):
    import ui.components
    import ui.guard

    def _broken_banner(dataset):
        raise RuntimeError("injected fault: secret detail C123456 must not be shown")

    ui.components.synthetic_banner = _broken_banner
    if _FAULT == "unguarded":
        ui.guard.run_guarded = lambda run: run()
