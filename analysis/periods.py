"""Periods of time, as the app and the reports count them: first and last day, both included.

A period is a ``(first day, last day)`` pair of :class:`datetime.date`.

* The 903 collection year runs from 1 April to 31 March (the 2026 return is 1 April 2025 to 31 March
  2026). The app offers snapshot dates and trend ranges within :func:`data_period` and proposes
  :func:`last_full_year` as a briefing pack's period.
* The rules a briefing pack states on its pages: a period cannot end before it starts; "the previous
  period" is the same number of days just before; an episode is in a period when it starts in it; a
  child is looked after during a period when one of their 903 episodes is open on any of its days
  (short breaks aside).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data.dataset import Dataset
from data.schemas import (
    SHORT_BREAK_LS,
    YEAR_END_DAY,
    YEAR_END_MONTH,
    collection_year,
    collection_year_holding,
)

__all__ = [
    "year_end_on_or_after",
    "data_period",
    "last_full_year",
    "as_period",
    "previous_period",
    "rows_in_period",
    "episodes_open_during",
    "children_looked_after_during",
]


def year_end_on_or_after(on: pd.Timestamp) -> pd.Timestamp:
    """The 31 March on or after ``on`` (the end of the collection year that holds it)."""
    return pd.Timestamp(collection_year_holding(on.date())[1])


def data_period(episodes: pd.DataFrame | None, *, today: date | None = None) -> tuple[date, date]:
    """First and last day covered by the episodes.

    Parameters
    ----------
    episodes : 903 episodes with ``DECOM`` (episode start) and optionally ``DEC`` (episode end), dates.
    today : the day to answer with when there are no episode dates; default the real today.

    Returns
    -------
    (first, last) : the earliest ``DECOM``, and the 31 March on or after the latest ``DECOM`` or ``DEC``
        (a period runs to the end of a collection year). Without any ``DECOM``, the first day is one
        year before that 31 March; without any date at all, both are ``today``.
    """
    today = today or date.today()
    if episodes is None or episodes.empty or "DECOM" not in episodes:
        return today, today
    starts = pd.to_datetime(episodes["DECOM"], errors="coerce")
    start = starts.min()
    ends = [starts.max()]
    if "DEC" in episodes:
        ends.append(pd.to_datetime(episodes["DEC"], errors="coerce").max())
    seen = [e for e in ends if pd.notna(e)]
    if not seen:
        return today, today
    march = year_end_on_or_after(max(seen))
    if pd.isna(start):
        start = march - pd.DateOffset(years=1)
    return start.date(), march.date()


def last_full_year(dataset: Dataset, *, today: date | None = None) -> tuple[date, date]:
    """The last complete collection year in the data: 1 April to 31 March, ending on or before its latest date.

    The latest date is the latest episode start or end, or missing episode start, in the loaded tables
    (``Dataset.latest_date``); without any, ``today`` (default the real today). Data that never reaches
    a 31 March (its episodes start after the last one) gives the year ending on the next one.
    """
    today = today or date.today()
    latest = dataset.latest_date()
    if pd.isna(latest):
        latest = pd.Timestamp(today)
    end_year = latest.year if (latest.month, latest.day) >= (YEAR_END_MONTH, YEAR_END_DAY) else latest.year - 1
    if collection_year(end_year)[1] < data_period(dataset.episodes, today=today)[0]:
        end_year += 1  # no 31 March in the data: the year that holds it
    return collection_year(end_year)


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
