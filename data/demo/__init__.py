"""Synthetic demo data for any English children's services authority, on real ONS postcodes.

``python -m data.demo --la Kent --seed 1 --out DIR`` writes, per collection year (April-March,
files named by the year the return is due, e.g. ``2026_episodes.csv`` for 2025/26), the 903
Header, Episodes, Missing and UASC tables in the return's CSV format, plus the missing team's log,
a fictional children's homes register, illustrative placement costs, the planted hotspots
(``ground_truth.csv``) and ``SYNTHETIC_DATA_README.txt``. Every child id starts with "SYN".
Same authority + seed + years + end date = byte-identical files. See docs/demo.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from data import schemas
from data.demo.children import draw_children, draw_short_break_children, eighteenth_birthday
from data.demo.homes import draw_homes_register, placement_costs
from data.demo.missing import draw_incidents, place_incidents, split_sources
from data.demo.placements import build_episodes, draw_placements, locate_placements, short_break_episodes
from data.demo.places import get_sampler, hotspots_for
from geo.authorities import Authority, resolve_authority

__all__ = ["generate_demo", "write_demo", "DEMO_FILES", "SYNTHETIC_PREFIX"]

from data.readers import SYNTHETIC_MARKER  # noqa: E402 - the reader recognises the demo by it

SYNTHETIC_PREFIX = "SYN"
DEMO_FILES = ["missing_log.csv", "childrens_homes.csv", "placement_costs.csv", "ground_truth.csv", SYNTHETIC_MARKER]
_EPOCH = pd.Timestamp("1970-01-01")


def _day(value) -> int:
    return int((pd.Timestamp(value).normalize() - _EPOCH).days)


def _dates(days, fmt="%d/%m/%Y") -> pd.Series:
    days = pd.Series(days)
    out = pd.to_datetime(days.where(days >= 0), unit="D").dt.strftime(fmt)
    return out.fillna("").astype(object)


def _fmt(ts: pd.Series, fmt: str) -> pd.Series:
    return pd.to_datetime(ts).dt.strftime(fmt).fillna("").astype(object)


def collection_years(end: str | dt.date = "2026-03-31", years: int = 3) -> list[tuple[int, int, int]]:
    """(return year, first day, last day) of each collection year ending on ``end`` (days since 1970)."""
    last = pd.Timestamp(end)
    out = []
    for k in range(years - 1, -1, -1):
        ye = last - pd.DateOffset(years=k)
        ys = ye - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        out.append((ye.year, _day(ys), _day(ye)))
    return out


def generate_demo(
    la: str | Authority, *, seed: int = 1, years: int = 3, end: str = "2026-03-31"
) -> dict[str, pd.DataFrame]:
    """All demo tables for one authority, keyed by file name (without the README), plus "_meta".

    Raises ``geo.authorities.UnknownAuthorityError`` for an unknown authority.
    """
    authority = resolve_authority(la)
    rng = np.random.default_rng([seed, int(authority.code[1:])])
    sampler = get_sampler()
    la_units = sampler.index.units_in(authority.code).sort_values("postcode", kind="stable").reset_index(drop=True)
    spans = collection_years(end, years)
    w_start, w_end = spans[0][1], spans[-1][2]
    horizon = w_end + 1

    kids = draw_children(
        rng=rng, la_units=la_units, n_english_postcodes=len(sampler.code), window_start=w_start, window_end=w_end
    )
    stock = float((kids["START"] <= w_end).sum())
    homes = draw_homes_register(
        rng=rng,
        sampler=sampler,
        la_code=authority.code,
        la_name=authority.name,
        la_units=la_units,
        n_homes=max(12, int(round(stock * 0.05))),
    )
    placements = draw_placements(kids, rng=rng, horizon=horizon)
    placements = locate_placements(
        placements,
        kids,
        homes,
        rng=rng,
        sampler=sampler,
        la_units=la_units,
        la_code=authority.code,
        la_dfe=authority.dfe_code,
    )
    episodes = build_episodes(placements, kids, rng=rng, sampler=sampler, horizon=horizon)
    n_sb = max(2, int(round(len(kids) * 0.02)))
    sb = draw_short_break_children(rng=rng, n=n_sb, window_start=w_start, window_end=w_end)
    episodes = pd.concat(
        [episodes, short_break_episodes(sb, rng=rng, window_start=w_start, window_end=w_end)], ignore_index=True
    )

    incidents = draw_incidents(episodes, kids, rng=rng, years=[(s, e) for _, s, e in spans])
    home_rows = placements.groupby("CHILD", sort=False)["HOME_PC_ROW"].first()
    log, truth = place_incidents(
        incidents, kids, hotspots_for(authority.code, la_units, sampler), rng=rng, sampler=sampler, home_rows=home_rows
    )
    in_903, in_log = split_sources(len(incidents), rng=rng)

    people = pd.concat(
        [kids[["CHILD", "SEX", "DOB", "ETHNIC", "UASC"]], sb[["CHILD", "SEX", "DOB", "ETHNIC"]].assign(UASC=False)],
        ignore_index=True,
    )
    people["UPN"] = [f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[i % 23]}{rng.integers(10**11, 10**12)}" for i in range(len(people))]
    mother = (people["SEX"] == "F") & (rng.random(len(people)) < 0.03)
    people["MC_DOB_DAY"] = np.where(
        mother, people["DOB"] + (rng.uniform(15.5, 17.5, len(people)) * 365.25).astype(int), -1
    )

    people["MC_DOB_DAY"] = _births_before_last_episode_end(people, episodes, spans)

    out: dict[str, pd.DataFrame] = {}
    for year, ys, ye in spans:
        out.update(_year_tables(year, ys, ye, episodes, people, incidents[in_903], kids))
    out["missing_log.csv"] = _log_table(log[in_log])
    out["childrens_homes.csv"] = homes[schemas.HOMES_COLUMNS].reset_index(drop=True)
    out["placement_costs.csv"] = placement_costs()
    out["ground_truth.csv"] = truth
    out["_meta"] = pd.DataFrame(
        {
            "la_code": [authority.code],
            "la_name": [authority.name],
            "seed": [seed],
            "years": [years],
            "end": [str(pd.Timestamp(end).date())],
            "children": [len(kids)],
            "homes": [len(homes)],
        }
    )
    return out


def _births_before_last_episode_end(people: pd.DataFrame, episodes: pd.DataFrame, spans) -> np.ndarray:
    """MC_DOB_DAY, with no birth after the last episode that ended in the birth's collection year.

    Rule 625 rejects a mother's child born after her latest episode end of the year, and rule 626
    one who appears next year although MOTHER was 0: such a mother is left out altogether.
    """
    born = people.set_index("CHILD")["MC_DOB_DAY"]
    ended = episodes.loc[episodes["DEC"] >= 0, ["CHILD", "DEC"]]
    ended = ended[ended["CHILD"].isin(born.index[born >= 0])]
    keep = born.copy()
    for _, ys, ye in spans:
        last = ended[(ended["DEC"] >= ys) & (ended["DEC"] <= ye)].groupby("CHILD")["DEC"].max()
        b = born.reindex(last.index)
        late = last.index[(b >= ys) & (b <= ye) & (b > last)]
        keep.loc[late] = -1
    return keep.reindex(people["CHILD"]).to_numpy()


def _recode_place(place: pd.Series, year: int) -> pd.Series:
    """PLACE codes valid in the given return year (K3 from 2024/25; Z1 and P2 gone in 2025/26)."""
    if year <= 2024:
        return place.replace({"K3": "H5"})
    if year >= 2026:
        return place.replace({"P2": "K3", "Z1": "Z11", "H5": "K3"})
    return place


def _year_tables(year, ys, ye, episodes, people, incidents, kids) -> dict[str, pd.DataFrame]:
    dec = episodes["DEC"].to_numpy()
    sel = (episodes["DECOM"].to_numpy() <= ye) & ((dec < 0) | (dec >= ys))
    ep = episodes[sel].sort_values(["CHILD", "DECOM"], kind="stable").copy()
    open_now = (ep["DEC"] < 0) | (ep["DEC"] > ye)
    ep.loc[open_now, "DEC"] = -1
    ep.loc[open_now, ["REC", "REASON_PLACE_CHANGE"]] = ""
    ep["PLACE"] = _recode_place(ep["PLACE"], year)
    ep["DECOM"] = _dates(ep["DECOM"].to_numpy()).to_numpy()
    ep["DEC"] = _dates(ep["DEC"].to_numpy()).to_numpy()
    episodes_out = ep[schemas.EPISODES_COLUMNS].reset_index(drop=True)

    who = people[people["CHILD"].isin(ep["CHILD"])].sort_values("CHILD", kind="stable")
    sex = who["SEX"] if year >= 2025 else who["SEX"].map({"M": "1", "F": "2"})
    mc = who["MC_DOB_DAY"].where((who["MC_DOB_DAY"] >= 0) & (who["MC_DOB_DAY"] <= ye), -1)
    header = pd.DataFrame(
        {
            "CHILD": who["CHILD"].to_numpy(),
            "SEX": sex.to_numpy(),
            "DOB": _dates(who["DOB"].to_numpy()).to_numpy(),
            "ETHNIC": who["ETHNIC"].to_numpy(),
            "UPN": who["UPN"].to_numpy(),
            "MOTHER": np.where(mc >= 0, "1", np.where(who["SEX"] == "F", "0", "")),
            "MC_DOB": _dates(mc.to_numpy()).to_numpy(),
        }
    )

    start_day = (incidents["START"].dt.normalize() - _EPOCH).dt.days
    mi = incidents[(start_day >= ys) & (start_day <= ye)]
    dob = people.set_index("CHILD")["DOB"]
    end_day = (mi["END"].dt.normalize() - _EPOCH).dt.days
    missing = (
        pd.DataFrame(
            {
                "CHILD": mi["CHILD"].to_numpy(),
                "DOB": _dates(dob.loc[mi["CHILD"]].to_numpy()).to_numpy(),
                "MISSING": mi["MISSING"].to_numpy(),
                "MIS_START": _fmt(mi["START"], "%d/%m/%Y").to_numpy(),
                "MIS_END": _fmt(mi["END"].where(end_day <= ye), "%d/%m/%Y").to_numpy(),
            }
        )
        .sort_values(["CHILD"], kind="stable")
        .reset_index(drop=True)
    )

    u = kids[kids["UASC"] & kids["CHILD"].isin(ep["CHILD"])].sort_values("CHILD")
    uasc = pd.DataFrame(
        {
            "CHILD": u["CHILD"].to_numpy(),
            "SEX": (u["SEX"] if year >= 2025 else u["SEX"].map({"M": "1", "F": "2"})).to_numpy(),
            "DOB": _dates(u["DOB"].to_numpy()).to_numpy(),
            "DUC": _dates(eighteenth_birthday(u["DOB"].to_numpy())).to_numpy(),
        }
    )
    return {
        f"{year}_header.csv": header,
        f"{year}_episodes.csv": episodes_out,
        f"{year}_missing.csv": missing,
        f"{year}_uasc.csv": uasc,
    }


def _log_table(log: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "CHILD": log["CHILD"].to_numpy(),
            "MISSING": log["MISSING"].to_numpy(),
            "MIS_START": _fmt(log["START"], "%d/%m/%Y %H:%M").to_numpy(),
            "MIS_END": _fmt(log["END"], "%d/%m/%Y %H:%M").to_numpy(),
            "FROM_POST": log["FROM_POST"].to_numpy(),
            "FOUND_POST": log["FOUND_POST"].to_numpy(),
            "FOUND_LAT": log["FOUND_LAT"].map(lambda v: "" if pd.isna(v) else f"{v:.5f}").to_numpy(),
            "FOUND_LON": log["FOUND_LON"].map(lambda v: "" if pd.isna(v) else f"{v:.5f}").to_numpy(),
            "RHI_OFFERED": _fmt(log["RHI_OFFERED"], "%d/%m/%Y").to_numpy(),
            "RHI_DONE": _fmt(log["RHI_DONE"], "%d/%m/%Y").to_numpy(),
            "RHI_ACCEPTED": log["RHI_ACCEPTED"].to_numpy(),
            **{f: log[f].to_numpy() for f in schemas.RISK_FLAGS},
            "NOTES": log["NOTES"].to_numpy(),
        }
    )
    return out[schemas.MISSING_LOG_COLUMNS]


README = """SYNTHETIC DATA - NOT REAL CHILDREN
===================================

