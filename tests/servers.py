"""What the tests that start real processes share: free loopback ports, PostgreSQL's
server binaries and running them as the postgres account."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def start_site(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn (one worker, two threads) serving the site on a free loopback port, once it
    answers /healthz: the process, and the site's address."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "archive.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "2", "--log-level", "critical"],
        cwd=cwd, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    site = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{site}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return process, site
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{site} did not start")
