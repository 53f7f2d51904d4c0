"""The data-quality report: every input row is either used or set aside with a reason.

Readers and checks add :class:`QualityIssue` records; :class:`QualityReport`
keeps, per file, how many rows were read, used and set aside, so that
``read == used + set aside`` can be shown and tested for every file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["QualityIssue", "QualityReport", "SET_ASIDE", "WARNING", "FILE_ERROR", "REPEATED_RECORD"]

SET_ASIDE = "set aside"  # the row is not used in any figure
WARNING = "warning"  # the row is used, but something in it is doubtful
FILE_ERROR = "file not read"  # the whole file could not be read
# Rule tag of a row set aside because the same record is in a later year's return: expected, not a
# problem, whenever several years are loaded together.
REPEATED_RECORD = "repeat"

ISSUE_COLUMNS = ["file", "table", "row", "column", "value", "reason", "severity", "rule"]
SUMMARY_COLUMNS = ["file", "table", "rows_read", "rows_used", "rows_set_aside", "warnings"]


@dataclass
class QualityIssue:
    """One problem found in an input file.

    ``row`` is the line number a spreadsheet shows (the header is row 1), or
    None for a problem with the whole file. ``rule`` names the published
    validator rule where one applies (e.g. "567").
    """

    file: str
    table: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str = WARNING
    rule: str | None = None


@dataclass
class _FileCount:
    table: str
    rows_read: int = 0
    set_aside_rows: set = field(default_factory=set)


class QualityReport:
    """Issues and row accounting for a set of input files."""

    def __init__(self) -> None:
        self.issues: list[QualityIssue] = []
        self._files: dict[str, _FileCount] = {}

    # --------------------------------------------------------------- recording
    def add_file(self, file: str, table: str, rows_read: int) -> None:
        """Record that ``rows_read`` data rows of ``file`` were read as ``table``."""
        self._files[file] = _FileCount(table=table, rows_read=rows_read)

    def add(self, issue: QualityIssue) -> None:
        self.issues.append(issue)
        if issue.severity == SET_ASIDE and issue.row is not None and issue.file in self._files:
            self._files[issue.file].set_aside_rows.add(issue.row)

    def warn(self, file, table, row, column, value, reason, rule=None) -> None:
        self.add(QualityIssue(file, table, row, column, _text(value), reason, WARNING, rule))

    def set_aside(self, file, table, row, column, value, reason, rule=None) -> None:
        self.add(QualityIssue(file, table, row, column, _text(value), reason, SET_ASIDE, rule))

    def file_error(self, file: str, reason: str, table: str = "unknown") -> None:
        """A file that could not be read at all (wrong type, empty, too big, no known columns)."""
        self.issues.append(QualityIssue(file, table, None, None, None, reason, FILE_ERROR))

    def extend(self, other: "QualityReport") -> None:
        for issue in other.issues:
            self.issues.append(issue)
        for name, count in other._files.items():
            self._files[name] = count

    # --------------------------------------------------------------- reading
    def is_set_aside(self, file: str, row: int) -> bool:
        count = self._files.get(file)
        return bool(count and row in count.set_aside_rows)

    def set_aside_rows(self, file: str) -> set[int]:
        count = self._files.get(file)
        return set(count.set_aside_rows) if count else set()

    def summary(self) -> pd.DataFrame:
        """One row per file: rows read, used, set aside, and the number of warnings."""
        warnings = pd.Series([i.file for i in self.issues if i.severity == WARNING], dtype=object).value_counts()
        rows = []
        for name, count in self._files.items():
            aside = len(count.set_aside_rows)
            rows.append(
                [name, count.table, count.rows_read, count.rows_read - aside, aside, int(warnings.get(name, 0))]
            )
        for issue in self.issues:
            if issue.severity == FILE_ERROR and issue.file not in self._files:
                rows.append([issue.file, issue.table, 0, 0, 0, 0])
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def to_frame(self) -> pd.DataFrame:
        """Every issue, one row each, in the order found; ``row`` a whole number, blank for a file's own issue."""
        frame = pd.DataFrame([vars(i) for i in self.issues], columns=ISSUE_COLUMNS)
        # A file-level issue has no row: without a nullable integer the whole column turns to floats ("3.0").
        return frame.astype({"row": "Int64"})

    def file_counts(self) -> pd.DataFrame:
        """Per file: ``file``, ``table``, ``rows_read`` and the ``set_aside_rows`` (a list), to store a report."""
        return pd.DataFrame(
            [[name, c.table, c.rows_read, sorted(c.set_aside_rows)] for name, c in self._files.items()],
            columns=["file", "table", "rows_read", "set_aside_rows"],
        )

    @classmethod
    def from_frames(cls, issues: pd.DataFrame, files: pd.DataFrame) -> "QualityReport":
        """The report again from :meth:`to_frame` and :meth:`file_counts` (as kept in the store)."""
        report = cls()
        for row in files.itertuples(index=False):
            report._files[str(row.file)] = _FileCount(
                table=str(row.table), rows_read=int(row.rows_read), set_aside_rows={int(r) for r in row.set_aside_rows}
            )
        for record in issues.to_dict("records"):
            record = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in record.items()}
            if record.get("row") is not None:
                record["row"] = int(record["row"])
            fields: dict[str, Any] = {k: record.get(k) for k in ISSUE_COLUMNS}
            report.issues.append(QualityIssue(**fields))
        return report

    def file_errors(self) -> list[QualityIssue]:
        return [i for i in self.issues if i.severity == FILE_ERROR]

    def __len__(self) -> int:
        return len(self.issues)


def _text(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."
