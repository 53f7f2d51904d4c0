"""Sign-in, roles and the audit log in the running app (AppTest), with a throwaway users file and audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from access.audit import read_audit
from access.roles import ANALYST, PANEL
from access.users import add_user
from ui import auth
from ui.components import SYNTHETIC_BANNER

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 120
PASSWORDS = {"ana.lyst": ("analyst password 1", ANALYST), "panel.member": ("panel password 22", PANEL)}
OIDC_SECRETS = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a-long-random-string-for-the-test-only-0123456789"

[auth.microsoft]
client_id = "client"
client_secret = "secret"
server_metadata_url = "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"

[auth.roles]
analyst = ["a.analyst@council.gov.uk"]
panel = ["@council.gov.uk"]
"""


@pytest.fixture(scope="module")
def users_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.json"
    for name, (password, role) in PASSWORDS.items():
        add_user(name, password, role=role, path=path)
    return path


@pytest.fixture
def env(tmp_path, monkeypatch, users_path):
    """Local accounts on; no OpenID Connect settings; audit log and pseudonym key in tmp_path."""
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(users_path))
    monkeypatch.setenv("CARE_MAP_AUDIT_LOG", str(tmp_path / "audit.log"))
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("CARE_MAP_SECRET_FILE", str(tmp_path / "secret.key"))
    return tmp_path


@pytest.fixture
def listen_on_every_interface():
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", before)


def _audit(tmp_path: Path) -> list[dict]:
    return read_audit(tmp_path / "audit.log")


def _texts(at: AppTest) -> str:
    return "\n".join(
        str(e.value)
        for kind in ("error", "warning", "info", "success", "markdown", "caption", "title")
        for e in getattr(at, kind)
    )


def _sign_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------ decisions
def test_sign_in_mode_follows_configuration(tmp_path, users_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(OIDC_SECRETS, encoding="utf-8")
    nothing = tmp_path / "absent.json"
    assert auth.sign_in_mode(secrets=tmp_path / "none.toml", users_path=nothing) == auth.MODE_SINGLE
    assert auth.sign_in_mode(secrets=tmp_path / "none.toml", users_path=users_path) == auth.MODE_ACCOUNTS
    assert auth.sign_in_mode(secrets=secrets, users_path=users_path) == auth.MODE_OIDC


def test_listen_address_needs_localhost_unless_openid_connect(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(OIDC_SECRETS, encoding="utf-8")
    none = tmp_path / "none.toml"
    for local in ("localhost", "127.0.0.1", "::1"):
        assert auth.listen_address_problem(local, secrets=none) is None
    for wide in ("0.0.0.0", None, "", "192.168.1.20", "::"):
        problem = auth.listen_address_problem(wide, secrets=none)
        assert problem and "sign-in is not configured" in problem
        assert auth.listen_address_problem(wide, secrets=secrets) is None


# ------------------------------------------------------------------ the app
def test_guard_stops_the_app_on_every_interface_without_sign_in(tmp_path, monkeypatch, listen_on_every_interface):
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(tmp_path / "none.toml"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("sign-in is not configured" in e.value for e in at.error)
    # Nothing of the data: no menu page ran, no banner, no tiles, no tables, no role.
    assert not any(SYNTHETIC_BANNER in e.value for e in at.error)
    assert not at.metric and not at.dataframe and not at.title
    assert "role" not in at.session_state


def test_sign_in_form_appears_when_a_users_file_exists(env):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Care map: sign in"
    assert at.text_input(key="sign_in_password").proto.type == at.text_input(key="sign_in_password").proto.PASSWORD
    assert not at.metric and not at.dataframe
    assert not any(SYNTHETIC_BANNER in e.value for e in at.error)


def test_wrong_password_is_refused_and_audited(env):
    at = _sign_in("panel.member", "not the password")
    assert any("not recognised" in e.value for e in at.error)
    assert at.title[0].value == "Care map: sign in" and not at.metric
    assert "role" not in at.session_state
    log = _audit(env)
    assert [(r["event"], r["user"], r["role"]) for r in log] == [("sign-in-failed", "panel.member", None)]
    assert "not the password" not in (env / "audit.log").read_text()


def test_panel_member_gets_aggregate_pages_only(env):
    at = _sign_in("panel.member", PASSWORDS["panel.member"][0])
    assert at.session_state["role"] == PANEL and at.session_state["user"] == "panel.member"
    assert at.title[0].value == "Where our children are placed"  # the default page, after sign-in
    assert any("panel.member" in c.value for c in at.sidebar.caption)
    assert [(r["event"], r["user"], r["role"]) for r in _audit(env)] == [("sign-in", "panel.member", PANEL)]
    with pytest.raises(ValueError):  # not in the panel member's menu at all
        at.switch_page("app_pages/missing.py")
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert not [e for e in at.expander if "Every issue" in e.label]
    assert not [d for d in at.download_button if "data-quality" in d.label]
    assert "row-by-row data-quality report is for analysts" in _texts(at)
    at.switch_page("app_pages/briefing.py")  # registered for the panel (not run here: test_app_briefing does)


def test_analyst_gets_everything_and_exports_are_audited(env):
    at = _sign_in("ana.lyst", PASSWORDS["ana.lyst"][0])
    assert at.session_state["role"] == ANALYST
    at.switch_page("app_pages/missing.py")  # in the analyst's menu (the page itself is tested in test_app_missing)
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert [e for e in at.expander if "Every issue" in e.label]
    button = [d for d in at.download_button if "data-quality" in d.label]
    assert len(button) == 1
    button[0].click().run()
    exports = [r for r in _audit(env) if r["event"] == "export"]
    assert len(exports) == 1
    entry = exports[0]
    assert (entry["user"], entry["role"]) == ("ana.lyst", ANALYST)
    assert entry["details"]["what"] == "data_quality_report.csv"
    assert entry["details"]["data"] == "synthetic demo"
    assert set(entry["details"]["filters"]) >= {"snapshot", "period", "placement types", "providers"}
    # Sign out: back to the form, and the log says so.
    at.button(key="sign_out").click().run()
    assert at.title[0].value == "Care map: sign in"
    assert "role" not in at.session_state
    assert [r["event"] for r in _audit(env)] == ["sign-in", "export", "sign-out"]


def test_openid_connect_roles_and_no_access(env, monkeypatch, listen_on_every_interface):
    """With OpenID Connect configured the app may listen widely; the role comes from [auth.roles]."""
    secrets = env / "secrets.toml"
    secrets.write_text(OIDC_SECRETS, encoding="utf-8")
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(secrets))

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert at.button[0].label == "Sign in" and not at.metric and "role" not in at.session_state
    at.button[0].click().run()  # Streamlit's own secrets (at.secrets) lack [auth]: a message, no traceback
    assert not at.exception
    assert any("Sign-in could not start" in e.value for e in at.error)

    stranger = AppTest.from_file(APP, default_timeout=TIMEOUT)
    stranger.user = {"is_logged_in": True, "email": "someone@elsewhere.example"}
    stranger.run()
    assert any("no access" in e.value for e in stranger.error)
    assert not stranger.metric and "role" not in stranger.session_state

    member = AppTest.from_file(APP, default_timeout=TIMEOUT)
    member.user = {"is_logged_in": True, "email": "Someone@Council.gov.uk"}
    member.run()
    assert not member.exception
    assert member.session_state["role"] == PANEL
    with pytest.raises(ValueError):
        member.switch_page("app_pages/missing.py")
    assert [(r["event"], r["user"], r["role"]) for r in _audit(env)] == [("sign-in", "someone@council.gov.uk", PANEL)]
