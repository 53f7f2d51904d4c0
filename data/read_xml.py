"""The XML form of the 903 return (root ``EXPSSDA903``) as raw tables.

Layout (as the published validator reads it): one ``CHILD`` element per child;
``CHILD/HEADER`` holds CHILDID, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB and
repeating ``AMISSING`` elements (MISSING, MIS_START, MIS_END); repeating
``CHILD/EPISODE`` elements hold the episode fields with the placement type in
``PL``. We rename CHILDID to CHILD and PL to PLACE, as the validator does.

``SOURCE_ROW`` for XML is the record's position among the elements of its
kind in document order: the n-th CHILD for Header (the CHILD element's
order), the n-th EPISODE for Episodes, the n-th AMISSING for Missing. Every
record then has its own number, so rows read = used + set aside still holds.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from data.raw_table import MAX_COLUMNS, MAX_ROWS, FileRejected, RawTable, file_year, too_long_message, too_wide_message
from data.schemas import EPISODES_COLUMNS, HEADER_COLUMNS, MISSING_COLUMNS

__all__ = ["read_xml_tables", "XML_ROOT"]

XML_ROOT = "EXPSSDA903"
# Elements inside one CHILD: a child's record is a header, a few dozen episodes and missing episodes,
# each of about fifteen fields, so hundreds. A CHILD is held whole until it closes: this bounds that.
MAX_CHILD_ELEMENTS = 100_000
_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


class _Rows:
    """The rows of the three tables, added one CHILD element at a time, with the element names seen."""

    def __init__(self) -> None:
        self.header: list[dict] = []
        self.episodes: list[dict] = []
        self.missing: list[dict] = []
        self.extra_header: list[str] = []
        self.extra_episode: list[str] = []
        self._seen_header, self._seen_episode = set(HEADER_COLUMNS), set(EPISODES_COLUMNS)

    def add_child(self, child: ET.Element) -> None:
        header = child.find("HEADER")
        if header is None:
            self.header.append({"CHILD": ""})
        else:
            row = {}
            for element in header:
                tag = _RENAME.get(element.tag, element.tag)
                if len(element) == 0 and tag not in ("AMISSING",):
                    if tag in row:
                        continue
                    row[tag] = (element.text or "").strip()
                    if tag not in self._seen_header:
                        self._seen_header.add(tag)
                        self.extra_header.append(tag)
            self.header.append(row)
            for missing in header.iter("AMISSING"):
                self.missing.append(
                    {
                        "CHILD": row.get("CHILD", ""),
                        "DOB": row.get("DOB", ""),
                        "MISSING": _text(missing, "MISSING"),
                        "MIS_START": _text(missing, "MIS_START"),
                        "MIS_END": _text(missing, "MIS_END"),
                    }
                )
            for episode in child.iter("EPISODE"):
                ep = {"CHILD": row.get("CHILD", "")}
                for element in episode:
                    tag = _RENAME.get(element.tag, element.tag)
                    if len(element) == 0 and tag not in ep:
                        ep[tag] = (element.text or "").strip()
                        if tag not in self._seen_episode:
                            self._seen_episode.add(tag)
                            self.extra_episode.append(tag)
                self.episodes.append(ep)
        if len(self._seen_header) > MAX_COLUMNS or len(self._seen_episode) > MAX_COLUMNS:
            raise FileRejected(
                too_wide_message(
                    max(len(self._seen_header), len(self._seen_episode)),
                    where="the HEADER or EPISODE elements hold",
                    advice="this is not a 903 return as the DfE specifies it",
                )
            )
        longest = max(len(self.header), len(self.episodes), len(self.missing))
        if longest > MAX_ROWS:
            raise FileRejected(too_long_message(longest, what="CHILD, EPISODE or AMISSING records"))


def read_xml_tables(name: str, text: str) -> list[RawTable]:
    """Header, Episodes and Missing raw tables of a 903 XML file.

    Read as a stream: each CHILD element is turned into rows when it closes and then dropped, so memory
    grows with the rows read, not with the elements (the whole tree took about 100 bytes per element:
    650 MB for a 20 MB file of five million empty elements, now 180 MB). Rows are bounded by MAX_ROWS
    and the elements of one CHILD by MAX_CHILD_ELEMENTS.
    """
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        # 903 XML never declares entities; refusing them closes the door on entity-expansion attacks.
        raise FileRejected("this XML declares a DOCTYPE or entities, which a 903 return never does: refused")
    # The text is decoded already (UTF-16 files included): the declaration's encoding no longer applies.
    body = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff").lstrip())
    rows = _Rows()
    path: list[ET.Element] = []  # the open elements, from the root down
    depth = 0  # CHILD elements open: more than one is a CHILD inside another
    number = outer = 0  # CHILD elements begun so far (document order), and the open outermost one's number
    inside = 0  # elements begun inside the open outermost CHILD
    nested = False
    try:
        for event, element in ET.iterparse(io.BytesIO(body.encode("utf-8")), events=("start", "end")):
            if event == "start":
                if not path and element.tag.upper() != XML_ROOT:
                    raise FileRejected(
                        f"this XML is not a 903 return: its root element is <{element.tag[:40]}>, expected <{XML_ROOT}>"
                    )
                path.append(element)
                if element.tag == "CHILD":
                    number += 1
                    outer = outer if depth else number
                    nested = nested or depth > 0
                    inside = inside if depth else 0
                    depth += 1
                if depth:
                    inside += 1
                    if inside > MAX_CHILD_ELEMENTS:
                        raise FileRejected(
                            f"CHILD element {outer} (Header row {outer}) holds over {MAX_CHILD_ELEMENTS:,} elements "
                            "(MAX_CHILD_ELEMENTS); a child's 903 record holds hundreds: refused"
                        )
                continue
            path.pop()
            if element.tag == "CHILD":
                depth -= 1
                if depth:
                    continue  # read with the CHILD it is inside
                if nested:
                    # Its episodes would be credited to the outer child: refused, naming the outer one.
                    childid = _text(element, "HEADER/CHILDID")
                    raise FileRejected(
                        f"CHILD element {outer} (Header row {outer}"
                        f"{', CHILDID ' + repr(childid[:20]) if childid else ''}) "
                        "holds another CHILD element inside it; in a 903 return each CHILD is separate: refused"
                    )
                rows.add_child(element)
            if not depth and path:
                del path[-1][-1]  # read: dropped from its parent (it is always the parent's last element so far)
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise FileRejected(f"this XML file is not well formed ({exc})") from None
    if not rows.header:
        raise FileRejected(f"this {XML_ROOT} file holds no CHILD elements")
    year = file_year(name)
    tables = []
    for kind, records, columns in (
        ("header", rows.header, HEADER_COLUMNS + rows.extra_header),
        ("episodes", rows.episodes, EPISODES_COLUMNS + rows.extra_episode),
        ("missing", rows.missing, MISSING_COLUMNS),
    ):
        frame = (
            pd.DataFrame(records, columns=columns, dtype=object).fillna("")
            if records
            else pd.DataFrame(columns=columns, dtype=object)
        )
        label = f"{name} [{kind.capitalize()}]"
        table = RawTable(label, frame, np.arange(1, len(records) + 1, dtype=np.int64), year=year, kind=kind)
        if kind == "header" or records:
            tables.append(table)
    return tables
