"""Briefing packs for MASE and corporate parenting panels: aggregate figures only, disclosure-controlled.

:func:`build_briefing` turns a :class:`data.dataset.Dataset` into a :class:`Briefing`: sections of
tables, maps and notes. Every number in it has been through :mod:`analysis.disclosure` (counts
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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from analysis import disclosure
from analysis.disclosure import NOT_AVAILABLE, SMALL_NUMBER_MAX, SUPPRESSED, suppress_table
from analysis.missing import (
    DURATION_BANDS,
    REPEAT_EPISODES,
    RHI_WITHIN_HOURS,
    children_by_episode_count,
    of_kind,
    offered_in_time,
    return_interviews,
)
from data.schemas import PACK_RISK_FLAGS, RISK_FLAG_LABELS
from reports.briefing_html import render_html
from reports.pack import (
    CLASSIFICATION,
    SUPPRESSION_NOTE,
    Block,
    FigureBlock,
    Section,
    TableBlock,
    TextBlock,
)
from reports.sections import NoData, build_section, not_available, suppressed_with_total

__all__ = [
    "Briefing",
    "Section",
    "TableBlock",
    "FigureBlock",
    "TextBlock",
    "build_briefing",
    "AUDIENCES",
    "CLASSIFICATION",
    "SUPPRESSION_NOTE",
]

AUDIENCES = {
    "mase": "MASE briefing pack: missing from care and exploitation",
    "panel": "Corporate parenting panel briefing: where our children live",
}


# ---------------------------------------------------------------- the pack
@dataclass
class Briefing:
    """A finished pack. ``html`` and ``to_pdf()`` render the same content."""

    title: str
    audience: str
    authority_name: str
    authority_code: str
    period: tuple[date, date]
    previous_period: tuple[date, date]
    produced: datetime
    synthetic: bool
    sources: list[str]
    sections: list[Section]

    @property
    def html(self) -> str:
        return render_html(self)

    def to_pdf(self) -> bytes:
        # reportlab takes a while to import; only a PDF download needs it.
        from reports.briefing_pdf import render_pdf

        return render_pdf(self)

    def tables(self) -> list[TableBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, TableBlock)]

    def figures(self) -> list[FigureBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, FigureBlock)]

    @property
    def period_text(self) -> str:
        return _period_text(self.period)


def _period_text(period: tuple[date, date]) -> str:
    return f"{period[0]:%d %B %Y} to {period[1]:%d %B %Y}"


# ---------------------------------------------------------------- disclosure helpers
def _small(value) -> bool:
    return value is not None and bool(disclosure.is_small([value])[0])


def _count_text(value) -> str:
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    return SUPPRESSED if _small(value) else f"{int(round(float(value))):,}"


@dataclass
class _Measure:
    """One line of a measures table: a count, a percentage of a count, a ratio or a median."""

    label: str
    kind: str  # "count", "percent", "ratio", "median"
    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None  # for "median": the median; its base (how many) is ``denominator``
    definition: str = ""

    def shown(self) -> str:
        if self.kind == "count":
            return _count_text(self.numerator)
        if self.kind == "median":
            if _small(self.denominator):
                return SUPPRESSED
            return NOT_AVAILABLE if self.value is None or pd.isna(self.value) else f"{self.value:,.1f}"
        if self.numerator is None or self.denominator is None or pd.isna(self.numerator) or pd.isna(self.denominator):
            return NOT_AVAILABLE
        if _small(self.numerator) or _small(self.denominator):
            return SUPPRESSED
        if not self.denominator:
            return NOT_AVAILABLE
        if self.kind == "percent":
            return f"{100.0 * self.numerator / self.denominator:.1f}%"
        return f"{self.numerator / self.denominator:.1f}"

    def base(self) -> str:
        if self.kind == "count" or self.denominator is None or pd.isna(self.denominator):
            return ""
        return _count_text(self.denominator)


def _measures_table(measures: list[_Measure]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Measure": [m.label for m in measures],
            "Value": [m.shown() for m in measures],
            "Out of": [m.base() for m in measures],
            "Definition": [m.definition for m in measures],
        },
        dtype=object,
    )


def _comparison_table(now: list[_Measure], before: list[_Measure]) -> pd.DataFrame:
    rows = []
    for a, b in zip(now, before):
        shown_a, shown_b = a.shown(), b.shown()
        if SUPPRESSED in (shown_a, shown_b):
            change = SUPPRESSED  # the difference would give a suppressed number back
        elif NOT_AVAILABLE in (shown_a, shown_b):
            change = NOT_AVAILABLE
        elif a.kind == "percent":
            assert a.numerator is not None and a.denominator is not None  # shown() said so
            assert b.numerator is not None and b.denominator is not None
            change = f"{100 * (a.numerator / a.denominator - b.numerator / b.denominator):+.1f} points"
        elif a.kind == "count":
            assert a.numerator is not None and b.numerator is not None  # shown() said so
            change = f"{int(a.numerator - b.numerator):+,}"
        else:
            change = f"{float(shown_a.replace(',', '')) - float(shown_b.replace(',', '')):+.1f}"
        rows.append({"Measure": a.label, "This period": shown_a, "Previous period": shown_b, "Change": change})
    return pd.DataFrame(rows, dtype=object)


def _pretty(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    keep = [c for c in names if c in frame.columns]
    return frame[keep].rename(columns=names)


# ---------------------------------------------------------------- inputs
def _clip_period(period) -> tuple[date, date]:
    start, end = (pd.Timestamp(p).date() for p in period)
    if end < start:
        raise ValueError("the period ends before it starts")
    return start, end


def _previous(period: tuple[date, date]) -> tuple[date, date]:
    length = (period[1] - period[0]).days
    end = period[0] - timedelta(days=1)
    return end - timedelta(days=length), end


def _in_period(frame: pd.DataFrame, column: str, period: tuple[date, date]) -> pd.DataFrame:
    when = pd.to_datetime(frame[column], errors="coerce")
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.Timedelta(days=1)
    return frame[((when >= start) & (when < end)).to_numpy()]


def _children_looked_after_during(episodes: pd.DataFrame, period: tuple[date, date]) -> int | None:
    if episodes is None or episodes.empty or "DECOM" not in episodes:
        return None
    from data.schemas import SHORT_BREAK_LS

    decom = pd.to_datetime(episodes["DECOM"], errors="coerce")
    dec = (
        pd.to_datetime(episodes["DEC"], errors="coerce")
        if "DEC" in episodes
        else pd.Series(pd.NaT, index=episodes.index)
    )
    ls = episodes["LS"].astype(str).str.upper() if "LS" in episodes else pd.Series("", index=episodes.index)
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    overlap = (decom <= end) & (dec.isna() | (dec >= start)) & ~ls.isin(SHORT_BREAK_LS)
    return int(episodes.loc[overlap.to_numpy(), "CHILD"].nunique())


def _sources(dataset) -> list[str]:
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
            out.append(f"{label} ({_count_text(len(table))} rows)")
    if getattr(dataset, "label", ""):
        out.insert(0, str(dataset.label))
    return out or ["no input tables"]


class _Context:
    """Everything the sections share, computed once."""

    def __init__(self, dataset, la_code: str, period, previous, index):
        self.dataset = dataset
        self.la_code = la_code
        self.period = period
        self.previous = previous
        self.period_text = _period_text(period)
        self.previous_text = _period_text(previous)
        self.index = index
        self._enriched = None
        self._missing = None
        self.places = None  # marked places of concern (analysis.places_of_concern), positions only used
        self.hotspots: tuple | None = None  # (located episodes, hotspots shown, each episode's hotspot id) once found

    def enriched(self) -> pd.DataFrame:
        if self._enriched is None:
            from analysis.placements import add_placement_location

            self._enriched = add_placement_location(self.dataset.episodes, self.la_code, index=self.index)
        return self._enriched

    def missing(self) -> pd.DataFrame:
        if self._missing is None:
            from analysis.missing import missing_episodes

            episodes = self.enriched() if len(self.dataset.episodes) else self.dataset.episodes
            self._missing = missing_episodes(
                missing=self.dataset.missing,
                missing_log=self.dataset.missing_log,
                episodes=episodes,
                header=self.dataset.header,
                la=self.la_code,
                index=self.index,
            )
        return self._missing

    def missing_in(self, period) -> pd.DataFrame:
        return _in_period(self.missing(), "MIS_START", period)

    def snapshot(self) -> pd.DataFrame:
        from analysis.placements import placements_on

        return placements_on(self.enriched(), pd.Timestamp(self.period[1]))


# ---------------------------------------------------------------- missing sections (both packs)
def _missing_measures(ctx: _Context, period) -> list[_Measure]:
    eps = ctx.missing_in(period)
    per_child = eps.groupby("CHILD").size() if len(eps) else pd.Series(dtype=int)
    children = len(per_child)
    cla = _children_looked_after_during(ctx.dataset.episodes, period)
    repeat = int((per_child >= REPEAT_EPISODES).sum())
    returned = eps[eps["MIS_END"].notna()] if len(eps) else eps
    measures = [
        _Measure(
            "Missing and away episodes",
            "count",
            len(eps),
            definition="episodes (missing or away from placement without authorisation) starting in the period",
        ),
        _Measure(
            "Children with an episode", "count", children, definition="distinct children with at least one episode"
        ),
        _Measure(
            "% of children looked after with an episode",
            "percent",
            children,
            cla,
            definition="children with an episode / children looked after at any time in the period "
            "(short breaks excluded)",
        ),
        _Measure(
            "Episodes per child with an episode",
            "ratio",
            len(eps),
            children,
            definition="episodes / children with an episode",
        ),
        _Measure(
            f"Children with {REPEAT_EPISODES}+ episodes (repeat missing)",
            "count",
            repeat,
            definition=f"children with {REPEAT_EPISODES} or more episodes starting in the period",
        ),
        _Measure(
            f"% of children with an episode who had {REPEAT_EPISODES}+",
            "percent",
            repeat,
            children,
            definition=f"children with {REPEAT_EPISODES}+ episodes / children with an episode",
        ),
    ]
    for flag in PACK_RISK_FLAGS:
        label = RISK_FLAG_LABELS[flag]
        if flag in eps:
            values = eps[flag].astype("boolean")
            measures.append(
                _Measure(
                    f"% of episodes with {label} risk",
                    "percent",
                    int(values.fillna(False).astype(bool).sum()),
                    int(values.notna().sum()),
                    definition=f"episodes with the {flag} risk flag set / episodes where the flag was recorded",
                )
            )
    if len(eps) and "RHI_OFFERED" in eps:
        within = offered_in_time(returned)
        measures.append(
            _Measure(
                f"% of returns offered a return home interview within {RHI_WITHIN_HOURS} hours",
                "percent",
                int(within.sum()),
                len(returned),
                definition=f"episodes with an interview offered within {RHI_WITHIN_HOURS} hours of the return / "
                "episodes that ended in the period",
            )
        )
    return measures


def _missing_type_and_duration(ctx: _Context, period) -> list[Block]:
    eps = ctx.missing_in(period)
    blocks: list[Block] = []
    kinds = pd.DataFrame(
        {
            "type": ["Missing (M)", "Away from placement without authorisation (A)"],
            "episodes": [int(of_kind(eps, "missing").sum()), int(of_kind(eps, "away").sum())],
        }
    )
    other = len(eps) - int(kinds["episodes"].sum())
    if other:
        kinds = pd.concat([kinds, pd.DataFrame([{"type": "Type not recorded", "episodes": other}])], ignore_index=True)
    shown = suppressed_with_total(kinds, "type", ["episodes"])
    blocks.append(
        TableBlock(
            "Episodes by type",
            _pretty(shown, {"type": "Type", "episodes": "Episodes"}),
            "903 codes: M missing, A away from placement without authorisation",
            ctx.period_text if period == ctx.period else _period_text(period),
            "all episodes starting in the period",
            ["Episodes"],
        )
    )
    bands = eps["DURATION_BAND"].astype(object) if "DURATION_BAND" in eps else pd.Series(dtype=object)
    durations = pd.DataFrame(
        {"duration": DURATION_BANDS, "episodes": [int((bands == b).sum()) for b in DURATION_BANDS]}
    )
    shown = suppressed_with_total(durations, "duration", ["episodes"])
    blocks.append(
        TableBlock(
            "Episodes by duration",
            _pretty(shown, {"duration": "Duration", "episodes": "Episodes"}),
            "time from the start to the end of the episode; ongoing = no end date recorded",
            _period_text(period),
            "all episodes starting in the period",
            ["Episodes"],
        )
    )
    return blocks


def _repeat_table(ctx: _Context) -> TableBlock:
    frame = children_by_episode_count(ctx.missing_in(ctx.period))
    # The episodes of a hidden number of children give it away ("10 or more": 14 episodes is one child).
    shown = suppressed_with_total(frame, "band", ["children", "episodes"], linked={"episodes": "children"})
    return TableBlock(
        "Children by number of episodes (repeat missing)",
        _pretty(shown, {"band": "Episodes in the period", "children": "Children", "episodes": "Episodes"}),
        "each child counted once, by how many episodes started in the period",
        ctx.period_text,
        "children with at least one episode",
        ["Children", "Episodes"],
    )


def _return_interview_table(ctx: _Context) -> TableBlock:
    eps = ctx.missing_in(ctx.period)
    table = return_interviews(eps)
    table = table[table["group"] != "all"].reset_index(drop=True)
    counts = ["returned", "offered_within", "completed", "accepted", "accepted_recorded"]
    percents = {
        "offered_within_pct": "offered_within/returned",
        "completed_pct": "completed/returned",
        "accepted_pct": "accepted/accepted_recorded",
    }
    shown = suppressed_with_total(table[["group", *counts]], "group", counts, total_label="All", percents=percents)
    names = {
        "group": "Where the child was placed",
        "returned": "Episodes ended",
        "offered_within": f"Interview offered within {RHI_WITHIN_HOURS}h",
        "offered_within_pct": "% offered",
        "completed": "Interview completed",
        "completed_pct": "% completed",
        "accepted": "Accepted",
        "accepted_recorded": "Acceptance recorded",
        "accepted_pct": "% accepted",
    }
    return TableBlock(
        "Return home interviews",
        _pretty(shown, names),
        f"statutory guidance: an interview should be offered within {RHI_WITHIN_HOURS} hours of the child's "
        "return; % offered and % completed are of episodes that ended, % accepted of those with acceptance recorded",
        ctx.period_text,
        "episodes starting in the period that have ended",
        [names[c] for c in counts],
    )


def _missing_summary_section(ctx: _Context, title: str = "Missing from care: period summary") -> Section:
    if ctx.dataset.missing.empty and ctx.dataset.missing_log.empty:
        raise NoData("no missing episodes were loaded (903 Missing table or the missing team's log).")
    measures = _missing_measures(ctx, ctx.period)
    blocks: list[Block] = [
        TableBlock(
            "Headline figures",
            _measures_table(measures),
            "see each row; percentages are of the number in 'Out of'",
            ctx.period_text,
            "shown per row in 'Out of'",
            ["Value", "Out of"],
        )
    ]
    blocks += _missing_type_and_duration(ctx, ctx.period)
    return Section(title, blocks)


def _changes_section(ctx: _Context) -> Section:
    if ctx.dataset.missing.empty and ctx.dataset.missing_log.empty:
        raise NoData("no missing episodes were loaded.")
    now, before = _missing_measures(ctx, ctx.period), _missing_measures(ctx, ctx.previous)
    before_labels = {m.label for m in before}
    now = [m for m in now if m.label in before_labels]
    before = [next(b for b in before if b.label == m.label) for m in now]
    return Section(
        "Changes since the previous period",
        [
            TextBlock(
                f"This period: {ctx.period_text}. Previous period (the same length, just before): "
                f"{ctx.previous_text}. A change is not shown (c) where either figure is suppressed."
            ),
            TableBlock(
                "This period against the previous period",
                _comparison_table(now, before),
                "as in the period summary; change in percentages is in percentage points",
                f"{ctx.period_text} against {ctx.previous_text}",
                "as in the period summary",
                ["This period", "Previous period"],
            ),
        ],
    )


def _repeat_and_rhi_section(ctx: _Context) -> Section:
    if ctx.dataset.missing.empty and ctx.dataset.missing_log.empty:
        raise NoData("no missing episodes were loaded.")
    from analysis.missing import RHI_NOT_RECORDED, interviews_recorded

    interviews = (
        _return_interview_table(ctx)
        if interviews_recorded(ctx.missing_in(ctx.period))
        else TextBlock(f"Return home interviews. {RHI_NOT_RECORDED}")
    )
    return Section("Repeat missing and return home interviews", [_repeat_table(ctx), interviews])


# ---------------------------------------------------------------- hotspots (MASE)
def _authority_shapes(la_code: str):
    """The authority's polygon and its neighbours' (EPSG:27700), for the map's frame of reference."""
    from geo.boundaries import adjacent_authorities, authority_boundaries

    bounds = authority_boundaries()
    own = bounds[bounds["code"] == la_code]
    near = bounds[bounds["code"].isin(adjacent_authorities(la_code))]
    return own, near


