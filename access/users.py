"""Local user accounts, for a machine with no identity provider.

Users are kept in ``local/users.json`` (env ``CARE_MAP_USERS_FILE`` overrides the path), file
mode 0600, one record per user: name, role and a scrypt password hash with its own salt.
Passwords themselves are never stored. Add users with ``python -m access add-user NAME --role panel``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from access.roles import ROLES
from config import state_dir

__all__ = [
    "User",
    "users_file",
    "load_users",
    "add_user",
    "remove_user",
    "authenticate",
    "hash_password",
    "verify_password",
    "MIN_PASSWORD_LENGTH",
]

USERS_FILE_ENV = "CARE_MAP_USERS_FILE"
MIN_PASSWORD_LENGTH = 10  # NCSC: length beats complexity rules
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# scrypt cost: 2**14 takes ~50 ms and 16 MiB, OWASP's minimum for interactive sign-in.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _DKLEN = 2**14, 8, 1, 32


@dataclass(frozen=True)
class User:
    """A signed-in person: ``name`` and ``role`` (``"analyst"`` or ``"panel"``)."""

    name: str
    role: str


def users_file(path=None) -> Path:
    """``path``, else env ``CARE_MAP_USERS_FILE``, else ``users.json`` in :func:`config.state_dir`."""
    if path is not None:
        return Path(path)
    env = os.environ.get(USERS_FILE_ENV)
    return Path(env) if env else state_dir() / "users.json"


# ---------------------------------------------------------------- hashing
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``"scrypt$N$r$p$salt$hash"`` (base64) for ``password``, with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_DKLEN)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches the ``stored`` hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Compared against when the user name is unknown, so that unknown names take as long as wrong passwords.
_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


# ---------------------------------------------------------------- the users file
def load_users(path=None) -> dict[str, dict]:
    """``{name: {"role": ..., "password": hash}}`` from the users file (``{}`` if there is none)."""
    file = users_file(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"the users file {file} cannot be read: {exc}") from None
    users = data.get("users", {}) if isinstance(data, dict) else {}
    return {str(k): v for k, v in users.items() if isinstance(v, dict)}


def _save_users(users: dict, path=None) -> None:
    file = users_file(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".users-", suffix=".tmp")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"users": users}, handle, indent=2, sort_keys=True)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(name: str, password: str, *, role: str, path=None, replace: bool = False) -> User:
    """Add (or with ``replace=True`` reset) a local user; returns the :class:`User`.

    Raises ValueError for an unknown role, an unusable name, a short password or an existing
    user without ``replace``.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not _USERNAME_RE.match(name or ""):
        raise ValueError("user names are 1-64 letters, digits, '.', '_', '@' or '-'")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"passwords must be at least {MIN_PASSWORD_LENGTH} characters")
    users = load_users(path)
    if name in users and not replace:
        raise ValueError(f"user {name!r} already exists (use --replace to reset the password or role)")
    users[name] = {"role": role, "password": hash_password(password)}
    _save_users(users, path)
    return User(name, role)


def remove_user(name: str, *, path=None) -> bool:
    """Remove a local user; False if there was no such user."""
    users = load_users(path)
    if users.pop(name, None) is None:
        return False
    _save_users(users, path)
    return True


def is_known_user(username: str, *, path=None) -> bool:
    """True if ``username`` is a local account (the audit log records only such names)."""
    return str(username or "") in load_users(path)


def authenticate(username: str, password: str, *, path=None) -> User | None:
    """The :class:`User` if ``username`` exists and ``password`` is right, else None.

    An unknown name costs as much time as a wrong password, so names cannot be probed.
    """
    record = load_users(path).get(str(username or ""))
    stored = record.get("password", "") if record else _DUMMY_HASH
    ok = verify_password(str(password or ""), stored)
    if not record or not ok or record.get("role") not in ROLES:
        return None
    return User(str(username), record["role"])
