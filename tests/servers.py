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


def deployed_env(home: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a site run as deployed (DEBUG off) on `database_url`, its files
    under `home`, no Redis unless `settings` names one."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_HTTPS": "false",
        "STATIC_ROOT": str(home / "static"),
        "WHITENOISE_USE_FINDERS": "true",
        "DUMPS_IN_BACKGROUND": "false",
        "DUMP_DIR": str(home / "dumps"),
    }
    env.pop("REDIS_URL", None)
    return {**env, **settings}
