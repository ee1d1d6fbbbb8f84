"""What the tests that start real processes share: free loopback ports, PostgreSQL's
server binaries and running them as the postgres account."""

from __future__ import annotations

import os
import socket
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*args: str) -> list[str]:
    """A command run as the postgres account (initdb and pg_ctl refuse to run as root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
