"""The analysis a briefing pack's sections share, run once per pack and only when a section asks for it.

Placements enriched with their locations and distances, missing episodes joined with the missing
team's log, the snapshot of placements on the period's last day; and what one section leaves for a
later one (the pack's hotspots, for the links between them).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.missing import missing_episodes
from analysis.periods import rows_in_period
from analysis.placements import add_placement_location, placements_on
from reports.pack import period_text

__all__ = ["BriefingContext"]


class BriefingContext:
    """Everything the sections share, computed once.

    Parameters
    ----------
    dataset : data.dataset.Dataset
    la_code : the responsible authority's GSS code.
    period, previous : (first day, last day) of the pack's period and of the one it is compared with.
    index : a ``geo.postcodes.PostcodeIndex``.
    """

    def __init__(self, dataset, la_code: str, period: tuple[date, date], previous: tuple[date, date], index):
        self.dataset = dataset
        self.la_code = la_code
        self.period = period
        self.previous = previous
        self.period_text = period_text(period)
        self.previous_text = period_text(previous)
        self.index = index
        self._enriched: pd.DataFrame | None = None
        self._missing: pd.DataFrame | None = None
        self.places = None  # marked places of concern (analysis.places_of_concern), positions only used
        self.hotspots: tuple | None = None  # (located episodes, hotspots shown, each episode's hotspot id) once found

    def enriched(self) -> pd.DataFrame:
        """The 903 episodes with placement location and distance (:func:`analysis.placements.add_placement_location`)."""
        if self._enriched is None:
            self._enriched = add_placement_location(self.dataset.episodes, self.la_code, index=self.index)
        return self._enriched

    def missing(self) -> pd.DataFrame:
        """Every missing episode (:func:`analysis.missing.missing_episodes`), whatever its dates."""
        if self._missing is None:
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
        """The missing episodes starting (``MIS_START``) in ``period``."""
        return rows_in_period(self.missing(), "MIS_START", period)

    def snapshot(self) -> pd.DataFrame:
        """Placements open on the period's last day (:func:`analysis.placements.placements_on`)."""
        return placements_on(self.enriched(), pd.Timestamp(self.period[1]))
