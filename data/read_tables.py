"""Recognise what a raw table is by its columns, and convert its text to typed columns.

Tables are recognised by key columns, not by an exact column list: extra
columns are kept (as text) and absent optional columns are added blank with a
file-level note. Conversions record every doubtful value in the quality report
with file, row, column and value; rows that cannot be used at all (no CHILD, no
start date, no cost) are set aside.

Dates: ``dd/mm/yyyy`` (the return's form; ``d/m/yyyy``, ``-`` and ``.``
separators accepted) or ISO ``yyyy-mm-dd``, either optionally followed by a time
``HH:MM`` or ``HH:MM:SS`` (kept). Two-digit years are refused because the
century cannot be known for a date of birth.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from data import schemas as S
from data.quality import SET_ASIDE, QualityReport
from data.raw_table import RawTable

__all__ = [
    "TABLE_NAMES",
    "TABLE_COLUMNS",
    "recognise_table",
    "not_recognised_message",
    "clean_table",
    "parse_dates",
    "time_out_of_range",
    "parse_flags",
    "parse_money",
]

TABLE_NAMES = {
    "header": "903 Header",
    "episodes": "903 Episodes",
    "missing": "903 Missing",
    "uasc": "903 UASC",
    "missing_log": "missing-team log",
    "homes": "children's homes register",
    "costs": "placement costs",
}
TABLE_COLUMNS = {
    "header": S.HEADER_COLUMNS,
    "episodes": S.EPISODES_COLUMNS,
    "missing": S.MISSING_COLUMNS,
    "uasc": S.UASC_COLUMNS,
    "missing_log": S.MISSING_LOG_COLUMNS,
    "homes": S.HOMES_COLUMNS,
    "costs": S.COSTS_COLUMNS,
}
# Columns that make a row usable: blank or unreadable -> the row is set aside.
KEY_COLUMNS = {
    "header": ["CHILD"],
    "episodes": ["CHILD", "DECOM"],
    "missing": ["CHILD", "MIS_START"],
    "uasc": ["CHILD"],
    "missing_log": ["CHILD", "MIS_START"],
    "homes": [],
    "costs": ["PLACEMENT_GROUP", "WEEKLY_COST"],
}
CODE_COLUMNS = {
    "header": ["SEX", "ETHNIC", "UPN"],
    "episodes": ["RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE", "URN"],
    "missing": ["MISSING"],
    "uasc": ["SEX"],
    "missing_log": ["MISSING"],
    "homes": ["URN", "SECTOR"],
    "costs": [],
}
# Columns only the missing-team log has; any one of them (with CHILD and MIS_START) tells it from the 903 Missing table.
LOG_MARKERS = {
    "FOUND_POST",
    "FOUND_LAT",
    "FOUND_LON",
    "FROM_POST",
    "RHI_OFFERED",
    "RHI_DONE",
    "RHI_ACCEPTED",
    *S.RISK_FLAGS,
}
# 903 tables this app does not use, by a column only they have.
OTHER_903_TABLES = {
    "REVIEW_CODE": "Reviews",
    "SDQ_SCORE": "OC2",
    "IN_TOUCH": "OC3",
    "DATE_INT": "AD1",
    "DATE_PLACED": "PlacedAdoption",
    "PREV_PERM": "PrevPerm",
    "SW_ID": "SWEpisodes",
    "DOLO_START": "DoLo",
}
SECTOR_ALIASES = {
    "LOCAL AUTHORITY": "LA",
    "COUNCIL": "LA",
    "INDEPENDENT": "PRIVATE",
    "VOLUNTARY SECTOR": "VOLUNTARY",
    "CHARITY": "VOLUNTARY",
}
_TRUE = {"Y", "YES", "TRUE", "1", "T"}
_FALSE = {"N", "NO", "FALSE", "0", "F"}

DATE_YEARS = (1900, 2100)
MAX_HOUR, MAX_MINUTE, MAX_SECOND = 23, 59, 59  # a time of day is 00:00:00-23:59:59
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]00:?00)?$")


def recognise_table(columns) -> str | None:
    """The table a set of (normalised) column names belongs to, or None.

    Returns one of the keys of :data:`TABLE_NAMES`, ``"other903:<name>"`` for a
    903 table this app does not use, or None.
    """
    cols = set(columns)
    if {"CHILD", "MIS_START"} <= cols and cols & LOG_MARKERS:
        return "missing_log"
    if {"CHILD", "DECOM"} <= cols:
        return "episodes"
    if {"CHILD", "MIS_START"} <= cols:
        return "missing"
    if {"CHILD", "DUC"} <= cols:
        return "uasc"
    for marker, name in OTHER_903_TABLES.items():
        if marker in cols and "CHILD" in cols:
            return f"other903:{name}"
    if "CHILD" in cols and "DOB" in cols and cols & {"SEX", "ETHNIC", "UPN", "MOTHER"}:
        return "header"
    if {"PLACEMENT_GROUP", "WEEKLY_COST"} <= cols:
        return "costs"
    if "POSTCODE" in cols and cols & {"URN", "NAME"}:
        return "homes"
    return None


def not_recognised_message(columns) -> str:
    found = ", ".join(list(columns)[:12]) + (", ..." if len(columns) > 12 else "")
    return (
        "not recognised: expected the columns of a 903 Header (CHILD, SEX, DOB, ...), Episodes (CHILD, DECOM, ...), "
        "Missing (CHILD, MISSING, MIS_START, MIS_END) or UASC (CHILD, DUC) table, the missing team's log "
        "(CHILD, MIS_START and FOUND_POST, FROM_POST, a risk flag or RHI column), a children's homes register "
        "(NAME or URN, POSTCODE, ...) or placement costs (PLACEMENT_GROUP, WEEKLY_COST); "
        f"found: {found or 'no column names'}"
    )


# --------------------------------------------------------------------------- value parsers
def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates (and optional times) from text.

    Returns ``(datetime64 series, bad mask)``; blanks are NaT and not bad. A time outside
    00:00-23:59:59 ("31/03/2023 99:00") is bad, never rolled over into a later day.
    """
    full = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    # Dates repeat a great deal: parse each distinct text once.
    codes, uniques = pd.factorize(full, sort=False)
    text = pd.Series(uniques, dtype=object).astype(str)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    parts = []
    for pattern, order in ((_DMY, (2, 1, 0)), (_YMD, (0, 1, 2))):
        got = text.str.extract(pattern)
        ok = got[0].notna()
        year = pd.to_numeric(got[order[0]], errors="coerce")
        ok &= year.between(*DATE_YEARS)  # outside this no 903 date is real, and pandas cannot hold year 1500 or 3000
        ok &= _time_ok(got)
        if ok.any():
            g = got[ok]
            frame = pd.DataFrame(
                {
                    "year": g[order[0]].astype(int),
                    "month": g[order[1]].astype(int),
                    "day": g[order[2]].astype(int),
                    "hour": g[3].fillna("0").astype(int),
                    "minute": g[4].fillna("0").astype(int),
                    "second": g[5].fillna("0").astype(int),
                }
            )
            parsed = pd.to_datetime(frame, errors="coerce")
            parts.append(parsed)
    for p in parts:
        out.loc[p.index] = p.to_numpy()
    parsed = pd.Series(
        out.to_numpy()[codes] if len(codes) else out.to_numpy()[:0], index=values.index, dtype="datetime64[ns]"
    )
    bad = (full != "") & parsed.isna()
    return parsed, bad


