"""analysis.periods: the 903 collection year (1 April to 31 March) and the period a dataset covers."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.periods import collection_year, data_period, last_full_year, year_end_on_or_after
from data.dataset import Dataset

TODAY = date(2025, 6, 1)  # stands for the real today where the data have no date


def _episodes(decom: list, dec: list | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"CHILD": [str(i) for i in range(len(decom))], "DECOM": pd.to_datetime(decom)})
    if dec is not None:
        frame["DEC"] = pd.to_datetime(dec)
    return frame


def test_a_collection_year_runs_from_1_april_to_31_march():
    assert collection_year(2026) == (date(2025, 4, 1), date(2026, 3, 31))
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
