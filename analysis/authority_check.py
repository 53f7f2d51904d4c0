"""Is this dataset really the named authority's? A check before publishing, from the children's home postcodes.

The 903 carries no authority code of its own (pooled files aside), so files published under the wrong
authority would be measured from the wrong place for every later panel. A child's home postcode (where they
lived before care) is nearly always in the responsible authority: when fewer than half of the home
postcodes that can be placed lie in it, the files are refused with the authority most of them are in.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MIN_HOME_SHARE", "MIN_LOCATED", "home_authorities", "wrong_authority"]

MIN_HOME_SHARE = 0.5  # below this share of located home postcodes in the authority, the files are refused
MIN_LOCATED = 20  # fewer located home postcodes than this say too little to refuse anything


def home_authorities(episodes: pd.DataFrame, *, index=None) -> pd.Series:
    """Children's services authority (GSS code) of each child's home postcode: children per authority.

    One child counts once (their latest episode's HOME_POST); postcodes that cannot be placed are left out.
    """
    from geo.postcodes import get_postcode_index

    if episodes is None or episodes.empty or not {"CHILD", "HOME_POST"} <= set(episodes.columns):
        return pd.Series(dtype="int64")
    index = index if index is not None else get_postcode_index()
    latest = episodes.drop_duplicates("CHILD", keep="last")
    codes = index.lookup(latest["HOME_POST"].astype(object).where(latest["HOME_POST"].notna(), ""))["la_code"]
    return codes.dropna().astype(str).loc[lambda s: s != ""].value_counts()


def wrong_authority(dataset, *, index=None) -> str | None:
    """Why ``dataset`` does not look like ``dataset.la_code``'s, or None when it does (or cannot be told).

    Pooled files (an ``LA_CODE`` per row) are not checked here: each row names its own authority.
    """
    from geo.authorities import authorities

    la = dataset.la_code
    if not la or "LA_CODE" in getattr(dataset.episodes, "columns", ()):
        return None
    counts = home_authorities(dataset.episodes, index=index)
    located = int(counts.sum())
    if located < MIN_LOCATED:
        return None
    share = counts.get(la, 0) / located
    if share >= MIN_HOME_SHARE:
        return None
    names = dict(zip(authorities()["code"], authorities()["name"]))
    most = counts.index[0]
    return (
        f"these files do not look like {names.get(la, la)}'s: {share:.0%} of the children's home postcodes "
        f"are in it, {counts.iloc[0] / located:.0%} in {names.get(most, most)}"
    )
