"""Any error in a page becomes one sentence for the user; the details go to the server's log only.

Streamlit would otherwise draw the exception with its traceback and links to outside search and
chat services (``client.showErrorDetails`` and ``client.showErrorLinks`` in .streamlit/config.toml
turn those off as a second line of defence). Streamlit's own control flow (``st.stop``, ``st.rerun``,
``st.switch_page``) raises ``BaseException`` subclasses, which pass through untouched.

``CARE_MAP_PAGE_ERRORS=raise`` (set by the test suite, for developers) re-raises after the sentence, so
that AppTest and a developer still see every error as an exception.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import streamlit as st

__all__ = ["run_guarded", "error_sentence"]

_LOG = logging.getLogger("care_map.pages")
RAISE_ENV = "CARE_MAP_PAGE_ERRORS"


def error_sentence(exc: BaseException) -> str:
    """What went wrong and what still works, in one sentence (the exception's type, never its text)."""
    return (
        f"This page could not be drawn because of an unexpected problem ({type(exc).__name__}); the data you "
        "loaded is still here, the other pages and the Data page's quality report still work, and the details "
        "are in the server's log for your IT team."
    )


def run_guarded(run: Callable[[], object]) -> None:
    """Call ``run()``; an ``Exception`` from it is logged with its traceback and shown as one sentence."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - the whole point: no traceback ever reaches the page
        _LOG.exception("page error")
        st.error(error_sentence(exc), icon=":material/error:")
        if os.environ.get(RAISE_ENV) == "raise":
            raise