Every file in this folder is synthetic. It was generated by `python -m data.demo` for
{la_name} ({la_code}), seed {seed}, {years} collection years ending {end}.

- No record describes a real child. Child ids all start with "SYN".
- Postcodes are real ONS postcodes chosen at random near realistic places: they are not
  where any child lives or is placed. Children's homes, providers and URNs are invented
  (names marked "(fictional)").
- Figures are calibrated to published national statistics (DfE children looked after,
  2015-2025) so that the app's views look familiar; they are not {la_name}'s figures.
- placement_costs.csv holds illustrative costs, not a council's.
- ground_truth.csv lists the planted missing-episode hotspots, for testing the hotspot analysis.

903 files ({{year}}_header/episodes/missing/uasc.csv) follow the return's CSV format: dd/mm/yyyy
dates; the year is the one the return is due in (2026 = April 2025 to March 2026).
"""


def write_demo(
    la: str | Authority, out: str | Path, *, seed: int = 1, years: int = 3, end: str = "2026-03-31"
) -> list[Path]:
    """Generate the demo and write it to folder ``out``; returns the files written.

    CSVs are UTF-8 with ``\\n`` line ends, written in a fixed order, so reruns are byte-identical.
    """
    tables = generate_demo(la, seed=seed, years=years, end=end)
    meta = tables.pop("_meta").iloc[0]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = folder / name
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    readme = folder / SYNTHETIC_MARKER
    readme.write_text(
        README.format(
            la_name=meta["la_name"], la_code=meta["la_code"], seed=meta["seed"], years=meta["years"], end=meta["end"]
        ),
        encoding="utf-8",
    )
    written.append(readme)
    return written
