"""Missing and away-from-placement episodes: the 903 Missing table joined with the missing team's log.

One row per episode, with the placement the child was in when it started, the
child's age, how long it lasted, where the child went missing from and where
they were found (British National Grid, EPSG:27700, metres, and WGS84), and the
return home interview dates. Summaries follow the DfE and statutory guidance
wording (see ../shared/reference/domain.md, "Return Home Interview").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.placements import add_placement_location
from data.schemas import PLACE_GROUP, PLACEMENT_GROUPS, RISK_FLAGS, UNKNOWN_DISTANCE
from geo.postcodes import get_postcode_index
from geo.projection import grid_from_lat_lon

__all__ = [
    "missing_episodes",
    "summarise_missing",
    "missing_by",
    "return_interviews",
    "interviews_recorded",
    "RHI_NOT_RECORDED",
    "offered_in_time",
    "of_kind",
    "children_by_episode_count",
    "RHI_WITHIN_HOURS",
    "REPEAT_EPISODES",
    "REPEAT_BANDS",
    "KINDS",
    "DURATION_BANDS",
    "WEEKDAYS",
]

# Statutory guidance: a return home interview should be offered within 72 hours of the child's return.
RHI_WITHIN_HOURS = 72
# A child with this many episodes or more in the period counts as a repeat missing child.
REPEAT_EPISODES = 3
# Children by episodes in the period, for the repeat-missing tables: (fewest, most, label).
REPEAT_BANDS = [
    (1, 1, "1 episode"),
    (2, 2, "2 episodes"),
    (3, 4, "3-4 episodes"),
    (5, 9, "5-9 episodes"),
    (10, np.inf, "10 or more episodes"),
]
# Which episodes each choice keeps, by the 903 MISSING code (data.schemas.MISSING_CODES); combined keeps all.
KIND_CODES = {"missing": "M", "away": "A"}
KINDS = ("combined", *KIND_CODES)
UNDER_AGE = 16

DURATION_BANDS = ["under 24 hours", "1-2 days", "2-7 days", "over a week", "ongoing"]
_NO_TEXT = np.array(None, dtype=object)  # a missing text value for np.select (its stubs reject a bare None)
_DURATION_EDGES_HOURS = [0, 24, 48, 168, np.inf]  # a band includes its lower edge
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIME_OF_DAY_BANDS = ["night (22:00-05:59)", "morning (06:00-11:59)", "afternoon (12:00-17:59)", "evening (18:00-21:59)"]

SOURCE_BOTH = "903 and log"
SOURCE_903 = "903 only"
SOURCE_LOG = "log only"

_PLACEMENT_COLUMNS = ["PLACE", "PLACEMENT_GROUP", "PL_POST", "PL_LOCATION", "PL_DISTANCE", "PL_LA", "URN"]


# ---------------------------------------------------------------- building the episode table
def _tables(dataset, missing, missing_log, episodes, header):
    if dataset is not None:
        missing = dataset.missing if missing is None else missing
        missing_log = dataset.missing_log if missing_log is None else missing_log
        episodes = dataset.episodes if episodes is None else episodes
        header = dataset.header if header is None else header
    frames = []
    for frame in (missing, missing_log, episodes, header):
        frames.append(pd.DataFrame() if frame is None else frame)
    return frames


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "CHILD" in out:
        out["CHILD"] = out["CHILD"].astype(str).str.strip()
    for col in ("MIS_START", "MIS_END", "DOB", "RHI_OFFERED", "RHI_DONE"):
        if col in out:
            out[col] = pd.to_datetime(out[col], errors="coerce", dayfirst=True)
    if "MISSING" in out:
        out["MISSING"] = out["MISSING"].astype(object).where(out["MISSING"].notna(), None)
        out["MISSING"] = out["MISSING"].map(lambda v: v.strip().upper() if isinstance(v, str) else v)
    return out


def _join_sources(m903: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Outer join on CHILD and the start date; the log wins for anything it records."""
    has903 = len(m903) > 0 and "MIS_START" in m903
    haslog = len(log) > 0 and "MIS_START" in log
    if not has903 and not haslog:
        # No missing data loaded (903 without a Missing table): an empty table with the real dtypes,
        # so every date step below works on it as on a full one.
        return pd.DataFrame(
            {
                "CHILD": pd.Series(dtype=object),
                "MISSING": pd.Series(dtype=object),
                "MIS_START": pd.Series(dtype="datetime64[ns]"),
                "MIS_END": pd.Series(dtype="datetime64[ns]"),
                "SOURCE": pd.Series(dtype=object),
            }
        )
    if not has903:
        return log.assign(SOURCE=SOURCE_LOG)
    if not haslog:
        return m903.assign(SOURCE=SOURCE_903)
    # Two episodes of one child can start on one day: pair them in order of start.
    # Child ids are unique within one council only: pooled files also match on LA.
    child = ["LA", "CHILD"] if "LA" in m903 and "LA" in log else ["CHILD"]
    a = m903.sort_values([*child, "MIS_START"], kind="stable").copy()
    b = log.sort_values([*child, "MIS_START"], kind="stable").copy()
    for f in (a, b):
        f["_DAY"] = f["MIS_START"].dt.normalize()
        f["_N"] = f.groupby([*child, "_DAY"]).cumcount()
    joined = a.merge(b, on=[*child, "_DAY", "_N"], how="outer", suffixes=("_903", ""), indicator=True)
    for col in [c[:-4] for c in joined.columns if c.endswith("_903")]:
        if col in joined:
            joined[col] = joined[col].where(joined[col].notna(), joined[f"{col}_903"])
        else:
            joined[col] = joined[f"{col}_903"]
    joined["SOURCE"] = joined["_merge"].map({"both": SOURCE_BOTH, "left_only": SOURCE_903, "right_only": SOURCE_LOG})
    joined["SOURCE"] = joined["SOURCE"].astype(str)
    drop = [c for c in joined.columns if c.endswith("_903")] + ["_DAY", "_N", "_merge"]
    return joined.drop(columns=drop)


