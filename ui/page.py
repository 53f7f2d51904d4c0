"""What every page starts and ends with: dataset, shared sidebar, synthetic banner, attribution footer.

A page script is::

    from ui import page
    dataset, fingerprint, filters = page.start_page()
    ...  # the page's own content
    page.end_page()

and one line in ``app.PAGES`` puts it in the menu.
"""

from __future__ import annotations

import streamlit as st

from ui import auth, cached, components, dataset_choice, identity, sidebar


def start_page():
    """Draw the sidebar and banner; return ``(dataset, fingerprint, filters)`` for the page to use."""
    auth.require_user()  # app.py has checked already; this guards a page run without app.py
    auth.account_box()
    dataset, fingerprint = dataset_choice.current_dataset()
    with st.sidebar:
        st.caption(dataset.label or ("Synthetic demo" if dataset.synthetic else "Uploaded files"))
        st.caption(f"Responsible authority: {cached.responsible_label(fingerprint)}")
    filters = sidebar.render_sidebar(fingerprint, cached.data_period(fingerprint), panel_view=panel_view())
    auth.note_context(dataset, filters)
    components.synthetic_banner(dataset)
    return dataset, fingerprint, filters


def panel_view() -> bool:
    """True for the panel role: aggregates only, through disclosure control, and no filters to subtract."""
    from access.roles import sees_row_level

    return not sees_row_level(identity.current_role())


def end_page() -> None:
    components.footer()