def _hotspot_sections(ctx: _Context) -> list[Section]:
    from analysis.hotspot_names import hotspot_label
    from analysis.hotspots import label_and_find_hotspots

    title = "Hotspots: where children were found"
    if ctx.dataset.missing_log.empty:
        return [not_available(title, "hotspots need the missing team's log (where children were found).")]
    eps = ctx.missing_in(ctx.period)
    located = eps[np.isfinite(pd.to_numeric(eps["FOUND_EASTING"], errors="coerce").to_numpy(dtype=float))]
    if len(located) < 2 * (SMALL_NUMBER_MAX + 1):
        return [not_available(title, "too few episodes with a found location in the period to look for hotspots.")]
    spots, labels = label_and_find_hotspots(located, location="found")
    if len(spots) and "children" in spots:
        # A place linked to five or fewer children could identify them, even without its numbers.
        spots = spots[~disclosure.is_small(spots["children"])].reset_index(drop=True)
        spots = spots[pd.to_numeric(spots["children"]) > 0].reset_index(drop=True)
    if not len(spots) or "children" not in spots:
        return [
            Section(
                title,
                [
                    TextBlock(
                        f"No hotspot found in the period: no cluster of the places children "
                        f"were found is linked to more than {SMALL_NUMBER_MAX} children."
                    )
                ],
            )
        ]
    # The app's numbers (1 for the most episodes), so a chair and the analyst mean the same hotspot.
    spots["Hotspot"] = spots["hotspot_id"].astype(int)
    ctx.hotspots = (located, spots, labels)  # the pack's numbering, for the links section (briefing_found)
    layer = disclosure.safe_map_layer(spots[["Hotspot", "episodes", "children", "geometry"]], "children", small="drop")
    own, near = _authority_shapes(ctx.la_code)
    from reports.static_map import outline_map_png

    png = outline_map_png(own, layer, label_column="Hotspot", neighbours=near)
    params = spots.attrs.get("params", {})
    method = (
        f"HDBSCAN clusters of the places children were found (minimum cluster size "
        f"{params.get('min_cluster_size', '?')} episodes), outlined by the hull of the cluster's "
        f"episodes plus {params.get('buffer_m', '?')} m"
    )
    blocks: list[Block] = [
        FigureBlock(
            "Hotspot map",
            png,
            f"{method}. Hotspots linked to {SMALL_NUMBER_MAX} or fewer children are not shown. "
            "Numbers as in the hotspot profiles below and in the app. "
            "Boundary: the authority (dark) and its neighbours (grey).",
            ctx.period_text,
            "episodes starting in the period with a recorded found location",
        )
    ]
    frame = pd.DataFrame(
        {
            "Hotspot": [hotspot_label(h, name) for h, name in zip(spots["hotspot_id"], spots["name"])],
            "episodes": spots["episodes"].astype(int),
            "children": spots["children"].astype(int),
        }
    )
    percents = {}
    for flag in PACK_RISK_FLAGS:
        f = flag.lower()
        if f"{f}_episodes" in spots:
            frame[f"{f}_episodes"] = spots[f"{f}_episodes"].astype(int)
            frame[f"{f}_recorded"] = spots[f"{f}_recorded"].astype(int)
            frame[f"{f}_pct"] = (
                100.0 * frame[f"{f}_episodes"] / frame[f"{f}_recorded"].where(frame[f"{f}_recorded"] > 0)
            )
            percents[f"{f}_pct"] = f"{f}_episodes/{f}_recorded"
    counts = [c for c in frame.columns if c != "Hotspot" and not c.endswith("_pct")]
    # Numerator and base of the out-of-area share: used to hide it, not shown themselves.
    frame["out_episodes"] = spots.get("out_of_area_episodes", pd.Series(0, index=spots.index)).astype(int).to_numpy()
    frame["out_known"] = spots.get("out_of_area_known", pd.Series(0, index=spots.index)).astype(int).to_numpy()
    frame["Out of area %"] = 100.0 * spots["out_of_area_share"].astype(float).to_numpy()
    percents["Out of area %"] = "out_episodes/out_known"
    shown = suppress_table(frame.set_index("Hotspot", drop=False), counts, percent_columns=percents)
    shown = shown.reset_index(drop=True)
    shown["Trend"] = spots["trend"].astype(str).to_numpy()
    if ctx.places is not None:  # the flag only: an analyst's note never leaves the analyst's view
        from analysis.places_of_concern import flag_hotspots

        shown["Place of concern"] = np.where(flag_hotspots(spots, ctx.places).to_numpy(), "yes", "")
    names = {
        "Hotspot": "Hotspot",
        "episodes": "Episodes",
        "children": "Children",
        **{f"{flag.lower()}_pct": f"% {flag} risk" for flag in PACK_RISK_FLAGS},
        "Trend": "Trend",
        "Out of area %": "% placed out of area",
        "Place of concern": "Place of concern",
    }
    blocks.append(
        TableBlock(
            "Hotspot profiles",
            _pretty(shown, names),
            "risk shares: episodes at the hotspot with the flag set / episodes where it was recorded; trend: "
            "Mann-Kendall test on monthly episode counts (5% level), 'not enough data' under four months; "
            "% placed out of area: of episodes whose placement area is known",
            ctx.period_text,
            "episodes in each hotspot",
            ["Episodes", "Children"],
        )
    )
    return [Section(title, blocks)]


