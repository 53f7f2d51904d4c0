"""Synthetic children: who enters care, when, at what age, for how long and how they leave.

Children enter care at a steady rate for 18 years before the first collection year, so the
population looked after on each 31 March has a realistic mix of long stays and short ones.
Dates are integer days since 1970-01-01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25

# Children looked after per 10,000 under-18s in England (DfE 2022-2024: 69-70).
RATE_PER_10K = 70
# England's under-18 population (ONS mid-year estimates, about 12.1 million) shared over its
# 2.26 million ONS unit postcodes (live and terminated): about 5.3 children per postcode. The demo
# has no population table, so an authority's under-18s are estimated from its number of postcodes.
ENGLAND_UNDER_18 = 12_100_000

# Unaccompanied asylum-seeking children: share of children looked after at 31 March (5-8%).
UASC_SHARE = 0.065

# Age at entry into care, years [from, to) and share of entrants (DfE starts, roughly).
AGE_AT_ENTRY = [(0.0, 1.0, 0.24), (1.0, 5.0, 0.14), (5.0, 10.0, 0.14), (10.0, 16.0, 0.31), (16.0, 17.8, 0.17)]
# How a period of care ends, by the same age bands: adoption, home, special guardianship, until 18.
PATHS = ["adopt", "home", "sgo", "long"]
PATH_SHARES = [
    [0.50, 0.20, 0.10, 0.20],
    [0.28, 0.32, 0.12, 0.28],
    [0.00, 0.45, 0.12, 0.43],
    [0.00, 0.55, 0.00, 0.45],
    [0.00, 0.35, 0.00, 0.65],
]
ETHNIC_CODES = [
    "WBRI",
    "WOTH",
    "WIRI",
    "WROM",
    "MWBC",
    "MWBA",
    "MWAS",
    "MOTH",
    "APKN",
    "AIND",
    "ABAN",
    "AOTH",
    "BCRB",
    "BAFR",
    "BOTH",
    "CHNE",
    "OOTH",
    "REFU",
    "NOBT",
]
ETHNIC_SHARES = [
    0.66,
    0.05,
    0.005,
    0.01,
    0.03,
    0.015,
    0.015,
    0.03,
    0.02,
    0.01,
    0.01,
    0.01,
    0.02,
    0.04,
    0.01,
    0.002,
    0.04,
    0.003,
    0.01,
]
UASC_ETHNIC = ["OOTH", "BAFR", "AOTH", "BOTH"]
CIN_SHARES = {"N1": 0.66, "N2": 0.02, "N3": 0.03, "N4": 0.08, "N5": 0.13, "N6": 0.02, "N7": 0.005, "N8": 0.045}


def eighteenth_birthday(dob_days) -> np.ndarray:
    """Day (since 1970-01-01) of the 18th birthday of each DOB, by the calendar as the validator counts it.

    ``DOB + 18 * 365.25`` days is a day out for some children, and rules 352, 359, 460 and 205B
    compare with the calendar birthday (29 February birthdays fall on 28 February).
    """
    dob = pd.to_datetime(np.asarray(dob_days, dtype=np.int64), unit="D")
    return ((dob + pd.DateOffset(years=18)) - pd.Timestamp("1970-01-01")).days.to_numpy(dtype=np.int64)


def estimate_under_18(n_postcodes: int, n_english_postcodes: int) -> int:
    """Under-18 population of an authority from its share of England's unit postcodes."""
    return int(round(ENGLAND_UNDER_18 * n_postcodes / max(n_english_postcodes, 1)))


def _draw_age(rng, n):
    bands = rng.choice(len(AGE_AT_ENTRY), size=n, p=[b[2] for b in AGE_AT_ENTRY])
    lo = np.array([b[0] for b in AGE_AT_ENTRY])[bands]
    hi = np.array([b[1] for b in AGE_AT_ENTRY])[bands]
    return bands, rng.uniform(lo, hi)


def _draw_duration(rng, bands, paths, age):
    """Years in care by path, capped at the 18th birthday."""
    n = len(bands)
    dur = np.empty(n)
    dur[paths == 0] = rng.uniform(1.0, 2.6, (paths == 0).sum())
    dur[paths == 1] = np.exp(np.log(0.55) + 1.0 * rng.standard_normal((paths == 1).sum()))
    dur[paths == 2] = rng.uniform(0.7, 2.5, (paths == 2).sum())
    dur[paths == 3] = 18.0 - age[paths == 3]
    dur = np.maximum(dur, 3 / DAYS_PER_YEAR)
    return np.minimum(dur, 18.0 - age)


