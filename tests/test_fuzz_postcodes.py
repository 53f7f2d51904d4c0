"""Property-based fuzzing of the postcode normaliser and the ONS postcode look-up (real index).

Inputs are real postcodes (English units, Northern Ireland BT postcodes, sectors, districts,
Crown dependencies) damaged the way people type them (case, spaces, tabs, non-breaking and
zero-width spaces, punctuation, accents, full-width letters), mixed with arbitrary text.

Properties:

* one output row per input, same index, whatever the input;
* each row has a resolution (unit / sector / district) or a failure reason, from the published lists;
* a row without a failure has a British grid reference (EPSG:27700) and an authority;
* a Northern Ireland (BT) postcode never gets a British grid coordinate;
* looking up a batch gives the same answer as looking up each value alone;
* ``normalise_postcodes`` is idempotent and ``sector_of`` yields a sector or "".

The number of generated cases per property is printed at the end of the module ("hypothesis
cases run", shown without xdist). The profile is fixed (derandomized: the same cases on every run);
CARE_MAP_FUZZ_EXAMPLES=N sets every property's example count to N for a longer local hunt.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.postcodes import (
    FAILURE_BLANK,
    FAILURE_NO_COORDINATES,
    FAILURE_NORTHERN_IRELAND,
    FAILURE_NOT_A_POSTCODE,
    FAILURE_NOT_FOUND,
    RESOLUTIONS,
    get_postcode_index,
    normalise_postcodes,
    sector_of,
)
from tests.fuzz_support import case_counter, examples

FAILURES = {FAILURE_BLANK, FAILURE_NOT_A_POSTCODE, FAILURE_NOT_FOUND, FAILURE_NO_COORDINATES, FAILURE_NORTHERN_IRELAND}

CASES, _print_case_counts = case_counter()


# ------------------------------------------------------------------ real postcodes to start from
# Real units from several nations, checked against the index by the test below.
ENGLISH = ["ME14 1XQ", "SW1A 1AA", "EC1A 1BB", "CR0 1AA", "TN23 1WZ", "M1 1AE", "B33 8TH", "LS1 4AP", "NE1 4ST"]
NORTHERN_IRELAND = ["BT1 1AA", "BT7 1NN", "BT48 6DQ", "BT9 5AG"]
OTHER = ["CF10 1EP", "EH1 1YZ", "GY1 1AA", "IM1 1AA", "JE2 3AB"]
PARTIAL = ["CR0 1", "CR0", "ME14", "BT7 1", "BT1", "B11", "B1 1", "SW1A", "EC1A 1"]


@pytest.fixture(scope="module")
def index():
    return get_postcode_index()


def test_seed_postcodes_are_real(index):
    found = index.lookup(ENGLISH + NORTHERN_IRELAND)
    assert found["resolution"].eq("unit").all()
    assert found.iloc[: len(ENGLISH)]["failure"].isna().all()
    assert found.iloc[len(ENGLISH) :]["failure"].eq(FAILURE_NORTHERN_IRELAND).all()


_SPACES = [" ", "  ", "\t", "\u00a0", "\u200b", "\u2009", "\n", ""]
_PUNCT = [".", "-", ",", "'", '"', "/", "(", ")", "#", "<", ">", "&"]


@st.composite
def damaged(draw, base: list[str]) -> str:
    """A real postcode as a person or a case-management export might have typed it."""
    text = draw(st.sampled_from(base))
    if draw(st.booleans()):
        text = text.lower() if draw(st.booleans()) else text.swapcase()
    if draw(st.booleans()):  # respace: drop, double or replace the space
        text = text.replace(" ", draw(st.sampled_from(_SPACES)))
    if draw(st.booleans()):
        text = draw(st.sampled_from(_SPACES)) + text + draw(st.sampled_from(_SPACES))
    if draw(st.integers(0, 4)) == 0:  # a stray character somewhere
        at = draw(st.integers(0, len(text)))
        extra = draw(st.one_of(st.sampled_from(_PUNCT), st.characters(blacklist_categories=("Cs",))))
        text = text[:at] + extra + text[at:]
    if draw(st.integers(0, 6)) == 0:  # full-width letters and digits (pasted from a PDF)
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    if draw(st.integers(0, 6)) == 0:
        text = text.replace("O", "0") if draw(st.booleans()) else text.replace("1", "I")
    return text


ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUE = st.one_of(
    damaged(ENGLISH),
    damaged(NORTHERN_IRELAND),
    damaged(OTHER),
    damaged(PARTIAL),
    ANY_TEXT,
    st.from_regex(r"\A[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}\Z"),  # postcode-shaped, mostly not real
    st.none(),
    st.just(float("nan")),
    st.integers(-10, 10**8),
)


def _is_ni(values: pd.Series) -> np.ndarray:
    """Inputs that are Northern Ireland postcodes once upper-cased and stripped of spacing."""
    compact = values.map(lambda v: re.sub(r"\s+", "", v).upper() if isinstance(v, str) else "")
    return compact.str.startswith("BT").to_numpy(dtype=bool)


def check_lookup(values: list, found: pd.DataFrame, index_in) -> None:
    assert len(found) == len(values)
    assert found.index.equals(index_in)
    resolution = found["resolution"].astype(object)
    failure = found["failure"].astype(object)
    assert resolution.dropna().isin(RESOLUTIONS).all()
    assert failure.dropna().isin(FAILURES).all()
    # Every row is either resolved or says why not.
    assert (resolution.notna() | failure.notna()).all()
    # Resolved without a failure: a usable British grid reference in a known authority.
    ok = failure.isna().to_numpy()
    assert np.isfinite(found.loc[ok, ["easting", "northing"]].to_numpy(float)).all()
    assert found.loc[ok, "la_code"].notna().all()
    assert (found.loc[ok, "country"] != "Northern Ireland").all()
    # Never a British grid coordinate for Northern Ireland.
    ni = (found["country"].astype(object) == "Northern Ireland").to_numpy() | (
        _is_ni(pd.Series(values, dtype=object)) & resolution.notna().to_numpy()
    )
    assert not np.isfinite(found.loc[ni, ["easting", "northing"]].to_numpy(float)).any()
    assert failure[ni].eq(FAILURE_NORTHERN_IRELAND).all()


@examples(100)
@given(values=st.lists(VALUE, max_size=25))
def test_lookup_gives_one_row_per_input_resolved_or_with_a_reason(index, values):
    CASES["lookup: one row per input, resolution or reason"] += 1
    series = pd.Series(values, dtype=object, index=pd.RangeIndex(100, 100 + len(values)))
    check_lookup(values, index.lookup(series), series.index)
    # Lists (not Series) come back with a fresh 0..n-1 index.
    check_lookup(values, index.lookup(list(values)), pd.RangeIndex(len(values)))


@examples(80)
@given(values=st.lists(damaged(NORTHERN_IRELAND + ["BT7 1", "BT1", "BT48"]), min_size=1, max_size=20))
def test_northern_ireland_never_gets_a_british_grid_reference(index, values):
    CASES["lookup: BT postcodes never on the British grid"] += 1
    found = index.lookup(values)
    assert not np.isfinite(found[["easting", "northing"]].to_numpy(float)).any()
    assert found["failure"].notna().all()
    assert not found["country"].astype(object).isin(["England", "Wales", "Scotland"]).any()


@examples(40)
@given(values=st.lists(VALUE, min_size=1, max_size=10))
def test_batch_lookup_equals_one_by_one(index, values):
    CASES["lookup: batch == one by one"] += 1
    batch = index.lookup(values)
    for i, value in enumerate(values):
        alone = index.lookup([value]).iloc[0]
        row = batch.iloc[i]
        for col in ("postcode", "resolution", "failure", "la_code"):
            assert (pd.isna(row[col]) and pd.isna(alone[col])) or row[col] == alone[col], (value, col)
        for col in ("easting", "northing", "lat", "lon"):
            assert (np.isnan(row[col]) and np.isnan(alone[col])) or row[col] == alone[col], (value, col)


@examples(80)
@given(text=damaged(ENGLISH))
def test_case_and_spacing_do_not_change_an_english_unit(index, text):
    CASES["lookup: case/spacing of real units"] += 1
    compact = re.sub(r"\s+", "", text).upper()
    found = index.lookup([text]).iloc[0]
    if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", compact) and compact in {
        p.replace(" ", "") for p in ENGLISH
    }:
        # Only ASCII whitespace and case were touched: the same unit comes back.
        assert found["resolution"] == "unit" and pd.isna(found["failure"])
        assert found["postcode"].replace(" ", "") == compact
    else:
        assert pd.notna(found["resolution"]) or pd.notna(found["failure"])


@examples(100)
@given(values=st.lists(VALUE, max_size=25))
def test_normalise_is_idempotent_and_sector_is_a_sector_or_blank(values):
    CASES["normalise_postcodes / sector_of"] += 1
    norm = normalise_postcodes(values)
    assert len(norm) == len(values)
    assert norm.equals(normalise_postcodes(norm))
    assert not norm.isna().any()
    sectors = sector_of(values)
    assert len(sectors) == len(values) and not sectors.isna().any()
    shaped = sectors[sectors != ""]
    assert shaped.str.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]").all()
    # A sector is the start of its unit's normal form: never finer, never from another postcode.
    assert all(n.startswith(s) for n, s in zip(norm[sectors != ""], shaped))
