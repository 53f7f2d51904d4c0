"""Links between hotspots: two hotspots are linked when the same children went missing to both.

The "travel links" of peer-group and contextual-safeguarding mapping: a link's
weight is the number of children seen at both hotspots in the period. Analysts
see who (:func:`linked_children`); panel and MASE outputs take
:func:`disclosed_links`, which keeps only links whose counts pass
:mod:`analysis.disclosure` (a link of 1-5 children is not shown at all: its
mere existence says that a few identifiable children travel between two places).
Hotspots are named by their ``hotspot_id`` (:mod:`analysis.hotspots`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.hotspots import HOTSPOT_ID, NOISE

__all__ = ["hotspot_links", "strongest_links", "links_of", "linked_children", "disclosed_links", "LINK_COLUMNS"]

LINK_COLUMNS = ["hotspot_a", "hotspot_b", "children", "episodes_a", "episodes_b"]


def _pairs(episodes: pd.DataFrame, labels) -> pd.DataFrame:
    """Distinct (CHILD, hotspot) pairs with the child's episodes there."""
    hid = np.asarray(labels if labels is not None else episodes[HOTSPOT_ID], dtype=np.int64)
    keep = hid != NOISE
    frame = pd.DataFrame({"CHILD": episodes["CHILD"].astype(str).to_numpy()[keep], "hid": hid[keep]})
    return frame.groupby(["CHILD", "hid"], sort=False).size().reset_index(name="episodes")


def hotspot_links(episodes: pd.DataFrame, labels=None) -> pd.DataFrame:
    """Every pair of hotspots shared by at least one child, strongest first.

    Parameters
    ----------
    episodes : missing episodes (``CHILD``; pooled ids already qualified by authority, as
        :func:`analysis.missing.missing_episodes` does).
    labels : each episode's hotspot id (:func:`analysis.hotspots.label_hotspots`), -1 for none;
        default the episodes' ``HOTSPOT_ID`` column.

    Returns
    -------
    DataFrame with ``hotspot_a`` < ``hotspot_b`` (ids), ``children`` (seen at both: the link's
    weight), ``episodes_a`` and ``episodes_b`` (those children's episodes at each), sorted by
    children, then ids.
    """
    pairs = _pairs(episodes, labels)
    shared = pairs[pairs.groupby("CHILD")["hid"].transform("size") > 1]
    if shared.empty:
        return pd.DataFrame({c: pd.Series(dtype=np.int64) for c in LINK_COLUMNS})
    both = shared.merge(shared, on="CHILD", suffixes=("_a", "_b"))
    both = both[both["hid_a"] < both["hid_b"]]
    out = (
        both.groupby(["hid_a", "hid_b"])
        .agg(children=("CHILD", "size"), episodes_a=("episodes_a", "sum"), episodes_b=("episodes_b", "sum"))
        .reset_index()
        .rename(columns={"hid_a": "hotspot_a", "hid_b": "hotspot_b"})
    )
    out = out.astype({c: np.int64 for c in LINK_COLUMNS})
    return out.sort_values(
        ["children", "hotspot_a", "hotspot_b"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def strongest_links(links: pd.DataFrame, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` links with the most children (``links`` from :func:`hotspot_links`, already sorted)."""
    if n < 0:
        raise ValueError("n must be 0 or more")
    return links.head(n).reset_index(drop=True)


def links_of(links: pd.DataFrame, hotspot_id: int) -> pd.DataFrame:
    """The hotspots linked to one hotspot: ``linked_hotspot``, ``children`` (shared), strongest first."""
    a = links[links["hotspot_a"] == hotspot_id][["hotspot_b", "children"]].rename(
        columns={"hotspot_b": "linked_hotspot"}
    )
    b = links[links["hotspot_b"] == hotspot_id][["hotspot_a", "children"]].rename(
        columns={"hotspot_a": "linked_hotspot"}
    )
    out = pd.concat([a, b], ignore_index=True)
    return out.sort_values(["children", "linked_hotspot"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def linked_children(episodes: pd.DataFrame, hotspot_a: int, hotspot_b: int, labels=None) -> pd.DataFrame:
    """Analyst view only: the children seen at both hotspots, with their episodes at each
    (``CHILD``, ``episodes_a``, ``episodes_b``). Never for a panel or MASE output."""
    pairs = _pairs(episodes, labels)
    a = pairs[pairs["hid"] == hotspot_a][["CHILD", "episodes"]]
    b = pairs[pairs["hid"] == hotspot_b][["CHILD", "episodes"]]
    out = a.merge(b, on="CHILD", suffixes=("_a", "_b"))
    return out.sort_values(["episodes_a", "CHILD"], ascending=[False, True], kind="stable").reset_index(drop=True)


def disclosed_links(links: pd.DataFrame) -> pd.DataFrame:
    """Links a panel or MASE output may show: those of 6 or more children (counts 1-5 are left out,
    link and all, by :func:`analysis.disclosure.is_small`); episode counts of 1-5 become "c"."""
    from analysis.disclosure import is_small, suppress_counts

    shown = links[~is_small(links["children"])].reset_index(drop=True)
    out = shown.copy()
    for column in ("episodes_a", "episodes_b"):
        if column in out:
            out[column] = suppress_counts(out[column])
    return out
