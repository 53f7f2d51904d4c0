"""The check before publishing that files are the named authority's, from the children's home postcodes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analysis.authority_check import home_authorities, wrong_authority
from data.readers import read_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kent():
    return read_folder(ROOT / "data" / "demo_data", la="E10000016")


def test_files_under_another_authoritys_name_are_told_apart_by_their_home_postcodes(kent, postcode_index):
    assert wrong_authority(kent, index=postcode_index) is None
    as_surrey = dataclasses.replace(kent, la_code="E10000030")
    assert wrong_authority(as_surrey, index=postcode_index) == (
        "these files do not look like Surrey's: 0% of the children's home postcodes are in it, 100% in Kent"
    )
    counts = home_authorities(kent.episodes, index=postcode_index)
    assert list(counts.index) == ["E10000016"] and counts.iloc[0] <= kent.episodes["CHILD"].nunique()
    few = dataclasses.replace(as_surrey, episodes=kent.episodes.head(10))
    assert wrong_authority(few, index=postcode_index) is None  # too few postcodes to say
