"""Who is using the app: the listen-address guard, sign-in, the role in session state, and the audit log.

Three ways to run, chosen by what the installation has configured (docs/roles-and-sign-in.md):

* **OpenID Connect** (``[auth]`` in ``.streamlit/secrets.toml``): ``st.login`` / ``st.user`` /
  ``st.logout``; the role comes from the ``[auth.roles]`` table (``access.role_for_email``). An
  address that is not listed gets no access.
* **Local accounts** (a users file: ``local/users.json`` or ``CARE_MAP_USERS_FILE``): a user name
  and password form checked with ``access.authenticate``. Once the file exists, everyone signs in.
* **Single local analyst** (neither): no sign-in, and only while the server listens on this
  machine (``access.check_listen_address``).

Every sign-in, failed sign-in, sign-out and export is written to the audit log
(``access.write_audit``) with the user, the role and the filters in use, never child data.
"""

from __future__ import annotations

import functools
import getpass
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitAPIException

from access.audit import write_audit
from access.roles import (
    ANALYST,
    ROLES,
    ListenAddressError,
    check_listen_address,
    role_for_email,
    roles_mapping,
    sees_row_level,
    sign_in_configured,
    sign_in_provider,
)
from access.throttle import sign_in_throttle
from access.users import authenticate, is_known_user, users_file
from ui import identity

MODE_OIDC = "oidc"  # the council's identity provider, through st.login
MODE_ACCOUNTS = "accounts"  # local users file
MODE_SINGLE = "single"  # nobody signs in: the one person at this machine, an analyst

KEY_MODE = "sign_in_mode"
KEY_AUDIT_CONTEXT = "audit_context"  # the filters in use, for export audit lines
KEY_OIDC_AUDITED = "_oidc_sign_in_audited"
KEY_FAILED = "_sign_in_failures"
KEY_LOGIN_ERROR = "_sign_in_error"
FORM_KEY = "sign_in_form"
MAX_FAILURES_SHOWN = 5  # after this many failures in a session the form says to ask for a reset
NO_ACCESS = (
    "Your account has no access to this app. Ask the council's care map administrator to add your "
    "e-mail address to a role."
)


# ------------------------------------------------------------------ decisions (no widgets)
def sign_in_mode(*, secrets=None, users_path=None) -> str:
    """``"oidc"`` if OpenID Connect is configured, else ``"accounts"`` if a users file exists, else ``"single"``.

    A users file that exists but cannot be read still means accounts: the app then refuses
    everyone rather than falling back to no sign-in.
    """
    if sign_in_configured(secrets):
        return MODE_OIDC
    if users_file(users_path).exists():
        return MODE_ACCOUNTS
    return MODE_SINGLE


def listen_address_problem(address, *, secrets=None) -> str | None:
    """The reason the app must not serve on ``address`` (Streamlit's ``server.address``), or None if it may.

    Only OpenID Connect sign-in lifts the localhost rule; local accounts do not.
    """
    try:
        check_listen_address(address, sign_in_configured(secrets))
    except ListenAddressError as exc:
        return str(exc)
    return None


def local_user_name() -> str:
    """The name the single local analyst is audited under (the operating-system account)."""
    try:
        return f"local:{getpass.getuser()}"
    except (OSError, KeyError, ImportError):  # no login name in some service accounts
        return "local:unknown"


# ------------------------------------------------------------------ the gate every run passes
def require_user() -> tuple[str, str]:
    """Stop the run unless the app may serve here and someone with a role is signed in.

    Returns ``(user name, role)`` and keeps them in session state (``ui.identity.current_user`` /
    ``current_role``). Otherwise shows the refusal, the sign-in form or the no-access message as
    the app's only page and ends the run.
    """
    problem = listen_address_problem(st.get_option("server.address"))
    if problem:
        identity.clear_user()
        show_only(_refusal, problem)
    mode = sign_in_mode()
    if st.session_state.get(KEY_MODE) not in (None, mode):  # configuration changed under a session
        identity.clear_user()
    st.session_state[KEY_MODE] = mode
    if mode == MODE_SINGLE:
        identity.set_user(local_user_name(), ANALYST)
    elif mode == MODE_OIDC:
        _require_oidc_user()
    elif identity.current_user() is None or identity.current_role() not in ROLES:
        show_only(_sign_in_form)
    user, role = identity.current_user(), identity.current_role()
    assert user is not None and role is not None  # each way above signed someone in or ended the run
    return user, role


