"""The one exception a command raises for a problem the user must fix (exit status 2)."""


class CommandError(Exception):
    """Unreadable file, missing column, unknown authority: said in one line, exit status 2."""
