#!/usr/bin/env python3
"""Find a Redis server for the outreach fault tests and print its URL (standard library only).

Order (DESIGN.md section 7): $REDIS_URL if set; else a server answering on 127.0.0.1:6379; else a
private redis-server started on a free port with its files in var/redis; else exit 1 with a
message saying what to install.

    scripts/testredis.py url     print the URL (starting the private server if needed)
    scripts/testredis.py stop    stop the private server if this script started one
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "var" / "redis"
PORT = int(os.environ.get("TESTREDIS_PORT", "63799"))


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def private_url() -> str:
    server = shutil.which("redis-server")
    if server is None:
        sys.exit(
            "Không tìm thấy Redis: đặt REDIS_URL, chạy Redis ở 127.0.0.1:6379, hoặc cài "
            "redis-server (Debian: apt install redis-server). / No Redis found: set REDIS_URL, "
            "run Redis on 127.0.0.1:6379, or install redis-server."
        )
    if not answers("127.0.0.1", PORT):
        HOME.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                server,
                "--port", str(PORT), "--bind", "127.0.0.1", "--daemonize", "yes",
                "--dir", str(HOME), "--pidfile", str(HOME / "redis.pid"),
                "--logfile", str(HOME / "redis.log"), "--save", "", "--appendonly", "no",
            ],
            check=True,
        )  # fmt: skip
        for _ in range(50):
            if answers("127.0.0.1", PORT):
                break
            time.sleep(0.1)
        else:
            sys.exit(f"redis-server did not start; see {HOME / 'redis.log'}")
    return f"redis://127.0.0.1:{PORT}/0"


def url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if answers("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    return private_url()


def stop() -> None:
    pid_file = HOME / "redis.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), 15)
        pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "url"
    if command == "url":
        print(url())
    elif command == "stop":
        stop()
    else:
        sys.exit(__doc__)