def _emerging_section(ctx: _Context) -> Section:
    from analysis.emerging import emerging_hotspots

    title = "Emerging hot spots"
    if ctx.dataset.missing_log.empty:
        raise NoData("emerging hot spots need the missing team's log (where children were found).")
    eps = ctx.missing_in(ctx.period)
    located = eps[np.isfinite(pd.to_numeric(eps["FOUND_EASTING"], errors="coerce").to_numpy(dtype=float))]
    if len(located) < 2 * (SMALL_NUMBER_MAX + 1):
        raise NoData("too few episodes with a found location in the period.")
    cell_m = 1000
    cells = emerging_hotspots(
        located,
        cell_size_m=cell_m,
        period="M",
        x="FOUND_EASTING",
        y="FOUND_NORTHING",
        start=pd.Timestamp(ctx.period[0]),
        end=pd.Timestamp(ctx.period[1]),
    )
    hot = cells[cells["category"].str.endswith("hot spot")]
    if hot.empty:
        return Section(
            title,
            [
                TextBlock(
                    f"No {cell_m / 1000:g} km cell was a statistically significant hot spot in the period's months."
                )
            ],
        )
    table = hot.groupby("category").agg(cells=("cell_id", "size"), episodes=("episodes", "sum")).reset_index()
    shown = suppressed_with_total(table, "category", ["cells", "episodes"])
    blocks: list[Block] = [
        TableBlock(
            "Emerging hot spot categories",
            _pretty(shown, {"category": "Category", "cells": "Grid cells", "episodes": "Episodes in those cells"}),
            f"Getis-Ord Gi* on {cell_m / 1000:g} km hexagonal cells for each month (FDR-corrected, 5%), "
            "then the ArcGIS emerging hot spot categories with a Mann-Kendall trend of each cell's z-scores",
            ctx.period_text,
            "episodes with a found location, in hot spot cells",
            ["Grid cells", "Episodes in those cells"],
        )
    ]
    layer = disclosure.safe_map_layer(hot[["category", "episodes", "geometry"]], "episodes", small="drop")
    if len(layer):
        own, near = _authority_shapes(ctx.la_code)
        from reports.static_map import outline_map_png

        blocks.append(
            FigureBlock(
                "Emerging hot spot cells",
                outline_map_png(own, layer, neighbours=near),
                f"{cell_m / 1000:g} km cells in an emerging hot spot category with more than {SMALL_NUMBER_MAX} "
                "episodes; cells with fewer are not drawn",
                ctx.period_text,
                "episodes with a found location",
            )
        )
    return Section(title, blocks)


