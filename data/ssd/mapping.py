"""Map SSD rows to the 903 Header, Episodes and Missing tables and the missing team's log, as text.

Every SSD row is either used or listed in the issues table with its SSD table, key, column and reason.
Dates come out as the return writes them (dd/mm/yyyy; the log keeps the time), so the tables load through
the same readers as a council's export.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from data import schemas as S
from data.quality import SET_ASIDE, WARNING
from data.ssd.tables import (
    CHILD_ID_COLUMNS,
    DEFAULT_HOME_ADDRESS_TYPES,
    FACTOR_FLAGS,
    MISSING_TYPE_VALUES,
    RHI_NOT_APPLICABLE,
    RHI_VALUES,
    SSD_TABLES,
)

__all__ = ["ISSUE_COLUMNS", "map_tables"]

ISSUE_COLUMNS = ["table", "row", "key", "column", "value", "reason", "severity"]


class _Issues:
    """Issues gathered a whole mask at a time (an England-size SSD lists tens of thousands of rows)."""

    def __init__(self):
        self.frames: list[pd.DataFrame] = []

    def add(self, kind: str, frame: pd.DataFrame, mask, column, reason, severity=SET_ASIDE, values=None):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        spec = SSD_TABLES[kind]
        part = frame.loc[mask]
        self.frames.append(
            pd.DataFrame(
                {
                    "table": spec.name,
                    "row": part["_ROW"].to_numpy(),
                    "key": part["_KEY"].to_numpy(),
                    "column": column,
                    "value": None
                    if values is None
                    else pd.Series(values, index=frame.index)[mask].astype(object).to_numpy(),
                    "reason": reason
                    if isinstance(reason, str)
                    else pd.Series(reason, index=frame.index)[mask].to_numpy(),
                    "severity": severity,
                }
            )
        )

    def note(self, table, column, reason, severity=WARNING):
        self.frames.append(
            pd.DataFrame(
                [
                    {
                        "table": table,
                        "row": None,
                        "key": None,
                        "column": column,
                        "value": None,
                        "reason": reason,
                        "severity": severity,
                    }
                ]
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame(columns=ISSUE_COLUMNS)
        out = pd.concat(self.frames, ignore_index=True)[ISSUE_COLUMNS]
        out["row"] = out["row"].astype("Int64")
        return out


def _text(values: pd.Series) -> pd.Series:
    # Plain object strings: isin and map against large sets are hash lookups there, not a Python loop.
    return values.astype(object).where(values.notna(), "").astype(str).str.strip().astype(object)


def _dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates from the driver (datetime) or SQLite text; returns (datetime64, bad mask)."""
    text = _text(values)
    parsed = pd.to_datetime(text.where(text != ""), errors="coerce", format="ISO8601")
    return parsed, (text != "") & parsed.isna()


def _dmy(values: pd.Series, *, time: bool = False) -> pd.Series:
    out = values.dt.strftime("%d/%m/%Y %H:%M" if time else "%d/%m/%Y")
    return out.where(values.notna(), "")


