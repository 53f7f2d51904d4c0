"""A fictional children's homes register on real postcodes, and illustrative placement costs.

Ofsted does not publish where children's homes are, so every home here is invented: the names
carry "(fictional)", the providers are invented companies, the postcodes are real but arbitrary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data import schemas
from data.demo.places import RESIDENTIAL_TOWNS, SECURE_HOME_DISTRICTS, PostcodeSampler, sample_near

_NAME_FIRST = [
    "Willow",
    "Rowan",
    "Hazel",
    "Birch",
    "Alder",
    "Maple",
    "Cedar",
    "Hawthorn",
    "Juniper",
    "Linden",
    "Oak",
    "Ash",
    "Elder",
    "Holly",
    "Laurel",
    "Poplar",
    "Aspen",
    "Larch",
    "Bramble",
    "Heather",
]
_NAME_SECOND = ["House", "Lodge", "View", "Cottage", "Court", "Grange", "Place", "Villa"]
_PRIVATE_PROVIDERS = [
    "Example Care Ltd",
    "Harbourlight Homes Ltd",
    "Northstar Children's Services Ltd",
    "Brightpath Residential Ltd",
    "Meadowgate Care Group",
    "Kestrel Young People's Homes Ltd",
]
_VOLUNTARY_PROVIDERS = ["Sample Children's Trust", "Lanternway Charity"]
_RATINGS = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet inspected"]
_RATING_SHARES = [0.18, 0.62, 0.13, 0.03, 0.04]


def draw_homes_register(
    *,
    rng: np.random.Generator,
    sampler: PostcodeSampler,
    la_code: str,
    la_name: str,
    la_units: pd.DataFrame,
    n_homes: int,
) -> pd.DataFrame:
    """Children's homes the authority's children can be placed in, plus the secure homes.

    About a third are inside the authority, half in the towns where homes cluster nationally
    (nearer towns more likely) and the rest within reach of the authority.

    Returns the register columns (schemas.HOMES_COLUMNS) plus EASTING, NORTHING (EPSG:27700),
    LA_CODE of the home and SECURE (bool), which the caller drops before writing.
    """
    centre = la_units[["easting", "northing"]].to_numpy().mean(axis=0)
    n_in = int(round(n_homes * 0.33))
    n_town = int(round(n_homes * 0.5))
    n_near = n_homes - n_in - n_town

    rows_in = sampler.snap(la_units[["easting", "northing"]].to_numpy()[rng.integers(0, len(la_units), n_in)])[0]

    towns = sampler.centroid([d for _, d, _ in RESIDENTIAL_TOWNS])
    dist_km = np.hypot(*(towns - centre).T) / 1000
    weight = np.array([w for _, _, w in RESIDENTIAL_TOWNS]) * 150 / (150 + dist_km)
    pick = rng.choice(len(RESIDENTIAL_TOWNS), size=n_town, p=weight / weight.sum())
    scatter = towns[pick] + rng.normal(0, 1500, (n_town, 2))
    rows_town = sampler.snap(scatter)[0]

    origin = la_units[["easting", "northing"]].to_numpy()[rng.integers(0, len(la_units), n_near)]
    rows_near = sample_near(
        sampler, origin, 25.0, rng=rng, sigma=0.6, want_outside=np.ones(n_near, bool), la_code=la_code
    )

    secure_xy = sampler.centroid([d for _, d in SECURE_HOME_DISTRICTS])
    rows_secure = sampler.snap(secure_xy)[0]

    rows = np.concatenate([rows_in, rows_town, rows_near, rows_secure]).astype(np.int64)
    secure = np.r_[np.zeros(n_homes, bool), np.ones(len(rows_secure), bool)]
    n = len(rows)
    home_la = sampler.la_code[rows]
    sector = rng.choice(["PRIVATE", "LA", "VOLUNTARY"], size=n, p=[0.84, 0.10, 0.06])
    sector[secure] = "LA"  # secure children's homes are run by local authorities
    sector[:n_in][rng.random(n_in) < 0.15] = "LA"
    provider = np.where(
        sector == "PRIVATE",
        rng.choice(_PRIVATE_PROVIDERS, size=n),
        np.where(sector == "VOLUNTARY", rng.choice(_VOLUNTARY_PROVIDERS, size=n), ""),
    ).astype(object)
    own = (sector == "LA") & (home_la == la_code)
    provider[own] = f"{la_name} council (synthetic)"
    provider[(sector == "LA") & ~own] = "Another local authority (synthetic)"
    provider = np.array([p if p.endswith(")") else f"{p} (fictional)" for p in provider], dtype=object)

    names = [
        f"{_NAME_FIRST[i % len(_NAME_FIRST)]} {_NAME_SECOND[(i // len(_NAME_FIRST)) % len(_NAME_SECOND)]}"
        for i in rng.permutation(len(_NAME_FIRST) * len(_NAME_SECOND))[:n]
    ]
    names += [f"Home {i}" for i in range(len(names), n)]
    names = [f"{nm} {'Secure Unit ' if s else ''}(fictional)" for nm, s in zip(names, secure)]
    places = np.where(
        secure, rng.integers(8, 25, n), rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.1, 0.2, 0.3, 0.25, 0.1, 0.05])
    )
    urn = [f"SC9{k:05d}" if k % 3 else f"29{k:05d}" for k in rng.choice(99_999, size=n, replace=False)]
    return pd.DataFrame(
        {
            "NAME": names,
            "URN": urn,
            "POSTCODE": sampler.postcodes(rows),
            "SECTOR": sector,
            "TYPE": np.where(secure, "Secure children's home", "Children's home"),
            "PLACES": places,
            "OFSTED_RATING": rng.choice(_RATINGS, size=n, p=_RATING_SHARES),
            "PROVIDER": provider,
            "EASTING": sampler.xy[rows, 0],
            "NORTHING": sampler.xy[rows, 1],
            "LA_CODE": home_la,
            "SECURE": secure,
        }
    )


def placement_costs() -> pd.DataFrame:
    """Illustrative weekly cost per placement group (schemas.COSTS_COLUMNS plus SOURCE)."""
    return pd.DataFrame(
        {
            "PLACEMENT_GROUP": list(schemas.ILLUSTRATIVE_WEEKLY_COSTS),
            "WEEKLY_COST": list(schemas.ILLUSTRATIVE_WEEKLY_COSTS.values()),
            "SOURCE": "illustrative figure for the synthetic demo, not a real council's cost",
        }
    )
