"""analysis.periods: the 903 collection year, the period a dataset covers, and periods as the packs count them."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.periods import (
    as_period,
    children_looked_after_during,
    data_period,
    last_full_year,
    previous_period,
    rows_in_period,
    year_end_on_or_after,
)
from analysis.regional import children_looked_after_by_authority
from data.dataset import Dataset
from data.schemas import collection_year, collection_year_holding

TODAY = date(2025, 6, 1)  # stands for the real today where the data have no date


def _episodes(decom: list, dec: list | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"CHILD": [str(i) for i in range(len(decom))], "DECOM": pd.to_datetime(decom)})
    if dec is not None:
        frame["DEC"] = pd.to_datetime(dec)
    return frame


def test_a_collection_year_runs_from_1_april_to_31_march():
    assert collection_year(2026) == (date(2025, 4, 1), date(2026, 3, 31))
    assert collection_year_holding(date(2025, 3, 31)) == (date(2024, 4, 1), date(2025, 3, 31))
    assert collection_year_holding(date(2025, 4, 1)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert collection_year_holding(date(2024, 2, 29)) == (date(2023, 4, 1), date(2024, 3, 31))
    assert year_end_on_or_after(pd.Timestamp(2025, 3, 31)) == pd.Timestamp(2025, 3, 31)
    assert year_end_on_or_after(pd.Timestamp(2025, 1, 15)) == pd.Timestamp(2025, 3, 31)
    assert year_end_on_or_after(pd.Timestamp(2025, 4, 1)) == pd.Timestamp(2026, 3, 31)


def test_data_of_one_year_ending_31_march():
    episodes = _episodes(["2024-04-01", "2024-10-20", "2025-03-31"], [None, "2025-01-05", None])
    dataset = Dataset(episodes=episodes)
    assert data_period(episodes, today=TODAY) == (date(2024, 4, 1), date(2025, 3, 31))
    assert last_full_year(dataset, today=TODAY) == (date(2024, 4, 1), date(2025, 3, 31))


def test_data_spanning_two_years_end_on_the_next_31_march_and_offer_the_last_full_year():
    episodes = _episodes(["2023-06-15", "2024-05-01"], ["2023-09-01", "2025-01-10"])
    assert data_period(episodes, today=TODAY) == (date(2023, 6, 15), date(2025, 3, 31))
    # The latest date is 10 January 2025: the last year complete by then ended on 31 March 2024.
    assert last_full_year(Dataset(episodes=episodes), today=TODAY) == (date(2023, 4, 1), date(2024, 3, 31))


def test_an_episode_end_after_the_last_start_extends_the_period():
    episodes = _episodes(["2024-05-01"], ["2025-04-02"])
    assert data_period(episodes, today=TODAY) == (date(2024, 5, 1), date(2026, 3, 31))
    assert last_full_year(Dataset(episodes=episodes), today=TODAY) == (date(2024, 4, 1), date(2025, 3, 31))


def test_a_missing_episode_after_the_last_placement_date_counts_for_the_last_full_year():
    episodes = _episodes(["2023-11-10"], ["2025-02-01"])
    log = pd.DataFrame({"CHILD": ["0"], "MIS_START": pd.to_datetime(["2025-04-02 21:30"])})
    assert last_full_year(Dataset(episodes=episodes), today=TODAY) == (date(2023, 4, 1), date(2024, 3, 31))
    assert last_full_year(Dataset(episodes=episodes, missing_log=log), today=TODAY) == (
        date(2024, 4, 1),
        date(2025, 3, 31),
    )
    assert Dataset(episodes=episodes, missing_log=log).latest_date() == pd.Timestamp("2025-04-02 21:30")


def test_data_that_never_reach_a_31_march_give_the_year_that_holds_them():
    episodes = _episodes(["2025-05-01", "2025-09-01"])
    assert data_period(episodes, today=TODAY) == (date(2025, 5, 1), date(2026, 3, 31))
    assert last_full_year(Dataset(episodes=episodes), today=TODAY) == (date(2025, 4, 1), date(2026, 3, 31))


def test_episode_ends_without_starts_give_a_year_back_from_the_31_march():
    episodes = _episodes([None, None], ["2024-12-01", "2025-02-01"])
    assert data_period(episodes, today=TODAY) == (date(2024, 3, 31), date(2025, 3, 31))


def test_empty_data_give_today_and_the_collection_year_holding_it():
    for episodes in (None, pd.DataFrame(), pd.DataFrame({"CHILD": ["1"]}), _episodes([None])):
        assert data_period(episodes, today=TODAY) == (TODAY, TODAY)
    assert Dataset().latest_date() is pd.NaT
    assert last_full_year(Dataset(), today=TODAY) == (date(2025, 4, 1), date(2026, 3, 31))


def test_as_period_gives_dates_and_refuses_a_period_that_ends_before_it_starts():
    assert as_period(("2025-04-01", pd.Timestamp("2026-03-31 17:30"))) == (date(2025, 4, 1), date(2026, 3, 31))
    assert as_period((date(2025, 4, 1), date(2025, 4, 1))) == (date(2025, 4, 1), date(2025, 4, 1))
    with pytest.raises(ValueError, match="ends before it starts"):
        as_period((date(2025, 4, 2), date(2025, 4, 1)))


@pytest.mark.parametrize(
    "period, previous",
    [
        ((date(2025, 4, 1), date(2026, 3, 31)), (date(2024, 4, 1), date(2025, 3, 31))),
        ((date(2025, 10, 1), date(2025, 12, 31)), (date(2025, 7, 1), date(2025, 9, 30))),
        # 90 days from January to March: the 90 days before, not the calendar quarter.
        ((date(2026, 1, 1), date(2026, 3, 31)), (date(2025, 10, 3), date(2025, 12, 31))),
        ((date(2026, 3, 1), date(2026, 3, 1)), (date(2026, 2, 28), date(2026, 2, 28))),
    ],
)
def test_the_previous_period_has_as_many_days_and_ends_the_day_before(period, previous):
    assert previous_period(period) == previous
    assert (previous[1] - previous[0]) == (period[1] - period[0])


def test_rows_in_period_keeps_the_whole_last_day_and_drops_unreadable_dates():
    frame = pd.DataFrame(
        {
            "MIS_START": [
                "2025-03-31 23:59",  # the day before
                "2025-04-01 00:00",  # the first moment
                "2025-06-30 23:59",  # late on the last day
                "2025-07-01 00:00",  # the day after
                "not a date",
                None,
            ],
            "row": range(6),
        }
    )
    kept = rows_in_period(frame, "MIS_START", (date(2025, 4, 1), date(2025, 6, 30)))
    assert kept["row"].tolist() == [1, 2]
    assert rows_in_period(frame.iloc[:0], "MIS_START", (date(2025, 4, 1), date(2025, 6, 30))).empty


def test_children_looked_after_during_counts_each_child_once_and_leaves_short_breaks_out():
    episodes = pd.DataFrame(
        {
            "CHILD": ["A", "A", "B", "C", "D", "E", "F"],
            "DECOM": ["2024-01-01", "2025-05-01", "2025-06-30", "2025-07-01", "2024-01-01", "2025-05-01", "2025-05-01"],
            "DEC": ["2025-04-01", None, None, None, "2025-03-31", "2025-05-02", "2025-05-09"],
            "LS": ["C2", "C2", "c2", "C2", "C2", "V3", "v4"],
        }
    )
    # A: open on the first day, then again; B: starts on the last day; C: starts the day after;
    # D: ended the day before; E and F: short breaks (any case).
    assert children_looked_after_during(episodes, (date(2025, 4, 1), date(2025, 6, 30))) == 2


def test_children_looked_after_during_without_episodes_is_not_known():
    period = (date(2025, 4, 1), date(2026, 3, 31))
    assert children_looked_after_during(pd.DataFrame(), period) is None
    assert children_looked_after_during(pd.DataFrame({"CHILD": ["A"]}), period) is None
    # No DEC or LS column: every episode is open from its start, none is a short break.
    assert (
        children_looked_after_during(pd.DataFrame({"CHILD": ["A", "B"], "DECOM": ["2020-01-01", "2027-01-01"]}), period)
        == 1
    )


def test_the_region_page_counts_children_looked_after_as_the_packs_do():
    """One rule for both denominators: short breaks are left out on the Region page too."""
    episodes = pd.DataFrame(
        {
            "CHILD": ["A", "B", "C", "D", "E"],
            "LA_CODE": ["E10000016"] * 3 + ["E09000001"] * 2,
            "DECOM": ["2025-05-01", "2025-05-01", "2025-05-01", "2025-05-01", "2024-01-01"],
            "DEC": [None, "2025-05-03", None, None, "2025-03-31"],
            "LS": ["C2", "V3", "C2", "V4", "C2"],
        }
    )
    period = (date(2025, 4, 1), date(2026, 3, 31))
    by_authority = children_looked_after_by_authority(episodes, *period)
    assert by_authority.to_dict() == {"E10000016": 2}
    assert by_authority.sum() == children_looked_after_during(episodes, period)