def _placement_at_start(out: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Columns of the 903 episode open on the day each missing episode started."""
    if episodes is None or len(episodes) == 0 or "DECOM" not in episodes or len(out) == 0:
        for col in _PLACEMENT_COLUMNS:
            if col not in out:
                out[col] = pd.NA
        return out
    eps = episodes.copy()
    eps["CHILD"] = eps["CHILD"].astype(str).str.strip()
    eps["DECOM"] = pd.to_datetime(eps["DECOM"], errors="coerce", dayfirst=True)
    eps["DEC"] = pd.to_datetime(eps.get("DEC"), errors="coerce", dayfirst=True) if "DEC" in eps else pd.NaT
    if "PLACEMENT_GROUP" not in eps and "PLACE" in eps:
        eps["PLACEMENT_GROUP"] = eps["PLACE"].map(PLACE_GROUP)
    child = ["LA", "CHILD"] if "LA" in eps and "LA" in out else ["CHILD"]
    keep = [*child, "DECOM", "DEC"] + [c for c in _PLACEMENT_COLUMNS if c in eps]
    eps = eps.loc[eps["DECOM"].notna(), keep].sort_values("DECOM", kind="stable")
    left = out.assign(_ROW=np.arange(len(out)), _DAY=out["MIS_START"].dt.normalize())
    valid = left["_DAY"].notna()
    merged = pd.merge_asof(
        left.loc[valid, ["_ROW", *child, "_DAY"]].sort_values("_DAY", kind="stable"),
        eps.rename(columns={c: f"_EP_{c}" for c in keep if c not in child}),
        left_on="_DAY",
        right_on="_EP_DECOM",
        by=child,
        direction="backward",
    )
    # The episode must still be open: it ends after the day (or the child is still in it).
    open_ = merged["_EP_DEC"].isna() | (merged["_EP_DEC"] >= merged["_DAY"])
    merged = merged[open_ & merged["_EP_DECOM"].notna()].set_index("_ROW")
    for col in _PLACEMENT_COLUMNS:
        src = f"_EP_{col}"
        values = merged[src] if src in merged else pd.Series(dtype=object)
        aligned = values.reindex(np.arange(len(out)))
        if col in out:
            out[col] = out[col].where(out[col].notna(), aligned.to_numpy())
        else:
            out[col] = aligned.to_numpy()
    return out


def _geocode(out: pd.DataFrame, prefix: str, postcodes: pd.Series, index) -> None:
    """Add <prefix>_EASTING/_NORTHING (EPSG:27700) and _LAT/_LON (EPSG:4326) from postcodes."""
    text = postcodes.astype(object).where(postcodes.notna(), "").astype(str).str.strip()
    given = (text != "").to_numpy()
    values = {col: np.full(len(out), np.nan) for col in ("easting", "northing", "lat", "lon")}
    if given.any():
        found = index.lookup(pd.Series(text.to_numpy()[given], dtype=object))
        for col in values:
            values[col][given] = pd.to_numeric(found[col], errors="coerce").to_numpy(dtype=float)
    for col, array in values.items():
        out[f"{prefix}_{col.upper()}"] = array


def missing_episodes(
    dataset=None,
    *,
    missing: pd.DataFrame | None = None,
    missing_log: pd.DataFrame | None = None,
    episodes: pd.DataFrame | None = None,
    header: pd.DataFrame | None = None,
    la: str | None = None,
    index=None,
) -> pd.DataFrame:
    """One row per missing or away episode, from the 903 Missing table and/or the missing team's log.

    Parameters
    ----------
    dataset : data.dataset.Dataset, optional
        Supplies ``missing``, ``missing_log``, ``episodes`` and ``header`` unless given separately.
    missing : the 903 Missing table (CHILD, DOB, MISSING, MIS_START, MIS_END).
    missing_log : the missing team's log (CHILD, MISSING, MIS_START, MIS_END with times,
        FROM_POST, FOUND_POST or FOUND_LAT/FOUND_LON, RHI_OFFERED, RHI_DONE, RHI_ACCEPTED,
        the risk flags of ``data.schemas.RISK_FLAGS``, NOTES).
    episodes : 903 episodes; PL_DISTANCE, PL_LA, PL_LOCATION and PLACEMENT_GROUP are used
        when present (``analysis.placements.add_placement_location`` adds them; with ``la``
        given and those columns absent it is called here).
    header : 903 Header, for the date of birth when the Missing table does not carry it.
    la : the responsible children's services authority (name or code), optional.
    index : a ``geo.postcodes.PostcodeIndex``; the process-wide one by default.

    Returns
    -------
    DataFrame with CHILD, MISSING ("M" missing / "A" away), MIS_START, MIS_END, SOURCE
    ("903 and log", "903 only", "log only"), the log's detail columns, the placement at the
    start (PLACE, PLACEMENT_GROUP, PL_POST, PL_LOCATION, PL_DISTANCE in miles, PL_LA, URN),
    AGE (whole years at the start), UNDER_16, DURATION_HOURS, DURATION_BAND, START_HOUR
    (0-23, only where the log records times), START_WEEKDAY (Monday...), FROM_POST and
    FROM_SOURCE, FROM_EASTING/FROM_NORTHING (EPSG:27700 metres) and FROM_LAT/FROM_LON
    (EPSG:4326), and the same FOUND_ columns, and FOUND_DISTANCE, FOUND_LA, FOUND_LOCATION, FOUND_NOTE,
    FOUND_LA_NAME, FROM_SECTOR, FOUND_DISTRICT (:func:`analysis.found.add_found_location`; the
    responsible authority is ``la``, else each row's LA_CODE). Sorted by CHILD and MIS_START. With several
    authorities' files pooled, CHILD is prefixed by the responsible authority ("E10000016/123"):
    ids are unique only within an authority.
    """
    m903, log, eps, head = (_prepare(f) for f in _tables(dataset, missing, missing_log, episodes, header))
    has_log_times = "MIS_START" in log and bool(
        (log["MIS_START"].dropna() != log["MIS_START"].dropna().dt.normalize()).any()
    )
    out = _join_sources(m903, log).reset_index(drop=True)
    if "MIS_START" in out:
        out = out[out["MIS_START"].notna()].sort_values(["CHILD", "MIS_START"], kind="stable").reset_index(drop=True)
    for col in (
        "MIS_END",
        "MISSING",
        "DOB",
        "FROM_POST",
        "FOUND_POST",
        "FOUND_LAT",
        "FOUND_LON",
        "RHI_OFFERED",
        "RHI_DONE",
        "RHI_ACCEPTED",
        *RISK_FLAGS,
    ):
        if col not in out:
            if col in ("MIS_END", "DOB", "RHI_OFFERED", "RHI_DONE"):
                out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
            elif col in (*RISK_FLAGS, "RHI_ACCEPTED"):
                out[col] = pd.array([pd.NA] * len(out), dtype="boolean")
            elif col in ("FOUND_LAT", "FOUND_LON"):
                out[col] = np.nan
            else:
                out[col] = pd.NA
    for col in (*RISK_FLAGS, "RHI_ACCEPTED"):
        out[col] = out[col].astype("boolean")

    if la is not None and len(eps) and "PL_DISTANCE" not in eps:
        eps = add_placement_location(eps, la, index=index)
    out = _placement_at_start(out, eps)
    if "PL_DISTANCE" in out:
        dist = pd.to_numeric(out["PL_DISTANCE"], errors="coerce")
        out["PL_DISTANCE"] = dist.where(dist != UNKNOWN_DISTANCE)

    # Age: the Missing table's DOB first, else the Header's.
    if len(head) and "DOB" in head:
        key = ["LA", "CHILD"] if "LA" in head and "LA" in out else ["CHILD"]  # pooled: ids repeat across authorities
        dob = out[key].merge(head.drop_duplicates(key)[key + ["DOB"]], on=key, how="left")["DOB"].to_numpy()
        out["DOB"] = out["DOB"].where(out["DOB"].notna(), pd.Series(dob, index=out.index))
    start, dob = out["MIS_START"], out["DOB"]
    had_birthday = (start.dt.month > dob.dt.month) | ((start.dt.month == dob.dt.month) & (start.dt.day >= dob.dt.day))
    age = start.dt.year - dob.dt.year - (~had_birthday).astype(int)
    out["AGE"] = age.astype("Int64")
    out["UNDER_16"] = (out["AGE"] < UNDER_AGE).astype("boolean")

    hours = (out["MIS_END"] - out["MIS_START"]).dt.total_seconds() / 3600
    out["DURATION_HOURS"] = hours.where(hours >= 0)
    band = pd.cut(out["DURATION_HOURS"], _DURATION_EDGES_HOURS, right=False, labels=DURATION_BANDS[:-1])
    band = band.astype(object).where(band.notna(), None)
    band = band.where(out["MIS_END"].notna(), "ongoing")
    out["DURATION_BAND"] = pd.Categorical(band, categories=DURATION_BANDS)

    from_log = out["SOURCE"] != SOURCE_903
    out["START_HOUR"] = out["MIS_START"].dt.hour.where(from_log & has_log_times).astype("Int64")
    out["START_WEEKDAY"] = pd.Categorical(out["MIS_START"].dt.day_name(), categories=WEEKDAYS)

    from_post = out["FROM_POST"].astype(object)
    from_post = from_post.where(from_post.notna() & (from_post.astype(str).str.strip() != ""), None)
    out["FROM_SOURCE"] = np.select([from_post.notna(), out["PL_POST"].notna()], ["log", "placement"], default=_NO_TEXT)
    out["FROM_POST"] = from_post.where(from_post.notna(), out["PL_POST"])
    needs_index = out["FROM_POST"].notna().any() or out["FOUND_POST"].notna().any()
    if needs_index and index is None:
        index = get_postcode_index()
    if needs_index:
        _geocode(out, "FROM", out["FROM_POST"], index)
        _geocode(out, "_FOUNDPC", out["FOUND_POST"], index)
    else:
        for col in (
            "FROM_EASTING",
            "FROM_NORTHING",
            "FROM_LAT",
            "FROM_LON",
            "_FOUNDPC_EASTING",
            "_FOUNDPC_NORTHING",
            "_FOUNDPC_LAT",
            "_FOUNDPC_LON",
        ):
            out[col] = np.nan
    # Coordinates from the log are more precise than a postcode centroid, so they win.
    east, north, lat, lon = grid_from_lat_lon(out["FOUND_LAT"], out["FOUND_LON"])
    has_xy = np.isfinite(east)
    for col, values in (("EASTING", east), ("NORTHING", north), ("LAT", lat), ("LON", lon)):
        pc = out[f"_FOUNDPC_{col}"].to_numpy(dtype=float)
        out[f"FOUND_{col}"] = np.where(has_xy, values, pc)
    out = out.drop(columns=[c for c in out.columns if c.startswith("_FOUNDPC_")])
    from analysis.found import add_found_location

    out = add_found_location(out, la, index=index)
    return _qualify_pooled_children(out)


def _qualify_pooled_children(out: pd.DataFrame) -> pd.DataFrame:
    """In pooled files a child's id is unique only within its authority (as in
    analysis.placements.placements_on): prefix it with the authority, "E10000016/123", so that
    each child is counted, linked between hotspots and pseudonymised as one child."""
    column = "LA_CODE" if "LA_CODE" in out else ("LA" if "LA" in out else None)
    if column is None or out.empty:
        return out
    authority = out[column].astype(object).fillna("").astype(str).str.strip()
    if authority[authority != ""].nunique() < 2:
        return out
    child = out["CHILD"].astype(str)
    out["CHILD"] = child.where(authority == "", authority + "/" + child)
    return out.sort_values(["CHILD", "MIS_START"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- summaries
def of_kind(episodes: pd.DataFrame, kind: str = "combined") -> np.ndarray:
    """True for each episode of ``kind``: ``"missing"`` (MISSING "M"), ``"away"`` ("A") or ``"combined"`` (all).

    Raises ValueError for any other ``kind``.
    """
    if kind == "combined":
        return np.ones(len(episodes), dtype=bool)
    if kind not in KIND_CODES:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}")
    return (episodes["MISSING"] == KIND_CODES[kind]).to_numpy(dtype=bool)


def _select_kind(episodes: pd.DataFrame, kind: str) -> pd.DataFrame:
    return episodes if kind == "combined" else episodes[of_kind(episodes, kind)]


def children_by_episode_count(episodes: pd.DataFrame) -> pd.DataFrame:
    """Children, and their episodes, by how many episodes each child had (the bands of ``REPEAT_BANDS``).

    Returns one row per band, in order, with columns ``band``, ``children`` and ``episodes``.
    """
    per_child = episodes.groupby("CHILD").size() if len(episodes) else pd.Series(dtype=int)
    rows = []
    for fewest, most, label in REPEAT_BANDS:
        inside = (per_child >= fewest) & (per_child <= most)
        rows.append({"band": label, "children": int(inside.sum()), "episodes": int(per_child[inside].sum())})
    return pd.DataFrame(rows, columns=["band", "children", "episodes"])


def _pct(value, denominator):
    return round(100 * value / denominator, 1) if denominator else np.nan


def summarise_missing(
    episodes: pd.DataFrame, *, children_looked_after: int | None = None, kind: str = "combined"
) -> pd.DataFrame:
    """Headline figures of missing episodes, one row per measure.

    ``episodes`` is the output of :func:`missing_episodes`. ``kind`` keeps missing ("M"),
    away ("A") or both ("combined") episodes. Percentages are 0-100, rounded to one
    decimal place. Returns columns ``measure``, ``value``, ``denominator``, ``definition``.
    """
    eps = _select_kind(episodes, kind)
    n = len(eps)
    per_child = eps.groupby("CHILD").size()
    children = len(per_child)
    rows = [
        ("episodes", n, np.nan, f"{kind} episodes in the period"),
        ("children with an episode", children, np.nan, "distinct children with at least one episode"),
        (
            "% of children looked after with an episode",
            _pct(children, children_looked_after),
            children_looked_after if children_looked_after else np.nan,
            "children with an episode / children looked after during the period",
        ),
        (
            "episodes per child with an episode",
            round(n / children, 1) if children else np.nan,
            children,
            "episodes / children with an episode",
        ),
    ]
    if kind == "combined":
        for code, label in (("M", "missing"), ("A", "away")):
            rows.append(
                (f"{label} episodes", int((eps["MISSING"] == code).sum()), n, f"episodes coded {code} ({label})")
            )
    under = eps["UNDER_16"].fillna(False).astype(bool) if "UNDER_16" in eps else pd.Series(False, index=eps.index)
    known_age = int(eps["AGE"].notna().sum()) if "AGE" in eps else 0
    rows.append(
        (
            "episodes of children under 16",
            int(under.sum()),
            known_age,
            "episodes starting before the child's 16th birthday (of episodes with a known age)",
        )
    )
    rows.append(
        (
            "% episodes of children under 16",
            _pct(int(under.sum()), known_age),
            known_age,
            "episodes of children under 16 / episodes with a known age",
        )
    )
    for band in DURATION_BANDS:
        count = int((eps["DURATION_BAND"] == band).sum())
        rows.append(
            (
                f"duration: {band}",
                count,
                n,
                f"episodes lasting {band}"
                if band != "ongoing"
                else "episodes with no end date (still missing or end not recorded)",
            )
        )
    repeat = int((per_child >= REPEAT_EPISODES).sum())
    rows.append(
        (
            f"children with {REPEAT_EPISODES}+ episodes",
            repeat,
            children,
            f"children with {REPEAT_EPISODES} or more episodes in the period",
        )
    )
    rows.append(
        (
            f"% children with {REPEAT_EPISODES}+ episodes",
            _pct(repeat, children),
            children,
            f"children with {REPEAT_EPISODES}+ episodes / children with an episode",
        )
    )
    out = pd.DataFrame(rows, columns=["measure", "value", "denominator", "definition"])
    out["value"] = out["value"].astype(float)
    out["denominator"] = out["denominator"].astype(float)
    return out


def _time_of_day(hour: pd.Series) -> pd.Series:
    h = hour.astype("Float64").to_numpy(dtype=float, na_value=np.nan)  # NA would break np.select
    band = np.select(
        [(h >= 22) | (h < 6), (h >= 6) & (h < 12), (h >= 12) & (h < 18), (h >= 18) & (h < 22)],
        TIME_OF_DAY_BANDS,
        default=_NO_TEXT,
    )
    band = pd.Series(band, index=hour.index, dtype=object).where(hour.notna(), None)
    return pd.Series(pd.Categorical(band, categories=TIME_OF_DAY_BANDS), index=hour.index)


def missing_by(episodes: pd.DataFrame, *, by: str = "PLACEMENT_GROUP", kind: str = "combined") -> pd.DataFrame:
    """Episodes and children by one breakdown.

    ``by`` is a column of ``episodes`` or one of: ``"placement type"`` (PLACEMENT_GROUP),
    ``"area"`` (placed in / out of the authority, from PL_LOCATION), ``"time of day"``
    (from START_HOUR), ``"day of week"`` (START_WEEKDAY), ``"duration"`` (DURATION_BAND).
    Returns columns: the breakdown, ``episodes``, ``children``, ``share`` (0-1 of episodes
    with a known value). Unknown values are a row "not known".
    """
    eps = _select_kind(episodes, kind)
    alias = {"placement type": "PLACEMENT_GROUP", "day of week": "START_WEEKDAY", "duration": "DURATION_BAND"}
    if by == "area":
        key = eps["PL_LOCATION"].map({"IN": "placed in the authority", "OUT": "placed out of the authority"})
        categories: list[str] | None = ["placed in the authority", "placed out of the authority"]
        name = "area"
    elif by == "time of day":
        key = _time_of_day(eps["START_HOUR"])
        categories, name = TIME_OF_DAY_BANDS, "time of day"
    else:
        col = alias.get(by, by)
        key = eps[col]
        categories = list(key.cat.categories) if isinstance(key.dtype, pd.CategoricalDtype) else None
        if col == "PLACEMENT_GROUP":
            categories = PLACEMENT_GROUPS  # the DfE publication order
        name = col
    key = key.astype(object).where(key.notna(), "not known")
    frame = pd.DataFrame({name: key.to_numpy(), "CHILD": eps["CHILD"].to_numpy()})
    out = frame.groupby(name, sort=categories is None).agg(episodes=("CHILD", "size"), children=("CHILD", "nunique"))
    if categories is not None:
        order = list(categories) + (["not known"] if "not known" in out.index else [])
        out = out.reindex(order, fill_value=0)
    known = out.drop(index="not known", errors="ignore")["episodes"].sum()
    out["share"] = np.where(out.index != "not known", out["episodes"] / known if known else np.nan, np.nan)
    return out.reset_index()


def offered_in_time(episodes: pd.DataFrame, *, within_hours: float = RHI_WITHIN_HOURS) -> pd.Series:
    """True where a return home interview was offered no more than ``within_hours`` after the
    episode ended (MIS_END), and not before the day it ended (a date without a time is midnight)."""
    offered = episodes["RHI_OFFERED"]
    ended = episodes["MIS_END"]
    return (
        (
            offered.notna()
            & ended.notna()
            & ((offered - ended) <= pd.Timedelta(hours=within_hours))
            & (offered >= ended.dt.normalize())
        )
        .fillna(False)
        .astype(bool)
    )


RHI_COLUMNS = ("RHI_OFFERED", "RHI_DONE", "RHI_ACCEPTED")
# Said wherever a return home interview figure would be: 0 % would read as interviews not offered.
RHI_NOT_RECORDED = (
    "No return home interview is recorded for these episodes: the 903 does not hold them; "
    "the missing team's log does (RHI_OFFERED, RHI_DONE, RHI_ACCEPTED)."
)


def interviews_recorded(episodes: pd.DataFrame) -> bool:
    """Whether any episode has a return home interview offered, done or accepted recorded. False for the 903
    alone (it has no interview fields): its interview figures would be 0 %, not "not recorded"."""
    return any(col in episodes and episodes[col].notna().any() for col in RHI_COLUMNS)


def return_interviews(episodes: pd.DataFrame, *, within_hours: float = RHI_WITHIN_HOURS) -> pd.DataFrame:
    """Return home interviews offered, completed and accepted, for children placed in and out of the authority.

    Counts episodes that have ended (MIS_END known). ``offered within 72 hours`` means
    RHI_OFFERED no more than ``within_hours`` after MIS_END (dates without a time count
    as midnight, so a same-day to third-day offer counts). ``accepted`` is over episodes
    with RHI_ACCEPTED recorded. Percentages are 0-100.
    Returns one row per group (all, placed in the authority, placed out of the authority,
    placement not known) with columns ``group``, ``returned``, ``offered``,
    ``offered_within``, ``offered_within_pct``, ``completed``, ``completed_within``,
    ``completed_pct``, ``accepted``, ``accepted_recorded``, ``accepted_pct``.
    """
    ended = episodes[episodes["MIS_END"].notna()]
    limit = pd.Timedelta(hours=within_hours)
    offered = ended["RHI_OFFERED"].notna()
    offered_within = offered_in_time(ended, within_hours=within_hours)
    done = ended["RHI_DONE"].notna()
    done_within = done & ((ended["RHI_DONE"] - ended["MIS_END"]) <= limit)
    accepted = ended["RHI_ACCEPTED"].astype("boolean")
    location = ended.get("PL_LOCATION", pd.Series(pd.NA, index=ended.index, dtype=object))
    groups = {
        "all": pd.Series(True, index=ended.index),
        "placed in the authority": location == "IN",
        "placed out of the authority": location == "OUT",
        "placement not known": ~location.isin(["IN", "OUT"]),
    }
    rows = []
    for name, mask in groups.items():
        mask = mask.fillna(False).astype(bool)
        n = int(mask.sum())
        rec = int(accepted[mask].notna().sum())
        acc = int(accepted[mask].fillna(False).astype(bool).sum())
        rows.append(
            {
                "group": name,
                "returned": n,
                "offered": int(offered[mask].sum()),
                "offered_within": int(offered_within[mask].sum()),
                "offered_within_pct": _pct(int(offered_within[mask].sum()), n),
                "completed": int(done[mask].sum()),
                "completed_within": int(done_within[mask].sum()),
                "completed_pct": _pct(int(done[mask].sum()), n),
                "accepted": acc,
                "accepted_recorded": rec,
                "accepted_pct": _pct(acc, rec),
            }
        )
    return pd.DataFrame(rows)