# ---------------------------------------------------------------- placements (panel)
def _placement_headline_section(ctx: _Context) -> Section:
    from analysis.placements import headline_figures

    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    head = headline_figures(ctx.snapshot())
    is_median = head["measure"].str.startswith("median").to_numpy()
    counts = head[~is_median].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "Measure": [m[:1].upper() + m[1:] for m in counts["measure"]],
            "count": counts["count"].astype(int).to_numpy(),
            "denominator": counts["denominator"].astype(int).to_numpy(),
            "percent": counts["percent"].astype(float).to_numpy(),
            "Definition": counts["definition"].astype(str).to_numpy(),
        }
    )
    shown = suppress_table(frame, ["count"], percent_columns={"percent": "count/denominator"})
    if is_median.any():
        row = head[is_median].iloc[0]
        median = _Measure("", "median", None, row["count"], row["value"])
        shown = pd.concat(
            [
                shown,
                pd.DataFrame(
                    [
                        {
                            "Measure": "Median miles from home (children whose distance is known)",
                            "count": median.shown(),
                            "denominator": _count_text(row["count"]),
                            "percent": "",
                            "Definition": str(row["definition"]),
                        }
                    ],
                    dtype=object,
                ),
            ],
            ignore_index=True,
        )
    day = f"{ctx.period[1]:%d %B %Y}"
    names = {
        "Measure": "Measure",
        "count": "Number (miles for the median)",
        "percent": "% of children looked after",
        "denominator": "Out of",
        "Definition": "Definition",
    }
    return Section(
        "Placement distance: headline figures",
        [
            TableBlock(
                f"Children looked after on {day}",
                _pretty(shown, names),
                "straight-line distance between home and placement postcodes (DfE method); 20 miles is the DfE's "
                "statistical measure, not the legal test",
                f"snapshot on {day}",
                "all children looked after on the day",
                ["Number (miles for the median)", "Out of"],
            )
        ],
    )


