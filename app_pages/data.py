"""Data: use the synthetic demo or upload the council's own files, and see the data-quality report.

Uploaded files stay in this browser session's memory; nothing is written to
disk unless an analyst publishes them (ui.store_controls) or downloads an export.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access.roles import sees_row_level
from data.pooled import pooled_authorities
from data.quality import REPEATED_RECORD
from data.readers import READ_EXTENSIONS, InputFile
from geo.authorities import authorities
from ui import cached, components, dataset_choice, identity, page, ssd_source, store_controls

dataset, fingerprint, filters = page.start_page()

st.title("Data")
st.caption(
    "Files you upload stay in this session's memory on this machine; nothing is saved to disk unless "
    "you publish them or download an export. Closing the browser tab discards unpublished files."
)

# ------------------------------------------------------------------ choose the data
table = authorities()
codes = table["code"].tolist()
names = dict(zip(table["code"], table["name"]))

st.subheader("Which data")
store_controls.which_data(dataset)
if dataset.snapshot_id is None and st.session_state.get(dataset_choice.KEY_INPUT_FILES):
    if st.button("Discard my uploaded files", icon=":material/delete:"):
        dataset_choice.use_demo()
        st.rerun()
store_controls.publish_controls(dataset)
store_controls.retention_controls()

if sees_row_level(identity.current_role()):  # panel members do not hold the files: they see published data
    with st.form("upload_form"):
        uploads = st.file_uploader(
            "903 return tables (header, episodes, missing, UASC; CSV, XLSX or XML), the missing team's log, "
            "a children's homes register, a placement cost table",
            type=[e.lstrip(".") for e in READ_EXTENSIONS],
            accept_multiple_files=True,
            key="uploader",
        )
        current = dataset.la_code if not dataset.synthetic else None
        la = st.selectbox(
            "Responsible authority (your council)",
            codes,
            index=codes.index(current) if current in codes else None,
            format_func=lambda c: names.get(c, c),
            placeholder="Choose your authority (or leave blank if your files say which)",
            help="Distances, 'outside the authority' and 'adjoining' are measured from this authority.",
        )
        submitted = st.form_submit_button("Load these files", type="primary", icon=":material/upload:")
    if submitted:
        if not uploads:
            st.warning("Choose at least one file first.")
        else:
            dataset_choice.use_uploads([InputFile(f.name, f.getvalue()) for f in uploads], la)
            st.rerun()

ssd_source.render_ssd_source(st.session_state.get(dataset_choice.KEY_LA))

pooled = [] if dataset.la_code else pooled_authorities(dataset)
if pooled:
    # Pooled files say each child's authority in their LA column: distances are measured from it.
    st.info(
        f"Pooled files: each child's responsible authority is taken from the files' LA column "
        f"({len(pooled)} authorities). Choose one above only to look at that authority alone."
    )
elif not dataset.la_code:
    st.warning(
        "The responsible authority is not known: choose it above and load the files again, "
        "otherwise distances cannot be measured."
    )

# ------------------------------------------------------------------ what was read
st.subheader("What was read")
tables = {
    "903 header": dataset.header,
    "903 episodes": dataset.episodes,
    "903 missing": dataset.missing,
    "903 UASC": dataset.uasc,
    "missing team's log": dataset.missing_log,
    "children's homes register": dataset.homes,
    "placement costs": dataset.costs,
}
counts = pd.DataFrame({"table": list(tables), "rows used": [0 if t is None else len(t) for t in tables.values()]})
components.safe_table(counts)

summary = dataset.quality.summary()
st.markdown("**Rows per file** (read = used + set aside)")
components.safe_table(summary)

st.subheader("Data-quality report")
issues = dataset.quality.to_frame()
row_level = sees_row_level(identity.current_role())  # the issue list names files, rows and values: analysts only
if not row_level:
    st.info("The row-by-row data-quality report is for analysts; the counts per file are above.")
elif issues.empty:
    st.success("No problems found.")
else:
    repeats = issues["rule"].eq(REPEATED_RECORD)
    if repeats.any():
        st.caption(
            f"{components.counted(int(repeats.sum()), 'row is', 'rows are')} the same record in an earlier year's return: the later year's "
            "row is used. That is expected when several years are loaded together."
        )
    problems = issues[~repeats]
    if problems.empty:
        st.success("No problems found beyond the repeated records.")
    else:
        by = problems.groupby(["severity", "reason"], dropna=False).size().rename("rows").reset_index()
        by = by.sort_values("rows", ascending=False)
        st.markdown(f"**{components.counted(len(problems), 'issue', 'issues')}** by reason")
        components.safe_table(by)
    with st.expander("Every issue (file, row, column, value, reason)"):
        components.safe_table(issues, height=400)
if row_level:
    components.download_csv(issues, "data_quality_report.csv", label="Download the data-quality report (CSV)")

st.subheader("Postcodes matched to the ONS Postcode Directory")
try:
    summary, unmatched = cached.postcode_summary(fingerprint)
except Exception as exc:  # noqa: BLE001 - a summary problem must not hide the rest of the report
    st.caption(f"Postcode summary not available ({type(exc).__name__}).")
else:
    shown = summary.copy()
    if "match_rate" in shown:
        shown["match_rate"] = (pd.to_numeric(shown["match_rate"], errors="coerce") * 100).round(1)
        shown = shown.rename(columns={"match_rate": "% matched"})
    components.safe_table(shown)
    if row_level and not unmatched.empty:
        with st.expander(f"Postcodes not found ({len(unmatched):,} distinct values)"):
            components.safe_table(unmatched, height=360)
            components.download_csv(unmatched, "unmatched_postcodes.csv")

page.end_page()
