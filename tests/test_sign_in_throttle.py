"""Failed sign-ins: nothing typed is logged unless it is a known user name; repeated failures wait."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from access.audit import read_audit
from access.throttle import FIRST_WAIT_SECONDS, FREE_FAILURES, LOCK_SECONDS, SignInThrottle, sign_in_throttle
from access.users import add_user

APP = str(Path(__file__).resolve().parents[1] / "app.py")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_waits_start_after_the_free_failures_and_double_up_to_the_lock():
    clock = Clock()
    throttle = SignInThrottle(
        free_failures=3, free_client_failures=100, first_wait_seconds=2, lock_seconds=60, clock=clock
    )
    for _ in range(3):
        assert throttle.wait_seconds("ann", "10.0.0.1") == 0
        throttle.failed("ann", "10.0.0.1")
    assert throttle.wait_seconds("ANN ", "10.0.0.2") == 2  # by user name, whatever the case or client
    clock.now += 2
    assert throttle.wait_seconds("ann", None) == 0
    waits = []
    for _ in range(7):
        throttle.failed("ann", None)
        waits.append(throttle.wait_seconds("ann", None))
    assert waits == [4, 8, 16, 32, 60, 60, 60]
    throttle.succeeded("ann")
    assert throttle.wait_seconds("ann", None) == 0
    assert throttle.wait_seconds("bob", None) == 0  # other names are not affected


def test_one_client_trying_many_names_is_slowed_too():
    clock = Clock()
    throttle = SignInThrottle(free_failures=5, free_client_failures=4, clock=clock)
    for i in range(4):
        throttle.failed(f"user{i}", "10.0.0.9")
    assert throttle.wait_seconds("someone.new", "10.0.0.9") == FIRST_WAIT_SECONDS
    assert throttle.wait_seconds("someone.new", "10.0.0.8") == 0
    clock.now += 2 * 3600  # counts are forgotten after an hour
    assert throttle.wait_seconds("someone.new", "10.0.0.9") == 0


def test_the_defaults_lock_for_at_most_fifteen_minutes():
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    for _ in range(FREE_FAILURES + 30):
        throttle.failed("ann", None)
    assert throttle.wait_seconds("ann", None) == LOCK_SECONDS == 900


@pytest.fixture
def env(tmp_path, monkeypatch):
    users = tmp_path / "users.json"
    add_user("panel.member", "correct horse battery", role="panel", path=users)
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(users))
    monkeypatch.setenv("CARE_MAP_AUDIT_LOG", str(tmp_path / "audit.log"))
    monkeypatch.setenv("CARE_MAP_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    monkeypatch.setenv("CARE_MAP_SECRET_FILE", str(tmp_path / "secret.key"))
    sign_in_throttle().clear()
    yield tmp_path
    sign_in_throttle().clear()


def _attempt(name: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_password_typed_as_the_user_name_is_not_logged(env):
    _attempt("Tr0ub4dor&3-secret", "x")
    _attempt("panel.member", "wrong")
    text = (env / "audit.log").read_text()
    assert "Tr0ub4dor" not in text and "wrong" not in text
    log = read_audit(env / "audit.log")
    assert [(r["event"], r["user"]) for r in log] == [("sign-in-failed", None), ("sign-in-failed", "panel.member")]
    assert log[0]["details"]["user name"] == "not a known user (not recorded)"


def test_repeated_failures_are_refused_even_with_the_right_password(env):
    for _ in range(FREE_FAILURES):
        at = _attempt("panel.member", "wrong")
        assert any("not recognised" in e.value for e in at.error)
    at = _attempt("panel.member", "correct horse battery")
    assert any("Too many failed sign-ins" in e.value for e in at.error)
    assert "role" not in at.session_state
    log = read_audit(env / "audit.log")
    assert log[-1]["event"] == "sign-in-failed" and log[-1]["details"]["refused"] == "too many failures"
