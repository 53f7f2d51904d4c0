"""Roles, local users, sign-in settings, the listen-address guard and the audit log."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from access import (
    ANALYST,
    PANEL,
    ListenAddressError,
    add_user,
    authenticate,
    check_listen_address,
    hash_password,
    role_for_email,
    sees_row_level,
    sign_in_configured,
    verify_password,
    write_audit,
)
from access.audit import read_audit
from access.roles import roles_mapping, sign_in_provider

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- passwords and users
def test_password_hash_round_trip_and_salt():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second  # a fresh salt each time
    assert "correct horse" not in first
    assert verify_password("correct horse battery", first)
    assert verify_password("correct horse battery", second)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("anything", "not-a-hash")


def test_add_user_and_authenticate(tmp_path):
    path = tmp_path / "users.json"
    add_user("panel.member", "a long passphrase", role=PANEL, path=path)
    add_user("analyst1", "another passphrase", role=ANALYST, path=path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "a long passphrase" not in path.read_text()
    user = authenticate("panel.member", "a long passphrase", path=path)
    assert user is not None and user.role == PANEL and not sees_row_level(user.role)
    assert authenticate("analyst1", "another passphrase", path=path).role == ANALYST
    assert sees_row_level(ANALYST)
    assert authenticate("panel.member", "wrong passphrase", path=path) is None
    assert authenticate("nobody", "a long passphrase", path=path) is None
    assert authenticate("", "", path=path) is None


def test_add_user_refuses_bad_input(tmp_path):
    path = tmp_path / "users.json"
    with pytest.raises(ValueError):
        add_user("x", "short", role=PANEL, path=path)
    with pytest.raises(ValueError):
        add_user("x", "a long passphrase", role="admin", path=path)
    with pytest.raises(ValueError):
        add_user("bad name\n", "a long passphrase", role=PANEL, path=path)
    add_user("x", "a long passphrase", role=PANEL, path=path)
    with pytest.raises(ValueError, match="exists"):
        add_user("x", "a different one!", role=ANALYST, path=path)
    add_user("x", "a different one!", role=ANALYST, path=path, replace=True)
    assert authenticate("x", "a different one!", path=path).role == ANALYST


def test_add_user_command_line(tmp_path):
    env = {**os.environ, "CARE_MAP_USERS_FILE": str(tmp_path / "users.json")}
    run = subprocess.run(
        [sys.executable, "-m", "access", "add-user", "clerk", "--role", "panel", "--password-stdin"],
        input="my panel passphrase\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert authenticate("clerk", "my panel passphrase", path=tmp_path / "users.json").role == PANEL
    bad = subprocess.run(
        [sys.executable, "-m", "access", "add-user", "clerk2", "--role", "panel", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- OIDC settings and roles
OIDC = """
[auth]
redirect_uri = "https://care-map.council.example/oauth2callback"
cookie_secret = "a-long-random-string-of-at-least-32-chars"

[auth.microsoft]
client_id = "abc"
client_secret = "def"
server_metadata_url = "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"

[auth.roles]
analyst = ["Ann.Analyst@Council.example"]
panel = ["@council.example", "chair@police.example"]
"""


def test_sign_in_configured_reads_secrets(tmp_path):
    secrets = tmp_path / "secrets.toml"
    assert not sign_in_configured(secrets)  # no file
    secrets.write_text(OIDC)
    assert sign_in_configured(secrets)
    assert sign_in_provider(secrets) == "microsoft"
    secrets.write_text(OIDC.replace('cookie_secret = "a-long-random-string-of-at-least-32-chars"', ""))
    assert not sign_in_configured(secrets)
    secrets.write_text(OIDC.replace('client_secret = "def"', ""))
    assert not sign_in_configured(secrets)
    flat = {
        "auth": {
            "redirect_uri": "r",
            "cookie_secret": "s",
            "client_id": "i",
            "client_secret": "t",
            "server_metadata_url": "u",
        }
    }
    assert sign_in_provider(flat) == "default"


def test_role_for_email(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(OIDC)
    mapping = roles_mapping(secrets)
    assert role_for_email("ann.analyst@council.example", mapping) == ANALYST  # exact beats domain
    assert role_for_email("  someone@COUNCIL.example ", mapping) == PANEL
    assert role_for_email("chair@police.example", mapping) == PANEL
    assert role_for_email("other@police.example", mapping) is None
    assert role_for_email("someone@council.example.evil.com", mapping) is None
    assert role_for_email(None, mapping) is None
    assert role_for_email("x@y.org", {"x@y.org": "analyst"}) == ANALYST
    # Listed under both roles: the one that sees less wins.
    assert role_for_email("x@y.org", {"analyst": ["x@y.org"], "panel": ["x@y.org"]}) == PANEL


# ---------------------------------------------------------------- listen address
@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "::1", "[::1]", "127.0.1.1"])
def test_loopback_is_always_allowed(address):
    check_listen_address(address, False)


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.20", "care-map.council.local"])
def test_network_address_needs_sign_in(address):
    with pytest.raises(ListenAddressError, match="sign-in"):
        check_listen_address(address, False)
    check_listen_address(address, True)


# ---------------------------------------------------------------- audit log
def test_audit_log_appends_who_when_what(tmp_path, monkeypatch):
    log = tmp_path / "audit.log"
    monkeypatch.setenv("CARE_MAP_AUDIT_LOG", str(log))
    write_audit("sign-in", user="alice", role=PANEL, details={"method": "local"})
    write_audit(
        "export",
        user="alice",
        role=PANEL,
        details={
            "view": "placements",
            "filters": {"la": "Kent", "period": ["2025-04-01", "2026-03-31"], "hotspot_id": 3, "sector": "ME14 1"},
        },
    )
    records = read_audit()
    assert [r["event"] for r in records] == ["sign-in", "export"]
    assert records[1]["details"]["filters"]["la"] == "Kent"
    assert records[0]["when"].endswith("+00:00") and records[0]["user"] == "alice"
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert all(json.loads(line) for line in log.read_text().splitlines())


@pytest.mark.parametrize(
    "details",
    [
        {"CHILD": "1001"},
        {"filters": {"child": "1001"}},
        {"ids": ["1001", "1002"]},
        {"filters": {"CHILD_IDS": ["1001"]}},
        {"HOME_POST": "ME14"},
        {"notes": "said she was at a party"},
        {"search": "ME14 1XX"},
        {"rows": [{"PL_POST": "x"}]},
        {"pseudonyms": ["P-ABCDEFGHIJ"]},
        {"upn": "A123456789012"},
    ],
)
def test_audit_log_refuses_child_data(tmp_path, details):
    log = tmp_path / "audit.log"
    with pytest.raises(ValueError):
        write_audit("export", user="alice", role=ANALYST, details=details, path=log)
    assert not log.exists() or "1001" not in log.read_text()


def test_audit_log_refuses_unknown_events(tmp_path):
    with pytest.raises(ValueError):
        write_audit("delete-everything", user="a", role=ANALYST, details={}, path=tmp_path / "a.log")
