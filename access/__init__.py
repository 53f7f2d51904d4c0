"""Who may see what: roles, local users, OpenID Connect sign-in settings and the audit log.

Two roles: an *analyst* sees everything, including row-level records and notes; a *panel*
member sees aggregate views only, after disclosure control (``analysis.disclosure``).
Nothing here imports streamlit: the UI calls these functions and lays out the widgets.
"""

from access.audit import write_audit
from access.roles import (
    ANALYST,
    PANEL,
    ROLES,
    ListenAddressError,
    check_listen_address,
    role_for_email,
    roles_mapping,
    sees_row_level,
    sign_in_configured,
    sign_in_provider,
)
from access.users import User, add_user, authenticate, hash_password, verify_password

__all__ = [
    "ANALYST",
    "PANEL",
    "ROLES",
    "User",
    "ListenAddressError",
    "add_user",
    "authenticate",
    "check_listen_address",
    "hash_password",
    "role_for_email",
    "roles_mapping",
    "sees_row_level",
    "sign_in_configured",
    "sign_in_provider",
    "verify_password",
    "write_audit",
]
