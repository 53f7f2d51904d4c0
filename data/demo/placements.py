"""Placements and 903 episodes of the synthetic children, on real postcodes.

A child's period of care is a run of placements (each of one kind: foster with relatives, other
foster, children's home, secure, supported accommodation, with parents, adoption, other) and a
run of legal statuses; every change of either starts a new 903 episode, with RNE saying which.
Placement locations are real unit postcodes at realistic distances from the child's home
(distances in miles as the DfE measures them, grids in EPSG:27700).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from data.demo.children import DAYS_PER_YEAR, eighteenth_birthday
from data.demo.places import RESIDENTIAL_TOWNS, PostcodeSampler, sample_near
from data.schemas import EPISODES_COLUMNS

# Per kind: 903 codes (share), mean years in one placement, distance from home (median miles,
# log-normal spread), wish to be outside the authority, providers (share).
KINDS: dict[str, dict[str, Any]] = {
    "foster_rel": dict(
        codes={"U1": 0.45, "U2": 0.05, "U3": 0.50},
        years=1.8,
        miles=3.2,
        sigma=1.3,
        out=0.45,
        providers={"PR1": 0.90, "PR2": 0.05, "PR4": 0.05},
    ),
    "foster_other": dict(
        codes={"U4": 0.35, "U5": 0.05, "U6": 0.60},
        years=1.2,
        miles=3.0,
        sigma=1.15,
        out=0.74,
        providers={"PR1": 0.55, "PR4": 0.40, "PR5": 0.05},
    ),
    "home": dict(codes={"K2": 1.0}, years=0.9),
    "secure": dict(codes={"K1": 1.0}, years=0.3),
    # Supported accommodation stays inside the authority: the validator's rules 241 (K3 with a URN)
    # and 1015 (own provision, H5 before 2024/25) reject it outside. P2 ended on 28 October 2023 (217t).
    "supported": dict(
        codes={"K3": 1.0}, years=0.9, miles=3.5, sigma=1.0, out=0.0, providers={"PR4": 0.70, "PR5": 0.20, "PR1": 0.10}
    ),
    "parents": dict(codes={"P1": 1.0}, years=0.8, miles=0.8, sigma=0.8, out=0.05, providers={"PR0": 1.0}),
    "adoption": dict(
        codes={"A3": 0.05, "A4": 0.10, "A5": 0.25, "A6": 0.60},
        years=99.0,
        miles=14.0,
        sigma=0.8,
        out=0.75,
        providers={"PR1": 0.60, "PR5": 0.30, "PR2": 0.10},
    ),
    "other": dict(
        codes={"R2": 0.20, "R3": 0.15, "S1": 0.35, "Z1": 0.30},
        years=0.5,
        miles=8.0,
        sigma=1.1,
        out=0.65,
        providers={"PR3": 0.3, "PR4": 0.5, "PR5": 0.2},
    ),
}
# Share of time spent in each kind by age band (0-4, 5-9, 10-15, 16-17), outside the adoption path.
TIME_SHARES: dict[str, list[float]] = {
    "foster_rel": [22, 21, 14, 9],
    "foster_other": [68, 61, 52, 38],
    "home": [0, 3, 15, 13],
    "secure": [0, 0, 0.4, 0.3],
    "supported": [0, 0, 0, 27],
    "parents": [6, 9, 8, 5],
    "other": [3, 3, 4.6, 5.7],
}
_KIND_NAMES = list(TIME_SHARES)
# Placement probabilities so that time shares come out as above (share / mean length).
_KIND_P = np.array([[TIME_SHARES[k][b] / KINDS[k]["years"] for k in _KIND_NAMES] for b in range(4)])
_KIND_P = _KIND_P / _KIND_P.sum(axis=1, keepdims=True)
_UASC_KINDS = ["foster_other", "supported", "home"]
_UASC_P = [0.55, 0.35, 0.10]

# Placement codes that may carry URN "XXXXXXX" (not inspected; validator rule 242); other
# placements without an inspected setting (P1, R2, Z1) leave URN blank (rule 218 allows it).
NOT_INSPECTED_PLACES = ("A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6")
# A school placement only from this age (rule 373: S1 under 4).
MIN_AGE_S1 = 4.5
# Placements the authority may provide itself outside its area (rule 1015 exempts them).
OWN_PROVISION_ANYWHERE = NOT_INSPECTED_PLACES + ("K3",)
# Farthest a children's home is chosen from home, km: under the validator's 350 miles (563 km)
# between postcodes, with room for the home's postcode not being its register point.
MAX_HOME_KM = 540.0
# Longest emergency legal statuses, days (rules 361 police protection 72 hours, 362 EPO 21 days,
# 364 PACE detention 21 days).
MAX_DAYS_LS = {"L1": 3, "L2": 21, "J2": 21}
# Placements that need no PLACE_PROVIDER (validator rule 178).
NO_PROVIDER = {"Z1", "T0", "T1", "T2", "T3", "T4"}
PLACE_CHANGE_REASONS = {
    "CARPL": 0.35,
    "CREQB": 0.15,
    "CREQO": 0.10,
    "CHILD": 0.08,
    "LAREQ": 0.08,
    "OTHER": 0.12,
    "CLOSE": 0.05,
    "STAND": 0.04,
    "ALLEG": 0.03,
}
EXIT_REASONS = {
    "adopt": {"E11": 0.6, "E12": 0.4},
    "home": {"E4A": 0.75, "E4B": 0.05, "E13": 0.12, "E41": 0.05, "E3": 0.03},
    "sgo": {"E45": 0.3, "E46": 0.1, "E47": 0.5, "E48": 0.1},
    "eighteen": {"E17": 0.2, "E5": 0.37, "E6": 0.1, "E8": 0.2, "E7": 0.02, "E4A": 0.06, "E13": 0.05},
    "uasc_early": {"E15": 0.5, "E3": 0.3, "E8": 0.2},
}
# Fictional URNs for fostering and other registered services (never a real setting's number).
IFA_URNS = [f"SC98{i:04d}" for i in range(11, 19)]
VOLUNTARY_URNS = ["SC981901", "SC981902"]
SUPPORTED_URNS = [f"29{i:05d}" for i in range(91001, 91013)]
ADOPTION_URNS = ["SC982001", "SC982002", "SC982003"]
NOT_INSPECTED = "XXXXXXX"


def _pick(rng, table: dict, n=None):
    keys = list(table)
    p = np.array(list(table.values()), dtype=float)
    return rng.choice(keys, size=n, p=p / p.sum())


def _age_band(age_years: float) -> int:
    return 0 if age_years < 5 else 1 if age_years < 10 else 2 if age_years < 16 else 3


def draw_placements(kids: pd.DataFrame, *, rng: np.random.Generator, horizon: int) -> pd.DataFrame:
    """Placement segments of each child up to ``horizon`` (day), without locations yet.

    Returns CHILD, P_START, P_END (exclusive day; the period's END for the last one), KIND, PLACE,
    SAME_CARER (stays with the previous carer: same postcode).
    """
    rows = []
    for kid in kids.itertuples(index=False):
        t, stop = kid.START, min(kid.END, horizon)
        adopt_day = None
        if kid.PATH == "adopt":
            adopt_day = int(kid.START + (kid.END - kid.START) * rng.uniform(0.45, 0.7))
        prev = None
        while t < stop:
            age = (t - kid.DOB) / DAYS_PER_YEAR
            same = False
            if adopt_day is not None and t >= adopt_day:
                kind = "adoption"
            elif adopt_day is not None:
                kind = "foster_rel" if rng.random() < 0.15 else "foster_other"
            elif kid.UASC:
                kind = rng.choice(_UASC_KINDS, p=_UASC_P)
                if kind == "supported" and age < 16:
                    kind = "foster_other"
            else:
                kind = _KIND_NAMES[rng.choice(len(_KIND_NAMES), p=_KIND_P[_age_band(age)])]
            spec = KINDS[kind]
            place = str(_pick(rng, spec["codes"]))
            if kind == "supported" and age < 16:  # not allowed for under-16s since October 2023
                kind, place = "foster_other", "U6"
            if place == "S1" and age < MIN_AGE_S1:
                place = "Z1"
            long_term = "U4" if kind == "foster_other" else "U1"
            if (
                prev is not None
                and prev[0] == kind
                and kind in ("foster_other", "foster_rel")
                and prev[1] != long_term
                and rng.random() < 0.3
            ):
                # Same carers, placement re-designated long term (rule 435: something must change).
                same, place = True, long_term
            if kind == "adoption" and place in ("A3", "A5"):
                if prev is not None and prev[0].startswith("foster"):
                    same = True  # placed for adoption with the current foster carer
                else:  # "with current foster carer" needs one (rule 217: RNE S, T or U)
                    place = {"A3": "A4", "A5": "A6"}[place]
            length = max(3, int(round(rng.exponential(spec["years"]) * DAYS_PER_YEAR)))
            end = t + length
            if adopt_day is not None and t < adopt_day:
                end = min(end, adopt_day)
            end = min(end, kid.END)
            rows.append((kid.CHILD, t, end, kind, place, same))
            prev = (kind, place)
            t = end
    return pd.DataFrame(rows, columns=["CHILD", "P_START", "P_END", "KIND", "PLACE", "SAME_CARER"])


def locate_placements(
    placements: pd.DataFrame,
    kids: pd.DataFrame,
    homes: pd.DataFrame,
    *,
    rng: np.random.Generator,
    sampler: PostcodeSampler,
    la_units: pd.DataFrame,
    la_code: str,
    la_dfe: str,
    home_scale_km: float = 30.0,
    town_pull: float = 0.1,
) -> pd.DataFrame:
    """Add PL_ROW (row in the sampler's postcode arrays), PLACE_PROVIDER and URN to placements.

    Children's homes come from the register: nearer homes are likelier (exp(-d/home_scale_km)),
    and the towns where homes cluster pull extra children from far away (``town_pull``).
    """
    out = placements.copy()
    kid = kids.set_index("CHILD").loc[out["CHILD"]]
    home_row = kid["HOME_ROW"].to_numpy()
    la_xy = la_units[["easting", "northing"]].to_numpy()
    # UASC have no home postcode: their placements are drawn around a random address in the authority.
    origin_row = np.where(home_row >= 0, home_row, rng.integers(0, len(la_units), len(out)))
    origin = la_xy[origin_row]
    home_pc_row = sampler.snap(origin)[0]
    n = len(out)
    pl_row = np.full(n, -1, dtype=np.int64)
    provider = np.full(n, "", dtype=object)
    urn = np.full(n, NOT_INSPECTED, dtype=object)
    kind = out["KIND"].to_numpy(dtype=object)
    place = out["PLACE"].to_numpy(dtype=object)

    for k in ("foster_rel", "foster_other", "supported", "parents", "adoption", "other"):
        idx = np.flatnonzero(kind == k)
        if not len(idx):
            continue
        spec = KINDS[k]
        want_out = rng.random(len(idx)) < spec["out"]
        pl_row[idx] = sample_near(
            sampler, origin[idx], spec["miles"], rng=rng, sigma=spec["sigma"], want_outside=want_out, la_code=la_code
        )
        provider[idx] = _pick(rng, spec["providers"], len(idx))
        if spec["out"] == 0.0:
            # Must be inside (supported accommodation): a small authority such as the City of London
            # may have no postcode at the drawn distance, so take one of its own at random.
            stray = idx[sampler.la_code[pl_row[idx]] != la_code]
            pl_row[stray] = sampler.snap(la_xy[rng.integers(0, len(la_units), len(stray))])[0]
    # With parents: often the very home postcode.
    par = np.flatnonzero(kind == "parents")
    at_home = par[(rng.random(len(par)) < 0.25) & (home_row[par] >= 0)]
    pl_row[at_home] = home_pc_row[at_home]

    ordinary = homes[~homes["SECURE"]].reset_index(drop=True)
    secure = homes[homes["SECURE"]].reset_index(drop=True)
    town_home = _in_cluster_town(ordinary, sampler)
    for k, reg in (("home", ordinary), ("secure", secure)):
        idx = np.flatnonzero(kind == k)
        if not len(idx):
            continue
        hxy = reg[["EASTING", "NORTHING"]].to_numpy()
        d_km = np.hypot(origin[idx, None, 0] - hxy[None, :, 0], origin[idx, None, 1] - hxy[None, :, 1]) / 1000
        # No home beyond the validator's 350 miles (rule 454), unless none is nearer.
        too_far = (d_km > MAX_HOME_KM) & (d_km.min(axis=1, keepdims=True) <= MAX_HOME_KM)
        if k == "home":
            w = np.exp(-d_km / home_scale_km) + town_pull * town_home[None, :] * 150 / (150 + d_km)
        else:
            w = 1 / (d_km + 50) ** 2
        w = np.where(too_far, 0.0, w)
        w = w / w.sum(axis=1, keepdims=True)
        choice = (w.cumsum(axis=1) < rng.random((len(idx), 1))).sum(axis=1)
        choice = np.minimum(choice, len(reg) - 1)
        pl_row[idx] = sampler.snap(hxy[choice])[0]
        urn[idx] = reg["URN"].to_numpy(dtype=object)[choice]
        sec = reg["SECTOR"].to_numpy(dtype=object)[choice]
        home_la = reg["LA_CODE"].to_numpy(dtype=object)[choice]
        provider[idx] = np.where(
            sec == "PRIVATE", "PR4", np.where(sec == "VOLUNTARY", "PR5", np.where(home_la == la_code, "PR1", "PR2"))
        )

    # URNs of the fostering, adoption and supported-accommodation services.
    own_fostering = own_fostering_urn(la_dfe)
    foster = np.isin(kind, ["foster_rel", "foster_other"])
    urn[foster & (provider == "PR1")] = own_fostering
    for code, pool in (("PR4", IFA_URNS), ("PR5", VOLUNTARY_URNS), ("PR2", IFA_URNS[:2])):
        sel = foster & (provider == code)
        urn[sel] = rng.choice(pool, size=sel.sum())
    sel = kind == "adoption"
    urn[sel] = rng.choice(ADOPTION_URNS, size=sel.sum())
    sel = (kind == "supported") & (place == "K3")
    urn[sel] = rng.choice(SUPPORTED_URNS, size=sel.sum())
    sel = np.isin(place, ["R3", "S1"])
    urn[sel] = rng.choice(SUPPORTED_URNS, size=sel.sum())
    provider[place == "R2"] = "PR3"
    provider[np.isin(place, list(NO_PROVIDER))] = ""
    urn[~np.isin(place, NOT_INSPECTED_PLACES) & (urn == NOT_INSPECTED)] = ""

    # Same carer: same postcode, provider and URN as the placement before.
    same = out["SAME_CARER"].to_numpy()
    for i in np.flatnonzero(same):
        if i > 0 and out["CHILD"].iat[i - 1] == out["CHILD"].iat[i]:
            pl_row[i] = pl_row[i - 1]
            if kind[i] != "adoption":
                provider[i], urn[i] = provider[i - 1], urn[i - 1]
    # HOME_POST may equal PL_POST only for placements with parents (validator rule 392d).
    clash = (pl_row == home_pc_row) & (place != "P1") & (home_row >= 0)
    if clash.any():
        pl_row[clash] = sample_near(sampler, origin[clash], 2.0, rng=rng, sigma=0.5)
    # Own provision other than foster, adoption and K3 must be inside the authority (rule 1015): a
    # home on the boundary may snap to a neighbour's postcode, or move off the child's home postcode.
    own_outside = (provider == "PR1") & (sampler.la_code[pl_row] != la_code) & ~np.isin(place, OWN_PROVISION_ANYWHERE)
    provider[own_outside] = "PR2"
    out["PL_ROW"] = pl_row
    out["HOME_PC_ROW"] = np.where(home_row >= 0, home_pc_row, -1)
    out["PLACE_PROVIDER"] = provider
    out["URN"] = urn
    return out


def own_fostering_urn(la_dfe: str) -> str:
    """The authority's own (fictional) fostering service URN."""
    return f"SC9{int(la_dfe):05d}" if str(la_dfe).isdigit() else "SC900000"


def _in_cluster_town(reg: pd.DataFrame, sampler: PostcodeSampler) -> np.ndarray:
    """1.0 for homes within 6 km of a town where children's homes cluster, else 0.0."""
    towns = sampler.centroid([d for _, d, _ in RESIDENTIAL_TOWNS])
    hxy = reg[["EASTING", "NORTHING"]].to_numpy()
    d = np.hypot(hxy[:, None, 0] - towns[None, :, 0], hxy[:, None, 1] - towns[None, :, 1])
    return (d.min(axis=1) < 6000).astype(float)


def _legal_statuses(
    kid, rng, first_placement_end: int, adopt_day: int | None, *, adopt_place: str = "", with_parents: bool = False
) -> list[tuple[int, str]]:
    """(start day, LS) changes of one period of care, in date order, each LS different from the last.

    ``with_parents``: the child is placed with parents at some point, which a single period of
    accommodation (V2) does not allow (rule 378). ``adopt_place``: A5/A6 (placement order) need
    LS E1 by the adoption day (rule 408).
    """
    age = (kid.START - kid.DOB) / DAYS_PER_YEAR
    if kid.UASC:
        return [(kid.START, "V2")]
    if kid.PATH == "home" and age >= 10:
        table = {"V2": 0.55, "C1": 0.30, "L1": 0.05, "L2": 0.05, "J2": 0.05}
    else:
        table = {"C1": 0.55, "V2": 0.25, "L2": 0.12, "L1": 0.08}
    if with_parents:
        table.pop("V2")
        table.pop("J2", None)
    first = str(_pick(rng, table))
    changes = [(kid.START, first)]
    t = kid.START
    if first in MAX_DAYS_LS:
        # Emergency protection ends: often the same day as the emergency placement ends, always
        # within its legal limit.
        limit = MAX_DAYS_LS[first]
        t = min(first_placement_end, t + limit) if rng.random() < 0.6 else t + int(rng.integers(1, limit + 1))
        nxt = "V2" if not with_parents and (first == "J2" or rng.random() < 0.3) else "C1"
        changes.append((t, nxt))
    cur = changes[-1][1]
    if cur == "V2" and rng.random() < 0.15:
        t += int(rng.uniform(0.2, 1.0) * DAYS_PER_YEAR)
        changes.append((t, "C1"))
        cur = "C1"
    if cur == "C1":
        t += int(rng.uniform(0.3, 0.9) * DAYS_PER_YEAR)
        changes.append((t, "C2"))
    if adopt_day is not None:
        # Legal status changes before the adoption placement; the placement order (E1) comes last.
        changes = [changes[0]] + [(d, ls) for d, ls in changes[1:] if d < adopt_day - 1]
        if adopt_place in ("A5", "A6"):  # (the latest code of a run of adoption placements)
            e1 = max(changes[-1][0] + 1, adopt_day - int(rng.integers(20, 120)))
            changes.append((min(e1, adopt_day), "E1"))
    return [(d, ls) for d, ls in changes if d < kid.END]


# What identifies a placement's setting in the return.
_SETTING = ("PLACE", "PL_ROW", "PLACE_PROVIDER", "URN")


def build_episodes(
    placements: pd.DataFrame, kids: pd.DataFrame, *, rng: np.random.Generator, sampler: PostcodeSampler, horizon: int
) -> pd.DataFrame:
    """903 episodes (one row per change of placement or legal status) up to ``horizon``.

    Returns the 903 episode columns with DECOM/DEC as integer days (DEC -1 when still open at the
    horizon) plus KIND, PL_ROW and HOME_PC_ROW for the missing-episode generator.
    """
    placements = placements.reset_index(drop=True)
    records = []
    postcodes = sampler.postcodes(
        np.r_[placements["PL_ROW"].to_numpy(), placements["HOME_PC_ROW"].clip(lower=0).to_numpy()]
    )
    n_pl = len(placements)
    pl_pc, home_pc = postcodes[:n_pl], postcodes[n_pl:]
    # Plain arrays: row-by-row pandas access would dominate the run time.
    col = {
        c: placements[c].to_numpy()
        for c in ("P_START", "P_END", "KIND", "PLACE", "SAME_CARER", "PLACE_PROVIDER", "URN", "PL_ROW")
    }
    pos_of = placements.groupby("CHILD", sort=False).indices
    for kid in kids.itertuples(index=False):
        if kid.CHILD not in pos_of:
            continue
        pos = np.sort(pos_of[kid.CHILD])
        kinds = col["KIND"][pos]
        adopt = pos[kinds == "adoption"]
        adopt_day = int(col["P_START"][adopt[0]]) if len(adopt) else None
        ls_changes = _legal_statuses(
            kid,
            rng,
            int(col["P_END"][pos[0]]),
            adopt_day,
            adopt_place=max((str(c) for c in col["PLACE"][adopt]), default=""),
            with_parents=bool((kinds == "parents").any()),
        )
        ls_days = np.array([d for d, _ in ls_changes])
        p_starts = col["P_START"][pos]
        starts = sorted(set(p_starts.tolist()) | set(ls_days.tolist()))
        starts = [s for s in starts if s < min(kid.END, horizon)]
        prev_p, prev_ls = None, None
        child_rows = []
        for s in starts:
            p = pos[np.searchsorted(p_starts, s, side="right") - 1]
            ls = ls_changes[np.searchsorted(ls_days, s, side="right") - 1][1]
            if prev_p is not None and p != prev_p and all(col[c][p] == col[c][prev_p] for c in _SETTING):
                p = prev_p  # the same setting drawn twice in a row is one placement (rule 435)
            if prev_p is None:
                rne = "S"
            elif p == prev_p and ls == prev_ls:
                continue
            else:
                moved = p != prev_p
                same = bool(col["SAME_CARER"][p])
                if moved and ls != prev_ls:
                    rne = "U" if same else "B"
                elif moved:
                    rne = "T" if same else "P"
                else:
                    rne = "L"
            child_rows.append(
                [
                    kid.CHILD,
                    s,
                    rne,
                    ls,
                    kid.CIN,
                    col["PLACE"][p],
                    col["PLACE_PROVIDER"][p],
                    -1,
                    "",
                    "",
                    "" if kid.UASC else home_pc[p],
                    pl_pc[p],
                    col["URN"][p],
                    col["KIND"][p],
                    col["PL_ROW"][p],
                    p,
                ]
            )
            prev_p, prev_ls = p, ls
        for j, r in enumerate(child_rows):
            if j + 1 < len(child_rows):
                r[7] = child_rows[j + 1][1]
                r[8] = "X1"
                if child_rows[j + 1][15] != r[15]:
                    nxt_rne = child_rows[j + 1][2]
                    r[9] = "PLACE" if nxt_rne in ("T", "U") else str(_pick(rng, PLACE_CHANGE_REASONS))
            elif kid.END <= horizon:
                r[7] = kid.END
                r[8] = str(_pick(rng, _exit_table(kid)))
                if r[8] in ("E45", "E46") and not str(r[5]).startswith("U"):
                    # Special guardianship to former foster carers needs a foster placement (rule 516).
                    r[8] = {"E45": "E47", "E46": "E48"}[r[8]]
        records.extend(child_rows)
    cols = [*EPISODES_COLUMNS, "KIND", "PL_ROW", "PLACEMENT"]  # the 903 columns, then the demo's own
    return pd.DataFrame(records, columns=cols)


def _exit_table(kid) -> dict:
    if kid.END >= eighteenth_birthday([kid.DOB])[0]:
        return EXIT_REASONS["eighteen"]
    if kid.UASC:
        return EXIT_REASONS["uasc_early"]
    return EXIT_REASONS[kid.PATH] if kid.PATH in EXIT_REASONS else EXIT_REASONS["eighteen"]


def short_break_episodes(
    sb: pd.DataFrame, *, rng: np.random.Generator, window_start: int, window_end: int
) -> pd.DataFrame:
    """Short-break episodes (LS V3 per stay, V4 one agreement a year): no postcodes, no URN (rule 214).

    Stays are apart (a stay never starts on or before the day the last one ended: rules 388, 431,
    501) and end before the child's 18th birthday (rules 352, 359).
    """
    rows = []
    eighteen = eighteenth_birthday(sb["DOB"].to_numpy())
    for kid, b18 in zip(sb.itertuples(index=False), eighteen):
        last_day = int(b18) - 1
        if kid.LS == "V4":
            t = window_start
            while t <= min(window_end, last_day - 1):
                end = min(t + 364, window_end + 400, last_day)
                rows.append(
                    [kid.CHILD, t, "S", "V4", "N2", "U6", "PR1", end, "E8" if end <= window_end else "", "", "", "", ""]
                )
                t = end + 1
        else:
            n = rng.poisson(10)
            stop = min(window_end - 3, last_day - 4)
            if stop <= window_start:
                continue
            starts = np.sort(
                rng.choice(
                    np.arange(window_start, stop, 5), size=min(n, len(range(window_start, stop, 5))), replace=False
                )
            )
            for s in starts:  # 5 days apart, at most 3 nights: never touching
                d = int(rng.integers(1, 4))
                rows.append([kid.CHILD, int(s), "S", "V3", "N2", "K2", "PR1", int(s) + d, "E8", "", "", "", ""])
    out = pd.DataFrame(rows, columns=EPISODES_COLUMNS)
    out["KIND"] = "short_break"
    out["PL_ROW"] = -1
    out["PLACEMENT"] = -1
    return out
