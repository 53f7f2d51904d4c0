"""Where the store is and how to connect: one SQLAlchemy engine per database URL per process.

The URL is, in order: the ``url`` argument, env ``CARE_MAP_DATABASE_URL``, ``[store] database_url`` in
``.streamlit/secrets.toml``, else an embedded SQLite file ``store.sqlite`` in the per-installation state
folder (:func:`config.state_dir`, beside the users file and the audit log), created with mode 0600.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from config import state_dir
from config.secrets import read_secrets

__all__ = ["DATABASE_URL_ENV", "database_url", "get_engine", "is_sqlite", "sqlite_path", "writer", "dispose_engines"]

DATABASE_URL_ENV = "CARE_MAP_DATABASE_URL"
SECRETS_SECTION, SECRETS_KEY = "store", "database_url"
STORE_FILE = "store.sqlite"
# A writer waits this long (seconds) for another publish or purge to finish before it is told the store is busy.
SQLITE_BUSY_SECONDS = 60

WRITE = "care_map_write"  # execution option of a connection that will write (see writer())

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def database_url(url: str | None = None) -> str:
    """The store's SQLAlchemy URL (see the module docstring for the order of settings)."""
    if url:
        return str(url)
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    section = read_secrets().get(SECRETS_SECTION, {})
    configured = section.get(SECRETS_KEY) if isinstance(section, dict) else None
    if configured:
        return str(configured)
    return f"sqlite:///{state_dir() / STORE_FILE}"


def is_sqlite(url: str) -> bool:
    return sa.make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory SQLite)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _create_private_file(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by this account only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def get_engine(url: str | None = None) -> sa.Engine:
    """The process-wide engine for ``url`` (see :func:`database_url`); SQLite files are made mode 0600."""
    resolved = database_url(url)
    with _lock:
        engine = _engines.get(resolved)
        if engine is not None:
            return engine
        path = sqlite_path(resolved)
        if path is not None:
            if not path.exists():
                _create_private_file(path)
            # Rollback journals, not WAL: a purged child must not linger in a -wal file beside the database.
            engine = sa.create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            _sqlite_transactions(engine)
        else:
            engine = sa.create_engine(resolved, pool_pre_ping=True)
        _engines[resolved] = engine
        return engine


def _sqlite_transactions(engine: sa.Engine) -> None:
    # pysqlite opens transactions lazily and lets two writers both start; BEGIN IMMEDIATE makes the
    # second publisher wait for the first (up to SQLITE_BUSY_SECONDS) instead of failing half-way.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA secure_delete=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def writer(engine: sa.Engine) -> sa.Engine:
    """``engine`` for a transaction that writes: on SQLite it takes the write lock at its start."""
    return engine.execution_options(**{WRITE: True})


def dispose_engines() -> None:
    """Close every pooled connection (tests; before a purge's VACUUM on SQLite)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
