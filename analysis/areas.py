"""Which part of pooled data a figure is about: all authorities loaded, one region, or one authority.

An *area* is a short text, used as a cache key and a widget value:
``""`` (all authorities loaded), ``"region:<region name>"`` or a GSS code of a children's services
authority (``"E10000016"``). Rows are placed in an area by their responsible authority (``LA_CODE``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from geo import authorities as _authorities

__all__ = ["AREA_ALL", "REGION_PREFIX", "area_choices", "area_label", "in_area"]

AREA_ALL = ""
REGION_PREFIX = "region:"
ALL_LABEL = "All authorities loaded"


@lru_cache(maxsize=1)
def _directory() -> pd.DataFrame:
    """Authorities by GSS code (name, region); built once: a menu labels every authority on each rerun."""
    return _authorities.authorities().set_index("code")[["name", "region"]]


def _clean(codes) -> pd.Series:
    return pd.Series(codes, dtype=object).fillna("").astype(str).str.strip()


def area_choices(codes) -> list[str]:
    """The areas to offer for these responsible-authority codes: all, each region with an authority
    loaded (alphabetical), then each authority loaded (by name). Empty when fewer than two
    authorities are loaded: there is nothing to choose between."""
    directory = _directory()
    loaded = sorted(set(_clean(codes)) & set(directory.index), key=lambda c: directory.at[c, "name"])
    if len(loaded) < 2:
        return []
    regions = sorted({directory.at[c, "region"] for c in loaded})
    return [AREA_ALL, *[REGION_PREFIX + r for r in regions], *loaded]


def area_label(area: str) -> str:
    """How an area reads in a menu or a caption: "All authorities loaded", "South East (region)", "Kent"."""
    if not area:
        return ALL_LABEL
    if area.startswith(REGION_PREFIX):
        return f"{area[len(REGION_PREFIX) :]} (region)"
    directory = _directory()
    return str(directory.at[area, "name"]) if area in directory.index else area


def in_area(codes, area: str) -> np.ndarray:
    """Boolean mask: which of these responsible-authority GSS codes fall in ``area``."""
    codes = _clean(codes)
    if not area:
        return np.ones(len(codes), dtype=bool)
    if area.startswith(REGION_PREFIX):
        region = codes.map(_directory()["region"])
        return (region == area[len(REGION_PREFIX) :]).fillna(False).to_numpy(dtype=bool)
    return (codes == area).to_numpy(dtype=bool)
