"""Where this installation keeps its own state: the users file, the pseudonym key, the audit log and any
official boundary files the council adds.

:func:`state_dir` is ``$CARE_MAP_STATE_DIR`` when set; else ``local/`` in the project folder when a
checkout already keeps its users, pseudonym key, audit log or boundaries there (an existing installation keeps them);
else the operating system's per-user data folder from platformdirs
(``~/.local/share/care-map`` on Linux, ``%LOCALAPPDATA%\\care-map`` on Windows). Each file can still
be moved on its own with its variable (``CARE_MAP_USERS_FILE``, ``CARE_MAP_AUDIT_LOG``,
``CARE_MAP_SECRET_FILE``, ``CARE_MAP_BOUNDARIES``).

This is the lowest layer: it imports nothing of ours.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

__all__ = ["APP_NAME", "STATE_DIR_ENV", "state_dir"]

APP_NAME = "care-map"
STATE_DIR_ENV = "CARE_MAP_STATE_DIR"
_CHECKOUT_STATE = Path(__file__).resolve().parents[1] / "local"
# What shows that a checkout already keeps its state in local/. The pseudonym key counts: versions before
# the state folder wrote it there, and moving away from it would change every pseudonym.
_CHECKOUT_MARKERS = ("users.json", "secret.key", "audit.log", "boundaries")


def state_dir() -> Path:
    """The folder for per-installation state (not created here: writers create it, owner-only).

    Returns
    -------
    pathlib.Path
        ``$CARE_MAP_STATE_DIR``, else ``local/`` beside ``app.py`` when it already holds a users file,
        an audit log or boundaries, else platformdirs' user data folder for ``care-map``.
    """
    env = os.environ.get(STATE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    if any((_CHECKOUT_STATE / name).exists() for name in _CHECKOUT_MARKERS):
        return _CHECKOUT_STATE
    return Path(user_data_dir(APP_NAME, appauthor=False))
