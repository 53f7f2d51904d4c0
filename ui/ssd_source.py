"""The Data page's "Read from the SSD": the council's Standard Safeguarding Dataset, as IT configured it.

The connection is set by IT in ``.streamlit/secrets.toml`` (``[ssd] url``, ``password``, settings; see
docs/ssd.md) or the environment; a connection string is never typed into, or shown on, a page. The extract
goes through the same readers as uploaded files (``ui.dataset_choice.use_uploads``); the SSD's own rows not used are
kept in this session and listed here.
"""

from __future__ import annotations

import streamlit as st

from access.roles import read_secrets, sees_row_level
from data.ssd import SSDError, extract_tables, resolve_url, table_files
from data.ssd.settings import settings_from
from ui import components, dataset_choice, identity

__all__ = ["render_ssd_source"]

KEY_SSD_ISSUES = "ssd_issues"  # the SSD rows not used or doubtful, from the last read in this session


def _configured():
    secrets = read_secrets()
    try:
        return (
            resolve_url(None, secrets=secrets),
            settings_from(None, secrets=secrets),
            secrets.get("ssd", {}).get("la"),
        )
    except SSDError:
        return None, None, None


def render_ssd_source(la: str | None) -> None:
    """A button that reads the configured SSD into this session (analysts only), and the SSD's own report.

    ``la``: the responsible authority chosen on the page, else ``[ssd] la`` in secrets.toml.
    """
    if not sees_row_level(identity.current_role()):
        return
    url, settings, configured_la = _configured()
    la = la or configured_la
    st.subheader("Read from the council's SSD")
    if url is None:
        st.caption(
            "IT can connect this app to the council's Standard Safeguarding Dataset (read-only) so that "
            "the 903 tables are read directly: see docs/ssd.md."
        )
        return
    st.caption(
        "Reads the 903 episodes, header and missing episodes from the Standard Safeguarding Dataset that IT "
        "configured for this machine. The connection only reads; nothing is written to it."
    )
    if st.button("Read from the SSD", icon=":material/database:", key="ssd_read"):
        try:
            with st.spinner("Reading the SSD..."):
                tables, issues, _ = extract_tables(url, **settings)
        except SSDError as exc:  # the message carries no password (data.ssd.connection)
            st.error(f"The SSD could not be read: {exc}")
            return
        dataset_choice.use_uploads(table_files(tables), la)
        st.session_state[KEY_SSD_ISSUES] = issues
        st.rerun()
    issues = st.session_state.get(KEY_SSD_ISSUES)
    if issues is None:
        return
    if st.session_state.get(dataset_choice.KEY_SOURCE) != dataset_choice.SOURCE_UPLOAD:
        st.session_state.pop(KEY_SSD_ISSUES, None)
        return
    if issues.empty:
        st.success("Every SSD row read was used.")
        return
    by = issues.groupby(["table", "severity", "reason"], dropna=False).size().rename("rows").reset_index()
    st.markdown(f"**SSD rows not used or doubtful** ({len(issues):,})")
    components.safe_table(by.sort_values("rows", ascending=False))
    components.download_csv(issues, "ssd_quality_report.csv", label="Download the SSD rows not used (CSV)")
