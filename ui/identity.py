"""Who is signed in: the user's name and role, kept in this session's state.

``ui.auth.require_user`` sets them on every run; pages and the audit log read them.
"""

from __future__ import annotations

import streamlit as st

from access.roles import ROLES

KEY_USER = "user"  # who is signed in (ui.auth sets it on every run)
KEY_ROLE = "role"  # "analyst" or "panel" (access.roles)


def current_user() -> str | None:
    """The signed-in user's name (the local account name, the e-mail address, or ``local:<login>``)."""
    return st.session_state.get(KEY_USER)


def current_role() -> str | None:
    """``"analyst"`` or ``"panel"`` for the signed-in user; None before sign-in."""
    role = st.session_state.get(KEY_ROLE)
    return role if role in ROLES else None


def set_user(name: str, role: str) -> None:
    st.session_state[KEY_USER] = name
    st.session_state[KEY_ROLE] = role


def clear_user() -> None:
    st.session_state.pop(KEY_USER, None)
    st.session_state.pop(KEY_ROLE, None)
