"""The 903 collection year (1 April to 31 March) and the period a dataset covers.

A 903 return counts the year that ends on 31 March (the 2026 return is 1 April 2025 to 31 March 2026).
The app offers snapshot dates and trend ranges within :func:`data_period` and proposes
:func:`last_full_year` as a briefing pack's period.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from data.dataset import Dataset

__all__ = ["collection_year", "data_period", "last_full_year", "year_end_on_or_after"]

YEAR_END_MONTH, YEAR_END_DAY = 3, 31  # a collection year ends on 31 March
YEAR_START_MONTH, YEAR_START_DAY = 4, 1


def collection_year(end_year: int) -> tuple[date, date]:
    """First and last day of the collection year that ends on 31 March ``end_year``."""
    return date(end_year - 1, YEAR_START_MONTH, YEAR_START_DAY), date(end_year, YEAR_END_MONTH, YEAR_END_DAY)


def year_end_on_or_after(on: pd.Timestamp) -> pd.Timestamp:
    """The 31 March on or after ``on`` (the end of the collection year that holds it)."""
    year = on.year if on.month <= YEAR_END_MONTH else on.year + 1
    return pd.Timestamp(year=year, month=YEAR_END_MONTH, day=YEAR_END_DAY)


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
