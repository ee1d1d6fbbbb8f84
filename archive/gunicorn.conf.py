"""gunicorn's settings for serving the archive: `gunicorn -c archive/gunicorn.conf.py archive.wsgi`.

Read from the environment like the site's own settings (README, "Deploying").
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
# Threads: a client that reads a download slowly, or never, holds one thread of one worker
# while the others serve pages. (With one request per process, two such clients stalled a
# two-worker site until gunicorn killed the workers.) A buffering proxy in front (nginx)
# frees even that thread; see the README.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
# One request per connection, and a process takes no more connections than it has threads.
# A threaded worker accepts every connection it can and keeps the kept-alive ones: the
# persistent connections of a proxy in front (Varnish's pool, nginx's upstream keepalive)
# or a load tester gathered on one process while the other idled (measured: one readout
# page, 8 connections, 2 processes: 100 req/s with one process doing all the work, against
# 125 to 135 req/s shared). Closed after each response, every request is accepted afresh by a
# process with a free thread. On loopback or a private network a new connection costs a
# fraction of a millisecond.
keepalive = 0
worker_connections = threads
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))  # above twice STATEMENT_TIMEOUT_MS
graceful_timeout = 30

# Proxy headers. gunicorn, left to itself, believes X-Forwarded-Proto from any client on
# 127.0.0.1 and makes absolute links https. Only when the site is told to trust its proxy
# (TRUST_X_FORWARDED_PROTO=true) does gunicorn trust it too, and only from the proxy's
# addresses (FORWARDED_ALLOW_IPS).
_trusted = os.environ.get("TRUST_X_FORWARDED_PROTO", "false").strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if _trusted else ""
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"} if _trusted else {}
