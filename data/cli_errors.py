"""What a command says when the user must fix something: one line on stderr, exit status 2."""
from __future__ import annotations

from geo.authorities import UnknownAuthorityError, resolve_authority


class CommandError(Exception):
    """Unreadable file, missing column, unknown authority: said in one line, exit status 2."""


def authority_argument(value: str):
    """The children's services authority a command line names (name, GSS or DfE code), or a CommandError."""
    try:
        return resolve_authority(value)
    except UnknownAuthorityError as exc:
        raise CommandError(str(exc).splitlines()[0]) from None
