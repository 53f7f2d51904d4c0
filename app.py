"""Care map: where children in care are placed and where they go missing.

Run with ``streamlit run app.py --server.address localhost``. Opens on the
Placements page with the synthetic demo loaded; the Data page swaps in the
council's own files (kept in the session's memory only).

Adding a page is one line in ``PAGES``: (menu section, script, title, icon, roles). The
script starts with ``ui.page.start_page()`` (dataset, shared sidebar filters,
synthetic-data banner) and ends with ``ui.page.end_page()`` (attribution footer).

Nothing is drawn before ``ui.auth.require_user()``: it refuses to serve beyond this machine
without sign-in, shows the sign-in form when accounts are configured, and puts the user's
role in session state. The menu holds only the pages of that role, so a panel member cannot
open an analyst page even by its address (st.navigation falls back to the default page).
"""

from __future__ import annotations

import streamlit as st

from access.roles import ANALYST, PANEL
from ui import auth, guard, identity, warmup

EVERYONE = frozenset({ANALYST, PANEL})
ANALYSTS = frozenset({ANALYST})
PAGES = [
    ("Corporate parenting panel", "app_pages/placements.py", "Placements", ":material/route:", EVERYONE),
    ("Corporate parenting panel", "app_pages/homes.py", "Children's homes", ":material/home:", EVERYONE),
    ("Corporate parenting panel", "app_pages/regional.py", "Region", ":material/hub:", EVERYONE),
    ("Missing team", "app_pages/missing.py", "Missing & hotspots", ":material/crisis_alert:", ANALYSTS),
    ("Briefing packs", "app_pages/briefing.py", "Briefing", ":material/summarize:", EVERYONE),
    ("Data", "app_pages/data.py", "Data", ":material/upload_file:", EVERYONE),
]
DEFAULT_PAGE = "app_pages/placements.py"


def navigation(role: str | None) -> dict[str, list]:
    """The menu for ``role``: its pages grouped by section, in the order of PAGES."""
    sections: dict[str, list] = {}
    for section, script, title, icon, roles in PAGES:
        if role not in roles:
            continue
        page = st.Page(script, title=title, icon=icon, default=(script == DEFAULT_PAGE))
        sections.setdefault(section, []).append(page)
    return sections


def main() -> None:
    st.set_page_config(page_title="Care map", page_icon="🗺️", layout="wide")
    warmup.start_warmup()
    guard.run_guarded(_run_page)


def _run_page() -> None:
    auth.require_user()
    st.navigation(navigation(identity.current_role())).run()


# Streamlit runs this file as "__main__". The analysis worker process (analysis.workers) imports it
# again under another name, as multiprocessing does with a main module: there it must not run the app.
if __name__ == "__main__":
    main()
