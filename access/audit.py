"""The audit log: who did what and when, one JSON line per event, with no child data in it.

Events: sign-in, sign-in-failed, sign-out, export, briefing, view, publish, purge, snapshot (a switch). ``details`` records the
filters used (authority, period, audience, file type ...). Keys that name child data (child id,
ids, postcodes, coordinates, notes) are refused, and so is any full unit postcode in a value,
because the log is kept longer and read more widely than the data it describes.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from analysis.disclosure import child_data_columns
from config import state_dir

__all__ = ["write_audit", "read_audit", "audit_file", "EVENTS"]

AUDIT_LOG_ENV = "CARE_MAP_AUDIT_LOG"
EVENTS = ("sign-in", "sign-in-failed", "sign-out", "export", "briefing", "view", "publish", "purge", "snapshot")
# Ids of children (a hotspot or cell id is fine: it names a place, not a child).
_ID_KEY_RE = re.compile(r"^(IDS?|PSEUDONYMS?|UPNS?|(CHILD|CHILDREN|PERSON|PEOPLE)_IDS?)$")
_UNIT_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
_MAX_TEXT = 200  # filter values are short; a long text is more likely pasted content


def audit_file(path=None) -> Path:
    """``path``, else env ``CARE_MAP_AUDIT_LOG``, else ``audit.log`` in :func:`config.state_dir`."""
    if path is not None:
        return Path(path)
    env = os.environ.get(AUDIT_LOG_ENV)
    return Path(env) if env else state_dir() / "audit.log"


def _check(value, where: str):
    """A JSON-ready copy of ``value``; raises ValueError on child data."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = str(key)
            if child_data_columns([name]) or _ID_KEY_RE.search(name.upper()):
                raise ValueError(f"the audit log must not hold child data; refusing key {where}{name!r}")
            out[name] = _check(item, f"{where}{name}.")
        return out
    if isinstance(value, (list, tuple, set)):
        return [_check(item, where) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if _UNIT_POSTCODE_RE.search(text):
        raise ValueError(
            f"the audit log must not hold postcodes; refusing a value under {where.rstrip('.') or 'details'}"
        )
    if len(text) > _MAX_TEXT:
        raise ValueError(f"audit values are short filter settings; refusing a {len(text)}-character text")
    return text


def write_audit(event: str, *, user: str | None, role: str | None, details: dict | None = None, path=None) -> None:
    """Append one line ``{"when", "event", "user", "role", "details"}`` to the audit log.

    ``when`` is UTC, ISO 8601. The file is created with mode 0600 and only ever appended to.
    Raises ValueError for an unknown event or child data in ``details``.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {', '.join(EVENTS)}")
    record = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "event": event,
        "user": None if user is None else _check(str(user), "user."),
        "role": None if role is None else str(role),
        "details": _check(dict(details or {}), ""),
    }
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    file = audit_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    # One write on an O_APPEND descriptor keeps concurrent sessions' lines whole.
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_audit(path=None) -> list[dict]:
    """All audit records, oldest first (``[]`` if the log does not exist yet)."""
    file = audit_file(path)
    if not file.exists():
        return []
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
