"""Manage local users: ``python -m access add-user NAME --role panel``.

The password is asked for twice without echo, or read from the first line of standard input
with ``--password-stdin`` (for scripts). Errors exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from access.roles import ROLES
from access.users import add_user, load_users, remove_user, users_file


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m access", description="Manage local users of the app.")
    parser.add_argument("--users-file", help="users file (default: local/users.json or $CARE_MAP_USERS_FILE)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-user", help="add a user (or reset one with --replace)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--replace", action="store_true", help="reset the password and role of an existing user")
    remove = sub.add_parser("remove-user", help="remove a user")
    remove.add_argument("name")
    sub.add_parser("list-users", help="list user names and roles")
    args = parser.parse_args(argv)
    try:
        if args.command == "add-user":
            user = add_user(
                args.name,
                _read_password(args.password_stdin),
                role=args.role,
                path=args.users_file,
                replace=args.replace,
            )
            print(f"user {user.name} ({user.role}) saved in {users_file(args.users_file)}")
        elif args.command == "remove-user":
            if not remove_user(args.name, path=args.users_file):
                raise ValueError(f"no user {args.name!r}")
            print(f"user {args.name} removed")
        else:
            for name, record in sorted(load_users(args.users_file).items()):
                print(f"{name}\t{record.get('role', '?')}")
    except (ValueError, OSError, EOFError, KeyboardInterrupt) as exc:
        print(f"error: {exc or 'cancelled'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