def show_only(draw, *args, **kwargs) -> NoReturn:
    """Run ``draw(*args, **kwargs)`` as the app's only page, with no menu, and end the run.

    Before sign-in the app has a single hidden page, so no page of the menu can be reached, and
    the sign-in form keeps its values when submitted (widgets drawn outside a page lose them).
    """

    def care_map():
        draw(*args, **kwargs)

    st.navigation([st.Page(care_map, title="Care map", url_path="sign-in", default=True)], position="hidden").run()
    st.stop()


def _refusal(message: str, *, sign_out_button: bool = False) -> None:
    st.error(message, icon=":material/lock:")
    if sign_out_button:
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")


def _login(provider: str | None) -> None:
    """st.login, with a message instead of a traceback when Streamlit's own secrets lack the provider."""
    try:
        st.login() if provider in (None, "default") else st.login(provider)
    except StreamlitAPIException as exc:  # e.g. CARE_MAP_SECRETS_FILE set but .streamlit/secrets.toml missing
        st.session_state[KEY_LOGIN_ERROR] = str(exc)[:300]


def _oidc_sign_in_button() -> None:
    st.title("Care map")
    st.write("Sign in with your council account to continue.")
    problem = st.session_state.pop(KEY_LOGIN_ERROR, None)
    if problem:
        st.error(f"Sign-in could not start: {problem}")
    st.button("Sign in", type="primary", icon=":material/login:", on_click=_login, args=(sign_in_provider(),))


def _require_oidc_user() -> None:
    if not st.user.get("is_logged_in"):  # absent when Streamlit itself has no [auth]: not signed in
        identity.clear_user()
        show_only(_oidc_sign_in_button)
    email = str(st.user.get("email") or "").strip().lower()
    role = role_for_email(email, roles_mapping())
    if role is None:
        identity.clear_user()
        show_only(_refusal, NO_ACCESS, sign_out_button=True)
    if st.session_state.get(KEY_OIDC_AUDITED) != email:
        try:
            write_audit("sign-in", user=email, role=role, details={"method": "openid connect"})
        except (OSError, ValueError) as exc:
            identity.clear_user()
            show_only(_refusal, _audit_refusal(exc), sign_out_button=True)
        st.session_state[KEY_OIDC_AUDITED] = email
    identity.set_user(email, role)


def _audit_refusal(exc: Exception) -> str:
    return (
        f"The audit log could not be written ({type(exc).__name__}); sign-in refused. "
        "Ask the care map administrator to check local/audit.log."
    )


