"""Measure a demo folder against the national figures it is calibrated to.

Reads the written files only (as a user checking the demo would), looks postcodes up in the ONS
index and measures distances the DfE way (straight line between unit postcodes, miles, 0.1).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data import schemas
from geo.distances import straight_line_miles

# (measure, national target, tolerance, unit) - shares in percent, medians in miles.
TARGETS = [
    ("over 20 miles from home (% of CLA at 31 March)", 22.0, 5.0, "pct"),
    ("placed outside the authority (% of CLA with a placement postcode)", 45.0, 5.0, "pct"),
    ("median miles: foster care", 5.5, 0.3, "rel"),
    ("median miles: children's homes and secure", 18.0, 0.3, "rel"),
    ("median miles: placed with parents", 0.6, 0.3, "rel"),
    ("foster care (% of CLA)", 68.0, 5.0, "pct"),
    ("foster with relatives or friends (% of CLA)", 14.0, 5.0, "pct"),
    ("children's homes, secure and supported (% of CLA)", 15.0, 5.0, "pct"),
    ("placed with parents (% of CLA)", 7.0, 5.0, "pct"),
    ("placed for adoption (% of CLA)", 3.0, 5.0, "pct"),
    ("UASC, home postcode blank (% of CLA)", 6.5, 1.5, "pct"),
    ("children with a missing incident (% of CLA during year)", 11.0, 5.0, "pct"),
    ("incidents per child who went missing", 6.8, 0.3, "rel"),
    ("incidents aged 16-17 (%)", 55.0, 5.0, "pct"),
    ("incidents under two days (%)", 90.0, 5.0, "pct"),
    ("incidents from residential settings (%)", 55.0, 10.0, "pct"),
    ("return home interview offered within 72 hours (%)", 63.0, 5.0, "pct"),
]
RESIDENTIAL_PLACES = ("K1", "K2", "K3", "H5", "P2", "R1", "S1")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _miles(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    return straight_line_miles(
        a["easting"].to_numpy(float),
        a["northing"].to_numpy(float),
        b["easting"].to_numpy(float),
        b["northing"].to_numpy(float),
    )


def measure_demo(folder: str | Path, *, la_code: str, index=None) -> pd.DataFrame:
    """Calibration table of a demo folder: measure, measured, target, tolerance, ok.

    Snapshot figures use children looked after on 31 March of the last year (open episodes,
    short breaks excluded); missing figures pool all years.
    """
    from geo.postcodes import get_postcode_index  # pyarrow with it: ~1.4 s, so on first use

    index = index or get_postcode_index()
    folder = Path(folder)
    years = sorted({p.name[:4] for p in folder.glob("*_episodes.csv")})
    last = years[-1]
    ep = _read(folder / f"{last}_episodes.csv")
    cla = ep[(ep["DEC"] == "") & ~ep["LS"].isin(schemas.SHORT_BREAK_LS)].drop_duplicates("CHILD", keep="last")
    home = index.lookup(cla["HOME_POST"].reset_index(drop=True))
    place = index.lookup(cla["PL_POST"].reset_index(drop=True))
    miles = _miles(home, place)
    group = cla["PLACE"].map(schemas.PLACE_GROUP).to_numpy()
    code = cla["PLACE"].to_numpy()
    n = len(cla)

    def pct(mask):
        return 100.0 * np.asarray(mask).sum() / max(len(mask), 1)

    foster = np.isin(group, [schemas.GROUP_FOSTER_RELATIVE, schemas.GROUP_FOSTER_OTHER])
    homes = np.isin(code, schemas.CHILDRENS_HOME_PLACES)
    known_pl = place["la_code"].notna().to_numpy()
    got = {
        TARGETS[0][0]: pct(np.nan_to_num(miles, nan=0) > 20),
        TARGETS[1][0]: pct((place["la_code"].to_numpy(dtype=object) != la_code)[known_pl]),
        TARGETS[2][0]: float(np.nanmedian(miles[foster])),
        TARGETS[3][0]: float(np.nanmedian(miles[homes])),
        TARGETS[4][0]: float(np.nanmedian(miles[code == "P1"])),
        TARGETS[5][0]: pct(foster),
        TARGETS[6][0]: pct(group == schemas.GROUP_FOSTER_RELATIVE),
        TARGETS[7][0]: pct(np.isin(group, [schemas.GROUP_RESIDENTIAL, schemas.GROUP_SUPPORTED])),
        TARGETS[8][0]: pct(group == schemas.GROUP_PARENTS),
        TARGETS[9][0]: pct(group == schemas.GROUP_ADOPTION),
        TARGETS[10][0]: pct(cla["HOME_POST"] == ""),
    }

    during, missing_children, incidents, aged_16, residential = 0, 0, 0, 0, 0
    per_child = []
    for y in years:
        e = _read(folder / f"{y}_episodes.csv")
        e = e[~e["LS"].isin(schemas.SHORT_BREAK_LS)]
        m = _read(folder / f"{y}_missing.csv")
        during += e["CHILD"].nunique()
        missing_children += m["CHILD"].nunique()
        incidents += len(m)
        per_child.append(m.groupby("CHILD").size())
        start = pd.to_datetime(m["MIS_START"], format="%d/%m/%Y")
        age = (start - pd.to_datetime(m["DOB"], format="%d/%m/%Y")).dt.days / 365.25
        aged_16 += int((age >= 16).sum())
        # Placement at the start of the incident.
        e = e.assign(
            DECOM_D=pd.to_datetime(e["DECOM"], format="%d/%m/%Y"),
            DEC_D=pd.to_datetime(e["DEC"].replace("", None), format="%d/%m/%Y"),
        )
        j = m.assign(S=start).reset_index().merge(e[["CHILD", "PLACE", "DECOM_D", "DEC_D"]], on="CHILD")
        j = j[(j["DECOM_D"] <= j["S"]) & (j["DEC_D"].isna() | (j["DEC_D"] > j["S"]))]
        j = j.drop_duplicates("index", keep="last")
        residential += int(j["PLACE"].isin(RESIDENTIAL_PLACES).sum())
    log = _read(folder / "missing_log.csv")
    ls = pd.to_datetime(log["MIS_START"], format="%d/%m/%Y %H:%M")
    le = pd.to_datetime(log["MIS_END"].replace("", None), format="%d/%m/%Y %H:%M")
    ended = le.notna()
    hours = (le - ls).dt.total_seconds() / 3600
    offered = pd.to_datetime(log["RHI_OFFERED"].replace("", None), format="%d/%m/%Y")
    within = (offered - le.dt.normalize()).dt.days <= 3
    got.update(
        {
            TARGETS[11][0]: 100.0 * missing_children / max(during, 1),
            TARGETS[12][0]: incidents / max(missing_children, 1),
            TARGETS[13][0]: 100.0 * aged_16 / max(incidents, 1),
            TARGETS[14][0]: pct(hours[ended] < 48),
            TARGETS[15][0]: 100.0 * residential / max(incidents, 1),
            TARGETS[16][0]: pct(within[ended]),
        }
    )
    rows = []
    for name, target, tol, kind in TARGETS:
        value = got[name]
        ok = abs(value - target) <= (tol * target if kind == "rel" else tol)
        rows.append(
            {
                "measure": name,
                "measured": round(value, 1),
                "target": target,
                "tolerance": f"±{tol:.0%}" if kind == "rel" else f"±{tol:g} points",
                "ok": bool(ok),
            }
        )
    table = pd.DataFrame(rows)
    repeat = pd.concat(per_child)
    table.attrs.update(cla_at_31_march=n, repeat_share=float(100 * (repeat > 1).mean()))
    return table
