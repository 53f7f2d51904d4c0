"""The Arrow CSV writer gives, byte for byte, what pandas' ``to_csv`` gives, on every kind of column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.csv_text import csv_bytes, holds_any
from reports.export import neutralise_formulas, to_safe_csv
from tests.fuzz_support import examples


def _pandas(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list(",\"\r\n ab='é\u3000\t;")), max_size=6),
    st.text(max_size=4).filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)),
)
FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: round(x, 1)),
    st.sampled_from([0.0, -0.0, 1e-4, 9.999e-5, 1e16, 9999999999999998.0, 0.1 + 0.2, 5e-324, 626987.0]),
)


@st.composite
def frames(draw):
    n = draw(st.integers(0, 12))
    kinds = draw(
        st.lists(st.sampled_from(["str", "object", "object_na", "float", "float32", "int", "bool"]), max_size=5)
    )
    data = {}
    for i, kind in enumerate(kinds):
        name = draw(st.one_of(st.just(f"C{i}"), st.text(alphabet=st.sampled_from(list('ab,"\n ')), max_size=3)))
        if name in data:
            name = f"{name}{i}"
        if kind == "str":
            data[name] = pd.Series(draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n)), dtype="str")
        elif kind == "object":
            data[name] = pd.Series(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype=object)
        elif kind == "object_na":
            cells = draw(st.lists(st.one_of(TEXT, st.none(), st.just(np.nan)), min_size=n, max_size=n))
            data[name] = pd.Series(cells, dtype=object)
        elif kind in ("float", "float32"):
            cells = draw(st.lists(FLOATS, min_size=n, max_size=n))
            data[name] = pd.Series(cells, dtype="float64" if kind == "float" else "float32")
        elif kind == "int":
            data[name] = pd.Series(
                draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n)), dtype="int64"
            )
        else:
            data[name] = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return pd.DataFrame(data)


@examples(400)
@given(frame=frames(), start=st.integers(0, 3))
def test_the_bytes_are_those_pandas_writes(frame, start):
    assert csv_bytes(frame) == _pandas(frame)
    part = frame.iloc[start:]  # Arrow arrays that start at an offset into their buffers
    assert csv_bytes(part) == _pandas(part)


@examples(200)
@given(frame=frames())
def test_a_safe_csv_is_the_neutralised_frame_as_pandas_writes_it(frame):
    assert to_safe_csv(frame) == neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n").encode(
        "utf-8-sig"
    )


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"ONLY": pd.Series(["", "a", None], dtype="str")}),  # a lone empty field is written ""
        pd.DataFrame({"": pd.Series(["x"], dtype=object)}),
        pd.DataFrame({"WHEN": pd.to_datetime(["2023-03-31 23:59", None])}),  # left to pandas
        pd.DataFrame({"KIND": pd.Categorical(["a,b", "c"])}),
        pd.DataFrame({"MIXED": pd.Series(["=1", 2, 2.5, None, True], dtype=object)}),
        pd.DataFrame({"N": pd.array([1, None], dtype="Int64")}),
        pd.DataFrame({"F": pd.array([1.5, None], dtype="float64[pyarrow]")}),
        pd.DataFrame({1: ["a"], "B": ["b"]}),
        pd.DataFrame(columns=["A", "B"]),
        pd.DataFrame(index=range(3)),
        pd.DataFrame({("A", "x"): [1.0], ("A", "y"): [2.0]}),
    ],
    ids=[
        "single",
        "unnamed",
        "dates",
        "category",
        "mixed",
        "nullable",
        "arrow-float",
        "int-name",
        "no-rows",
        "no-columns",
        "multiindex",
    ],
)
def test_columns_it_does_not_render_itself_are_written_as_pandas_writes_them(frame):
    assert csv_bytes(frame) == _pandas(frame)


def test_a_column_in_several_arrow_chunks_and_a_large_frame():
    chunked = pd.concat([pd.DataFrame({"A": pd.Series([f"x{i}", "a,b"], dtype="str")}) for i in range(50)])
    assert len(pa.array(chunked["A"].array).chunks) > 1
    assert csv_bytes(chunked) == _pandas(chunked)
    rng = np.random.default_rng(5)
    n = 100_000
    big = pd.DataFrame(
        {
            "EASTING": rng.normal(400_000, 1e5, n).round(),
            "LAT": rng.uniform(49, 56, n),
            "TINY": rng.normal(0, 1e-5, n),
            "TEXT": pd.Series(rng.choice(["Bristol, City of", 'say "hi"', "", "Kent"], n), dtype="str"),
        }
    )
    big.loc[::7, "LAT"] = np.nan
    assert csv_bytes(big) == _pandas(big)


def test_surrogates_are_left_to_pandas_which_refuses_them_as_before():
    frame = pd.DataFrame({"A": pd.Series(["ok", "\ud800"], dtype=object)})
    with pytest.raises(UnicodeEncodeError):
        to_safe_csv(frame)


@pytest.mark.parametrize(
    ("cells", "characters", "expected"),
    [
        (["ab", "cd"], ",", False),
        (["ab", "c,d"], ",", True),
        (["é\u3000", "x"], "=", False),  # a multi-byte character never reads as ASCII
        ([None, "", "@"], "@", True),
    ],
)
def test_holds_any_looks_at_every_cell(cells, characters, expected):
    assert holds_any(pa.array(cells), characters) is expected
    assert holds_any(pa.array(["x,", *cells]).slice(1), characters) is expected  # not the cell before the slice
