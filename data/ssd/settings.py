"""The SSD settings IT chooses once: command-line options, else environment variables, else ``[ssd]`` in secrets.toml.

=====================  ==========================  ======================  =====================================
setting                option                      environment             ``[ssd]`` key
=====================  ==========================  ======================  =====================================
connection             ``--ssd URL``               CARE_MAP_SSD_URL        ``url`` (``password`` kept apart)
903 CHILD              ``--child-id``              CARE_MAP_SSD_CHILD_ID   ``child_id``: pers_person_id or pers_legacy_id
home address types     ``--home-address-types``    CARE_MAP_SSD_HOME_TYPES ``home_address_types`` (list, or comma-separated)
schema                 ``--schema``                CARE_MAP_SSD_SCHEMA     ``schema`` (e.g. ssd_development)
query time limit       ``--timeout``               CARE_MAP_SSD_TIMEOUT    ``timeout_seconds``
=====================  ==========================  ======================  =====================================
"""

from __future__ import annotations

import os

from data.ssd.connection import DEFAULT_TIMEOUT_SECONDS, SSDError
from data.ssd.tables import CHILD_ID_COLUMNS, DEFAULT_HOME_ADDRESS_TYPES

__all__ = ["add_setting_arguments", "settings_from"]

_ENV = {
    "child_id": "CARE_MAP_SSD_CHILD_ID",
    "home_address_types": "CARE_MAP_SSD_HOME_TYPES",
    "schema": "CARE_MAP_SSD_SCHEMA",
    "timeout_seconds": "CARE_MAP_SSD_TIMEOUT",
}


def add_setting_arguments(parser) -> None:
    parser.add_argument(
        "--child-id",
        choices=CHILD_ID_COLUMNS,
        default=None,
        help="the SSD id that becomes the 903 CHILD (default pers_person_id)",
    )
    parser.add_argument(
        "--home-address-types",
        default=None,
        metavar="TYPES",
        help=f"comma-separated addr_address_type values that are the child's home "
        f"(default {', '.join(DEFAULT_HOME_ADDRESS_TYPES)})",
    )
    parser.add_argument(
        "--schema", default=None, help="the SSD's schema, e.g. ssd_development (default: the connection's)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"longest time one query may run (default {DEFAULT_TIMEOUT_SECONDS})",
    )


def settings_from(args=None, *, secrets: dict | None = None) -> dict:
    """Keyword arguments for :func:`data.ssd.extract_tables` / :func:`data.ssd.read_ssd`."""
    section = (secrets or {}).get("ssd", {})
    section = section if isinstance(section, dict) else {}
    given = {
        "child_id": getattr(args, "child_id", None),
        "home_address_types": getattr(args, "home_address_types", None),
        "schema": getattr(args, "schema", None),
        "timeout_seconds": getattr(args, "timeout", None),
    }
    out = {}
    for name, value in given.items():
        if value is None:
            value = os.environ.get(_ENV[name]) or section.get(name)
        if value is None or value == "":
            continue
        out[name] = value
    if "home_address_types" in out and isinstance(out["home_address_types"], str):
        out["home_address_types"] = tuple(t.strip() for t in out["home_address_types"].split(",") if t.strip())
    if out.get("child_id") not in (None, *CHILD_ID_COLUMNS):
        raise SSDError(f"child_id must be one of {', '.join(CHILD_ID_COLUMNS)}, not {out['child_id']!r}")
    if "timeout_seconds" in out:
        try:
            seconds = float(out["timeout_seconds"])
        except (TypeError, ValueError):
            raise SSDError(f"the SSD timeout must be a number of seconds, not {out['timeout_seconds']!r}") from None
        out["timeout_seconds"] = seconds
        if seconds <= 0:
            raise SSDError("the SSD timeout must be a positive number of seconds")
    return out
