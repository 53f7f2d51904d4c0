"""The sidebar every page shares: snapshot date, trend period and filters.

Every page draws it (through :func:`ui.page.start_page`). The choices live in
plain session-state keys (``snapshot_date``, ``trend_period``,
``filter_groups``, ``filter_providers``) that outlive any one widget, so they
survive moving between pages; each widget is seeded from its key and writes
back to it when changed. When the dataset changes the choices are reset to the
new data's defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from data.schemas import PLACEMENT_GROUPS, PROVIDER_GROUP

KEY_SNAPSHOT = "snapshot_date"
KEY_PERIOD = "trend_period"
KEY_GROUPS = "filter_groups"
KEY_PROVIDERS = "filter_providers"
KEY_FILTERS_FOR = "filters_fingerprint"
FILTER_KEYS = (KEY_SNAPSHOT, KEY_PERIOD, KEY_GROUPS, KEY_PROVIDERS)
WIDGET_PREFIX = "_widget_"
KEY_SNAPSHOT_PROBLEM = "snapshot_date_problem"  # why the last date typed was not used
DATE_FORMAT = "%d/%m/%Y"
_TYPED_DATE = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
PROVIDER_GROUPS = list(dict.fromkeys(PROVIDER_GROUP.values()))
DEFAULT_TREND_MONTHS = 36
PANEL_FILTERS_NOTE = (
    "Figures are for all placement types and providers; each group's own figures are in "
    "the breakdowns. (Filters are for analysts: comparing filtered totals could reveal "
    "suppressed numbers.)"
)


@dataclass(frozen=True)
class Filters:
    """The choices in the sidebar, hashable so they can key cached tables."""

    snapshot: date
    start: date
    end: date
    groups: tuple = field(default_factory=tuple)  # empty = all placement type groups
    providers: tuple = field(default_factory=tuple)  # empty = all providers

    @property
    def key(self) -> dict:
        return {"groups": self.groups, "providers": self.providers}

    def describe(self) -> str:
        parts = [f"on {self.snapshot:%d %B %Y}"]
        parts.append("placement type: " + (", ".join(self.groups) if self.groups else "all"))
        parts.append("provider: " + (", ".join(self.providers) if self.providers else "all"))
        return "; ".join(parts)


def _period_end(period, last: date) -> date:
    """The last day of the trend period's last month, not after the data's last day."""
    end_day = (pd.Timestamp(period[1]) + pd.offsets.MonthEnd(0)).date()
    return min(end_day, last)


def _month_starts(start: date, end: date) -> list[date]:
    months = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS")
    out = [m.date() for m in months]
    return out or [start]


def parse_snapshot_date(text: str, first: date, last: date) -> tuple[date | None, str]:
    """A date typed as DD/MM/YYYY (or with - . or space between, or YYYY-MM-DD): ``(date, "")``, or
    ``(None, why not)`` when it is not a date or falls outside ``first``..``last`` (the loaded data)."""
    typed = _TYPED_DATE.match(text or "")
    iso = _ISO_DATE.match(text or "")
    try:
        if typed:
            value = date(int(typed.group(3)), int(typed.group(2)), int(typed.group(1)))
        elif iso:
            value = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            return None, f"{str(text)[:20]!r} is not a date: type it as DD/MM/YYYY, e.g. 31/03/{last.year}."
    except ValueError:
        return None, f"{str(text)[:20]!r} is not a date in the calendar."
    if not first <= value <= last:
        return None, (
            f"{value:{DATE_FORMAT}} is outside the loaded data: choose a date from "
            f"{first:{DATE_FORMAT}} to {last:{DATE_FORMAT}}."
        )
    return value, ""


def _snapshot_box(first: date, last: date, data: str) -> None:
    """The snapshot date as text (DD/MM/YYYY). Not ``st.date_input``: its segmented field sends a typed
    date only when focus leaves the whole widget, so a date confirmed with Enter, or with Tab (which moves
    to its calendar button), was not applied. A text box sends on Enter and on Tab."""
    widget_key = f"{WIDGET_PREFIX}{KEY_SNAPSHOT}_{data}"
    st.session_state[widget_key] = f"{st.session_state[KEY_SNAPSHOT]:{DATE_FORMAT}}"

    def _store():
        value, problem = parse_snapshot_date(st.session_state[widget_key], first, last)
        if value is not None:
            st.session_state[KEY_SNAPSHOT] = value
        st.session_state[KEY_SNAPSHOT_PROBLEM] = problem

    st.text_input(
        "Snapshot date",
        key=widget_key,
        on_change=_store,
        placeholder="DD/MM/YYYY",
        help=f"Children in placement on this date are counted (DfE counts on 31 March). Type it as "
        f"DD/MM/YYYY, from {first:{DATE_FORMAT}} to {last:{DATE_FORMAT}}, then Enter or Tab.",
    )
    problem = st.session_state.pop(KEY_SNAPSHOT_PROBLEM, "")
    if problem:
        st.error(f"Snapshot date not changed: {problem}", icon=":material/event_busy:")


def _bound(key: str, data: str = "") -> dict:
    """Widget arguments that seed a widget from ``key`` and copy its changes back to ``key``.

    ``data`` (the dataset fingerprint) goes into the widget's key for widgets whose
    options come from the data, so a new dataset gets a new widget rather than an old
    widget's value read against new options.
    """
    widget_key = WIDGET_PREFIX + key + (f"_{data}" if data else "")
    st.session_state[widget_key] = st.session_state[key]

    def _store():
        st.session_state[key] = st.session_state[widget_key]

    return {"key": widget_key, "on_change": _store}


def render_sidebar(fingerprint: str, period: tuple[date, date], *, panel_view: bool = False) -> Filters:
    """Draw the shared filters and return the current choices.

    With ``panel_view`` (the panel role) the placement type and provider filters are not offered:
    a panel sees every figure for all of them, and each group's own figures in the breakdown
    tables, so that no two filter choices can be subtracted to give a suppressed number back
    (docs/disclosure.md).
    """
    first, last = period
    previous = st.session_state.get(KEY_FILTERS_FOR)
    if previous is not None and previous != fingerprint:  # new data: start from its defaults
        for key in FILTER_KEYS:
            st.session_state.pop(key, None)
    st.session_state[KEY_FILTERS_FOR] = fingerprint
    months = _month_starts(first, last)
    snap_now = st.session_state.get(KEY_SNAPSHOT)
    if not isinstance(snap_now, date) or not first <= snap_now <= last:
        st.session_state[KEY_SNAPSHOT] = last
    period_now = st.session_state.get(KEY_PERIOD)
    if not (isinstance(period_now, (tuple, list)) and len(period_now) == 2 and all(m in months for m in period_now)):
        # Episodes can start years before the loaded returns: show the last few years by default.
        start = months[max(0, len(months) - DEFAULT_TREND_MONTHS)]
        st.session_state[KEY_PERIOD] = (start, months[-1])
    st.session_state.setdefault(KEY_GROUPS, [])
    st.session_state.setdefault(KEY_PROVIDERS, [])

    with st.sidebar:
        st.header("Period and filters")
        _snapshot_box(first, last, fingerprint)
        if len(months) > 1:
            st.select_slider(
                "Trend period",
                options=months,
                format_func=lambda d: f"{d:%b %Y}",
                help="Months shown in the trend charts.",
                **_bound(KEY_PERIOD, fingerprint),
            )
        if panel_view:
            st.caption(PANEL_FILTERS_NOTE)
        else:
            st.multiselect(
                "Placement type group",
                PLACEMENT_GROUPS,
                placeholder="All placement type groups",
                **_bound(KEY_GROUPS),
            )
            st.multiselect(
                "Provider",
                PROVIDER_GROUPS,
                placeholder="All providers",
                **_bound(KEY_PROVIDERS),
            )
    snap = st.session_state[KEY_SNAPSHOT]
    start, end = st.session_state[KEY_PERIOD][0], _period_end(st.session_state[KEY_PERIOD], last)
    if panel_view:
        return Filters(snapshot=snap, start=start, end=end)
    return Filters(
        snapshot=snap,
        start=start,
        end=end,
        groups=tuple(st.session_state[KEY_GROUPS]),
        providers=tuple(st.session_state[KEY_PROVIDERS]),
    )
