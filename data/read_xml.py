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

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd

from data.raw_table import MAX_COLUMNS, FileRejected, RawTable, file_year, too_wide_message
from data.schemas import EPISODES_COLUMNS, HEADER_COLUMNS, MISSING_COLUMNS

__all__ = ["read_xml_tables", "XML_ROOT"]

XML_ROOT = "EXPSSDA903"
_RENAME = {"CHILDID": "CHILD", "PL": "PLACE"}


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def read_xml_tables(name: str, text: str) -> list[RawTable]:
    """Header, Episodes and Missing raw tables of a 903 XML file."""
    head = text[:4096].upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in text.upper():
        # 903 XML never declares entities; refusing them closes the door on entity-expansion attacks.
        raise FileRejected("this XML declares a DOCTYPE or entities, which a 903 return never does: refused")
    # The text is decoded already (UTF-16 files included): the declaration's encoding no longer applies.
    body = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff").lstrip())
    try:
        root = ET.fromstring(body.encode("utf-8"))
    except (ET.ParseError, LookupError, ValueError) as exc:
        raise FileRejected(f"this XML file is not well formed ({exc})") from None
    if root.tag.upper() != XML_ROOT:
        raise FileRejected(
            f"this XML is not a 903 return: its root element is <{root.tag[:40]}>, expected <{XML_ROOT}>"
        )

    header_rows, episode_rows, missing_rows = [], [], []
    extra_header, extra_episode = [], []
    seen_header, seen_episode = set(HEADER_COLUMNS), set(EPISODES_COLUMNS)
    for number, child in enumerate(root.iter("CHILD"), start=1):
        # A CHILD inside another would credit its episodes to the outer child, and reading it again
        # for every level would take time growing with the square of the depth: refused.
        inner = child.find(".//CHILD")
        if inner is not None:
            raise FileRejected(
                f"CHILD element {number} (Header row {number}"
                f"{', CHILDID ' + repr(_text(child, 'HEADER/CHILDID')[:20]) if _text(child, 'HEADER/CHILDID') else ''}) "
                "holds another CHILD element inside it; in a 903 return each CHILD is separate: refused"
            )
        header = child.find("HEADER")
        if header is None:
            header_rows.append({"CHILD": ""})
            continue
        row = {}
        for element in header:
            tag = _RENAME.get(element.tag, element.tag)
            if len(element) == 0 and tag not in ("AMISSING",):
                if tag in row:
                    continue
                row[tag] = (element.text or "").strip()
                if tag not in seen_header:
                    seen_header.add(tag)
                    extra_header.append(tag)
        header_rows.append(row)
        for missing in header.iter("AMISSING"):
            missing_rows.append(
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
                    if tag not in seen_episode:
                        seen_episode.add(tag)
                        extra_episode.append(tag)
            episode_rows.append(ep)
        if len(seen_header) > MAX_COLUMNS or len(seen_episode) > MAX_COLUMNS:
            raise FileRejected(
                too_wide_message(
                    max(len(seen_header), len(seen_episode)),
                    where="the HEADER or EPISODE elements hold",
                    advice="this is not a 903 return as the DfE specifies it",
                )
            )

    if not header_rows:
        raise FileRejected(f"this {XML_ROOT} file holds no CHILD elements")
    year = file_year(name)
    tables = []
    for kind, rows, columns in (
        ("header", header_rows, HEADER_COLUMNS + extra_header),
        ("episodes", episode_rows, EPISODES_COLUMNS + extra_episode),
        ("missing", missing_rows, MISSING_COLUMNS),
    ):
        frame = (
            pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
            if rows
            else pd.DataFrame(columns=columns, dtype=object)
        )
        label = f"{name} [{kind.capitalize()}]"
        table = RawTable(label, frame, np.arange(1, len(rows) + 1, dtype=np.int64), year=year, kind=kind)
        if kind == "header" or rows:
            tables.append(table)
    return tables
