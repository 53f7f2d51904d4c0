"""Where per-installation state is kept: one folder, from platformdirs, settable."""

from __future__ import annotations

from pathlib import Path

import platformdirs

import config
from access.audit import audit_file, write_audit
from access.users import add_user, users_file
from geo.boundaries import boundaries_folder


def test_state_dir_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(config.STATE_DIR_ENV, str(tmp_path / "care-map-state"))
    for name in ("CARE_MAP_USERS_FILE", "CARE_MAP_AUDIT_LOG", "CARE_MAP_BOUNDARIES"):
        monkeypatch.delenv(name, raising=False)
    assert config.state_dir() == tmp_path / "care-map-state"
    assert users_file() == tmp_path / "care-map-state" / "users.json"
    assert audit_file() == tmp_path / "care-map-state" / "audit.log"
    assert boundaries_folder() == tmp_path / "care-map-state" / "boundaries"
    add_user("amira.k", "a long enough password", role="analyst")
    write_audit("sign-in", user="amira.k", role="analyst")
    assert sorted(p.name for p in (tmp_path / "care-map-state").iterdir()) == ["audit.log", "users.json"]
    assert ((tmp_path / "care-map-state" / "users.json").stat().st_mode & 0o777) == 0o600


def test_without_the_variable_it_is_the_platform_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(config.STATE_DIR_ENV, raising=False)
    monkeypatch.setattr(config, "_CHECKOUT_STATE", tmp_path / "local")
    assert config.state_dir() == Path(platformdirs.user_data_dir("care-map", appauthor=False))
    (tmp_path / "local").mkdir()  # an empty local/ is not an installation's state
    assert config.state_dir() == Path(platformdirs.user_data_dir("care-map", appauthor=False))
    (tmp_path / "local" / "secret.key").write_bytes(b"k")  # an older installation's pseudonym key keeps its place
    assert config.state_dir() == tmp_path / "local"


def test_a_checkout_that_keeps_its_users_in_local_keeps_them_there(tmp_path, monkeypatch):
    monkeypatch.delenv(config.STATE_DIR_ENV, raising=False)
    monkeypatch.setattr(config, "_CHECKOUT_STATE", tmp_path / "local")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "users.json").write_text("{}")
    assert config.state_dir() == tmp_path / "local"


def test_a_single_file_can_still_be_moved_on_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv(config.STATE_DIR_ENV, str(tmp_path / "state"))
    monkeypatch.setenv("CARE_MAP_USERS_FILE", str(tmp_path / "elsewhere.json"))
    assert users_file() == tmp_path / "elsewhere.json"
