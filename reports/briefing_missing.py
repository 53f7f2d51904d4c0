"""Briefing pack sections on missing episodes: the period summary (both packs), repeat missing and return
home interviews, and the changes since the previous period (the MASE pack).

Figures follow :mod:`analysis.missing` (missing and away, repeat missing, the 72-hour interview offer);
every count and what is worked out from it go through :mod:`analysis.disclosure`.
"""

from __future__ import annotations

import pandas as pd

from analysis.missing import (
    DURATION_BANDS,
    REPEAT_EPISODES,
    RHI_NOT_RECORDED,
    RHI_WITHIN_HOURS,
    children_by_episode_count,
    interviews_recorded,
    of_kind,
    offered_in_time,
    return_interviews,
)
from analysis.periods import children_looked_after_during
from data.schemas import PACK_RISK_FLAGS, RISK_FLAG_LABELS
from reports.briefing_context import BriefingContext
from reports.measures import Measure, comparison_table, measures_table
from reports.pack import Block, Section, TableBlock, TextBlock, period_text
from reports.sections import NoData, suppressed_with_total, with_headings

__all__ = ["missing_summary_section", "changes_section", "repeat_and_rhi_section"]


def _missing_measures(ctx: BriefingContext, period) -> list[Measure]:
    eps = ctx.missing_in(period)
    per_child = eps.groupby("CHILD").size() if len(eps) else pd.Series(dtype=int)
    children = len(per_child)
    cla = children_looked_after_during(ctx.dataset.episodes, period)
    repeat = int((per_child >= REPEAT_EPISODES).sum())
    returned = eps[eps["MIS_END"].notna()] if len(eps) else eps
    measures = [
        Measure(
            "Missing and away episodes",
            "count",
            len(eps),
            definition="episodes (missing or away from placement without authorisation) starting in the period",
        ),
        Measure(
            "Children with an episode", "count", children, definition="distinct children with at least one episode"
        ),
        Measure(
            "% of children looked after with an episode",
            "percent",
            children,
            cla,
            definition="children with an episode / children looked after at any time in the period "
            "(short breaks excluded)",
        ),
        Measure(
            "Episodes per child with an episode",
            "ratio",
            len(eps),
            children,
            definition="episodes / children with an episode",
        ),
        Measure(
            f"Children with {REPEAT_EPISODES}+ episodes (repeat missing)",
            "count",
            repeat,
            definition=f"children with {REPEAT_EPISODES} or more episodes starting in the period",
        ),
        Measure(
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
                Measure(
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
            Measure(
                f"% of returns offered a return home interview within {RHI_WITHIN_HOURS} hours",
                "percent",
                int(within.sum()),
                len(returned),
                definition=f"episodes with an interview offered within {RHI_WITHIN_HOURS} hours of the return / "
                "episodes that ended in the period",
            )
        )
    return measures


def _missing_type_and_duration(ctx: BriefingContext, period) -> list[Block]:
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
    blocks.append(
        _episodes_table(
            "Episodes by type",
            kinds,
            "type",
            "Type",
            "903 codes: M missing, A away from placement without authorisation",
            period,
        )
    )
    bands = eps["DURATION_BAND"].astype(object) if "DURATION_BAND" in eps else pd.Series(dtype=object)
    durations = pd.DataFrame(
        {"duration": DURATION_BANDS, "episodes": [int((bands == b).sum()) for b in DURATION_BANDS]}
    )
    blocks.append(
        _episodes_table(
            "Episodes by duration",
            durations,
            "duration",
            "Duration",
            "time from the start to the end of the episode; ongoing = no end date recorded",
            period,
        )
    )
    return blocks


def _episodes_table(title: str, counts: pd.DataFrame, key: str, heading: str, note: str, period) -> TableBlock:
    """Episodes per ``key`` value in ``period``, small counts suppressed, with a total row."""
    shown = suppressed_with_total(counts, key, ["episodes"])
    return TableBlock(
        title,
        with_headings(shown, {key: heading, "episodes": "Episodes"}),
        note,
        period_text(period),
        "all episodes starting in the period",
        ["Episodes"],
    )


def _repeat_table(ctx: BriefingContext) -> TableBlock:
    frame = children_by_episode_count(ctx.missing_in(ctx.period))
    # The episodes of a hidden number of children give it away ("10 or more": 14 episodes is one child).
    shown = suppressed_with_total(frame, "band", ["children", "episodes"], linked={"episodes": "children"})
    return TableBlock(
        "Children by number of episodes (repeat missing)",
        with_headings(shown, {"band": "Episodes in the period", "children": "Children", "episodes": "Episodes"}),
        "each child counted once, by how many episodes started in the period",
        ctx.period_text,
        "children with at least one episode",
        ["Children", "Episodes"],
    )


def _return_interview_table(ctx: BriefingContext) -> TableBlock:
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
        with_headings(shown, names),
        f"statutory guidance: an interview should be offered within {RHI_WITHIN_HOURS} hours of the child's "
        "return; % offered and % completed are of episodes that ended, % accepted of those with acceptance recorded",
        ctx.period_text,
        "episodes starting in the period that have ended",
        [names[c] for c in counts],
    )


def missing_summary_section(ctx: BriefingContext, title: str = "Missing from care: period summary") -> Section:
    if ctx.dataset.missing.empty and ctx.dataset.missing_log.empty:
        raise NoData("no missing episodes were loaded (903 Missing table or the missing team's log).")
    measures = _missing_measures(ctx, ctx.period)
    blocks: list[Block] = [
        TableBlock(
            "Headline figures",
            measures_table(measures),
            "see each row; percentages are of the number in 'Out of'",
            ctx.period_text,
            "shown per row in 'Out of'",
            ["Value", "Out of"],
        )
    ]
    blocks += _missing_type_and_duration(ctx, ctx.period)
    return Section(title, blocks)


def changes_section(ctx: BriefingContext) -> Section:
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
                comparison_table(now, before),
                "as in the period summary; change in percentages is in percentage points",
                f"{ctx.period_text} against {ctx.previous_text}",
                "as in the period summary",
                ["This period", "Previous period"],
            ),
        ],
    )


def repeat_and_rhi_section(ctx: BriefingContext) -> Section:
    if ctx.dataset.missing.empty and ctx.dataset.missing_log.empty:
        raise NoData("no missing episodes were loaded.")
    interviews = (
        _return_interview_table(ctx)
        if interviews_recorded(ctx.missing_in(ctx.period))
        else TextBlock(f"Return home interviews. {RHI_NOT_RECORDED}")
    )
    return Section("Repeat missing and return home interviews", [_repeat_table(ctx), interviews])
