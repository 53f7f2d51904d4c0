"""Checks that follow the published 903 validator's rules where they matter for mapping.

Every finding is a *warning* in ``dataset.quality`` with the validator's rule
id in ``QualityIssue.rule``: the row stays in the tables (a missing episode that
ends before it starts still happened; its duration is left to the analysis to
exclude). Unparseable dates (validator rules 1004/1005 and friends) are found
at read time by :mod:`data.read_tables`.

Rules (ids as in the validator, ../shared/reference/ssda903.md §2.4 and §5):

===========  =================================================================
567          MIS_END before MIS_START
574          a missing episode starts before the child's previous one ended, or
             follows one that never ended
577          the missing episode fits in none of the child's periods of care
             (ends after the period ended or before it began, or is open
             although the period ended or began after it)
578          MIS_START is outside every period of care of the child
581          MIS_START is outside every episode of the child
1012         missing episode for a child with no episodes
INT04        missing episode for a child not in the Header
143/144/145  unknown RNE / LS / CIN code
146          PLACE code not valid in the return's collection year (the year in
             the file name or pooled YEAR, else that of the file's latest DECOM)
149          unknown REC code
1006         unknown MISSING code (M or A)
provider     unknown PLACE_PROVIDER code (no single validator rule)
392c         a postcode is given but is not in the ONS Postcode Directory
392d         HOME_POST equals PL_POST although the placement is not with
             parents (PLACE P1)
===========  =================================================================

The same missing-episode rules are applied to the missing team's log, except
577/578 (the log may hold children who are not looked after).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import schemas as S
from data.dataset import Dataset
from data.quality import QualityReport

__all__ = ["check_dataset", "postcode_match_summary", "POSTCODE_COLUMNS"]

# Postcode columns per table, in the order the summary lists them.
POSTCODE_COLUMNS = {
    "episodes": ["HOME_POST", "PL_POST"],
    "missing_log": ["FROM_POST", "FOUND_POST"],
    "homes": ["POSTCODE"],
}
CODE_RULES = [
    ("episodes", "RNE", S.RNE_CODES, "143"),
    ("episodes", "LS", S.LEGAL_STATUS_CODES, "144"),
    ("episodes", "CIN", S.CIN_CODES, "145"),
    ("episodes", "REC", S.REC_CODES, "149"),
    ("episodes", "PLACE_PROVIDER", list(S.PROVIDER_CODES), "provider"),
    ("missing", "MISSING", list(S.MISSING_CODES), "1006"),
    ("missing_log", "MISSING", list(S.MISSING_CODES), "1006"),
]
_MISSING_TABLES = ("missing", "missing_log")


def check_dataset(dataset: Dataset, *, index=None, postcodes: bool = True) -> None:
    """Add validator-style warnings to ``dataset.quality``; the tables are not changed.

    Parameters
    ----------
    index : a :class:`geo.postcodes.PostcodeIndex` for rule 392c; None uses
        the process-wide one. ``postcodes=False`` skips rule 392c.
    """
    q = dataset.quality
    for table, column, codes, rule in CODE_RULES:
        _unknown_codes(q, table, _complete(getattr(dataset, table), []), column, codes, rule)
    episodes = _complete(dataset.episodes, ["CHILD", "DECOM", "DEC"])
    _place_codes_by_year(q, episodes)
    _home_equals_placement(q, episodes)
    for table in _MISSING_TABLES:
        frame = getattr(dataset, table)
        if frame.empty or not {"CHILD", "MIS_START"} <= set(frame.columns):
            continue
        frame = _complete(frame, ["MIS_END"])
        _end_before_start(q, table, frame)
        _overlapping(q, table, frame)
        _outside_care(q, table, frame, episodes, periods=(table == "missing"))
        _not_in_header(q, table, frame, dataset.header)
    if postcodes:
        if index is None:
            from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

            index = get_postcode_index()
        _unknown_postcodes(q, dataset, index)


def _complete(frame: pd.DataFrame, dates: list[str]) -> pd.DataFrame:
    """Tables built elsewhere (tests, demo) may lack source columns or optional dates."""
    if frame.empty:
        return frame
    add: dict[str, object] = {}
    if S.SOURCE_FILE not in frame.columns:
        add[S.SOURCE_FILE] = ""
    if S.SOURCE_ROW not in frame.columns:
        add[S.SOURCE_ROW] = np.arange(2, len(frame) + 2)
    for col in dates:
        if col not in frame.columns:
            add[col] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return frame.assign(**add) if add else frame


def _warn_rows(q: QualityReport, table: str, frame: pd.DataFrame, mask, column, reason, rule, values=None) -> None:
    hits = frame[np.asarray(mask, dtype=bool)]
    vals = values[np.asarray(mask, dtype=bool)] if values is not None else None
    for i, (file, row) in enumerate(zip(hits[S.SOURCE_FILE], hits[S.SOURCE_ROW])):
        value = None if vals is None else vals.iloc[i]
        text = reason(value) if callable(reason) else reason
        q.warn(file, table, int(row), column, value, text, rule)


def _child_key(frame: pd.DataFrame) -> pd.Series:
    """CHILD, qualified by the authority in pooled data (ids are only unique within a council)."""
    child = frame["CHILD"].astype(object).astype(str)
    if "LA_CODE" in frame.columns:
        la = (
            frame["LA_CODE"]
            .astype(object)
            .fillna(frame.get("LA", pd.Series("", index=frame.index)).astype(object))
            .astype(str)
        )
        return la + "|" + child
    return child


# --------------------------------------------------------------------------- codes and postcodes
def _unknown_codes(q, table, frame, column, codes, rule) -> None:
    if frame.empty or column not in frame.columns:
        return
    values = frame[column]
    mask = values.notna() & ~values.isin(codes)
    _warn_rows(q, table, frame, mask, column, lambda v: f"{column} code {v!s} is not a known code", rule, values)


def return_year(frame: pd.DataFrame) -> pd.Series:
    """The year each row's return is due (2026 = 2025/26), float; NaN if it cannot be told.

    From the pooled ``YEAR`` column, else a year in the file's name ("2026_episodes.csv"), else the
    collection year (April-March) of the latest DECOM in the file.
    """
    from data.read_files import file_year

    year = pd.Series(np.nan, index=frame.index, dtype="float64")
    if "YEAR" in frame.columns:
        year = pd.to_numeric(frame["YEAR"], errors="coerce").astype("float64")
    files = frame[S.SOURCE_FILE].astype(object).fillna("").astype(str)
    named = files.map(lambda f: file_year(f.rsplit("/", 1)[-1]) or np.nan).astype("float64")
    year = year.fillna(named)
    if year.isna().any() and "DECOM" in frame.columns:
        latest = frame["DECOM"].groupby(files).transform("max")
        # The return is named by the year its collection year ends in.
        year = year.fillna((latest.dt.year + (latest.dt.month >= S.YEAR_START_MONTH)).astype("float64"))
    return year


def _place_codes_by_year(q, episodes: pd.DataFrame) -> None:
    """Rule 146 with the code list of each row's return year; the union of all years when unknown."""
    if episodes.empty or "PLACE" not in episodes.columns:
        return
    year = return_year(episodes)
    place = episodes["PLACE"]
    bad = pd.Series(False, index=episodes.index)
    for y in year.dropna().unique():
        rows = year == y
        bad |= rows & place.notna() & ~place.isin(S.place_codes_for_year(int(y)))
    bad |= year.isna() & place.notna() & ~place.isin(list(S.PLACE_CODES))
    _warn_rows(
        q,
        "episodes",
        episodes,
        bad,
        "PLACE",
        lambda v: f"PLACE code {v!s} is not a valid code for this return's collection year",
        "146",
        place,
    )


