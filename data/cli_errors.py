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


def run_command_table(
    prog: str, description: str, commands: dict[str, tuple[str, str]], argv: list[str] | None = None
) -> int:
    """Parse ``argv`` against a table of commands (name -> (module, help)) and run the chosen one.

    Each module has ``add_arguments(parser)`` and ``run(args) -> int``; a module not built in this
    version is left out. A :class:`CommandError` becomes one line on stderr and exit status 2.
    """
    import argparse
    import importlib
    import sys

    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in commands.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # command not built in this version
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return modules[args.command].run(args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
