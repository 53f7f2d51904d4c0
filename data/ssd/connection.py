"""A read-only, time-bounded connection to a council's SSD database, and messages that never carry a password.

PostgreSQL: every transaction is ``READ ONLY`` and each statement is bounded by ``statement_timeout``.
SQLite: the file is opened read-only (``mode=ro``) with ``PRAGMA query_only``, and a progress handler
stops a statement that runs past the bound. SQL Server (``mssql+pyodbc``, untested here): IT gives the
account read rights only (``db_datareader``) and ``ApplicationIntent=ReadOnly``; see docs/ssd.md.
Whatever the engine, a guard refuses any statement other than a read before it reaches the driver.
"""

from __future__ import annotations

import contextlib
import os
import re
import time

import sqlalchemy as sa
from sqlalchemy.engine import make_url

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "PASSWORD_ENV",
    "URL_ENV",
    "SSDError",
    "read_only_connection",
    "resolve_url",
    "safe_url",
]

DEFAULT_TIMEOUT_SECONDS = 300  # a whole-England SELECT of one table takes seconds; anything far longer is stuck
URL_ENV = "CARE_MAP_SSD_URL"
PASSWORD_ENV = "CARE_MAP_SSD_PASSWORD"
# Statements the reader (and SQLAlchemy's own start-up and reflection) may send; anything else is refused.
_READ_STATEMENT = re.compile(
    r"^\s*(SELECT|WITH|SHOW|PRAGMA\s+(\w+\.)?(table_info|table_xinfo|table_list|query_only)|"
    r"SET\s+(TRANSACTION\s+READ\s+ONLY|LOCAL\s+statement_timeout|SESSION\s+CHARACTERISTICS))\b",
    re.IGNORECASE,
)


class SSDError(Exception):
    """The SSD cannot be read (connection, permission, missing table or column); the message names no secret."""


def safe_url(url) -> str:
    """The URL as it may be shown or logged: password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - any parse failure: say nothing of the URL  # not even a URL: show nothing of it
        return "(an SSD connection that could not be parsed)"


def resolve_url(url: str | None = None, *, secrets: dict | None = None) -> str:
    """The SSD URL from the argument, else env ``CARE_MAP_SSD_URL``, else ``[ssd] url`` in secrets.

    A URL without a password takes one from env ``CARE_MAP_SSD_PASSWORD`` or ``[ssd] password``, so that
    IT can keep the password out of a command line and out of shell history.
    """
    section = (secrets or {}).get("ssd", {}) if isinstance(secrets, dict) else {}
    chosen = url or os.environ.get(URL_ENV) or section.get("url")
    if not chosen:
        raise SSDError(f"no SSD connection: pass --ssd URL, or set {URL_ENV}, or [ssd] url in secrets.toml")
    try:
        parsed = make_url(chosen)
    except Exception:  # noqa: BLE001 - any parse failure: say nothing of the URL
        raise SSDError("the SSD connection is not a database URL (e.g. postgresql+psycopg://user@host/db)") from None
    password = os.environ.get(PASSWORD_ENV) or section.get("password")
    if parsed.password is None and password:
        parsed = parsed.set(password=password)
    return parsed.render_as_string(hide_password=False)


def _scrub(text: str, url) -> str:
    """A driver message with the URL's password (and the URL itself) taken out."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any parse failure: say nothing of the URL
        return "(details withheld)"
    text = text.replace(str(url), safe_url(url))
    if parsed.password:
        text = text.replace(str(parsed.password), "***")
    return text.splitlines()[0][:300] if text else ""


def describe_error(exc: BaseException, url) -> str:
    """One line for a database error: what failed, where (password hidden), the driver's first line."""
    orig = getattr(exc, "orig", None) or exc
    return f"could not read the SSD at {safe_url(url)}: {type(orig).__name__}: {_scrub(str(orig), url)}"


def _sqlite_read_only(url: sa.URL) -> sa.URL:
    database = url.database or ""
    if not database or database == ":memory:":
        raise SSDError("an SQLite SSD must be a file (sqlite:///path/to/ssd.db)")
    if not os.path.exists(database):
        raise SSDError(f"SQLite SSD file not found: {database}")
    return url.set(database=f"file:{database}?mode=ro", query={**url.query, "uri": "true"})


def _guard(conn, cursor, statement, parameters, context, executemany):
    if not _READ_STATEMENT.match(statement or ""):
        raise SSDError(f"refused to send a statement that is not a read: {(statement or '').strip()[:40]!r}")


@contextlib.contextmanager
def read_only_connection(url, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS):
    """A SQLAlchemy Connection that can only read, each statement bounded by ``timeout_seconds``.

    Errors from the driver become :class:`SSDError` with the password hidden. The transaction is rolled back
    at the end: nothing is ever committed.
    """
    if not timeout_seconds or timeout_seconds <= 0:
        raise ValueError("timeout_seconds must be positive")
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any parse failure: say nothing of the URL
        raise SSDError("the SSD connection is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = _sqlite_read_only(parsed)
    kwargs = {}
    if backend == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 15}
    try:
        engine = sa.create_engine(parsed, poolclass=sa.pool.NullPool, **kwargs)
    except Exception as exc:  # noqa: BLE001 - e.g. a driver not installed  # e.g. a driver not installed
        raise SSDError(describe_error(exc, url)) from None
    sa.event.listen(engine, "before_cursor_execute", _guard)
    if backend == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_bound(dbapi_conn, record):
            dbapi_conn.execute("PRAGMA query_only = ON")
            deadline = [0.0]
            record.info["deadline"] = deadline

            def _stop():
                return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

            dbapi_conn.set_progress_handler(_stop, 10_000)

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _sqlite_start(conn, cursor, statement, parameters, context, executemany):
            deadline = conn.info.get("deadline")  # the same dict as the connect event's record.info
            if deadline is not None:
                deadline[0] = time.monotonic() + timeout_seconds

    try:
        with engine.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_seconds * 1000)}")
            try:
                yield conn
            finally:
                conn.rollback()
    except SSDError:
        raise
    except sa.exc.SQLAlchemyError as exc:
        raise SSDError(describe_error(exc, url)) from None
    finally:
        engine.dispose()
