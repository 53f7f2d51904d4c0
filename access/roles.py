"""Roles, the OpenID Connect sign-in settings, and the rule about where the app may listen.

Sign-in through a council's identity provider uses Streamlit's ``st.login`` (OpenID Connect),
configured in ``.streamlit/secrets.toml`` (see docs/roles-and-sign-in.md). Roles come from an
``[auth.roles]`` table in the same file::

    [auth.roles]
    analyst = ["a.analyst@council.gov.uk"]
    panel = ["@council.gov.uk"]          # a whole e-mail domain

An exact address beats a domain; at equal precision the role that sees less (panel) wins.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path

from config.secrets import read_secrets

__all__ = [
    "ANALYST",
    "PANEL",
    "ROLES",
    "ListenAddressError",
    "sees_row_level",
    "role_for_email",
    "read_secrets",
    "sign_in_configured",
    "sign_in_provider",
    "roles_mapping",
    "check_listen_address",
    "LOCAL_ADDRESSES",
]

ANALYST = "analyst"  # everything, including row-level records and notes
PANEL = "panel"  # aggregate views only, small numbers suppressed
ROLES = (ANALYST, PANEL)
_LEAST_PRIVILEGE = (PANEL, ANALYST)  # order of preference when an address matches two roles

LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")
_ROOT = Path(__file__).resolve().parents[1]
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_NOT_PROVIDERS = {"roles", "client_kwargs"}


class ListenAddressError(RuntimeError):
    """The app was told to listen beyond this machine while nobody has to sign in."""


def sees_row_level(role: str | None) -> bool:
    """True only for the analyst role: row-level records, pseudonymous ids and notes."""
    return role == ANALYST


# ---------------------------------------------------------------- secrets.toml
def _auth(secrets) -> Mapping:
    data = read_secrets(secrets) if secrets is None or isinstance(secrets, (str, Path)) else secrets
    auth = data.get("auth", {}) if isinstance(data, Mapping) else {}
    return auth if isinstance(auth, Mapping) else {}


def sign_in_provider(secrets=None) -> str | None:
    """The provider name to pass to ``st.login``: ``"default"``, a named one, or None if none is complete.

    ``secrets``: a parsed secrets dict, a path to secrets.toml, or None for the default file.
    """
    auth = _auth(secrets)
    if not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    if all(auth.get(key) for key in _PROVIDER_KEYS):
        return "default"
    for name, section in auth.items():
        if name in _NOT_PROVIDERS or not isinstance(section, Mapping):
            continue
        if all(section.get(key) for key in _PROVIDER_KEYS):
            return name
    return None


def sign_in_configured(secrets=None) -> bool:
    """True if secrets.toml holds a complete OpenID Connect set-up (redirect_uri, cookie_secret, a provider)."""
    return sign_in_provider(secrets) is not None


def roles_mapping(secrets=None) -> dict:
    """The ``[auth.roles]`` table of secrets.toml (``{}`` if there is none)."""
    roles = _auth(secrets).get("roles", {})
    return dict(roles) if isinstance(roles, Mapping) else {}


def role_for_email(email: str | None, mapping: Mapping) -> str | None:
    """The role of a signed-in e-mail address, or None if it is not listed (no access).

    ``mapping`` is the ``[auth.roles]`` table: ``{role: [addresses or "@domain"]}``; the form
    ``{address: role}`` is accepted too. Matching ignores case and surrounding blanks.
    """
    if not email or "@" not in str(email):
        return None
    email = str(email).strip().lower()
    domain = "@" + email.rsplit("@", 1)[1]
    exact: set[str] = set()
    by_domain: set[str] = set()
    for key, value in (mapping or {}).items():
        if str(key).strip().lower() in ROLES:
            role = str(key).strip().lower()
            entries = [value] if isinstance(value, str) else list(value or [])
        elif isinstance(value, str) and value.strip().lower() in ROLES:
            role, entries = value.strip().lower(), [key]
        else:
            continue
        for entry in entries:
            entry = str(entry).strip().lower()
            if entry == email:
                exact.add(role)
            elif entry.startswith("@") and entry == domain:
                by_domain.add(role)
    for found in (exact, by_domain):
        for role in _LEAST_PRIVILEGE:
            if role in found:
                return role
    return None


# ---------------------------------------------------------------- where the app listens
def _is_local(address: str) -> bool:
    text = address.strip().strip("[]").lower()
    if text in LOCAL_ADDRESSES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def check_listen_address(address: str | None, sign_in_configured: bool) -> None:
    """Refuse to serve children's data beyond this machine when nobody has to sign in.

    ``address`` is Streamlit's ``server.address``; None or "" means every network interface
    (Streamlit's default), as does "0.0.0.0" or "::". Loopback addresses are always allowed.

    Raises
    ------
    ListenAddressError
        for any other address while ``sign_in_configured`` is False.
    """
    if address is not None and str(address).strip() and _is_local(str(address)):
        return
    if sign_in_configured:
        return
    shown = str(address).strip() if address is not None and str(address).strip() else "every network interface"
    raise ListenAddressError(
        f"The app is set to listen on {shown}, but sign-in is not configured: anyone on the network "
        'could see children\'s data. Set server.address = "localhost" in .streamlit/config.toml, '
        "or configure sign-in in .streamlit/secrets.toml (see docs/roles-and-sign-in.md)."
    )
