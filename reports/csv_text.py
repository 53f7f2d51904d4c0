"""A DataFrame as CSV text, byte for byte what ``DataFrame.to_csv`` writes, made column by column in Arrow.

pandas writes a CSV through Python's ``csv`` module, one row and one cell at a time: for 250,000
episodes of 25 columns that is most of the placements command's time (bench/bench_exports.py). Here
each column is turned into text once (Arrow's string kernels for text, numpy's shortest float
repr as pandas uses), quoted where the ``csv`` module would quote it, and the columns joined with
Arrow's element-wise join.

The output must equal the bytes of ``frame.to_csv(index=False, lineterminator="\\r\\n")``: tests/test_csv_text.py
compares the two on generated frames. Anything this module does not know to render exactly as pandas
does (dates, categories, nullable or Arrow numbers, mixed object columns, a MultiIndex, an index) is
written by pandas itself, so the fast path never changes a file, only how quickly it is made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["csv_bytes", "holds_any"]

LINE_END = "\r\n"
# Python's csv module (QUOTE_MINIMAL) quotes a cell holding the delimiter, the quote character or
# either character of the line terminator, and doubles the quotes inside it.
_QUOTED_CHARACTERS = ',"\r\n'
_NEEDS_QUOTES = f"[{_QUOTED_CHARACTERS}]"


def _text(value: str) -> pa.Scalar:
    # Every array here is large_string (offsets above 2 GB), and Arrow's kernels want their scalars alike.
    return pa.scalar(value, pa.large_string())


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with a header row, no index, CRLF line ends and '' for missing values.

    Exactly ``frame.to_csv(index=False, lineterminator="\\r\\n").encode("utf-8")``.
    """
    single = frame.shape[1] == 1  # csv writes a row of one empty field as "" so that the row is not lost
    if frame.shape[1] == 0 or not all(isinstance(name, str) for name in frame.columns):  # also a MultiIndex
        return _by_pandas(frame)
    header = (",".join(_quote_one(name, single=single) for name in frame.columns) + LINE_END).encode()
    cells = []
    for position in range(frame.shape[1]):
        text = _column_text(frame.iloc[:, position])
        if text is None:
            return _by_pandas(frame)
        cells.append(_quoted(text, single=single))
    if len(frame) == 0:
        return header
    cells[-1] = pc.binary_join_element_wise(cells[-1], _text(LINE_END), _text(""))
    rows = pc.binary_join_element_wise(*cells, _text(",")) if len(cells) > 1 else cells[0]
    return header + _concatenated(rows)


def _by_pandas(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator=LINE_END).encode("utf-8")


def _column_text(values: pd.Series) -> pa.Array | None:
    """The column's cells as pandas would write them (missing as ''), or None to leave it to pandas."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return pa.array(values.to_numpy().astype(str), type=pa.large_string())
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return _float_text(values.to_numpy())
    if isinstance(dtype, pd.StringDtype) or (
        pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    ):
        try:
            if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
                text = pa.array(values.array)  # the column's own Arrow data, not a copy
            else:
                text = pa.array(values.to_numpy(dtype=object, na_value=None), from_pandas=True, type=pa.string())
        except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: pandas then says what is wrong
            return None
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        return pc.fill_null(text.cast(pa.large_string()), _text(""))
    return None


def _float_text(numbers: np.ndarray) -> pa.Array:
    """Floats as pandas writes them: numpy's ``astype(str)`` (shortest repr, "626987.0"), '' for NaN.

    numpy's float-to-text is about ten times slower than Arrow's, and the two give the same digits
    wherever numpy writes a plain decimal (0.0001 <= |x| < 1e16) and Arrow no exponent, except that
    Arrow leaves off a trailing ".0". Those cells (nearly all) take Arrow's text; the rest (exponents,
    infinities) numpy's own.
    """
    if numbers.dtype != np.float64 or len(numbers) == 0:  # float32 has its own shortest repr: numpy's
        text = pa.array(numbers.astype(str), type=pa.large_string())
        return pc.if_else(pa.array(np.isnan(numbers)), _text(""), text)
    text = pa.array(numbers).cast(pa.large_string())
    size = np.abs(numbers)
    with np.errstate(invalid="ignore"):
        plain = ((size >= 1e-4) & (size < 1e16)) | (numbers == 0)
    # Each step below is skipped when no cell needs it (one byte scan or one vector test): a column of
    # eastings or distances has no exponent, no NaN, and often no whole number.
    if holds_any(text, "e"):
        plain &= ~pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
    whole = pc.invert(pc.match_substring(text, "."))
    if pc.any(whole).as_py():
        text = pc.if_else(whole, pc.binary_join_element_wise(text, _text(".0"), _text("")), text)
    missing = np.isnan(numbers)
    other = ~plain & ~missing
    if other.any():
        text = pc.replace_with_mask(text, pa.array(other), pa.array(numbers[other].astype(str), type=pa.large_string()))
    return pc.if_else(pa.array(missing), _text(""), text) if missing.any() else text


def holds_any(text: pa.Array | pa.ChunkedArray, characters: str) -> bool:
    """Whether any cell of an Arrow string array holds any of the ASCII ``characters``.

    One scan of the array's bytes, no per-cell work: in UTF-8 an ASCII byte is always that character,
    never part of another. Lets a column that cannot need a rule skip the regular expression.
    """
    wanted = [c.encode("ascii") for c in characters]
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        offsets_buffer, data = chunk.buffers()[1:3]
        if data is None or len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)
        start, end = int(offsets[chunk.offset]), int(offsets[chunk.offset + len(chunk)])
        raw = data.to_pybytes()  # bytes.find is a memchr over the buffer: far faster than any per-cell test
        if any(raw.find(c, start, end) >= 0 for c in wanted):
            return True
    return False


def _quoted(text: pa.Array, *, single: bool) -> pa.Array:
    if not single and not holds_any(text, _QUOTED_CHARACTERS):
        return text
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if single:
        needs = pc.or_(needs, pc.equal(pc.binary_length(text), 0))
    if not pc.any(needs).as_py():
        return text
    wrapped = pc.binary_join_element_wise(_text('"'), pc.replace_substring(text, '"', '""'), _text('"'), _text(""))
    return pc.if_else(needs, wrapped, text)


def _quote_one(name: str, *, single: bool) -> str:
    if any(c in name for c in ',"\r\n') or (single and name == ""):
        return '"' + name.replace('"', '""') + '"'
    return name


def _concatenated(rows: pa.Array) -> bytes:
    """The rows' UTF-8 one after another: the string array's data buffer between its first and last offset."""
    rows = rows.cast(pa.large_string())
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + len(rows) + 1]
    data = rows.buffers()[2]
    start, end = int(offsets[0]), int(offsets[-1])
    return data[start:end].to_pybytes() if data is not None and end > start else b""
