"""Real places the synthetic demo uses, and sampling of real postcodes around them.

Every location the demo writes is a real ONS unit postcode (or, for a share of
missing-episode "found" points, a coordinate near a real postcode sector's
centroid). Nothing here is a real child's or a real home's address.

Grids are British National Grid (EPSG:27700, metres) unless a name says miles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.distances import METRES_PER_MILE
from geo.postcodes import PostcodeIndex, get_postcode_index

# Where England's children's homes cluster, and why: private providers open homes where houses are
# cheap to buy (coastal towns, former industrial towns of the North West, Yorkshire and the North
# East); the North West has 26% of mainstream homes but 18% of children looked after (Ofsted 2025).
# (label, postcode district, relative weight)
RESIDENTIAL_TOWNS = [
    ("Margate (Thanet)", "CT9", 3.0),
    ("Hastings", "TN34", 2.0),
    ("Blackpool", "FY1", 3.0),
    ("Rochdale", "OL11", 1.5),
    ("Rochdale", "OL16", 1.5),
    ("Stoke-on-Trent", "ST4", 1.5),
    ("Stoke-on-Trent", "ST6", 1.5),
    ("Hull", "HU3", 1.5),
    ("Hull", "HU5", 1.0),
    ("Sunderland", "SR4", 1.5),
    ("Scarborough", "YO11", 1.5),
    ("Great Yarmouth", "NR30", 1.5),
    ("Torbay (Torquay)", "TQ1", 1.0),
    ("Torbay (Paignton)", "TQ4", 1.0),
]

# England has 13 secure children's homes; the demo uses fixed locations in the postcode districts
# of the towns that host most of them (approximate, never a real unit's postcode on purpose).
SECURE_HOME_DISTRICTS = [
    ("Newton Aycliffe", "DL5"),
    ("Morpeth", "NE61"),
    ("Leeds", "LS16"),
    ("Sheffield", "S6"),
    ("Salford", "M30"),
    ("Newton-le-Willows", "WA12"),
    ("Nottingham", "NG9"),
    ("Sleaford", "NG34"),
    ("Peterborough", "PE6"),
    ("Bristol", "BS16"),
    ("Exeter", "EX2"),
    ("Southampton", "SO31"),
]

# Big-city centres a county line may run from (postcode sector centroids).
CITY_CENTRES = [
    ("London (Lewisham)", "SE13 7"),
    ("Birmingham", "B5 4"),
    ("Manchester", "M1 1"),
    ("Liverpool", "L1 1"),
    ("Leeds", "LS1 4"),
    ("Bristol", "BS1 3"),
    ("Sheffield", "S1 2"),
    ("Newcastle", "NE1 5"),
    ("Nottingham", "NG1 6"),
    ("Leicester", "LE1 5"),
]


@dataclass(frozen=True)
class Hotspot:
    """A planted place where missing children are found (ground truth for the hotspot analysis)."""

    place: str
    kind: str  # town_centre, transport_hub, seafront, retail_park, city_county_lines
    sector: str  # the real postcode sector whose centroid is the centre
    dominant_flag: str  # one of data.schemas.RISK_FLAGS


# Hand-picked places for authorities whose geography we checked (sector centroids looked up in the
# ONS index and compared with the landmark). Other authorities get their densest postcode sectors.
CURATED_HOTSPOTS = {
    "E10000016": [  # Kent
        Hotspot("Maidstone town centre", "town_centre", "ME14 1", "CSE"),
        Hotspot("Ashford International station area", "transport_hub", "TN23 1", "CCE"),
        Hotspot("Margate seafront", "seafront", "CT9 1", "CSE"),
        Hotspot("Bluewater and Greenhithe retail area", "retail_park", "DA9 9", "GANG"),
        Hotspot("Lewisham town centre and station, London", "city_county_lines", "SE13 7", "COUNTY_LINES"),
    ],
}
_GENERIC_FLAGS = ["CSE", "GANG", "CCE", "SUBSTANCE"]


class PostcodeSampler:
    """Nearest real English unit postcode to any grid point, and the authority it belongs to."""

    def __init__(self):
        index = get_postcode_index()
        units = index.english_units()
        self.code = units["code"].to_numpy()
        self.xy = units[["easting", "northing"]].to_numpy()
        self.la_code = units["la_code"].to_numpy(dtype=object)
        self.tree = cKDTree(self.xy)
        self.index = index

    def snap(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of the nearest English unit postcode for each point, and the distance to it (metres)."""
        dist, row = self.tree.query(np.asarray(xy, dtype=float).reshape(-1, 2))
        return row, dist

    def postcodes(self, rows: np.ndarray) -> np.ndarray:
        """Display postcodes ("CT9 1AA") of index rows."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return np.array([], dtype=object)
        uniq, inv = np.unique(rows, return_inverse=True)
        return PostcodeIndex.postcodes_for(self.code[uniq])[inv]

    def centroid(self, areas: list[str]) -> np.ndarray:
        """Easting/northing of postcode districts or sectors (centroid of their unit postcodes)."""
        found = self.index.lookup(pd.Series(areas, dtype=object))
        return found[["easting", "northing"]].to_numpy(dtype=float)


@lru_cache(maxsize=1)
def get_sampler() -> PostcodeSampler:
    """One sampler per process: the KD-tree over 2.3 million postcodes takes about a second."""
    return PostcodeSampler()


def sample_near(
    sampler: PostcodeSampler,
    origin_xy: np.ndarray,
    median_miles: np.ndarray | float,
    *,
    rng: np.random.Generator,
    sigma: float = 1.0,
    want_outside: np.ndarray | None = None,
    la_code: str = "",
    attempts: int = 16,
) -> np.ndarray:
    """Postcode rows at a log-normal distance (miles) from each origin, on land in England.

    ``want_outside`` (bool per origin) asks for a postcode outside (True) or inside (False) the
    authority ``la_code``; tries widen the radius until one fits, else take the first on land.
    """
    n = len(origin_xy)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    median = np.broadcast_to(np.asarray(median_miles, dtype=float), (n,))
    base = median[:, None] * np.exp(sigma * rng.standard_normal((n, attempts)))
    # Later tries reach further, so a child far from the boundary can still be placed out of area.
    widen = np.where(np.arange(attempts) < attempts // 2, 1.0, 1.0 + 0.35 * (np.arange(attempts) - attempts // 2 + 1))
    radius = base * widen[None, :] * METRES_PER_MILE
    angle = rng.uniform(0, 2 * np.pi, (n, attempts))
    pts = origin_xy[:, None, :] + np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)
    rows, snap = sampler.snap(pts.reshape(-1, 2))
    rows = rows.reshape(n, attempts)
    on_land = (snap.reshape(n, attempts) < 1500) | (radius < 1500)
    ok = on_land
    if want_outside is not None:
        outside = sampler.la_code[rows] != la_code
        fits = on_land & (outside == np.asarray(want_outside)[:, None])
        ok = np.where(fits.any(axis=1)[:, None], fits, on_land)
    ok[:, -1] |= ~ok.any(axis=1)  # nothing on land at all: keep the last snap
    first = ok.argmax(axis=1)
    return rows[np.arange(n), first]


def hotspots_for(la_code: str, la_units: pd.DataFrame, sampler: PostcodeSampler, *, n_local: int = 4) -> list[Hotspot]:
    """Planted missing-episode places for an authority: curated, or its densest postcode sectors.

    The generic choice takes the unit postcode with most neighbours within 500 m, then the next at
    least 5 km away, and so on; each becomes its sector's centroid. A nearby big-city centre outside
    the authority is added for county lines.
    """
    if la_code in CURATED_HOTSPOTS:
        return list(CURATED_HOTSPOTS[la_code])
    xy = la_units[["easting", "northing"]].to_numpy()
    tree = cKDTree(xy)
    density = tree.query_ball_point(xy, r=500, return_length=True)
    order = np.argsort(-density, kind="stable")
    picked: list[int] = []
    for i in order:
        if len(picked) >= n_local:
            break
        if all(np.hypot(*(xy[i] - xy[j])) > 5000 for j in picked):
            picked.append(int(i))
    spots = []
    for k, i in enumerate(picked):
        pc = la_units["postcode"].iloc[i]
        sector = pc[:-2]
        spots.append(Hotspot("Town centre", "town_centre", sector, _GENERIC_FLAGS[k % len(_GENERIC_FLAGS)]))
    centre = xy.mean(axis=0)
    cities = sampler.centroid([s for _, s in CITY_CENTRES])
    far = [
        (np.hypot(*(c - centre)), name, sector)
        for (name, sector), c in zip(CITY_CENTRES, cities)
        if np.isfinite(c).all() and np.hypot(*(c - centre)) > 8000
    ]
    if far:
        _, name, sector = min(far)
        spots.append(Hotspot(f"{name} city centre", "city_county_lines", sector, "COUNTY_LINES"))
    return spots
