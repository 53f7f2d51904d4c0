"""The vectorised formula check gives exactly the per-cell rule's answer (OWASP: = + - @, tab, CR, LF)."""

from __future__ import annotations

import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from reports.export import FORMULA_PREFIXES, neutralise_formulas, to_safe_csv
from tests.fuzz_support import examples


def _risky(value: str) -> bool:
    return value[:1] in FORMULA_PREFIXES or value.lstrip()[:1] in FORMULA_PREFIXES


CELLS = st.one_of(
    st.text(alphabet=st.sampled_from(list("=+-@ \t\r\nab1\u3000\xa0\u2028\x1c.'")), max_size=6),
    st.text(max_size=5),
)


@examples(300)
@given(cells=st.lists(CELLS, min_size=1, max_size=40), as_object=st.booleans())
def test_vectorised_check_matches_the_per_cell_rule(cells, as_object):
    frame = pd.DataFrame({"TEXT": pd.Series(cells, dtype=object if as_object else "str")})
    out = neutralise_formulas(frame)["TEXT"].tolist()
    for before, after in zip(cells, out):
        assert after == ("'" + before if _risky(before) else before)


def test_mixed_columns_keep_numbers_and_missing_values():
    frame = pd.DataFrame({"X": pd.Series(["=SUM(A1)", -3, None, 2.5, "@x", "ok"], dtype=object)})
    assert neutralise_formulas(frame)["X"].tolist() == ["'=SUM(A1)", -3, None, 2.5, "'@x", "ok"]


def test_csv_of_a_large_frame_is_safe_everywhere():
    n = 50_000
    frame = pd.DataFrame(
        {"A": pd.Series(["=cmd|' /C calc'!A0", "fine", "-", " +1"] * (n // 4), dtype="str"), "B": range(n)}
    )
    back = pd.read_csv(io.BytesIO(to_safe_csv(frame)), dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert not back["A"].map(_risky).any()
    assert back["B"].astype(int).tolist() == list(range(n))