def _sign_in_form() -> None:
    st.title("Care map: sign in")
    st.caption(
        "OFFICIAL-SENSITIVE: this app holds children's data. Sign in with the account the care map "
        "administrator gave you."
    )
    with st.form(FORM_KEY):
        name = st.text_input("User name", key="sign_in_name", autocomplete="username")
        password = st.text_input("Password", type="password", key="sign_in_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if not submitted:
        return
    throttle, client = sign_in_throttle(), _client()
    wait = throttle.wait_seconds(name, client)
    if wait > 0:
        _audit_failed(name, throttled=True)
        st.error(
            f"Too many failed sign-ins: try again in {_duration(wait)}. If you have forgotten your "
            "password, ask the care map administrator to reset it."
        )
        return
    try:
        user = authenticate(name, password)
    except ValueError as exc:  # an unreadable users file: nobody gets in, and the reason is shown
        st.error(f"Sign-in is not available: {exc}")
        return
    if user is None:
        throttle.failed(name, client)
        failures = st.session_state.get(KEY_FAILED, 0) + 1
        st.session_state[KEY_FAILED] = failures
        _audit_failed(name)
        message = "User name or password not recognised."
        if failures >= MAX_FAILURES_SHOWN:
            message += " After several failed attempts, ask the care map administrator to reset your password."
        st.error(message)
        return
    try:
        write_audit("sign-in", user=user.name, role=user.role, details={"method": "local account"})
    except (OSError, ValueError) as exc:
        st.error(_audit_refusal(exc))
        return
    st.session_state.pop(KEY_FAILED, None)
    throttle.succeeded(user.name)
    identity.set_user(user.name, user.role)
    st.rerun()


def _client() -> str | None:
    """The browser's address as the server sees it (a proxy's, behind one), for per-client throttling."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context (a bare test run): throttle by user name only
        return None
    return address if isinstance(address, str) and address else None


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.999)
    return f"{seconds} second{'s' if seconds != 1 else ''}" if seconds < 120 else f"{(seconds + 59) // 60} minutes"


def _audit_failed(name: str, *, throttled: bool = False) -> None:
    """A failed attempt, under the name typed only when it is a known user name.

    Anything else typed (a password in the wrong box, a mistyped name) is never written down.
    """
    details = {"method": "local account"}
    if throttled:
        details["refused"] = "too many failures"
    known = is_known_user(name)
    if not known:
        details["user name"] = "not a known user (not recorded)"
    try:
        write_audit("sign-in-failed", user=name if known else None, role=None, details=details)
    except (OSError, ValueError) as exc:
        st.warning(f"The audit log could not be written ({type(exc).__name__}).")


# ------------------------------------------------------------------ sidebar: who is signed in
def sign_out() -> None:
    """Forget this session's user (and end the identity provider's session for OpenID Connect)."""
    user, role = identity.current_user(), identity.current_role()
    try:
        write_audit("sign-out", user=user, role=role, details={})
    except (OSError, ValueError):
        pass  # signing out must always work
    mode = st.session_state.get(KEY_MODE)
    identity.clear_user()
    st.session_state.pop(KEY_OIDC_AUDITED, None)
    if mode == MODE_OIDC:
        st.logout()


def account_box() -> None:
    """Who is signed in, with which role, and a sign-out button (in the sidebar)."""
    user, role = identity.current_user(), identity.current_role()
    with st.sidebar:
        if st.session_state.get(KEY_MODE) == MODE_SINGLE:
            st.caption(f"Local analyst on this machine (no sign-in): {user}")
            return
        view = "analyst: everything" if sees_row_level(role) else "panel: aggregate figures only"
        st.caption(f"Signed in as **{user}** ({view})")
        st.button("Sign out", key="sign_out", on_click=sign_out, icon=":material/logout:")


# ------------------------------------------------------------------ audit of exports
def note_context(dataset, filters) -> None:
    """Remember the data and filters in use, so an export's audit line can say what was exported."""
    context = {
        "authority": getattr(dataset, "la_code", None),
        "data": (
            f"published snapshot {dataset.snapshot_id}"
            if getattr(dataset, "snapshot_id", None) is not None
            else "synthetic demo"
            if getattr(dataset, "synthetic", False)
            else "uploaded files"
        ),
    }
    if filters is not None:
        context.update(
            {
                "snapshot": filters.snapshot.isoformat(),
                "period": f"{filters.start.isoformat()} to {filters.end.isoformat()}",
                "placement types": list(filters.groups) or "all",
                "providers": list(filters.providers) or "all",
            }
        )
    st.session_state[KEY_AUDIT_CONTEXT] = context


def record(event: str, what: str, **details) -> None:
    """An audit line for ``event`` ("export", "briefing") of ``what`` (a file name) with the filters in use.

    Used as a download button's ``on_click`` callback, so it is written when the user downloads.
    A failure to write is shown as a toast: the file has already gone to the browser by then.
    """
    context = dict(st.session_state.get(KEY_AUDIT_CONTEXT) or {})
    entry = {
        "what": what,
        "filters": {k: v for k, v in context.items() if k not in ("authority", "data")},
        "authority": context.get("authority"),
        "data": context.get("data"),
    }
    entry.update(details)
    try:
        write_audit(event, user=identity.current_user(), role=identity.current_role(), details=entry)
    except (OSError, ValueError) as exc:
        st.toast(f"The audit log could not be written ({type(exc).__name__}).", icon=":material/warning:")


def audited(event: str, what: str, **details):
    """A callback for ``on_click`` that records ``event`` of ``what`` (see :func:`record`)."""
    return functools.partial(record, event, what, **details)
