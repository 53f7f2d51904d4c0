"""The ``care-map`` command: every command line of the care map under one name.

    care-map app [--port 8501]            the app, on this machine only (localhost)
    care-map placements|hotspots|briefing|missing ...   analysis and packs  (= python -m analysis ...)
    care-map check|publish|snapshots|extract ...         the data layer      (= python -m data ...)
    care-map demo ...                     write a synthetic demo authority   (= python -m data.demo)
    care-map england ...                  a synthetic whole-England year     (= python -m data.england)
    care-map users add-user|remove-user|list-users ...   local accounts (= python -m access)
    care-map geo build-index|build-boundaries|check-boundaries|clear-cache  (= python -m geo)

Commands registered in ``analysis/__main__.py`` and ``data/__main__.py`` (their ``COMMANDS``)
appear here by themselves: this module only adds the commands that have no registry. Every
command keeps the error contract: exit 0 on success, 2 with one line on stderr when the user
must fix something.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

__version__ = "0.2.2"
__all__ = ["__version__", "commands", "main"]

PROJECT_DIR = Path(__file__).resolve().parent
# In a checkout the file beside app.py; in an installed copy the one pip put under share/care-map.
STREAMLIT_CONFIG = next(
    (
        path
        for path in (
            PROJECT_DIR / ".streamlit" / "config.toml",
            Path(sys.prefix) / "share" / "care-map" / "config.toml",
        )
        if path.is_file()
    ),
    PROJECT_DIR / ".streamlit" / "config.toml",
)
# Registries whose every entry becomes a care-map command: module with COMMANDS and main(argv).
REGISTRIES = ("analysis.__main__", "data.__main__")
# Commands without a registry: name -> (module with main(argv), one-line help).
STANDALONE = {
    "demo": ("data.demo.__main__", "write synthetic demo files for one authority (real postcodes, invented children)"),
    "england": ("data.england", "write a synthetic whole-England year as pooled files (for the scale benchmarks)"),
    "users": ("access.__main__", "add, remove or list local users of the app"),
    "geo": ("geo.__main__", "build the postcode index or boundaries, check boundaries, clear the cache"),
}


def _delegate(module_name: str, prefix: list[str]) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        return int(importlib.import_module(module_name).main([*prefix, *argv]) or 0)

    return run


def commands() -> dict[str, tuple[Callable[[list[str]], int], str]]:
    """Every ``care-map`` command: name -> (function taking the remaining arguments, one-line help)."""
    table: dict[str, tuple[Callable[[list[str]], int], str]] = {"app": (_run_app, "open the app on this machine")}
    for registry in REGISTRIES:
        for name, (_, help_text) in importlib.import_module(registry).COMMANDS.items():
            if name in table:
                raise RuntimeError(f"care-map command {name!r} is registered twice ({registry})")
            table[name] = (_delegate(registry, [name]), help_text)
    for name, (module_name, help_text) in STANDALONE.items():
        if name in table:
            raise RuntimeError(f"care-map command {name!r} is registered twice ({module_name})")
        table[name] = (_delegate(module_name, []), help_text)
    return table


def streamlit_flags(config: Path = STREAMLIT_CONFIG) -> list[str]:
    """The settings of ``.streamlit/config.toml`` as ``--section.option value`` flags.

    Streamlit reads that file only from the working folder; passing it as flags gives
    ``care-map app`` the same settings (localhost only, no usage statistics ...) from any folder.
    """
    if not config.is_file():
        return []
    flags = []

    def walk(table: dict, prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):  # a nested table such as [theme.sidebar]
                walk(value, f"{prefix}{key}.")
            else:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                flags.append(f"--{prefix}{key}={text}")

    walk(tomllib.loads(config.read_text(encoding="utf-8")), "")
    return flags


def _run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="care-map app", description="Open the care map on this machine.")
    parser.add_argument("--port", type=int, default=8501)
    args, streamlit_args = parser.parse_known_args(argv)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "app.py"),
        *streamlit_flags(),
        "--server.address=localhost",
        f"--server.port={args.port}",
        *streamlit_args,
    ]
    os.chdir(PROJECT_DIR)
    # Streamlit takes this process's place, so Ctrl-C and a service manager's stop reach it directly.
    os.execv(sys.executable, command)
    return 0  # not reached


def _usage(table) -> str:
    width = max(len(name) for name in table)
    lines = [
        f"usage: care-map COMMAND [ARGS...]   (care-map COMMAND --help for its options; version {__version__})",
        "",
        "commands:",
    ]
    lines += [f"  {name.ljust(width)}  {help_text}" for name, (_, help_text) in sorted(table.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["--version"], ["-V"]):
        print(f"care-map {__version__}")
        return 0
    table = commands()
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage(table), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in table:
        print(f"error: unknown command {name!r}; one of: {', '.join(sorted(table))}", file=sys.stderr)
        return 2
    return table[name][0](rest)


if __name__ == "__main__":
    sys.exit(main())
