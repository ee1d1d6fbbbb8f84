"""Each client's rate of API requests is limited (API_RATE_LIMIT), cached pages included.

The limit is kept in the cache (Redis when REDIS_URL is set: then it holds across every app
server and worker; with the local-memory cache, per process). It sits outside the page
cache on purpose: a client that asks for the same page a thousand times a second is slowed
as much as one that asks for a thousand different ones. The client is the visitor's
address behind the configured proxies (proxies.py), never a header they could vary.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.throttling import SimpleRateThrottle

from engagements.public.proxies import client_address


class ClientRateThrottle(SimpleRateThrottle):
    """Django REST framework's sliding window, keyed on the client's address."""

    scope = "api"

    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


class ApiRateLimitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") or request.method == "OPTIONS":
            return self.get_response(request)
        throttle = ClientRateThrottle()
        try:
            allowed = throttle.allow_request(request, None)
        except Exception:  # a cache that is down must not take the API with it
            allowed = True
        if allowed:
            return self.get_response(request)
        wait = math.ceil(throttle.wait() or 1)
        response = JsonResponse(
            {
                "detail": f"Too many requests: at most {settings.API_RATE_LIMIT} from one "
                f"client. Try again in {wait} s.",
            },
            status=429,
        )
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
        return response
