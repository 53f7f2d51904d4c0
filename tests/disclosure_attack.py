"""A determined panel member's attack on everything a panel sees, as a reusable test harness.

Collect what each view shows as :class:`Shown` tables, then ask :func:`attack` for findings; an
empty list means that no suppressed ("c") figure can be worked out from what is shown. It uses
only what a reader sees (never the true numbers), as a reader would:

1. no count of 1-5 is shown;
2. in every table with a total row ("All", "Total", ...) and in every declared :class:`Relation`
   (a figure that is the sum of others, on any screen or in any pack): subtracting the shown parts
   from a shown total must not give one hidden part (one hidden in the line) nor a group of 1-5
   children (hidden parts adding up to 1-5); a hidden total must not be the sum of shown parts;
3. a figure worked out from the same children as a hidden count (:data:`LINKS`: episodes of the
   children in a band, a percentage, a median) is hidden with it;
4. the same figure (table title, row, column) is never hidden in one view and shown in another:
   that is how differencing across filter choices, tabs, focus choices and packs shows up.

Adding an output is one line: ``tables += app_tables(at, "Journeys")`` for a page run in AppTest,
``pack_tables(pack, "MASE, quarter")`` for a briefing pack, or ``Shown(view, title, frame)`` by
hand; relations between outputs go in as ``Relation(total=key, parts=[keys])``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.disclosure import SMALL_NUMBER_MAX, SUPPRESSED

TOTAL_LABELS = frozenset({"All", "Total", "All authorities loaded"})
# Columns whose whole numbers are not counts of children or episodes (homes, places, grid cells, ids).
NOT_COUNTS = frozenset(
    {
        "Hotspot",
        "Places",
        "Registered places",
        "Homes",
        "Homes listed here",
        "Homes in our area",
        "Grid cells",
        "Authorities",
        "Miles from our boundary",
        "Median miles",
        "Own data loaded",
        "Inside our area",
        "Weekly cost per child",
        "Trend",
        "Definition",
        "Measure",
        "Net (in - out)",
        "Balance",
    }
)
# Figures worked out from the same children as a count in their row: hidden whenever that count is.
LINKS = {
    "Episodes": "Children",
    "Median miles": "Children",
    "% outside the authority": "Children",
    "% over 20 miles": "Children",
    "Weekly cost": "Children",
    "Annual cost": "Children",
    "% of cost": "Children",
    "% of children": "Children",
    "Net (in - out)": "Children placed in other authorities",
    "Median miles from home": "Children looked after",
}
_COUNT_TEXT = re.compile(r"^[0-9][0-9,]*$")
Key = tuple  # (table title, row label, column)


@dataclass
class Shown:
    """One table as a view shows it: every cell text, the first column (or ``label``) naming the rows."""

    view: str
    title: str
    frame: pd.DataFrame
    label: str | None = None
    not_counts: frozenset = field(default_factory=frozenset)

    @property
    def label_column(self) -> str:
        return self.label or str(self.frame.columns[0])


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (figure keys: table title, row label, column)."""

    total: Key
    parts: tuple


def _number(text) -> float | None:
    """A shown count as a number, None for "c", NaN for anything that is not a count."""
    text = str(text).strip()
    if text == SUPPRESSED:
        return None
    if _COUNT_TEXT.match(text):
        return float(text.replace(",", ""))
    return float("nan")


def _may_count(table: Shown, column) -> bool:
    """False for the label, known non-counts and percentages, medians and costs (checked through LINKS)."""
    name = str(column)
    if name == table.label_column or name in NOT_COUNTS or name in table.not_counts:
        return False
    return not ("%" in name or "median" in name.lower() or "cost" in name.lower())


def count_columns(table: Shown) -> list[str]:
    """Columns of counts: every cell a whole number, "c", "x" or blank, and not a known non-count."""
    out = []
    for column in table.frame.columns:
        if not _may_count(table, column):
            continue
        values = [str(v).strip() for v in table.frame[column].tolist()]
        if values and all(v in (SUPPRESSED, "x", "", "-") or _COUNT_TEXT.match(v) for v in values):
            if any(_COUNT_TEXT.match(v) or v == SUPPRESSED for v in values):
                out.append(column)
    return out