def _time_ok(parts: pd.DataFrame) -> pd.Series:
    """True where the optional time (columns 3-5 of a date match) is within 00:00-23:59:59 or absent.

    pandas would roll 99:00 over into a later day: an episode would move across the 31 March year end.
    """
    ok = pd.Series(True, index=parts.index)
    for col, top in ((3, MAX_HOUR), (4, MAX_MINUTE), (5, MAX_SECOND)):
        value = pd.to_numeric(parts[col], errors="coerce")
        ok &= value.isna() | (value <= top)
    return ok


def time_out_of_range(values: pd.Series) -> pd.Series:
    """True where text is a date with a time outside 00:00-23:59:59 (for the quality report's reason)."""
    full = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    codes, uniques = pd.factorize(full, sort=False)  # dates repeat: test each distinct text once
    text = pd.Series(uniques, dtype=object).astype(str)
    out = pd.Series(False, index=text.index)
    for pattern in (_DMY, _YMD):
        got = text.str.extract(pattern)
        out |= got[0].notna() & ~_time_ok(got)
    return pd.Series(out.to_numpy()[codes] if len(codes) else np.zeros(0, bool), index=values.index)


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Y/N (also yes/no, true/false, 1/0) to pandas ``boolean``; returns (flags, bad mask)."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip().str.upper()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE)] = True
    out[text.isin(_FALSE)] = False
    bad = (text != "") & out.isna()
    return out, bad


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts such as ``1234.5``, ``£1,234.50`` to float pounds; returns (amounts, bad mask)."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    cleaned = text.str.replace(r"^£|[£,\s]", "", regex=True)
    out = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce").astype("float64")
    bad = (text != "") & out.isna()
    return out, bad


