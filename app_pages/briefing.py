"""Briefing packs: a MASE pack (missing and exploitation) or a corporate parenting panel pack, as HTML and PDF.

Every figure in a pack has been through disclosure control (reports.briefing, analysis.disclosure):
counts of 1-5 shown as "c", no child id, no postcode finer than a sector, no notes. That is why
both roles may build both packs; downloads are written to the audit log.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from data.pooled import one_authority, pooled_authorities
from geo.authorities import authority_name
from reports.briefing import AUDIENCES, build_briefing
from reports.briefing_model import Briefing
from reports.pack import CLASSIFICATION, SUPPRESSION_NOTE
from ui import cached, components, dataset_choice, history_view, page, reference

AUDIENCE_CHOICES = {
    "mase": "MASE panel: missing from care and exploitation",
    "panel": "Corporate parenting panel: where our children live",
}
FILE_STEM = {"mase": "mase_briefing", "panel": "panel_briefing"}
PREVIEW_HEIGHT = 900  # pixels; the pack scrolls inside the frame
KEY_AUDIENCE = "briefing_audience"
KEY_PERIOD = "briefing_period"  # (first day, last day) kept across pages and reruns


@st.cache_data(show_spinner="Building the briefing pack...", max_entries=8)
def briefing_pack(fingerprint: str, audience: str, start: date, end: date, la: str, marks: tuple = ()) -> Briefing:
    """The pack for this dataset, authority, audience and period (reports.briefing.build_briefing); pooled
    files are cut to the authority's rows first (data.pooled.one_authority). ``marks`` (the ids of the places
    of concern) keys it, so that a new mark flags its hotspot in the next pack."""
    from analysis.places_of_concern import list_places
    from ui.where_found import places_engine

    dataset, current = dataset_choice.current_dataset()
    if current != fingerprint:  # cannot happen within one run; guards against a stale key
        raise RuntimeError("dataset changed during a run")
    history, history_problem = history_view.figures(dataset)
    if la != dataset.la_code:
        dataset = one_authority(dataset, la)
    return build_briefing(
        dataset,
        la=la,
        period=(start, end),
        audience=audience,
        offline=True,
        index=reference.postcode_index(),
        places=list_places(places_engine()),
        history=history,
        history_problem=history_problem,
    )


def _marks() -> tuple:
    from analysis.places_of_concern import list_places
    from ui.where_found import places_engine

    return tuple(list_places(places_engine())["id"])


@st.cache_data(show_spinner="Writing the PDF...", max_entries=8)
def briefing_pdf(fingerprint: str, audience: str, start: date, end: date, la: str, marks: tuple = ()) -> bytes:
    return briefing_pack(fingerprint, audience, start, end, la, marks).to_pdf()


dataset, fingerprint, filters = page.start_page()

st.title("Briefing packs")
la = dataset.la_code
pooled = [] if la else pooled_authorities(dataset)
if pooled:
    # Pooled files: the pack is about one of the authorities in them, chosen here.
    la = st.selectbox(
        "Authority",
        pooled,
        format_func=authority_name,
        key="briefing_authority",
        help="The files hold several authorities' children; a pack is about one of them.",
    )
st.caption(
    f"{authority_name(la)}. A pack is **{CLASSIFICATION}**: share it only with the "
    "panel's members, by secure e-mail or the council's document system. " + SUPPRESSION_NOTE + " "
    "No child id, postcode finer than a postcode sector or case note is in a pack. "
    "Every download is recorded in the audit log."
)

if not la:
    st.warning("Choose the responsible authority on the Data page: the pack is about one authority.")
    page.end_page()
    st.stop()

first, last = cached.data_period(fingerprint)
default_start, default_end = cached.last_full_year(fingerprint)
period = st.session_state.get(KEY_PERIOD)
if not (
    isinstance(period, (tuple, list))
    and len(period) == 2
    and all(isinstance(d, date) and first <= d <= last for d in period)
):
    st.session_state[KEY_PERIOD] = (max(default_start, first), min(default_end, last))
st.session_state.setdefault(KEY_AUDIENCE, "mase")

left, middle, right = st.columns([3, 2, 2])
with left:
    audience = st.radio("Audience", list(AUDIENCE_CHOICES), format_func=AUDIENCE_CHOICES.get, key=KEY_AUDIENCE)
with middle:
    start = st.date_input(
        "From",
        value=st.session_state[KEY_PERIOD][0],
        min_value=first,
        max_value=last,
        format="DD/MM/YYYY",
        key=f"briefing_from_{fingerprint}",
        help="First day of the period. The default is the last full April to March year.",
    )
with right:
    end = st.date_input(
        "To",
        value=st.session_state[KEY_PERIOD][1],
        min_value=first,
        max_value=last,
        format="DD/MM/YYYY",
        key=f"briefing_to_{fingerprint}",
        help="Last day of the period; placements are counted on this day.",
    )
if not (isinstance(start, date) and isinstance(end, date)):
    st.info("Choose both dates.")
    page.end_page()
    st.stop()
if end < start:
    st.error("The period ends before it starts: choose a 'To' date after the 'From' date.")
    page.end_page()
    st.stop()
st.session_state[KEY_PERIOD] = (start, end)

try:
    pack = briefing_pack(fingerprint, audience, start, end, la, _marks())
except (ValueError, LookupError) as exc:  # e.g. an authority the pack cannot resolve: say so, no traceback
    st.error(f"The pack could not be built: {str(exc)[:300]}")
    page.end_page()
    st.stop()

st.caption(
    f"{AUDIENCES[audience]}, {pack.period_text}. Changes are measured against "
    f"{pack.previous_period[0]:%d %B %Y} to {pack.previous_period[1]:%d %B %Y} (the same number of days "
    "just before)."
)
unavailable = [s for s in pack.sections if not s.available]
if unavailable:
    # Each with its own reason: no such data loaded is one, a store whose history cannot be read another.
    st.caption(
        "Not available in this pack. "
        + " ".join(f"{s.title}: {s.reason.rstrip('.')}." if s.reason else f"{s.title}." for s in unavailable)
    )

stem = f"{FILE_STEM[audience]}_{start:%Y%m%d}_{end:%Y%m%d}"
details = {"audience": audience, "period": f"{start.isoformat()} to {end.isoformat()}", "pack_for": la}
html_text = pack.html
col_html, col_pdf, _ = st.columns([1, 1, 2])
with col_html:
    components.download_file(
        html_text.encode("utf-8"),
        f"{stem}.html",
        mime="text/html",
        label="Download HTML",
        key="briefing_html",
        event="briefing",
        format="html",
        **details,
    )
with col_pdf:
    components.download_file(
        lambda: briefing_pdf(fingerprint, audience, start, end, la, _marks()),
        f"{stem}.pdf",
        mime="application/pdf",
        label="Download PDF",
        key="briefing_pdf",
        event="briefing",
        format="pdf",
        **details,
    )

st.subheader("Preview")
# The pack is one self-contained page (inline CSS, images embedded, every input text escaped, no
# script); a frame keeps its styles out of the app's.
st.iframe(html_text, height=PREVIEW_HEIGHT)

page.end_page()
