"""The loaded inputs of one analysis, as one object the layers below the UI pass around."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data.quality import QualityReport

__all__ = ["Dataset"]

# The dates that say how far a dataset runs: (table, column) of episode start and end, missing episode start.
_RUNS_TO = (("episodes", "DECOM"), ("episodes", "DEC"), ("missing", "MIS_START"), ("missing_log", "MIS_START"))


@dataclass
class Dataset:
    """Everything read from a council's files (or the synthetic demo).

    Tables keep the input's column names (upper case, as in the 903) with dates
    parsed to ``datetime64``, postcodes as given, and two added columns,
    ``SOURCE_FILE`` and ``SOURCE_ROW``, that point back to the input line.
    Rows that were set aside are not in these tables; they are in ``quality``.

    Pooled multi-council files keep their ``LA`` and ``YEAR`` columns; ``LA``
    is then resolved to a GSS code in ``LA_CODE``.
    """

    header: pd.DataFrame = field(default_factory=pd.DataFrame)
    episodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing: pd.DataFrame = field(default_factory=pd.DataFrame)  # 903 Missing table
    uasc: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_log: pd.DataFrame = field(default_factory=pd.DataFrame)  # the missing team's own log
    homes: pd.DataFrame = field(default_factory=pd.DataFrame)  # children's homes register
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)  # weekly cost by placement group
    quality: QualityReport = field(default_factory=QualityReport)
    la_code: str | None = None  # the responsible authority (GSS), when known
    synthetic: bool = False  # True for the demo: every view must say so
    label: str = ""  # how the UI names this dataset, e.g. "Synthetic demo: Kent"
    snapshot_id: int | None = None  # the published snapshot this is (store/), None for files or the demo

    def latest_date(self) -> pd.Timestamp:
        """The latest episode start or end, or missing episode start (903 Missing table or the missing team's
        log), in the loaded tables; NaT when there is none."""
        latest = pd.NaT
        for table, column in _RUNS_TO:
            frame = getattr(self, table)
            if frame is not None and column in getattr(frame, "columns", ()):
                seen = pd.to_datetime(frame[column], errors="coerce").max()
                if pd.notna(seen) and (pd.isna(latest) or seen > latest):
                    latest = seen
        return latest
