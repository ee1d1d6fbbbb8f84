"""Keep each meeting's derived state (countries, search text) in step with what it is made of.

Every writer goes through here: the admin, the shell, fixtures that are not raw.
Fixture loading (raw saves) is skipped: fixtures carry the derived state themselves.
The importer computes the same state itself, in bulk (importing.py), and pauses these
receivers while it replaces a readout's parts: refreshing half-replaced readouts would
be wasted work, and would overwrite what it computed.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from . import derived, facetcounts
from .markup import without_bidi_controls
from .models import Country, Meeting, Official, Participation, TaggedMeeting, Topic

_CHUNK = 500
_paused = contextvars.ContextVar("derived_signals_paused", default=False)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Inside the block, writes leave the derived state alone: the writer keeps it."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def refresh_meetings(meeting_ids) -> None:
    """Recompute the derived state of any number of meetings, in chunks."""
    ids = list(meeting_ids)
    for start in range(0, len(ids), _CHUNK):
        derived.refresh(ids[start : start + _CHUNK])


@receiver(pre_save)
def strip_bidi_controls(sender, instance, **kwargs) -> None:
    """Every text the archive stores, on every write path that saves a model, loses its
    bidirectional controls (markup.BIDI_CONTROLS); the importer strips them as it reads."""
    if sender._meta.app_label != "engagements":
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, without_bidi_controls(value))


@receiver(post_save, sender=Meeting)
def meeting_saved(sender, instance: Meeting, raw: bool = False, **kwargs) -> None:
    if not raw and not _paused.get():
        derived.refresh([instance.pk])


@receiver(post_delete, sender=Meeting)
def meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    facetcounts.recount([instance.pk])  # take its counts back


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def participation_changed(sender, instance: Participation, raw: bool = False, **kwargs) -> None:
    origin = kwargs.get("origin")
    deleting_meetings = isinstance(origin, Meeting) or getattr(origin, "model", None) is Meeting
    if raw or deleting_meetings or _paused.get():  # going, or its writer keeps its state
        return
    if Meeting.objects.filter(pk=instance.meeting_id).exists():
        derived.refresh([instance.meeting_id])


@receiver(m2m_changed, sender=TaggedMeeting)
def topics_changed(sender, instance, action: str, **kwargs) -> None:
    if _paused.get():
        return
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Meeting):
        derived.refresh([instance.pk])


@receiver(pre_save, sender=Official)
@receiver(pre_save, sender=Topic)
@receiver(pre_save, sender=Country)
def remember_searchable_fields(sender, instance, raw: bool = False, **kwargs) -> None:
    """Note what a save may change in the meetings' derived state (names, aliases, country)."""
    instance._derived_before = None
    if not raw and instance.pk:
        fields = {
            Official: ["name", "aliases", "country"],
            Topic: ["name", "aliases"],
            Country: ["name"],
        }
        instance._derived_before = (
            sender.objects.filter(pk=instance.pk).values_list(*fields[sender]).first()
        )


def _changed(instance, *current) -> bool:
    before = getattr(instance, "_derived_before", None)
    return before is not None and tuple(before) != current


@receiver(post_save, sender=Official)
def official_saved(sender, instance: Official, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(instance, instance.name, instance.aliases, instance.country_id):
        refresh_meetings(instance.participations.values_list("meeting_id", flat=True))


@receiver(post_save, sender=Topic)
def topic_saved(sender, instance: Topic, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(instance, instance.name, instance.aliases):
        refresh_meetings(instance.meeting_links.values_list("content_object_id", flat=True))


@receiver(post_save, sender=Country)
def country_saved(sender, instance: Country, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(instance, instance.name):
        refresh_meetings(instance.meetings.values_list("pk", flat=True))
