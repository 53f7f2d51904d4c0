"""Care map: where children in care are placed and where they go missing.

Run with ``streamlit run app.py --server.address localhost``. Opens on the
Placements page with the synthetic demo loaded; the Data page swaps in the
council's own files (kept in the session's memory only).

Adding a page is one line in ``PAGES``: (menu section, script, title, icon). The
script starts with ``ui.page.start_page()`` (dataset, shared sidebar filters,
synthetic-data banner) and ends with ``ui.page.end_page()`` (attribution footer).
"""
from __future__ import annotations

import streamlit as st

PAGES = [
    ("Corporate parenting panel", "pages/placements.py", "Placements", ":material/route:"),
    ("Corporate parenting panel", "pages/homes.py", "Children's homes", ":material/home:"),
    ("Missing team", "pages/missing.py", "Missing & hotspots", ":material/crisis_alert:"),
    ("Data", "pages/data.py", "Data", ":material/upload_file:"),
]
DEFAULT_PAGE = "pages/placements.py"


def navigation() -> dict[str, list]:
    """The menu: pages grouped by section, in the order of PAGES."""
    sections: dict[str, list] = {}
    for section, script, title, icon in PAGES:
        page = st.Page(script, title=title, icon=icon, default=(script == DEFAULT_PAGE))
        sections.setdefault(section, []).append(page)
    return sections


st.set_page_config(page_title="Care map", page_icon="🗺️", layout="wide")
st.navigation(navigation()).run()