def draw_children(
    *,
    rng: np.random.Generator,
    la_units: pd.DataFrame,
    n_english_postcodes: int,
    window_start: int,
    window_end: int,
    burn_in_years: float = 18.0,
) -> pd.DataFrame:
    """Children in care at some point between ``window_start`` and ``window_end`` (days).

    Returns one row per child: CHILD, SEX (M/F), DOB, ETHNIC, UASC (bool), HOME_ROW (row of
    ``la_units``, -1 for UASC), START, END (day care ends; may be after the window), PATH,
    AGE_BAND (at entry), CIN.
    """
    under18 = estimate_under_18(len(la_units), n_english_postcodes)
    stock = RATE_PER_10K * under18 / 10_000
    # Entry rate that gives that stock: stock = rate x mean years in care (Monte Carlo on the same draws).
    probe_bands, probe_age = _draw_age(rng, 20_000)
    probe_paths = np.array([rng.choice(4, p=PATH_SHARES[b]) for b in probe_bands])
    mean_years = _draw_duration(rng, probe_bands, probe_paths, probe_age).mean()
    uasc_years = 1.9
    rate = stock * (1 - UASC_SHARE) / mean_years
    rate_uasc = stock * UASC_SHARE / uasc_years

    t0 = window_start - burn_in_years * DAYS_PER_YEAR
    span = window_end - t0
    frames = []
    for uasc, r in ((False, rate), (True, rate_uasc)):
        n = rng.poisson(r * span / DAYS_PER_YEAR)
        start = np.sort(rng.uniform(t0, window_end, n)).round().astype(np.int64)
        if uasc:
            bands = np.full(n, 4)
            age = rng.uniform(14.5, 17.7, n)
            paths = np.full(n, 3)
            dur = 18.0 - age
            # A few leave early: age assessed as adult, or moved to another authority.
            early = rng.random(n) < 0.08
            dur[early] = dur[early] * rng.uniform(0.05, 0.6, early.sum())
        else:
            bands, age = _draw_age(rng, n)
            paths = np.array([rng.choice(4, p=PATH_SHARES[b]) for b in bands], dtype=np.int64)
            dur = _draw_duration(rng, bands, paths, age)
        end = start + np.maximum((dur * DAYS_PER_YEAR).round().astype(np.int64), 3)
        dob = start - (age * DAYS_PER_YEAR).round().astype(np.int64)
        b18 = eighteenth_birthday(dob)
        # Those in care until 18 leave on the birthday itself (rule 460: E17 only from 18).
        until_18 = (paths == 3) & ~(early if uasc else np.zeros(n, bool))
        end = np.where(until_18, b18, np.minimum(end, b18))
        keep = end >= window_start
        frames.append(
            pd.DataFrame(
                {
                    "UASC": uasc,
                    "START": start[keep],
                    "END": end[keep],
                    "DOB": dob[keep],
                    "PATH": np.array(PATHS, dtype=object)[paths[keep]],
                    "AGE_BAND": bands[keep],
                    "EARLY": (early[keep] if uasc else np.zeros(keep.sum(), bool)),
                }
            )
        )
    kids = pd.concat(frames, ignore_index=True).sort_values(["START", "DOB"], kind="stable").reset_index(drop=True)
    n = len(kids)
    uasc = kids["UASC"].to_numpy()
    kids["SEX"] = np.where(uasc, np.where(rng.random(n) < 0.94, "M", "F"), np.where(rng.random(n) < 0.55, "M", "F"))
    ethnic = rng.choice(ETHNIC_CODES, size=n, p=np.array(ETHNIC_SHARES) / sum(ETHNIC_SHARES))
    kids["ETHNIC"] = np.where(uasc, rng.choice(UASC_ETHNIC, size=n), ethnic)
    kids["CIN"] = np.where(
        uasc,
        "N8",
        rng.choice(list(CIN_SHARES), size=n, p=np.array(list(CIN_SHARES.values())) / sum(CIN_SHARES.values())),
    )
    kids["HOME_ROW"] = np.where(uasc, -1, rng.integers(0, len(la_units), n))
    # Ids say "synthetic" in every table that carries them; the number is the order of entry.
    kids.insert(0, "CHILD", [f"SYN{i:06d}" for i in range(1, n + 1)])
    return kids


def draw_short_break_children(*, rng: np.random.Generator, n: int, window_start: int, window_end: int) -> pd.DataFrame:
    """Disabled children who only have short breaks (LS V3/V4): not looked after at 31 March."""
    age = rng.uniform(5, 14, n)
    dob = (window_start - age * DAYS_PER_YEAR).round().astype(np.int64)
    return pd.DataFrame(
        {
            "CHILD": [f"SYN9{i:05d}" for i in range(1, n + 1)],
            "SEX": np.where(rng.random(n) < 0.65, "M", "F"),
            "DOB": dob,
            "ETHNIC": rng.choice(ETHNIC_CODES[:8], size=n),
            "CIN": "N2",
            "LS": np.where(rng.random(n) < 0.6, "V3", "V4"),
        }
    )