def _placement_map_section(ctx: _Context) -> Section:
    from geo.boundaries import authority_boundaries
    from reports.static_map import area_map_png

    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    snap = ctx.snapshot()
    per_la = snap["PL_LA"].astype(object).value_counts()
    areas = authority_boundaries()[["code", "name", "geometry"]].copy()
    areas["children"] = areas["code"].map(per_la).fillna(0).astype(int)
    layer = disclosure.safe_map_layer(areas[areas["children"] > 0], "children", small="c")
    own = areas[areas["code"] == ctx.la_code]
    png = area_map_png(layer, "children", authority=own, legend="children placed")
    day = f"{ctx.period[1]:%d %B %Y}"
    outside_england = int((~snap["PL_LA"].astype(object).isin(list(areas["code"])) & snap["PL_LA"].notna()).sum())
    return Section(
        "Where our children are placed",
        [
            FigureBlock(
                "Children looked after by the authority they are placed in",
                png,
                "placing authority from the placement postcode; hatched grey: 1-5 children (c); our authority outlined "
                f"in red. Placements outside England (not drawn): {_count_text(outside_england)}",
                f"snapshot on {day}",
                "children looked after on the day whose placement area is known",
            ),
        ],
    )


def _placement_tables_section(ctx: _Context) -> Section:
    from analysis.placements import summarise_placements

    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    snap = ctx.snapshot()
    day = f"{ctx.period[1]:%d %B %Y}"
    blocks: list[Block] = []
    names = {
        "children": "Children",
        "outside": "Outside the authority",
        "percent_outside": "% outside",
        "over_20_miles": "Over 20 miles",
        "percent_over_20_miles": "% over 20 miles",
        "median_miles": "Median miles",
        "distance_unknown": "Distance unknown",
    }
    for by, label in (("PLACEMENT_GROUP", "Placement type"), ("PROVIDER_GROUP", "Provider")):
        table = summarise_placements(snap, by=by)
        counts = ["children", "outside", "over_20_miles", "distance_unknown"]
        frame = table.assign(**{by: table[by].astype(str)}).set_index(by, drop=False)
        frame.index = frame.index.astype(str)
        shown = suppress_table(
            frame,
            counts,
            total_row="All",
            percent_columns={"percent_outside": "outside/children", "percent_over_20_miles": "over_20_miles/children"},
        )
        shown["median_miles"] = [
            SUPPRESSED if (c == SUPPRESSED or _small(n)) else (NOT_AVAILABLE if pd.isna(m) else f"{m:.1f}")
            for c, n, m in zip(shown["children"], table["children"], table["median_miles"])
        ]
        shown = shown.reset_index(drop=True)
        blocks.append(
            TableBlock(
                f"By {label.lower()}",
                _pretty(shown, {by: label, **names}),
                "percentages are of all children in the row, unknown distances included; median of known distances",
                f"snapshot on {day}",
                "children looked after on the day",
                ["Children", "Outside the authority", "Over 20 miles", "Distance unknown"],
            )
        )
    return Section("Placements by type and provider", blocks)


