#!/usr/bin/env python3
"""Find a PostgreSQL server for the test suite and print its DATABASE_URL (standard library only).

Order (DESIGN.md section 7): $DATABASE_URL if set; else a server answering on 127.0.0.1:5432;
else a throwaway cluster in var/pgtest made from the installed PostgreSQL binaries (initdb,
pg_ctl); else exit 1 with a message saying what to install.

    scripts/testdb.py url     print the URL (starting the throwaway cluster if needed)
    scripts/testdb.py stop    stop the throwaway cluster if this script started one
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "var" / "pgtest"
PORT = int(os.environ.get("TESTDB_PORT", "54329"))
DB_NAME = "reintegration"


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def as_cluster_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the 'postgres' user when we are root."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        sys.exit(
            "Đang chạy bằng root và không có 'runuser' để khởi động PostgreSQL bằng user khác."
        )
    return [runuser, "-u", "postgres", "--", *cmd]


def throwaway_url() -> str:
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        sys.exit(
            "Không tìm thấy PostgreSQL cho bộ kiểm thử: không có DATABASE_URL, không có máy chủ ở "
            "127.0.0.1:5432 và không có initdb/pg_ctl.\n"
            "Hãy cài PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql; "
            "macOS: brew install postgresql) hoặc đặt DATABASE_URL=postgres://user@host:port/db.\n"
            "No PostgreSQL found for the tests: install PostgreSQL or set DATABASE_URL."
        )
    if not answers("127.0.0.1", PORT):
        if not (CLUSTER / "PG_VERSION").exists():
            CLUSTER.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(CLUSTER, "postgres", "postgres")
            subprocess.run(
                as_cluster_owner(
                    [
                        initdb,
                        "-D",
                        str(CLUSTER),
                        "-A",
                        "trust",
                        "-U",
                        "postgres",
                        "-E",
                        "UTF8",
                        "--no-sync",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        subprocess.run(
            as_cluster_owner(
                [
                    pg_ctl,
                    "-D",
                    str(CLUSTER),
                    "-l",
                    str(CLUSTER / "server.log"),
                    "-w",
                    "start",
                    "-o",
                    f"-p {PORT} -c listen_addresses=127.0.0.1 -k {CLUSTER} -c fsync=off",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            if answers("127.0.0.1", PORT):
                break
            time.sleep(0.2)
    return f"postgres://postgres@127.0.0.1:{PORT}/{DB_NAME}"


def main() -> None:
    action = sys.argv[1] if len(sys.argv) > 1 else "url"
    if action == "stop":
        pg_ctl = pg_binary("pg_ctl")
        if pg_ctl and (CLUSTER / "postmaster.pid").exists():
            subprocess.run(
                as_cluster_owner([pg_ctl, "-D", str(CLUSTER), "-m", "fast", "stop"]),
                check=False,
                stdout=subprocess.DEVNULL,
            )
        return
    if os.environ.get("DATABASE_URL"):
        print(os.environ["DATABASE_URL"])
    elif answers("127.0.0.1", 5432) and not os.environ.get("TESTDB_THROWAWAY"):
        print(f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
    else:
        print(throwaway_url())


if __name__ == "__main__":
    main()
