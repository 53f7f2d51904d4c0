"""Missing episodes of the synthetic children: the 903 Missing table and the missing team's log.

Calibrated to DfE figures: about 11% of children looked after during a year go missing, 6.8
incidents per child who does (negative binomial: most repeat, a few very often), over half from
residential settings, about 55% aged 16-17, about 90% back within two days. Where a child is
found clusters at a few real planted places (ground truth for the hotspot analysis), each with a
dominant exploitation flag, over scattered background near placements and home areas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from data.demo.children import DAYS_PER_YEAR
from data.demo.places import Hotspot, PostcodeSampler
from data.schemas import RISK_FLAGS
from geo.projection import BNG, WGS84

MISSING_CHILD_SHARE = 0.11  # of children looked after during the year
MEAN_INCIDENTS = 6.8  # per child who goes missing
NB_SHAPE = 0.6  # negative binomial shape of extra incidents: small = long tail
HOURS_MEDIAN, HOURS_SIGMA = 9.0, 1.3  # log-normal duration: about 90% under 48 hours
PLANTED_SHARE = 0.6  # incidents found at a planted place; the rest is background
PLANTED_SPREAD_M = 100  # Gaussian sigma: 95% within 245 m of the centre
HOTSPOT_RADIUS_M = 250
BACKGROUND_SPREAD_M = 5000
MIN_PLANTED_PER_YEAR = 60
LATLON_SHARE = 0.5  # found points recorded as coordinates rather than a postcode
RHI_WITHIN_72H = 0.63
ONLY_IN_LOG, ONLY_IN_903 = 0.03, 0.03
AWAY_SHARE = 0.18  # recorded as "A" (away without authorisation) rather than "M"

# Propensity to go missing by placement kind (residential settings far above foster care).
KIND_FACTOR = {
    "home": 4.0,
    "secure": 1.5,
    "supported": 2.5,
    "foster_other": 1.0,
    "foster_rel": 0.7,
    "parents": 1.5,
    "adoption": 0.0,
    "other": 1.5,
}
NOTES = [
    "Synthetic record: returned to placement of own accord.",
    "Synthetic record: found by police and returned to placement.",
    "Synthetic record: collected by carer.",
    "Synthetic record: located at a friend's address.",
    "Synthetic record: returned by taxi arranged by the home.",
    "Synthetic record: seen by staff in town, returned later.",
]


def _age_factor(age: np.ndarray) -> np.ndarray:
    return np.select([age < 10, age < 13, age < 16], [0.0, 0.35, 1.0], 1.1)


def draw_incidents(
    episodes: pd.DataFrame, kids: pd.DataFrame, *, rng: np.random.Generator, years: list[tuple[int, int]]
) -> pd.DataFrame:
    """Missing incidents per collection year (days ``(start, end)`` inclusive).

    Returns CHILD, MISSING, START, END (datetime64[m]; back by the end of the period of care and of the
    collection year), KIND, PL_ROW, AGE, YEAR_INDEX.
    """
    dob = kids.set_index("CHILD")["DOB"]
    care_end = kids.set_index("CHILD")["END"]
    eps = episodes[episodes["KIND"] != "short_break"]
    out = []
    for yi, (ys, ye) in enumerate(years):
        dec = eps["DEC"].where(eps["DEC"] >= 0, ye + 1).to_numpy()
        sel = (eps["DECOM"].to_numpy() <= ye) & (dec > ys)
        seg = eps[sel].copy()
        seg["S"] = np.maximum(seg["DECOM"].to_numpy(), ys)
        seg["E"] = np.minimum(dec[sel], ye + 1)
        seg = seg[seg["E"] > seg["S"]]
        seg["AGE"] = ((seg["S"] + seg["E"]) / 2 - dob.loc[seg["CHILD"]].to_numpy()) / DAYS_PER_YEAR
        seg["W"] = (seg["E"] - seg["S"]) * seg["KIND"].map(KIND_FACTOR).to_numpy() * _age_factor(seg["AGE"].to_numpy())
        per_child = seg.groupby("CHILD", sort=False).agg(
            W=("W", "sum"), KF=("KIND", lambda k: max(KIND_FACTOR[x] for x in k)), AGE=("AGE", "max")
        )
        n_children = len(per_child)
        score = (per_child["KF"] * _age_factor(per_child["AGE"].to_numpy())).to_numpy()
        n_missing = min(int(round(MISSING_CHILD_SHARE * n_children)), int((score > 0).sum()))
        # Weighted sampling without replacement (exponential keys).
        keys = np.where(score > 0, rng.exponential(1.0, n_children) / np.maximum(score, 1e-9), np.inf)
        chosen = per_child.index[np.argsort(keys, kind="stable")[:n_missing]]
        seg_of = seg.groupby("CHILD", sort=False).indices
        for child in chosen:
            s = seg.iloc[seg_of[child]]
            w = s["W"].to_numpy()
            if w.sum() <= 0:
                continue
            kf = per_child.at[child, "KF"]
            mean_extra = (MEAN_INCIDENTS - 1) * (1.3 if kf >= 2.5 else 0.8)
            n = 1 + rng.negative_binomial(NB_SHAPE, NB_SHAPE / (NB_SHAPE + mean_extra))
            which = rng.choice(len(s), size=n, p=w / w.sum())
            day = s["S"].to_numpy()[which] + rng.random(n) * (s["E"].to_numpy()[which] - s["S"].to_numpy()[which])
            hour = rng.choice(24, size=n, p=_HOUR_P)
            start = np.floor(day) * 1440 + hour * 60 + rng.integers(0, 60, n)  # minutes
            order = np.argsort(start, kind="stable")
            start, which = start[order], which[order]
            dur = np.exp(np.log(HOURS_MEDIAN) + HOURS_SIGMA * rng.standard_normal(n)) * 60
            # Back by the end of the period of care, and of the collection year: an episode still open
            # at 31 March would have to be repeated next year with the same MIS_START (rule 576).
            limit = min(care_end.at[child], ye + 1) * 1440
            keep, last_end, last_day = [], -np.inf, None
            ends = np.empty(n)
            for i in range(n):
                # No overlaps (rule 574), and one start per day: (CHILD, MISSING, MIS_START) is the 903 key.
                if start[i] <= last_end or start[i] // 1440 == last_day:
                    continue
                last_day = start[i] // 1440
                ends[i] = min(start[i] + max(dur[i], 30), limit - 1)
                keep.append(i)
                last_end = ends[i]
            rows = s.iloc[which[np.array(keep, dtype=int)]]
            end_min = ends[keep]
            out.append(
                pd.DataFrame(
                    {
                        "CHILD": child,
                        "MISSING": np.where(rng.random(len(keep)) < AWAY_SHARE, "A", "M"),
                        "START": pd.to_datetime(start[keep], unit="m"),
                        "END": pd.to_datetime(end_min, unit="m"),
                        "KIND": rows["KIND"].to_numpy(),
                        "PL_ROW": rows["PL_ROW"].to_numpy(),
                        "AGE": ((start[keep] / 1440) - dob.at[child]) / DAYS_PER_YEAR,
                        "YEAR_INDEX": yi,
                    }
                )
            )
    inc = pd.concat(out, ignore_index=True)
    return inc.sort_values(["START", "CHILD"], kind="stable").reset_index(drop=True)


# Hour of day a child goes missing: mostly afternoon and evening.
_HOUR_W = np.array([2, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8, 6, 4], dtype=float)
_HOUR_P = _HOUR_W / _HOUR_W.sum()


def place_incidents(
    inc: pd.DataFrame,
    kids: pd.DataFrame,
    hotspots: list[Hotspot],
    *,
    rng: np.random.Generator,
    sampler: PostcodeSampler,
    home_rows: pd.Series,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Where each incident ended, risk flags and return home interviews; and the ground truth.

    Returns (log rows with internal columns, ground_truth table).
    """
    n = len(inc)
    centres = sampler.centroid([h.sector for h in hotspots])
    to_wgs = Transformer.from_crs(BNG, WGS84, always_xy=True)
    pl_xy = np.where(inc["PL_ROW"].to_numpy()[:, None] >= 0, sampler.xy[inc["PL_ROW"].clip(lower=0)], np.nan)
    home_row = home_rows.reindex(inc["CHILD"]).fillna(-1).astype(int).to_numpy()
    home_xy = np.where(home_row[:, None] >= 0, sampler.xy[np.clip(home_row, 0, None)], np.nan)
    base_xy = np.where(np.isfinite(pl_xy), pl_xy, home_xy)
    base_xy = np.where(np.isfinite(base_xy), base_xy, centres[0])

    # Affinity to each planted place: half even, half by nearness to the placement or home.
    d = np.fmin(
        np.hypot(pl_xy[:, None, 0] - centres[None, :, 0], pl_xy[:, None, 1] - centres[None, :, 1]),
        np.hypot(home_xy[:, None, 0] - centres[None, :, 0], home_xy[:, None, 1] - centres[None, :, 1]),
    )
    d = np.where(np.isfinite(d), d, 1e6)
    near = np.exp(-d / 20_000)
    near = near / np.maximum(near.sum(axis=1, keepdims=True), 1e-12)
    w = 0.5 / len(hotspots) + 0.5 * near
    w = w / w.sum(axis=1, keepdims=True)
    choice = (w.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1).clip(max=len(hotspots) - 1)
    place = np.where(rng.random(n) < PLANTED_SHARE, choice, -1)
    # Top up any place below the yearly minimum from that year's background incidents.
    for yi in np.unique(inc["YEAR_INDEX"]):
        in_year = inc["YEAR_INDEX"].to_numpy() == yi
        for h in range(len(hotspots)):
            short = MIN_PLANTED_PER_YEAR - int((place[in_year] == h).sum())
            pool = np.flatnonzero(in_year & (place == -1))
            if short > 0 and len(pool):
                place[rng.choice(pool, size=min(short, len(pool)), replace=False)] = h

    planted = place >= 0
    xy = np.empty((n, 2))
    xy[planted] = centres[place[planted]] + rng.normal(0, PLANTED_SPREAD_M, (planted.sum(), 2))
    bg = np.flatnonzero(~planted)
    around_home = (rng.random(len(bg)) < 0.3) & np.isfinite(home_xy[bg, 0])
    origin = np.where(around_home[:, None], home_xy[bg], base_xy[bg])
    # Background is diffuse (a few km) so that it does not swamp the planted places' centres.
    xy[bg] = origin + rng.normal(0, BACKGROUND_SPREAD_M, (len(bg), 2))
    found_row, _ = sampler.snap(xy)
    use_latlon = planted & (rng.random(n) < LATLON_SHARE)
    unknown = ~planted & (rng.random(n) < 0.08)
    found_post = sampler.postcodes(found_row).astype(object)
    found_post[use_latlon | unknown] = ""
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
    lat = np.where(use_latlon, np.round(lat, 5), np.nan)
    lon = np.where(use_latlon, np.round(lon, 5), np.nan)
    # Found by postcode: the analysis will see the postcode's position, not the drawn point.
    xy_seen = np.where(use_latlon[:, None], xy, sampler.xy[found_row])

    flags = {}
    dominant = np.array([h.dominant_flag for h in hotspots], dtype=object)
    for f in RISK_FLAGS:
        p = np.where(planted, 0.07, 0.08 if f == "SUBSTANCE" else 0.04)
        is_dom = planted & (dominant[np.clip(place, 0, None)] == f)
        p = np.where(is_dom, 0.7, p)
        if f == "CCE":
            lines = planted & (dominant[np.clip(place, 0, None)] == "COUNTY_LINES")
            p = np.where(lines, 0.35, p)
        flags[f] = np.where(rng.random(n) < p, "Y", "N").astype(object)
    not_recorded = rng.random(n) < 0.08
    for f in RISK_FLAGS:
        flags[f][not_recorded] = ""

    # Return home interviews: offered within 72 hours about 63% of the time.
    end = inc["END"]
    back = end.notna().to_numpy()
    offered_in_time = rng.random(n) < RHI_WITHIN_72H
    not_offered = ~offered_in_time & (rng.random(n) < 0.15)
    offset = np.where(offered_in_time, rng.choice(4, size=n, p=[0.35, 0.3, 0.2, 0.15]), rng.integers(4, 15, n))
    offered = (end.dt.normalize() + pd.to_timedelta(offset, unit="D")).where(back & ~not_offered)
    accepted = np.where(offered.notna(), np.where(rng.random(n) < 0.6, "Y", "N"), "")
    done = (offered + pd.to_timedelta(rng.integers(0, 6, n), unit="D")).where(accepted == "Y")

    log = pd.DataFrame(
        {
            "CHILD": inc["CHILD"],
            "MISSING": inc["MISSING"],
            "START": inc["START"],
            "END": end,
            "FROM_POST": np.where(
                (inc["PL_ROW"].to_numpy() >= 0) & (rng.random(n) > 0.1),
                sampler.postcodes(inc["PL_ROW"].clip(lower=0).to_numpy()),
                "",
            ),
            "FOUND_POST": found_post,
            "FOUND_LAT": lat,
            "FOUND_LON": lon,
            "RHI_OFFERED": offered,
            "RHI_DONE": done,
            "RHI_ACCEPTED": accepted,
            **flags,
            "NOTES": rng.choice(NOTES, size=n),
            "PLACE_INDEX": place,
            "X": xy_seen[:, 0],
            "Y": xy_seen[:, 1],
            "YEAR_INDEX": inc["YEAR_INDEX"],
        }
    )
    clon, clat = to_wgs.transform(centres[:, 0], centres[:, 1])
    truth = pd.DataFrame(
        {
            "place": [f"{h.place} ({h.sector}) - synthetic hotspot" for h in hotspots],
            "kind": [h.kind for h in hotspots],
            "easting": np.round(centres[:, 0]).astype(int),
            "northing": np.round(centres[:, 1]).astype(int),
            "lat": np.round(clat, 5),
            "lon": np.round(clon, 5),
            "radius_m": HOTSPOT_RADIUS_M,
            "episodes": [int((place == h).sum()) for h in range(len(hotspots))],
            "dominant_flag": dominant,
        }
    )
    return log, truth


def split_sources(n: int, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which incidents appear in the 903 Missing table and which in the team's log (a few in one only)."""
    u = rng.random(n)
    in_903 = u >= ONLY_IN_LOG
    in_log = u < 1 - ONLY_IN_903
    return in_903, in_log
