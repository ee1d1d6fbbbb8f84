"""Permalinks never break: an old address of a readout, official or topic redirects (301).

When a save changes a readout's date or slug, or an official's or topic's slug, its old
address is kept as a `FormerAddress` pointing at the record (not at the new address, so
a record renamed twice needs one hop, not two). A request that would end in a 404 is
looked up there, with the pages below it (an official's feed), and redirected.
"""

from __future__ import annotations

from django.db.models.functions import Length
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from .models import FormerAddress, Meeting, Official, Topic, readout_path

TARGET_FIELD = {Meeting: "meeting", Official: "official", Topic: "topic"}
LONGEST_PATH = FormerAddress._meta.get_field("path").max_length


def address_of(model, values: dict) -> str:
    """The public address of a record of `model` with these field values."""
    if model is Meeting:
        return readout_path(values["date"], values["slug"])
    return model(slug=values["slug"]).get_absolute_url()


def remember(record, old_path: str) -> None:
    """Keep `old_path` answering for `record` (which no longer lives there)."""
    if old_path == record.get_absolute_url() or len(old_path) > LONGEST_PATH:
        return
    targets = {"meeting": None, "official": None, "topic": None}
    targets[TARGET_FIELD[type(record)]] = record
    FormerAddress.objects.update_or_create(path=old_path, defaults=targets)


@receiver(pre_save, sender=Meeting)
@receiver(pre_save, sender=Official)
@receiver(pre_save, sender=Topic)
def note_address(sender, instance, raw: bool = False, **kwargs) -> None:
    instance._address_before = None
    if raw or not instance.pk:
        return
    fields = ["date", "slug"] if sender is Meeting else ["slug"]
    before = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if before:
        instance._address_before = address_of(sender, before)


@receiver(post_save, sender=Meeting)
@receiver(post_save, sender=Official)
@receiver(post_save, sender=Topic)
def keep_old_address(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    old_path = getattr(instance, "_address_before", None)
    if old_path:
        remember(instance, old_path)
    # The record lives at its address again (a slug changed back): no redirect away from it.
    # Another record's former address is taken over only by a public record: a draft
    # written at a published readout's old address must not break its redirect.
    here = FormerAddress.objects.filter(path=instance.get_absolute_url())
    if not _is_public(instance):
        here = here.filter(**{TARGET_FIELD[sender]: instance})
    here.delete()


def _is_public(record) -> bool:
    if isinstance(record, Meeting):
        return record.is_published
    return type(record).objects.public().filter(pk=record.pk).exists()


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
    if former is None or not _is_public(former.target):
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