_FOLDED = " (secure homes included)"


def _merge_small_secure(table: pd.DataFrame) -> pd.DataFrame:
    """Fold secure children's homes back into their placement group when they hold 1-5 children.

    The placement-type table counts secure homes within "Children's homes and secure"; a separate
    suppressed secure row here would be that count minus this table's children's homes row.
    """
    from analysis.placements import GROUP_SECURE
    from data.schemas import GROUP_RESIDENTIAL

    names = table["PLACEMENT_GROUP"].astype(str)
    secure, residential = names == GROUP_SECURE, names == GROUP_RESIDENTIAL
    if not secure.any() or not residential.any() or not _small(table.loc[secure, "children"].iloc[0]):
        return table
    out = table.copy()
    i, j = out.index[residential][0], out.index[secure][0]
    for col in ("children", "weekly_cost", "annual_cost", "percent_of_children", "percent_of_cost"):
        if col in out:
            out.loc[i, col] = out.loc[[i, j], col].sum(min_count=1)
    out.loc[i, "PLACEMENT_GROUP"] = f"{GROUP_RESIDENTIAL}{_FOLDED}"
    return out.drop(index=j).reset_index(drop=True)


def _costs_section(ctx: _Context) -> Section:
    from analysis.placements import placement_costs

    if ctx.dataset.episodes.empty:
        raise NoData("no 903 episodes were loaded.")
    own_costs = ctx.dataset.costs is not None and len(ctx.dataset.costs) > 0
    table = placement_costs(ctx.snapshot(), ctx.dataset.costs if own_costs else None)
    table = _merge_small_secure(table)
    frame = table.assign(PLACEMENT_GROUP=table["PLACEMENT_GROUP"].astype(str)).set_index("PLACEMENT_GROUP", drop=False)
    frame.index = frame.index.astype(str)
    shown = suppress_table(frame, ["children"], total_row="All")
    hidden_rows = shown["children"] == SUPPRESSED
    # A group that hides secure homes inside it: at known prices its cost would give their number.
    folded = pd.Series(shown["PLACEMENT_GROUP"].astype(str).str.endswith(_FOLDED).to_numpy(), index=shown.index)
    # The cost of a suppressed group divided by the price per child would give its number back, and the
    # total less the shown groups would give the suppressed groups' cost: hide both.
    any_hidden = bool(hidden_rows.any() or folded.any())
    for col in ("weekly_cost", "annual_cost", "percent_of_cost", "percent_of_children"):
        if col not in table:
            continue
        values = table[col].to_numpy(dtype=float)
        fmt = (lambda v: f"{v:.1f}%") if col.startswith("percent") else (lambda v: f"£{v:,.0f}")
        cells = []
        for i, name in enumerate(table["PLACEMENT_GROUP"].astype(str)):
            hide = hidden_rows.iloc[i] or (
                col != "percent_of_children" and (folded.iloc[i] or (name == "All" and any_hidden))
            )
            # A shown cost and its share of the total give the total back.
            hide = hide or (col == "percent_of_cost" and any_hidden)
            if col == "percent_of_children" and hidden_rows.iloc[i]:
                hide = True
            cells.append(SUPPRESSED if hide else (NOT_AVAILABLE if np.isnan(values[i]) else fmt(values[i])))
        shown[col] = pd.Series(cells, index=shown.index, dtype=object)
    shown = shown.reset_index(drop=True)
    names = {
        "PLACEMENT_GROUP": "Placement group",
        "children": "Children",
        "percent_of_children": "% of children",
        "weekly_cost": "Weekly cost",
        "annual_cost": "Annual cost",
        "percent_of_cost": "% of cost",
    }
    blocks: list[Block] = []
    if not own_costs:
        blocks.append(
            TextBlock(
                "ILLUSTRATIVE COSTS: no cost table was loaded, so round illustrative prices per "
                "child per week are used. Replace them with the authority's own costs."
            )
        )
    if any_hidden:
        blocks.append(
            TextBlock(
                "Some costs are not shown (c): at known prices per child, the cost of a group with "
                "a suppressed number (or with secure homes folded in), or the total less the shown "
                "groups, would give that number back."
            )
        )
    blocks.append(
        TableBlock(
            "Cost of current placements",
            _pretty(shown, names),
            "price per child per week times children in the group on the day; annual = weekly x 52.18; price per "
            "child not shown because with a group's cost it would give its number of children",
            f"snapshot on {ctx.period[1]:%d %B %Y}",
            "children looked after on the day; % of cost of the known total",
            ["Children"],
        )
    )
    return Section("Placement costs", blocks)


