"""Briefing packs for MASE and corporate parenting panels: aggregate figures only, disclosure-controlled.

:func:`build_briefing` turns a :class:`data.dataset.Dataset` into a :class:`reports.briefing_model.Briefing`:
sections of tables, maps and notes. Every number in it has been through :mod:`analysis.disclosure` (counts
1-5 shown as ``c``, secondary suppression against totals, percentages on suppressed counts
hidden); no child id, postcode finer than a sector or free-text note reaches it. ``.html`` is one
self-contained page (inline CSS, maps as embedded PNG, no external reference); ``.to_pdf()`` is the
same content as a PDF (reportlab). Both say OFFICIAL-SENSITIVE on every page.

Two audiences:

* ``"mase"`` (multi-agency sexual exploitation panel): missing episodes in the period, hotspot
  map and profiles (exploitation risk shares and trend), emerging hot spots, repeat missing,
  return home interviews, and changes since the previous period of the same length.
* ``"panel"`` (corporate parenting panel): placement distance headline figures on the last day
  of the period, a map of where children are placed, tables by placement type and provider,
  costs, children's homes, and a missing summary.

A section whose analysis cannot run (module not installed, no such input) says "not available"
and why, rather than stopping the pack.

This module puts a pack together. The sections are built by ``reports/briefing_missing.py`` (both
packs), ``briefing_hotspots.py`` and ``briefing_found.py`` (MASE), ``briefing_placements.py`` (panel) and
``history_section.py``, from the analysis they share (``briefing_context.py``); the periods' rules are in
:mod:`analysis.periods`.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from analysis import disclosure
from analysis.periods import as_period, previous_period
from geo.authorities import resolve_authority
from geo.postcodes import get_postcode_index
from reports.briefing_context import BriefingContext
from reports.briefing_found import found_sections
from reports.briefing_hotspots import emerging_section, hotspot_sections
from reports.briefing_missing import changes_section, missing_summary_section, repeat_and_rhi_section
from reports.briefing_model import Briefing
from reports.briefing_placements import (
    costs_section,
    homes_section,
    placement_headline_section,
    placement_map_section,
    placement_tables_section,
)
from reports.history_section import TITLE as HISTORY_TITLE
from reports.history_section import history_section
from reports.measures import count_text
from reports.pack import Section, TableBlock
from reports.sections import build_section, not_available

__all__ = ["build_briefing", "AUDIENCES"]

AUDIENCES = {
    "mase": "MASE briefing pack: missing from care and exploitation",
    "panel": "Corporate parenting panel briefing: where our children live",
}


def _sources(dataset) -> list[str]:
    """The front page's list of inputs: the dataset's label, then each table loaded with its rows."""
    names = {
        "episodes": "SSDA903 episodes",
        "header": "SSDA903 header",
        "missing": "SSDA903 missing",
        "uasc": "SSDA903 UASC",
        "missing_log": "missing team's episode log",
        "homes": "children's homes register",
        "costs": "placement costs",
    }
    out = []
    for attr, label in names.items():
        table = getattr(dataset, attr, None)
        if table is not None and len(table):
            out.append(f"{label} ({count_text(len(table))} rows)")
    if getattr(dataset, "label", ""):
        out.insert(0, str(dataset.label))
    return out or ["no input tables"]


def _check_pack(sections: list[Section]) -> None:
    """Last line of defence: no child-data column or full postcode in any table of the pack."""
    for section in sections:
        for block in section.blocks:
            if isinstance(block, TableBlock):
                disclosure.check_no_child_data(block.frame, what=f"the table '{block.title}'")
                if not disclosure.is_safe(block.frame, block.count_columns):
                    raise AssertionError(f"small number left in '{block.title}'")


def build_briefing(
    dataset,
    *,
    la,
    period,
    audience: str = "mase",
    offline: bool = True,
    index=None,
    places: pd.DataFrame | None = None,
    history=None,
    history_problem: str | None = None,
) -> Briefing:
    """Build a disclosure-controlled briefing pack.

    Parameters
    ----------
    dataset : data.dataset.Dataset
    la : the responsible children's services authority, as ``geo.authorities.resolve_authority``
        accepts it ("Kent", "886", "E10000016").
    period : (first day, last day), inclusive; placement snapshots are taken on the last day, and
        "changes" compare with the same number of days just before.
    audience : "mase" or "panel".
    offline : packs are always built offline (no tiles, fonts or scripts fetched); False is refused.
    index : a ``geo.postcodes.PostcodeIndex``; the process-wide one by default.
    places : places of concern (:func:`analysis.places_of_concern.list_places`): hotspots holding one
        are flagged in the MASE pack; their notes are never used.
    history : ``store.read_figures()`` when the dataset is a published snapshot: adds the change since
        the previous snapshot and the trend across them (reports.history_section).
    history_problem : why the published snapshots' figures could not be read, when they could not: the
        pack then says so where the history would be.

    Raises ValueError for an unknown audience or authority, or a period that ends before it starts.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be 'mase' or 'panel', not {audience!r}")
    if not offline:
        raise ValueError("briefing packs are built offline only")
    authority = resolve_authority(la)
    period = as_period(period)
    previous = previous_period(period)
    if index is None:
        index = get_postcode_index()
    ctx = BriefingContext(dataset, authority.code, period, previous, index)
    ctx.places = places

    if audience == "mase":
        sections = [build_section("Missing from care: period summary", missing_summary_section, ctx)]
        try:
            sections += hotspot_sections(ctx)
        except ImportError as exc:
            sections.append(not_available("Hotspots", f"the analysis module is not installed ({exc.name})."))
        sections += found_sections(ctx)
        sections += [
            build_section("Emerging hot spots", emerging_section, ctx),
            build_section("Repeat missing and return home interviews", repeat_and_rhi_section, ctx),
            build_section("Changes since the previous period", changes_section, ctx),
        ]
    else:
        sections = [
            build_section("Placement distance: headline figures", placement_headline_section, ctx),
            build_section("Where our children are placed", placement_map_section, ctx),
            build_section("Placements by type and provider", placement_tables_section, ctx),
            build_section("Placement costs", costs_section, ctx),
            build_section("Children's homes", homes_section, ctx),
            build_section("Missing from care: summary", missing_summary_section, ctx, "Missing from care: summary"),
        ]
    if history is not None:
        topics = ("missing",) if audience == "mase" else ("placements", "missing")
        section = history_section(history, topics=topics, snapshot_id=getattr(dataset, "snapshot_id", None))
        sections += [section] if section is not None else []
    elif history_problem:
        sections.append(not_available(HISTORY_TITLE, history_problem))
    _check_pack(sections)
    return Briefing(
        title=AUDIENCES[audience],
        audience=audience,
        authority_name=authority.name,
        authority_code=authority.code,
        period=period,
        previous_period=previous,
        produced=datetime.now(timezone.utc),
        synthetic=bool(getattr(dataset, "synthetic", False)),
        sources=_sources(dataset),
        sections=sections,
    )
