"""The installation's ``.streamlit/secrets.toml``: sign-in providers and roles (access/), the store's
database URL (store/) and the SSD connection (data/ssd/) are all read from it, so it is read here,
below every layer that needs it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

__all__ = ["SECRETS_FILE_ENV", "read_secrets", "secrets_path"]

SECRETS_FILE_ENV = "CARE_MAP_SECRETS_FILE"
_ROOT = Path(__file__).resolve().parents[1]


def secrets_path(path=None) -> Path:
    """``path``, else env ``CARE_MAP_SECRETS_FILE``, else ``.streamlit/secrets.toml`` under the project folder
    (where ``streamlit run app.py`` reads it)."""
    if path is not None:
        return Path(path)
    env = os.environ.get(SECRETS_FILE_ENV)
    return Path(env) if env else _ROOT / ".streamlit" / "secrets.toml"


def read_secrets(path=None) -> dict:
    """The parsed secrets file (:func:`secrets_path`); ``{}`` if absent or unreadable."""
    try:
        with open(secrets_path(path), "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
