"""Old addresses answer: a request that would end in a 404 at a former address of a public
readout, official or topic (or a page below one, such as its feed) is redirected (301) to
where the record lives now. The addresses are kept by upkeep/permalinks.py."""

from __future__ import annotations

from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from engagements.models import FormerAddress
from engagements.upkeep.permalinks import LONGEST_PATH
from engagements.upkeep.version import is_public


def current_address(path: str) -> str | None:
    """Where a former address (or a page below one) lives now, if its record is public."""
    if len(path) > LONGEST_PATH or not path.startswith("/") or "\x00" in path:
        return None  # no address was ever that (and PostgreSQL refuses NUL in text)
    # "/officials/old/feed/" may have been "/officials/old/" + "feed/": try each prefix.
    prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/" and i > 0][-6:]
    former = (
        FormerAddress.objects.filter(path__in=prefixes)
        .select_related("meeting", "official", "topic")
        .order_by(Length("path").desc())
        .first()
    )
    if former is None or not is_public(former.target):
        return None
    new_path = former.target.get_absolute_url() + path[len(former.path) :]
    return new_path if new_path != path else None


class FormerAddressMiddleware:
    """Turn a 404 at a former address into a permanent redirect to the record's address."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in {"GET", "HEAD"}:
            return response
        new_path = current_address(request.path)
        if new_path is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(new_path + (f"?{query}" if query else ""))