def _prepare(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["_ROW"] = np.arange(1, len(out) + 1)
    key = SSD_TABLES[kind].key
    out["_KEY"] = _text(out[key]) if key in out else out["_ROW"].astype(str)
    out["_KEY"] = out["_KEY"].where(out["_KEY"] != "", "(blank)")
    return out


def _current_at(rows: pd.DataFrame, starts: pd.DataFrame, *, start: str, end: str) -> pd.Series:
    """For each row of ``starts`` (``_I``, ``_P``, ``_AT``), the ``_ROW`` of the row of ``rows`` current then.

    Current: same person (``_P``), begun on or before the day and not ended before it. When several are,
    the one begun last wins (the SSD's rows for one person may overlap).
    """
    cand = starts.merge(rows[["_P", "_ROW", start, end]], on="_P")
    day = cand["_AT"].dt.normalize()
    ok = (cand[start].dt.normalize() <= day) & (cand[end].isna() | (cand[end].dt.normalize() >= day))
    cand = cand[ok].sort_values(["_I", start, "_ROW"], kind="stable")
    chosen = cand.drop_duplicates("_I", keep="last")
    return pd.Series(chosen["_ROW"].to_numpy(), index=chosen["_I"].to_numpy())


def _factor_codes(text: str) -> list[str] | None:
    """Codes from ``cinf_assessment_factors_json``: an array (nulls allowed) or an object of code: answer."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    if isinstance(value, list):
        return [str(v).strip().upper() for v in value if v is not None and str(v).strip()]
    if isinstance(value, dict):
        return [str(k).strip().upper() for k, v in value.items() if str(v).strip().upper() in ("Y", "YES", "TRUE", "1")]
    return None


def _usable_rows(frame, kind, by_person, child_id, *, what, person, start, end, issues) -> pd.DataFrame:
    """Rows with a known person (and child id) and a start date, as ``_P``, ``_CHILD``, ``_AT``, ``_E``.

    The others are listed, each once, under its first reason; an end that is not a date is read as blank.
    """
    rows = _prepare(frame, kind)
    rows["_P"] = _text(rows[person])
    rows["_AT"], bad_start = _dates(rows[start])
    rows["_E"], bad_end = _dates(rows[end])
    rows["_CHILD"] = rows["_P"].map(by_person["_CHILD"]).fillna("")
    known = rows["_P"].isin(by_person.index)
    aside = pd.Series(False, index=rows.index)
    for mask, column, reason, values in (
        (rows["_P"] == "", person, f"no person: {what} not used", None),
        (~known & (rows["_P"] != ""), person, f"person not in ssd_person: {what} not used", rows["_P"]),
        (bad_start, start, f"start date is not a date: {what} not used", rows[start]),
        (rows["_AT"].isna() & ~bad_start, start, f"no start date: {what} not used", None),
        ((rows["_CHILD"] == "") & known, child_id, f"the child's {child_id} is blank: {what} not used", None),
    ):
        issues.add(kind, rows, mask & ~aside, column, reason, values=values)
        aside |= mask
    issues.add(kind, rows, bad_end & ~aside, end, "end date is not a date: read as blank", WARNING, rows[end])
    return rows[~aside].copy()


def map_tables(
    tables: dict[str, pd.DataFrame],
    *,
    child_id: str = "pers_person_id",
    home_address_types=DEFAULT_HOME_ADDRESS_TYPES,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The 903 tables and the missing-team log from SSD tables (as :func:`data.ssd.read.read_tables` gives).

    Parameters
    ----------
    tables : dict of DataFrames keyed as :data:`data.ssd.tables.SSD_TABLES`.
    child_id : ``"pers_person_id"`` (default) or ``"pers_legacy_id"``: the column that becomes the 903 CHILD.
    home_address_types : ``ssd_address.addr_address_type`` values (any case) that are the child's home.

    Returns
    -------
    ``(out, issues)``: ``out`` has keys ``header``, ``episodes``, ``missing``, ``missing_log``, each a DataFrame
    of text with exactly the columns of ``data.schemas`` (``HEADER_COLUMNS`` ...); ``issues`` has
    :data:`ISSUE_COLUMNS`, one row per SSD row not used (severity "set aside") or used with a doubt.
    """
    if child_id not in CHILD_ID_COLUMNS:
        raise ValueError(f"child_id must be one of {', '.join(CHILD_ID_COLUMNS)}")
    homes = {str(t).strip().upper() for t in home_address_types}
    issues = _Issues()

    # ---------------------------------------------------------------- people
    person = _prepare(tables["person"], "person")
    person["_P"] = _text(person["pers_person_id"])
    person["_CHILD"] = _text(person[child_id]).str.upper()
    person["_DOB"], bad_dob = _dates(person["pers_dob"])
    person = person[person["_P"] != ""].drop_duplicates("_P")
    by_person = person.set_index("_P")

    # ---------------------------------------------------------------- care episodes
    ep = _usable_rows(
        tables["episodes"],
        "episodes",
        by_person,
        child_id,
        what="episode",
        person="clae_person_id",
        start="clae_cla_episode_start_date",
        end="clae_cla_episode_ceased_date",
        issues=issues,
    )
    ep["_I"] = np.arange(len(ep))

    # placements: one per episode by clae_cla_placement_id
    pl = _prepare(tables["placement"], "placement")
    pl["_ID"] = _text(pl["clap_cla_placement_id"])
    pl_unique = pl[pl["_ID"] != ""].drop_duplicates("_ID")
    ep["_PLID"] = _text(ep["clae_cla_placement_id"])
    joined = ep[["_I", "_PLID"]].merge(
        pl_unique.drop(columns=["_ROW", "_KEY"]), left_on="_PLID", right_on="_ID", how="left"
    )
    joined = joined.set_index("_I").reindex(ep["_I"])
    no_place = joined["_ID"].isna().to_numpy()
    issues.add(
        "episodes",
        ep,
        no_place,
        "clae_cla_placement_id",
        "no placement in ssd_cla_placement: PLACE, PL_POST and URN blank",
        WARNING,
        ep["_PLID"],
    )
    used_pl = set(joined["_ID"].dropna())
    issues.add(
        "placement",
        pl,
        ~pl["_ID"].isin(used_pl),
        "clap_cla_placement_id",
        "no care episode read refers to this placement: not used",
    )

    # legal status and home address current at the episode's start
    starts = ep[["_I", "_P", "_AT"]]
    ls = _prepare(tables["legal_status"], "legal_status")
    ls["_P"] = _text(ls["lega_person_id"])
    ls["_S"], ls_bad = _dates(ls["lega_legal_status_start_date"])
    ls["_E"], _ = _dates(ls["lega_legal_status_end_date"])
    issues.add(
        "legal_status",
        ls,
        ls_bad | ls["_S"].isna(),
        "lega_legal_status_start_date",
        "no start date that is a date: not used",
        values=ls["lega_legal_status_start_date"],
    )
    ls_pick = _current_at(ls[ls["_S"].notna()], starts, start="_S", end="_E")
    issues.add(
        "legal_status",
        ls,
        ls["_S"].notna() & ~ls["_ROW"].isin(ls_pick.to_numpy()),
        None,
        "not current at the start of any care episode read: not used",
    )
    ls_text = _text(ls.set_index("_ROW")["lega_legal_status"]).str.upper()

    ad = _prepare(tables["address"], "address")
    ad["_P"] = _text(ad["addr_person_id"])
    ad["_TYPE"] = _text(ad["addr_address_type"])
    ad["_S"], ad_bad = _dates(ad["addr_address_start_date"])
    ad["_E"], _ = _dates(ad["addr_address_end_date"])
    is_home = ad["_TYPE"].str.upper().isin(homes)
    issues.add(
        "address",
        ad,
        ~is_home,
        "addr_address_type",
        "not a home address type (setting home_address_types): not used",
        values=ad["_TYPE"],
    )
    issues.add(
        "address",
        ad,
        is_home & (ad_bad | ad["_S"].isna()),
        "addr_address_start_date",
        "no start date that is a date: not used",
        values=ad["addr_address_start_date"],
    )
    home_rows = ad[is_home & ad["_S"].notna()]
    ad_pick = _current_at(home_rows, starts, start="_S", end="_E")
    issues.add(
        "address",
        ad,
        is_home & ad["_S"].notna() & ~ad["_ROW"].isin(ad_pick.to_numpy()),
        None,
        "not current at the start of any care episode read: not used",
    )
    ad_post = _text(ad.set_index("_ROW")["addr_address_postcode"]).str.upper()

    ep_ls = ep["_I"].map(ls_pick).map(ls_text).fillna("")
    ep_home = ep["_I"].map(ad_pick).map(ad_post).fillna("")
    issues.add(
        "episodes",
        ep,
        ep["_I"].map(ad_pick).isna().to_numpy(),
        "HOME_POST",
        f"no home address ({', '.join(sorted(home_address_types))}) current at the episode's start: HOME_POST blank",
        WARNING,
    )

    def col(name):
        return _text(joined[name]).to_numpy() if name in joined else ""

    episodes = pd.DataFrame(
        {
            "CHILD": ep["_CHILD"].to_numpy(),
            "DECOM": _dmy(ep["_AT"]).to_numpy(),
            "RNE": _text(ep["clae_cla_episode_start_reason"]).to_numpy(),
            "LS": ep_ls.to_numpy(),
            "CIN": _text(ep["clae_cla_primary_need_code"]).to_numpy(),
            "PLACE": col("clap_cla_placement_type"),
            "PLACE_PROVIDER": col("clap_cla_placement_provider"),
            "DEC": _dmy(ep["_E"]).to_numpy(),
            "REC": _text(ep["clae_cla_episode_ceased_reason"]).to_numpy(),
            "REASON_PLACE_CHANGE": col("clap_cla_placement_change_reason"),
            "HOME_POST": ep_home.to_numpy(),
            "PL_POST": col("clap_cla_placement_postcode"),
            "URN": col("clap_cla_placement_urn"),
        }
    )[S.EPISODES_COLUMNS]

    # ---------------------------------------------------------------- the children: 903 Header
    in_care = set(ep["_P"])
    p_all = _prepare(tables["person"], "person")
    p_all["_P"] = _text(p_all["pers_person_id"])
    issues.add(
        "person",
        p_all,
        ~p_all["_P"].isin(in_care),
        None,
        "no care episode read: not a child looked after in this extract",
    )
    issues.add(
        "person",
        p_all,
        p_all["_P"].isin(in_care) & p_all["_P"].duplicated(),
        "pers_person_id",
        "same person id as an earlier row: not used",
    )
    kids = person[person["_P"].isin(in_care)]
    issues.add(
        "person",
        kids,
        bad_dob.reindex(kids.index, fill_value=False),
        "pers_dob",
        "date of birth is not a date: read as blank",
        WARNING,
        kids["pers_dob"],
    )
    mother = _text(kids["pers_is_mother"]).str.upper()
    header = pd.DataFrame(
        {
            "CHILD": kids["_CHILD"].to_numpy(),
            "SEX": _text(kids["pers_sex"]).to_numpy(),
            "DOB": _dmy(kids["_DOB"]).to_numpy(),
            "ETHNIC": _text(kids["pers_ethnicity"]).to_numpy(),
            "UPN": _text(kids["pers_upn"]).to_numpy(),
            "MOTHER": np.where(mother.isin(["Y", "YES", "1"]), "1", "").astype(object),
            "MC_DOB": "",
        }
    )[S.HEADER_COLUMNS]

    # ---------------------------------------------------------------- missing episodes
    mi = _usable_rows(
        tables["missing"],
        "missing",
        by_person,
        child_id,
        what="missing episode",
        person="miss_person_id",
        start="miss_missing_episode_start_date",
        end="miss_missing_episode_end_date",
        issues=issues,
    )
    kind_raw = _text(mi["miss_missing_episode_type"])
    kind = kind_raw.str.upper().map(MISSING_TYPE_VALUES).fillna("")
    issues.add(
        "missing",
        mi,
        (kind_raw != "") & (kind == ""),
        "miss_missing_episode_type",
        "not a known missing type (M, Missing, A, Absent, Away): read as blank",
        WARNING,
        kind_raw,
    )
    rhi = {}
    for column in ("miss_missing_rhi_offered", "miss_missing_rhi_accepted"):
        raw = _text(mi[column])
        value = raw.str.upper().map(RHI_VALUES).fillna("")
        unknown = (raw != "") & (value == "") & ~raw.str.upper().isin(RHI_NOT_APPLICABLE)
        issues.add(
            "missing", mi, unknown, column, "not a known answer (Y, Yes, N, No, NA): read as blank", WARNING, raw
        )
        rhi[column] = value
    dob = mi["_P"].map(by_person["_DOB"])
    missing = pd.DataFrame(
        {
            "CHILD": mi["_CHILD"].to_numpy(),
            "DOB": _dmy(pd.to_datetime(dob)).to_numpy(),
            "MISSING": kind.to_numpy(),
            "MIS_START": _dmy(mi["_AT"]).to_numpy(),
            "MIS_END": _dmy(mi["_E"]).to_numpy(),
        }
    )[S.MISSING_COLUMNS]

    # ---------------------------------------------------------------- risk flags from assessment factors
    flags = _risk_flags(tables, set(mi["_P"]), issues)
    log = pd.DataFrame({c: "" for c in S.MISSING_LOG_COLUMNS}, index=range(len(mi)))
    log["CHILD"] = mi["_CHILD"].to_numpy()
    log["MISSING"] = kind.to_numpy()
    log["MIS_START"] = _dmy(mi["_AT"], time=True).to_numpy()
    log["MIS_END"] = _dmy(mi["_E"], time=True).to_numpy()
    log["RHI_ACCEPTED"] = rhi["miss_missing_rhi_accepted"].to_numpy()
    if flags is not None:
        for flag in S.RISK_FLAGS:
            if flag in set(FACTOR_FLAGS.values()):
                people = flags.get(flag, set())
                log[flag] = np.where(mi["_P"].isin(people), "Y", "N")
    log = log[S.MISSING_LOG_COLUMNS]

    out = {"header": header, "episodes": episodes, "missing": missing, "missing_log": log}
    return out, issues.frame()


def _risk_flags(tables, missing_people: set, issues: _Issues) -> dict[str, set] | None:
    """Per risk flag, the people with an assessment recording its factor; None when the tables are absent."""
    asm = _prepare(tables["assessments"], "assessments")
    fac = _prepare(tables["factors"], "factors")
    if asm.empty and fac.empty:
        return None
    asm["_A"] = _text(asm["cina_assessment_id"])
    asm["_P"] = _text(asm["cina_person_id"])
    owner = asm[asm["_A"] != ""].drop_duplicates("_A").set_index("_A")["_P"]
    fac["_A"] = _text(fac["cinf_assessment_id"])
    # Eclipse keys its assessments by person + form, and its factor rows carry that in cinf_table_id.
    fac["_P"] = fac["_A"].map(owner)
    fac["_P"] = fac["_P"].fillna(_text(fac["cinf_table_id"]).map(owner))
    issues.add(
        "factors",
        fac,
        fac["_P"].isna(),
        "cinf_assessment_id",
        "no assessment in ssd_cin_assessments: not used",
        values=fac["_A"],
    )
    fac = fac[fac["_P"].notna()]
    codes = fac["cinf_assessment_factors_json"].map(lambda v: _factor_codes(v) if v is not None else [])
    bad = codes.isna()
    issues.add(
        "factors",
        fac,
        bad,
        "cinf_assessment_factors_json",
        "not a JSON array or object of factor codes: not used",
        values=fac["cinf_assessment_factors_json"],
    )
    never_missing = ~fac["_P"].isin(missing_people)
    issues.add("factors", fac, ~bad & never_missing, None, "the child has no missing episode read: not used")
    used = fac[~bad & ~never_missing]
    flags: dict[str, set] = {}
    for person, found in zip(used["_P"], codes[used.index]):
        for code in found:
            flag = FACTOR_FLAGS.get(code)
            if flag:
                flags.setdefault(flag, set()).add(person)
    factor_keys = set(fac["_A"]) | set(_text(fac["cinf_table_id"]))
    issues.add(
        "assessments",
        asm,
        ~asm["_P"].isin(missing_people) | ~asm["_A"].isin(factor_keys),
        None,
        "no factors of a child with a missing episode read: not used",
    )
    return flags