def figures(tables: list[Shown]) -> dict[Key, set[str]]:
    """Every shown figure by key, with the texts it has in the views that show it."""
    out: dict[Key, set[str]] = {}
    for table in tables:
        labels = _unique(table.frame[table.label_column].astype(str).tolist())
        for column in table.frame.columns:
            if column == table.label_column:
                continue
            for label, text in zip(labels, table.frame[column].tolist()):
                out.setdefault((table.title, label, str(column)), set()).add(str(text).strip())
    return out


def _unique(labels: list[str]) -> list[str]:
    """Row labels made unique (two homes may share a name): "name", "name #2", ..."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def _known(texts: set[str] | None) -> float | None:
    """What a reader knows of a figure: its number if any view shows it, None if hidden or never shown."""
    for text in texts or ():
        value = _number(text)
        if value is not None and value == value:
            return value
    return None


def _line_findings(name: str, total: float | None, total_hidden: bool, parts: list[float | None]) -> list[str]:
    hidden = [p for p in parts if p is None]
    if total is not None:
        rest = total - sum(p for p in parts if p is not None)
        if len(hidden) == 1:
            return [f"{name}: the one hidden part is {rest:g} (total less the shown parts)"]
        if hidden and 1 <= rest <= SMALL_NUMBER_MAX:
            return [f"{name}: the {len(hidden)} hidden parts add up to {rest:g} children"]
    elif total_hidden and parts and not hidden:
        return [f"{name}: the hidden total is {sum(parts):g}, the sum of its shown parts"]
    return []


def attack(tables: list[Shown], relations=()) -> list[str]:
    """Every way found to work out a hidden figure or a group of 1-5 from what is shown ([] if none)."""
    findings: list[str] = []
    known_texts = figures(tables)
    for table in tables:
        where = f"{table.view} / {table.title}"
        frame = table.frame.astype(object)
        labels = frame[table.label_column].astype(str).tolist()
        counts = count_columns(table)
        for column in [c for c in frame.columns if _may_count(table, c)]:  # 1. no count of 1-5
            for label, text in zip(labels, frame[column].tolist()):
                value = _number(text)
                if value is not None and value == value and 1 <= value <= SMALL_NUMBER_MAX:
                    findings.append(f"{where}: {label} / {column} shows {text}")
        totals = [i for i, label in enumerate(labels) if label in TOTAL_LABELS]
        if len(totals) == 1:  # 2. the table's own lines
            t = totals[0]
            for column in counts:
                texts = frame[column].tolist()
                parts = [_number(v) for i, v in enumerate(texts) if i != t]
                parts = [p for p in parts if p is None or p == p]
                total = _number(texts[t])
                findings += _line_findings(f"{where} / {column}", total, total is None, parts)
        for linked, base in LINKS.items():  # 3. linked cells
            if linked in frame.columns and base in frame.columns:
                for label, b, v in zip(labels, frame[base].tolist(), frame[linked].tolist()):
                    if str(b).strip() == SUPPRESSED and str(v).strip() not in (SUPPRESSED, "", "x", "-"):
                        findings.append(f"{where}: {label} / {linked} shows {v} while {base} is hidden")
    for key, texts in known_texts.items():  # 4. the same figure hidden here, shown there
        if SUPPRESSED in texts and _known(texts) is not None:
            findings.append(f"{' / '.join(key)}: hidden in one view, {sorted(texts)} across views")
    for relation in relations:  # 2. lines across views and outputs
        total_texts = known_texts.get(relation.total)
        parts = [_known(known_texts.get(k)) for k in relation.parts]
        total = _known(total_texts)
        findings += _line_findings(
            f"{' / '.join(relation.total)} = sum of {len(relation.parts)}",
            total,
            total is None and bool(total_texts),
            parts,
        )
    return findings


# ---------------------------------------------------------------- collecting what a view shows
def app_tables(at, view: str) -> list[Shown]:
    """The tables and headline tiles an AppTest run of a page shows."""
    tables = [
        Shown(view, " | ".join(map(str, d.value.columns)), d.value.astype(str).reset_index(drop=True))
        for d in at.dataframe
    ]
    tiles = [(m.label, str(m.value)) for m in at.metric]
    if tiles:
        tables.append(Shown(view, f"headline tiles ({view})", pd.DataFrame(tiles, columns=["Measure", "Figure"])))
    return tables


def pack_tables(pack, view: str) -> list[Shown]:
    """The tables of a briefing pack (reports.briefing_model.Briefing)."""
    return [Shown(view, block.title, block.frame.astype(str).reset_index(drop=True)) for block in pack.tables()]
