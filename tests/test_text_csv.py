"""The command lines' CSV reader gives exactly pandas' frame, or pandas' error, for any file."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data import text_csv
from data.text_csv import read_text_csv
from tests.fuzz_support import examples

# Pieces a CSV is made of, and the ones that make readers disagree (quotes, CR, blank lines, BOMs).
PIECES = st.sampled_from([",", '"', '""', "\r\n", "\n", "\r", " ", "\t", "a", "B", "1", "é", "\ufeff", "=x", ""])
CELL = st.text(alphabet=st.sampled_from(list('ab1 é",\r\n\t')), max_size=5)


def _pandas(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _same_as_pandas(path) -> None:
    try:
        expected = _pandas(path)
    except Exception as exc:  # noqa: BLE001 - whatever pandas raises, ours must raise too
        with pytest.raises(type(exc)):
            read_text_csv(path)
        return
    got = read_text_csv(path)
    pd.testing.assert_frame_equal(got, expected, check_index_type=True, check_column_type=True)


@st.composite
def well_formed(draw):
    """A header and rows as wide as it, cells quoted where they must be (or at random): Arrow's case."""
    width = draw(st.integers(1, 4))
    names = draw(st.lists(st.text(alphabet="ABC_ é", min_size=1, max_size=3), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6))

    def cell(value: str) -> str:
        if any(c in value for c in ',"\r\n') or draw(st.booleans()):
            return '"' + value.replace('"', '""') + '"'
        return value

    end = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    lines = [",".join(names)] + [",".join(cell(v) for v in row) for row in rows]
    return bom + end.join(lines) + draw(st.sampled_from(["", end]))


@examples(300)
@given(text=well_formed())
def test_a_well_formed_file_reads_as_pandas_reads_it(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("csv") / "episodes.csv"
    path.write_bytes(text.encode("utf-8"))
    _same_as_pandas(path)


@st.composite
def damaged(draw):
    """A well-formed file with pieces written in at random places: where the two readers may part."""
    text = draw(well_formed())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(PIECES) + text[at:]
    return text


@examples(400)
@given(
    text=st.one_of(st.lists(PIECES, max_size=30).map("".join), damaged()),
    encoding=st.sampled_from(["utf-8", "utf-8", "cp1252", "utf-16"]),
)
def test_any_text_reads_or_fails_as_pandas_does(tmp_path_factory, text, encoding):
    path = tmp_path_factory.mktemp("csv") / "episodes.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    _same_as_pandas(path)


def test_a_plain_file_takes_arrows_path_and_an_odd_one_pandas(tmp_path):
    """The fast path is really taken (else the speed is not ours), and refused where pandas must decide."""
    plain = b'\xef\xbb\xbfCHILD,PL_POST,NOTES\r\n1,CR0 1AA,"=HYPERLINK(""x"")"\r\n2,,"two\nlines"\r\n'
    assert text_csv._by_arrow(plain) is not None
    for odd in (
        b"CHILD,CHILD\n1,2\n",  # pandas renames the second CHILD.1
        b"CHILD,\n1,2\n",  # pandas names the blank column Unnamed: 1
        b'"CHILD",PL_POST\n1,2\n',  # a quoted name
        b"CHILD,PL_POST\n1\n",  # a short row: pandas fills it
        b"CHILD,PL_POST\n1,2\n  \n3,4\n",  # a line of spaces: pandas skips it as blank
        b"CHILD,PL_POST\n\xe9,2\n",  # not UTF-8: pandas says so
    ):
        assert text_csv._by_arrow(odd) is None, odd
    for same in (plain, b"CHILD,PL_POST\n1,2\n\n3,4\n"):  # both skip an empty line
        assert text_csv._by_arrow(same) is not None
        path = tmp_path / "episodes.csv"
        path.write_bytes(same)
        _same_as_pandas(path)
