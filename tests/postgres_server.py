"""A throwaway PostgreSQL server for the store and SSD tests: the real server, on a Unix socket only.

``.ci/run`` starts one cluster for the whole run and exports ``CARE_MAP_TEST_DATABASE_URL``; without it the
tests start their own with Debian's ``initdb`` / ``pg_ctl`` (package ``postgresql``). Each test database is
created fresh on that server, so xdist workers never share one.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from pathlib import Path

ENV_URL = "CARE_MAP_TEST_DATABASE_URL"


def postgres_bin() -> Path | None:
    """The folder of Debian's PostgreSQL server programs, or None when the server is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl and shutil.which("initdb") else None


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; CI and the dev machines run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start_cluster(base: Path) -> tuple[str, Path]:
    """Start a cluster in ``base`` listening only on a Unix socket there; returns (server URL, data dir)."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs not found (apt-get install postgresql)")
    base.mkdir(parents=True, exist_ok=True)
    data, sock = base / "data", base / "sock"
    sock.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    opts = f"-c listen_addresses='' -c unix_socket_directories='{sock}' -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(base / "log"), "start"]),
        check=True,
        capture_output=True,
    )
    return f"postgresql+psycopg://{user}@/postgres?host={sock}", data


def stop_cluster(data: Path) -> None:
    bindir = postgres_bin()
    if bindir is not None:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )


def fresh_database(server_url: str) -> str:
    """Create an empty database on the server and return its URL."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = sa.make_url(server_url)
    return url.set(database=name).render_as_string(hide_password=False)


def main(argv: list[str]) -> int:
    """``python -m tests.postgres_server start DIR`` prints the URL; ``stop DIR`` stops it (used by .ci/run)."""
    action, base = argv[0], Path(argv[1])
    if action == "start":
        url, _ = start_cluster(base)
        print(url)
    else:
        stop_cluster(base / "data")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
