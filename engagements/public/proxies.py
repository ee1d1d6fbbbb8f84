"""The visitor's address behind trusted proxies, for the sign-in lockout (django-axes).

Behind a proxy, REMOTE_ADDR is the proxy's: a lockout keyed on it locks a staff account
for everyone, and anyone can trigger it. Each proxy appends the address it received the
request from to X-Forwarded-For, so with settings.TRUSTED_PROXY_COUNT proxies in front the
visitor is that many entries from the right; entries further left are the visitor's own
to write, and never trusted. With no proxy configured (0), REMOTE_ADDR is the visitor.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through as many proxies as configured: the peer is the visitor
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