def _compact(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.upper().str.replace(r"\s+", "", regex=True)


def _home_equals_placement(q, episodes: pd.DataFrame) -> None:
    if episodes.empty or not {"HOME_POST", "PL_POST", "PLACE"} <= set(episodes.columns):
        return
    home, placed = _compact(episodes["HOME_POST"]), _compact(episodes["PL_POST"])
    mask = (home != "") & (home == placed) & (episodes["PLACE"].astype(object) != "P1")
    _warn_rows(
        q,
        "episodes",
        episodes,
        mask,
        "PL_POST",
        "HOME_POST is the same as PL_POST but the placement is not with parents (P1): the distance will be 0",
        "392d",
        episodes["PL_POST"],
    )


def _looked_up_postcodes(dataset: Dataset, index):
    """(table, column, frame, given, found) for each postcode column present: ``given`` its non-blank
    values (frame's index, possibly none), ``found`` their :meth:`PostcodeIndex.lookup`."""
    for table, columns in POSTCODE_COLUMNS.items():
        frame = getattr(dataset, table)
        for column in columns:
            if frame.empty or column not in frame.columns:
                continue
            values = frame[column]
            given = values[values.notna() & (values.astype(object).astype(str).str.strip() != "")]
            found = index.lookup(given) if len(given) else pd.DataFrame(columns=["resolution", "failure"])
            yield table, column, frame, given, found


def _unknown_postcodes(q, dataset: Dataset, index) -> None:
    for table, column, frame, given, found in _looked_up_postcodes(dataset, index):
        unmatched = found.index[found["resolution"].isna()]
        hits = frame.loc[unmatched]
        for (file, row), value, reason in zip(
            zip(hits[S.SOURCE_FILE], hits[S.SOURCE_ROW]), given[unmatched], found.loc[unmatched, "failure"]
        ):
            q.warn(file, table, int(row), column, value, f"{column} {reason}", "392c")


# --------------------------------------------------------------------------- missing episodes
def _end_before_start(q, table, frame) -> None:
    mask = frame["MIS_END"].notna() & frame["MIS_START"].notna() & (frame["MIS_END"] < frame["MIS_START"])
    _warn_rows(
        q,
        table,
        frame,
        mask,
        "MIS_END",
        "MIS_END is before MIS_START: the episode is kept but has no duration",
        "567",
        frame["MIS_END"].astype(str),
    )


def _overlapping(q, table, frame) -> None:
    """Rule 574 as the validator sorts: by child, end (blank end = start), then start."""
    work = pd.DataFrame(
        {
            "key": _child_key(frame).to_numpy(),
            "start": frame["MIS_START"].to_numpy(),
            "end": frame["MIS_END"].to_numpy(),
        },
        index=frame.index,
    )
    work["sort_end"] = work["end"].fillna(work["start"])
    work = work.sort_values(["key", "sort_end", "start"], kind="stable")
    same = work["key"].eq(work["key"].shift())
    prev_end = work["end"].shift()
    prev_open = same & prev_end.isna()
    overlap = same & prev_end.notna() & (work["start"] < prev_end)
    mask = pd.Series(False, index=frame.index)
    mask[work.index[(prev_open | overlap).to_numpy()]] = True
    _warn_rows(
        q,
        table,
        frame,
        mask,
        "MIS_START",
        "this missing episode starts before the child's previous missing episode ended (or that one has no end)",
        "574",
        frame["MIS_START"].astype(str),
    )


def _periods_of_care(episodes: pd.DataFrame) -> pd.DataFrame:
    """Periods of care: contiguous episodes; a new period starts when DECOM > the previous DEC."""
    ep = pd.DataFrame(
        {
            "key": _child_key(episodes).to_numpy(),
            "start": episodes["DECOM"].to_numpy(),
            "end": episodes["DEC"].to_numpy(),
        }
    )
    ep = ep.dropna(subset=["start"]).sort_values(["key", "start"], kind="stable").reset_index(drop=True)
    new_child = ep["key"].ne(ep["key"].shift())
    prev_end = ep.groupby("key")["end"].shift()
    gap = prev_end.notna() & (ep["start"] > prev_end)
    ep["period"] = (new_child | gap).cumsum()
    open_ = ep["end"].isna().groupby(ep["period"]).any()
    periods = ep.groupby("period").agg(key=("key", "first"), start=("start", "min"), end=("end", "max"))
    periods.loc[open_[open_].index, "end"] = pd.NaT
    return periods.reset_index(drop=True)


def _outside_care(q, table, frame, episodes, *, periods: bool) -> None:
    if episodes.empty or "DECOM" not in episodes.columns:
        return
    keys = _child_key(frame)
    ep_keys = _child_key(episodes)
    has_episodes = keys.isin(set(ep_keys))
    _warn_rows(
        q,
        table,
        frame,
        ~has_episodes,
        "CHILD",
        "this child has missing episodes but no episodes of care",
        "1012",
        frame["CHILD"],
    )

    miss = pd.DataFrame(
        {
            "key": keys.to_numpy(),
            "start": frame["MIS_START"].to_numpy(),
            "end": frame["MIS_END"].to_numpy(),
            "i": np.arange(len(frame)),
        }
    )
    miss = miss[has_episodes.to_numpy() & miss["start"].notna().to_numpy()]

    # 581: inside some episode (DECOM <= MIS_START <= DEC, or DEC blank).
    ep = pd.DataFrame(
        {"key": ep_keys.to_numpy(), "decom": episodes["DECOM"].to_numpy(), "dec": episodes["DEC"].to_numpy()}
    )
    pairs = miss.merge(ep, on="key")
    start_day = pairs["start"].dt.normalize()
    inside = (pairs["decom"] <= start_day) & (pairs["dec"].isna() | (start_day <= pairs["dec"]))
    in_episode = set(pairs.loc[inside, "i"])
    mask = np.zeros(len(frame), dtype=bool)
    mask[[i for i in miss["i"] if i not in in_episode]] = True
    extra = "" if periods else ": no placement postcode can be filled in for it"
    _warn_rows(
        q,
        table,
        frame,
        mask,
        "MIS_START",
        f"MIS_START is not within any of the child's episodes of care{extra}",
        "581",
        frame["MIS_START"].astype(str),
    )
    if not periods:
        return

    per = _periods_of_care(episodes).rename(columns={"start": "p_start", "end": "p_end"})
    pairs = miss.merge(per, on="key")
    start_day = pairs["start"].dt.normalize()
    within = (pairs["p_start"] <= start_day) & (pairs["p_end"].isna() | (start_day <= pairs["p_end"]))
    in_period = set(pairs.loc[within, "i"])
    mask578 = np.zeros(len(frame), dtype=bool)
    mask578[[i for i in miss["i"] if i not in in_period]] = True
    _warn_rows(
        q,
        table,
        frame,
        mask578,
        "MIS_START",
        "MIS_START is outside every period of care of the child",
        "578",
        frame["MIS_START"].astype(str),
    )

    mask577 = np.zeros(len(frame), dtype=bool)
    mask577[_outside_every_period(miss, episodes, ep_keys)] = True
    _warn_rows(
        q,
        table,
        frame,
        mask577,
        "MIS_END",
        "the missing episode does not fit in any of the child's periods of care: it ends after the period ended "
        "or before it began, or has no end although the period ended or began after it",
        "577",
        frame["MIS_END"].astype(str),
    )


def _outside_every_period(miss: pd.DataFrame, episodes: pd.DataFrame, ep_keys: pd.Series) -> np.ndarray:
    """Rule 577 as the validator and shared/reference/ssda903.md §5 define it: positions ``i`` of missing
    episodes that are out of range of *every* period of care of their child.

    A period runs from its first DECOM to the DEC of its last episode (by DECOM; blank if that one
    is open); a new period starts when DECOM is after the previous episode's DEC. Out of range:
    (a) no MIS_END but the period has ended, (b) no MIS_END and MIS_START before the period,
    (c) MIS_END after the period's end, (d) MIS_END before the period's start. Dates are days.
    """
    ep = pd.DataFrame(
        {"key": ep_keys.to_numpy(), "start": episodes["DECOM"].to_numpy(), "end": episodes["DEC"].to_numpy()}
    ).dropna(subset=["start"])
    ep = ep.sort_values(["key", "start"], kind="stable").reset_index(drop=True)
    prev_end = ep["end"].shift()
    new = ep["key"].ne(ep["key"].shift()) | (prev_end.notna() & (ep["start"] > prev_end))
    ep["period"] = new.cumsum()
    per = ep.groupby("period").agg(key=("key", "first"), p_start=("start", "first"), p_end=("end", "last"))
    # groupby "last" skips blanks; the validator takes the last episode's DEC even when blank (open).
    per["p_end"] = ep.groupby("period")["end"].nth(-1).to_numpy()
    pairs = miss.merge(per, on="key")
    start, end = pairs["start"].dt.normalize(), pairs["end"].dt.normalize()
    out = (
        (end.isna() & pairs["p_end"].notna())
        | (end.isna() & (start < pairs["p_start"]))
        | (end > pairs["p_end"])
        | (end < pairs["p_start"])
    )
    every = out.groupby(pairs["i"]).all()
    return every.index[every.to_numpy()].to_numpy(dtype=int)


def _not_in_header(q, table, frame, header) -> None:
    if header.empty or "CHILD" not in header.columns:
        return
    mask = ~_child_key(frame).isin(set(_child_key(header)))
    _warn_rows(q, table, frame, mask, "CHILD", "this child is not in the 903 Header", "INT04", frame["CHILD"])


# --------------------------------------------------------------------------- postcode match summary
def postcode_match_summary(dataset: Dataset, *, index=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How many postcodes of each table and column were found in the ONS directory.

    Returns
    -------
    summary : one row per table and postcode column: ``table``, ``column``,
        ``values`` (non-blank), ``matched``, ``unit``, ``sector``, ``district``
        (matches at each resolution), ``match_rate`` (matched / values, 0-1;
        NaN when there are no values).
    unmatched : one row per distinct unmatched value: ``table``, ``column``,
        ``value``, ``count``, ``reason``; most frequent first.
    """
    if index is None:
        from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

        index = get_postcode_index()
    rows, misses = [], []
    for table, column, _frame, given, found in _looked_up_postcodes(dataset, index):
        res = found["resolution"]
        counts = res.value_counts()
        matched = int(res.notna().sum())
        rows.append(
            {
                "table": table,
                "column": column,
                "values": len(given),
                "matched": matched,
                "unit": int(counts.get("unit", 0)),
                "sector": int(counts.get("sector", 0)),
                "district": int(counts.get("district", 0)),
                "match_rate": matched / len(given) if len(given) else np.nan,
            }
        )
        bad = pd.DataFrame(
            {
                "value": given[res.isna()].astype(str).str.strip().to_numpy(),
                "reason": found.loc[res.isna(), "failure"].to_numpy(),
            }
        )
        if not bad.empty:
            grouped = bad.groupby(["value", "reason"]).size().reset_index(name="count")
            grouped.insert(0, "column", column)
            grouped.insert(0, "table", table)
            misses.append(grouped)
    summary = pd.DataFrame(
        rows, columns=["table", "column", "values", "matched", "unit", "sector", "district", "match_rate"]
    )
    unmatched = (
        pd.concat(misses, ignore_index=True).sort_values(
            ["count", "table", "column", "value"], ascending=[False, True, True, True]
        )
        if misses
        else pd.DataFrame(columns=["table", "column", "value", "count", "reason"])
    )
    return summary, unmatched[["table", "column", "value", "count", "reason"]].reset_index(drop=True)
