"""The command-line error contract, kept importable here for the analysis commands.

The one definition is :mod:`data.cli_errors` (the lowest layer with commands, so every package's
commands can share it).
"""

from __future__ import annotations

from data.cli_errors import CommandError, authority_argument

__all__ = ["CommandError", "authority_argument"]
