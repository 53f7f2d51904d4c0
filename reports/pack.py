"""A briefing pack's content model: sections of text, disclosure-controlled tables and figures.

:mod:`reports.briefing` and its section modules fill it; :mod:`reports.briefing_html` and
:mod:`reports.briefing_pdf` draw it. The notes every pack carries, and how a pack writes a period, are
written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from analysis.disclosure import SMALL_NUMBER_MAX

__all__ = [
    "CLASSIFICATION",
    "SUPPRESSION_NOTE",
    "SYNTHETIC_NOTE",
    "TextBlock",
    "TableBlock",
    "FigureBlock",
    "Section",
    "Block",
    "period_text",
]

CLASSIFICATION = "OFFICIAL-SENSITIVE"
SUPPRESSION_NOTE = (
    f"Small numbers (1-{SMALL_NUMBER_MAX}) are suppressed and shown as c; where a total would reveal "
    "a suppressed number, another number in the same row or column is also shown as c, and so is any figure "
    "worked out from a suppressed number (its episodes, a percentage, a median). "
    "Zero means none recorded. x means not known."
)
SYNTHETIC_NOTE = "SYNTHETIC DATA: made-up children for demonstration, not real records."


def period_text(period: tuple[date, date]) -> str:
    """``(date(2025, 4, 1), date(2026, 3, 31))`` -> "01 April 2025 to 31 March 2026"."""
    return f"{period[0]:%d %B %Y} to {period[1]:%d %B %Y}"


@dataclass
class TextBlock:
    text: str


@dataclass
class TableBlock:
    """A disclosure-controlled table (every cell text) with what a reader needs to read it."""

    title: str
    frame: pd.DataFrame
    definition: str
    period: str
    denominator: str
    count_columns: list[str] = field(default_factory=list)  # child/episode counts, for checks


@dataclass
class FigureBlock:
    title: str
    png: bytes
    definition: str
    period: str
    denominator: str


Block = TextBlock | TableBlock | FigureBlock


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    available: bool = True
    reason: str = ""  # why the section is not available, when it is not