def _homes_section(ctx: _Context) -> Section:
    from analysis.homes import home_usage, homes_from_register, infer_homes

    if ctx.dataset.episodes.empty and ctx.dataset.homes.empty:
        raise NoData("neither a children's homes register nor 903 episodes were loaded.")
    register = ctx.dataset.homes
    inferred = register is None or register.empty
    homes = infer_homes(ctx.enriched()) if inferred else register
    if homes.empty:
        raise NoData("no children's homes in the register or in the episodes.")
    homes = homes_from_register(homes, ctx.la_code, index=ctx.index)
    usage = home_usage(homes, ctx.snapshot())
    unmatched_row = usage["NAME"] == "Not matched to a listed home"
    unmatched = int(pd.to_numeric(usage.loc[unmatched_row, "OUR_CHILDREN"]).sum())
    usage = usage[~unmatched_row]
    sector = usage["SECTOR"].astype(str).str.upper().replace({"": "Not known", "NAN": "Not known"})
    sector = sector.map({"LA": "Local authority", "PRIVATE": "Private", "VOLUNTARY": "Voluntary"}).fillna(sector)
    within = usage["WITHIN_LA"].astype(str)
    frame = pd.DataFrame(
        {
            "sector": sector.to_numpy(),
            "homes": 1,
            "in_area": (within == "Y").astype(int).to_numpy(),
            "children": pd.to_numeric(usage["OUR_CHILDREN"]).fillna(0).astype(int).to_numpy(),
        }
    )
    grouped = frame.groupby("sector", sort=True).sum().reset_index()
    shown = suppressed_with_total(grouped, "sector", ["homes", "in_area", "children"])
    day = f"{ctx.period[1]:%d %B %Y}"
    source = (
        "inferred from 903 episodes in children's homes (PLACE K1/K2); only homes our children used"
        if inferred
        else "the children's homes register"
    )
    blocks: list[Block] = [
        TableBlock(
            "Children's homes by sector",
            _pretty(
                shown,
                {
                    "sector": "Sector",
                    "homes": "Homes",
                    "in_area": "Homes in our area",
                    "children": "Our children there",
                },
            ),
            f"homes from {source}; our children matched by URN, else placement postcode",
            f"snapshot on {day}",
            "homes listed; children looked after on the day in a children's home",
            ["Homes", "Homes in our area", "Our children there"],
        )
    ]
    blocks.append(TextBlock(f"Children in a children's home not matched to a listed home: {_count_text(unmatched)}."))
    return Section("Children's homes", blocks)


