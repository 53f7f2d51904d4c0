"""Periods of time, as the reports count them: first and last day, both included.

A period is a ``(first day, last day)`` pair of :class:`datetime.date`. The rules here are the ones a
briefing pack states on its pages: a period cannot end before it starts; "the previous period" is the
same number of days just before; an episode is in a period when it starts in it; a child is looked
after during a period when one of their 903 episodes is open on any of its days (short breaks aside).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data.schemas import SHORT_BREAK_LS

__all__ = ["as_period", "previous_period", "rows_in_period", "episodes_open_during", "children_looked_after_during"]


def as_period(period) -> tuple[date, date]:
    """``period`` (two dates, timestamps or ISO strings) as a ``(first day, last day)`` pair of dates.

    Raises ValueError when the period ends before it starts.
    """
    start, end = (pd.Timestamp(p).date() for p in period)
    if end < start:
        raise ValueError("the period ends before it starts")
    return start, end


def previous_period(period: tuple[date, date]) -> tuple[date, date]:
    """The period of as many days as ``period`` that ends the day before it starts.

    1 April 2025 to 31 March 2026 gives 1 April 2024 to 31 March 2025; a quarter gives the 91 or 92
    days before it, which need not be the previous calendar quarter.
    """
    length = (period[1] - period[0]).days
    end = period[0] - timedelta(days=1)
    return end - timedelta(days=length), end


def rows_in_period(frame: pd.DataFrame, column: str, period: tuple[date, date]) -> pd.DataFrame:
    """The rows of ``frame`` whose date in ``column`` falls in ``period``, any time on its last day included.

    Dates that cannot be read (blank, malformed) are in no period.
    """
    when = pd.to_datetime(frame[column], errors="coerce")
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1]) + pd.Timedelta(days=1)
    return frame[((when >= start) & (when < end)).to_numpy()]


def episodes_open_during(episodes: pd.DataFrame, period: tuple[date, date]) -> np.ndarray:
    """True for each 903 episode open on any day of ``period``, short breaks aside: a boolean array.

    An episode is open from ``DECOM`` to ``DEC`` (both included; no ``DEC``: still open; an unreadable
    ``DECOM``: never). Short breaks (``LS`` V3, V4) are left out, as the DfE leaves children looked
    after only under short breaks out of those looked after during the year.
    """
    decom = pd.to_datetime(episodes["DECOM"], errors="coerce")
    dec = (
        pd.to_datetime(episodes["DEC"], errors="coerce")
        if "DEC" in episodes
        else pd.Series(pd.NaT, index=episodes.index)
    )
    ls = episodes["LS"].astype(str).str.upper() if "LS" in episodes else pd.Series("", index=episodes.index)
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    return ((decom <= end) & (dec.isna() | (dec >= start)) & ~ls.isin(SHORT_BREAK_LS)).to_numpy(dtype=bool)


def children_looked_after_during(episodes: pd.DataFrame, period: tuple[date, date]) -> int | None:
    """Distinct children (``CHILD``) with a 903 episode open on any day of ``period``; None without episodes.

    Episodes as :func:`episodes_open_during` counts them: the denominator of "% of children looked after
    with a missing episode".
    """
    if episodes is None or episodes.empty or "DECOM" not in episodes:
        return None
    return int(episodes.loc[episodes_open_during(episodes, period), "CHILD"].nunique())
