"""Permalinks never break: when a save moves a record, its old address is kept.

When a readout's date or slug, or an official's or topic's slug, changes, its old address
is kept as a `FormerAddress` pointing at the record (not at the new address, so a record
renamed twice needs one hop, not two). The receivers (upkeep/receivers.py) call
`keep_old_address` after each save; public/redirects.py answers the old addresses.
"""

from __future__ import annotations

from engagements.models import FormerAddress, Meeting, Official, Topic, readout_path
from engagements.upkeep.version import is_public

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


def keep_old_address(record, before: dict | None) -> None:
    """After a save: the address `record` had (`before`: its date and slug then) keeps
    answering, and its address of now is its own again."""
    if before:
        remember(record, address_of(type(record), before))
    # The record lives at its address again (a slug changed back): no redirect away from it.
    # Another record's former address is taken over only by a public record: a draft
    # written at a published readout's old address must not break its redirect.
    here = FormerAddress.objects.filter(path=record.get_absolute_url())
    if not is_public(record):
        here = here.filter(**{TARGET_FIELD[type(record)]: record})
    here.delete()
