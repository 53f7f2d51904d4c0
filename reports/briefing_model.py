"""A finished briefing pack: its front page (title, authority, periods, sources) and its sections.

:func:`reports.briefing.build_briefing` makes one; ``.html`` and ``.to_pdf()`` render the same content
(:mod:`reports.briefing_html`, :mod:`reports.briefing_pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reports.briefing_html import render_html
from reports.pack import FigureBlock, Section, TableBlock, period_text

__all__ = ["Briefing"]


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
        return period_text(self.period)