# ---------------------------------------------------------------- the pack
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

    Raises ValueError for an unknown audience or authority, or a period that ends before it starts.
    """
    from geo.authorities import resolve_authority

    if audience not in AUDIENCES:
        raise ValueError(f"audience must be 'mase' or 'panel', not {audience!r}")
    if not offline:
        raise ValueError("briefing packs are built offline only")
    authority = resolve_authority(la)
    period = _clip_period(period)
    previous = _previous(period)
    if index is None:
        from geo.postcodes import get_postcode_index

        index = get_postcode_index()
    ctx = _Context(dataset, authority.code, period, previous, index)
    ctx.places = places

    if audience == "mase":
        sections = [build_section("Missing from care: period summary", _missing_summary_section, ctx)]
        try:
            sections += _hotspot_sections(ctx)
        except ImportError as exc:
            sections.append(not_available("Hotspots", f"the analysis module is not installed ({exc.name})."))
        from reports.briefing_found import found_sections

        sections += found_sections(ctx)
        sections += [
            build_section("Emerging hot spots", _emerging_section, ctx),
            build_section("Repeat missing and return home interviews", _repeat_and_rhi_section, ctx),
            build_section("Changes since the previous period", _changes_section, ctx),
        ]
    else:
        sections = [
            build_section("Placement distance: headline figures", _placement_headline_section, ctx),
            build_section("Where our children are placed", _placement_map_section, ctx),
            build_section("Placements by type and provider", _placement_tables_section, ctx),
            build_section("Placement costs", _costs_section, ctx),
            build_section("Children's homes", _homes_section, ctx),
            build_section("Missing from care: summary", _missing_summary_section, ctx, "Missing from care: summary"),
        ]
    if history is not None:
        from reports.history_section import history_section

        topics = ("missing",) if audience == "mase" else ("placements", "missing")
        section = history_section(history, topics=topics, snapshot_id=getattr(dataset, "snapshot_id", None))
        sections += [section] if section is not None else []
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