def _parse_float(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    out = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    return out, (text != "") & out.isna()


# --------------------------------------------------------------------------- cleaning
def clean_table(raw: RawTable, kind: str, quality: QualityReport) -> pd.DataFrame:
    """Typed table from a raw one; problems into ``quality`` under ``raw.label``.

    The caller has already recorded the file with ``quality.add_file``. Returns
    every row (set-aside rows included) with ``SOURCE_FILE``, ``SOURCE_ROW`` and
    a boolean ``_SET_ASIDE`` column the caller drops.
    """
    label = raw.label
    df = raw.frame.copy()
    for col in df.columns:
        df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str).str.strip()
    rows = pd.Series(raw.rows, index=df.index)
    aside = pd.Series(False, index=df.index)

    def set_aside(mask, column, reason, values=None, rule=None):
        for i in mask[mask & ~aside].index:
            quality.set_aside(label, kind, int(rows[i]), column, None if values is None else values[i], reason, rule)
        aside.loc[mask] = True

    def warn(mask, column, reason, values=None, rule=None):
        for i in mask[mask].index:
            quality.warn(label, kind, int(rows[i]), column, None if values is None else values[i], reason, rule)

    absent = [c for c in TABLE_COLUMNS[kind] if c not in df.columns]
    for col in absent:
        df[col] = ""
    if absent and kind not in ("missing_log",):
        quality.warn(
            label, kind, None, None, ", ".join(absent), f"column(s) absent, read as blank: {', '.join(absent)}"
        )
    for note in raw.notes:
        quality.warn(label, kind, None, None, None, note)
    if raw.row_issues:
        # One pass (an unclosed quote near the top of a large file sets aside every line after it).
        position = {int(r): i for i, r in enumerate(rows.to_numpy())}
        flags = aside.to_numpy(copy=True)
        for row, severity, reason in raw.row_issues:
            i = position.get(int(row))
            if severity == SET_ASIDE and i is not None:
                if not flags[i]:
                    quality.set_aside(label, kind, int(row), None, None, reason)
                    flags[i] = True
            elif i is not None or severity != SET_ASIDE:
                quality.warn(label, kind, int(row), None, None, reason)
            else:  # a line above the column names: not a data row, so a note only
                quality.warn(label, kind, None, None, None, f"line {row}: {reason}")
        aside[:] = flags

    if "CHILD" in df.columns and kind not in ("homes", "costs"):
        df["CHILD"] = df["CHILD"].str.upper()
    for col in CODE_COLUMNS.get(kind, []):
        df[col] = df[col].str.upper()

    for col in KEY_COLUMNS[kind]:
        set_aside(df[col] == "", col, f"{col} is blank")

    for col in S.DATE_COLUMNS.get(kind, []):
        raw_values = df[col]
        parsed, bad = parse_dates(raw_values)
        impossible = time_out_of_range(raw_values)
        # A row with an impossible time is set aside whatever the column: read as blank, an end time
        # would leave an episode open; rolled over, it would move the episode into another day or year.
        set_aside(impossible, col, f"{col} has a time outside 00:00-23:59:59", raw_values)
        bad &= ~impossible
        if col in KEY_COLUMNS[kind]:
            set_aside(bad, col, f"{col} is not a date (expected dd/mm/yyyy or yyyy-mm-dd)", raw_values)
        else:
            warn(bad, col, f"{col} is not a date (expected dd/mm/yyyy or yyyy-mm-dd): read as blank", raw_values)
        df[col] = parsed

    if kind == "missing_log":
        for col in [*S.RISK_FLAGS, "RHI_ACCEPTED"]:
            flags, bad = parse_flags(df[col])
            warn(bad, col, f"{col} should be Y, N or blank: read as blank", df[col])
            df[col] = flags
        for col, lo, hi in (("FOUND_LAT", 49.0, 61.0), ("FOUND_LON", -8.7, 2.0)):
            values, bad = _parse_float(df[col])
            warn(bad, col, f"{col} is not a number: read as blank", df[col])
            outside = values.notna() & ((values < lo) | (values > hi))
            warn(outside, col, f"{col} is outside Great Britain ({lo} to {hi} degrees): read as blank", df[col])
            df[col] = values.where(~outside)
        for col in ("FROM_POST", "FOUND_POST"):
            df[col] = df[col].where(df[col] != "")
        df["NOTES"] = df["NOTES"].where(df["NOTES"] != "")

    if kind == "homes":
        warn(df["POSTCODE"] == "", "POSTCODE", "POSTCODE is blank: the home cannot be mapped")
        sector = df["SECTOR"].replace(SECTOR_ALIASES)
        unknown = (sector != "") & ~sector.isin(S.HOME_SECTORS)
        warn(unknown, "SECTOR", f"SECTOR should be one of {', '.join(S.HOME_SECTORS)}", sector)
        df["SECTOR"] = sector
        places, bad = _parse_float(df["PLACES"])
        bad |= places.notna() & ((places % 1 != 0) | (places < 0))
        warn(bad, "PLACES", "PLACES is not a whole number: read as blank", df["PLACES"])
        df["PLACES"] = places.where(~bad).astype("Int64")
        ratings = {r.upper(): r for r in S.OFSTED_RATINGS}
        rating = df["OFSTED_RATING"].str.upper().map(ratings)
        unknown = (df["OFSTED_RATING"] != "") & rating.isna()
        warn(
            unknown, "OFSTED_RATING", f"OFSTED_RATING is not one of {', '.join(S.OFSTED_RATINGS)}", df["OFSTED_RATING"]
        )
        df["OFSTED_RATING"] = rating.where(rating.notna(), df["OFSTED_RATING"])

    if kind == "costs":
        amounts, bad = parse_money(df["WEEKLY_COST"])
        set_aside(bad, "WEEKLY_COST", "WEEKLY_COST is not an amount of money", df["WEEKLY_COST"])
        df["WEEKLY_COST"] = amounts
        groups = {g.upper(): g for g in S.COST_GROUPS}
        group = df["PLACEMENT_GROUP"].str.upper().map(groups)
        unknown = (df["PLACEMENT_GROUP"] != "") & group.isna()
        warn(
            unknown,
            "PLACEMENT_GROUP",
            f"PLACEMENT_GROUP is not one of {', '.join(S.COST_GROUPS)}",
            df["PLACEMENT_GROUP"],
        )
        df["PLACEMENT_GROUP"] = group.where(group.notna(), df["PLACEMENT_GROUP"])

    if "YEAR" in df.columns:
        years = pd.to_numeric(df["YEAR"].where(df["YEAR"] != ""), errors="coerce")
        bad = (df["YEAR"] != "") & (years.isna() | (years % 1 != 0))
        warn(bad, "YEAR", "YEAR is not a year: read as blank", df["YEAR"])
        df["YEAR"] = years.where(~bad).astype("Int64")

    # Remaining text columns: blank cells become missing values.
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].where(df[col] != "")
    df[S.SOURCE_FILE] = label
    df[S.SOURCE_ROW] = raw.rows.astype(np.int64)
    df["_SET_ASIDE"] = aside.to_numpy()
    order = [c for c in TABLE_COLUMNS[kind] if c in df.columns]
    rest = [c for c in df.columns if c not in order]
    return df[order + rest]
