"""What the store's commands share: who is running them, and the audit line each writes."""

from __future__ import annotations

import getpass

from analysis.cli_errors import CommandError
from store.schema import StoreVersionError


def command_user() -> str:
    """The person running a command, named as the app names a local user (``local:<login>``)."""
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return "local:unknown"


def audit(event: str, details: dict) -> None:
    """One audit-log line for a store command (who, when, which snapshot; never child data)."""
    from access.audit import write_audit

    write_audit(event, user=command_user(), role="analyst", details={"via": "command line", **details})


def store_engine(url: str | None):
    """The store's engine with its schema current, or a CommandError saying why it cannot be used."""
    import sqlalchemy as sa

    from store.engine import get_engine
    from store.schema import migrate

    try:
        engine = get_engine(url)
        migrate(engine)
    except StoreVersionError as exc:
        raise CommandError(str(exc)) from None
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise CommandError(f"cannot open the store: {str(exc).splitlines()[0][:200]}") from None
    return engine
