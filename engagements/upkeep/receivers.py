"""What a write sets in motion: every receiver of the archive's writes, connected here.

One file says what a save does and costs. For each model saved (or deleted) through the
ORM, by the admin, the shell or fixtures:

- any record: bidirectional controls stripped from its text, before it is written;
- a readout: one query before (its date, slug, status); after, its derived state
  (derived.refresh: a few reads, two writes, the facet recount), its old address kept,
  the version bumped if it is or was published;
- an official or topic: one query before (slug, name, aliases, an official's country);
  after, their readouts' derived state if a searchable field changed, the old address
  kept, the version bumped if public;
- a country: one query before (its name); its readouts' derived state if the name
  changed; the version bumped if public;
- a participant: its readout's derived state; the version bumped if that readout is
  published;
- a source, topic link or organisation: the version bumped if a published readout shows it;
- a queryset update() or delete() of readouts: one `meetings_changed` signal, then the
  derived state or counts of exactly those readouts and one bump.

Raw saves (fixtures, reverts) skip the derived state: their writer refreshes it (fixtures
carry it; `load_fixtures` and reverts refresh once). Inside `derived.paused()` (the
importer, a revert) the derived state is the writer's too.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from engagements.markup import without_bidi_controls
from engagements.models import (
    ArchiveVersion,
    Country,
    FacetCount,
    Meeting,
    MeetingCountry,
    MeetingFacet,
    Official,
    Organization,
    Participation,
    Source,
    TaggedMeeting,
    Topic,
    Withdrawal,
    meetings_changed,
)
from engagements.models.meetings import in_bulk_delete
from engagements.upkeep import derived, facetcounts, permalinks, purge
from engagements.upkeep.version import bump, is_public

# What a save may change, read in one query before it: address, publication, search text.
BEFORE = {
    Meeting: ["date", "slug", "status"],
    Official: ["slug", "name", "aliases", "country"],
    Topic: ["slug", "name", "aliases"],
    Country: ["name"],
}
# Fields of a readout whose change alters its derived state (derived.py).
DERIVED_FROM = {"title", "summary", "city", "location_country", "location_country_id"}
# Fields the facet counts count by.
COUNTED = {"status", "kind", "date"}
BOOKKEEPING = (ArchiveVersion, FacetCount, MeetingFacet, Withdrawal)


def connect() -> None:
    """Connect every receiver below (called once, from apps.py)."""
    pre_save.connect(before_save, dispatch_uid="upkeep-before-save")
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="upkeep-meeting")
    post_save.connect(official_saved, sender=Official, dispatch_uid="upkeep-official")
    post_save.connect(topic_saved, sender=Topic, dispatch_uid="upkeep-topic")
    post_save.connect(country_saved, sender=Country, dispatch_uid="upkeep-country")
    post_delete.connect(meeting_deleted, sender=Meeting, dispatch_uid="upkeep-meeting-deleted")
    for signal in (post_save, post_delete):
        signal.connect(participation_changed, sender=Participation, dispatch_uid=f"p-{signal}")
        for part in (Source, TaggedMeeting, Organization):
            signal.connect(shown_part_changed, sender=part, dispatch_uid=f"{part}-{signal}")
    m2m_changed.connect(topics_changed, sender=TaggedMeeting, dispatch_uid="upkeep-topics")
    m2m_changed.connect(countries_changed, sender=MeetingCountry, dispatch_uid="upkeep-countries")
    meetings_changed.connect(meetings_written_in_bulk, sender=Meeting, dispatch_uid="bulk")
    for record in (Official, Topic):
        post_delete.connect(record_deleted, sender=record, dispatch_uid=f"purge-{record}")


def _ours(sender) -> bool:
    return sender._meta.app_label == "engagements" and not issubclass(sender, BOOKKEEPING)


def before_save(sender, instance, **kwargs) -> None:
    """Strip bidirectional controls from every text; note what the save may change."""
    if not _ours(sender):
        return
    for field in sender._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, without_bidi_controls(value))
    if sender in BEFORE:
        instance._before = (
            sender.objects.filter(pk=instance.pk).values(*BEFORE[sender]).first()
            if instance.pk
            else None
        )


def _before(instance) -> dict:
    return getattr(instance, "_before", None) or {}


def _changed(instance, *fields: str) -> bool:
    before = _before(instance)
    return bool(before) and any(
        before[name] != getattr(instance, instance._meta.get_field(name).attname) for name in fields
    )


def _moved(instance) -> dict | None:
    """What the record's address was made of before, if the save changed it."""
    before = _before(instance)
    keys = ["date", "slug"] if isinstance(instance, Meeting) else ["slug"]
    return before if before and _changed(instance, *keys) else None


def meeting_saved(sender, instance: Meeting, raw: bool = False, **kwargs) -> None:
    if not raw and not derived.is_paused():
        derived.refresh([instance.pk])
    if not raw:
        permalinks.keep_old_address(instance, _moved(instance))
    was_public = _before(instance).get("status") == Meeting.Status.PUBLISHED
    if was_public or instance.is_published:
        purge.note_readouts([instance.pk])
        bump()
    if not raw and was_public != instance.is_published:
        _note_withdrawal(instance, withdrawn=was_public)


def _note_withdrawal(meeting: Meeting, *, withdrawn: bool) -> None:
    """Remember a readout the public no longer sees (for harvesters: public/oai.py); forget
    it when it is published again. Called when a readout leaves or joins the public only:
    saving a published readout costs no query here."""
    if withdrawn:
        Withdrawal.objects.bulk_create(  # one statement: insert, or move the moment
            [Withdrawal(external_id=meeting.external_id, withdrawn_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=["withdrawn_at"],
        )
    else:
        Withdrawal.objects.filter(external_id=meeting.external_id).delete()


def _purge_if_renamed(instance, *fields: str) -> None:
    """A record's name and address show on other records' pages too (in their readouts'
    rows and their facets), which its own key does not reach: a rename, which is rare,
    purges everything in front rather than name thousands of pages (a busy country's
    records) in one ban."""
    if _changed(instance, *fields):
        purge.note_everything()


def official_saved(sender, instance: Official, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if _changed(instance, "name", "aliases", "country"):
        derived.refresh_many(instance.participations.values_list("meeting_id", flat=True))
    permalinks.keep_old_address(instance, _moved(instance))
    if is_public(instance):
        purge.note(f"o{instance.pk}")
        _purge_if_renamed(instance, "name", "slug", "country")
        bump()


def topic_saved(sender, instance: Topic, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if _changed(instance, "name", "aliases"):
        derived.refresh_many(instance.meeting_links.values_list("content_object_id", flat=True))
    permalinks.keep_old_address(instance, _moved(instance))
    if is_public(instance):
        purge.note(f"t{instance.pk}")
        _purge_if_renamed(instance, "name", "slug")
        bump()


def country_saved(sender, instance: Country, raw: bool = False, **kwargs) -> None:
    if not raw and _changed(instance, "name"):
        derived.refresh_many(instance.meetings.values_list("pk", flat=True))
    if is_public(instance):
        purge.note(f"c{instance.pk}")
        _purge_if_renamed(instance, "name")
        bump()


def _with_its_readout(origin, sender) -> bool:
    """Deleted because its readout (or the record it hangs from) was: that delete bumps."""
    return origin is not None and getattr(origin, "model", type(origin)) is not sender


def participation_changed(sender, instance: Participation, raw: bool = False, **kwargs) -> None:
    if _with_its_readout(kwargs.get("origin"), sender):
        return
    # One read: whether its readout still exists (a participant saved while its readout
    # goes has nothing to refresh) and whether the public sees it.
    status = Meeting.objects.filter(pk=instance.meeting_id).values_list("status", flat=True).first()
    if status is None:
        return
    if not raw and not derived.is_paused():
        derived.refresh([instance.meeting_id])
    if status == Meeting.Status.PUBLISHED:
        purge.note_readouts([instance.meeting_id])
        bump()


def shown_part_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Organization) and not kwargs.get("raw"):
        # Its name and abbreviation are searched with its people (derived.search_texts).
        derived.refresh_many(instance.participations.values_list("meeting_id", flat=True))
    if not _with_its_readout(kwargs.get("origin"), sender) and is_public(instance):
        if isinstance(instance, Organization):
            purge.note_everything()  # shown on its people's readouts: rare, so not traced
        else:
            meeting_id = getattr(instance, "meeting_id", None) or instance.content_object_id
            purge.note_readouts([meeting_id])
        bump()


def meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    if in_bulk_delete():
        return  # the queryset's delete recounts and bumps once (meetings_changed)
    facetcounts.recount([instance.pk])  # take its counts back
    if instance.is_published:
        purge.note(*purge.readout_keys(instance.pk, instance.facet_keys))
        bump()
        _note_withdrawal(instance, withdrawn=True)


def topics_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Meeting):
        if not derived.is_paused():
            derived.refresh([instance.pk])
        public = instance.is_published
        readouts = [instance.pk]
    else:  # from a topic's side: the readouts are the pk_set
        public = Meeting.objects.published().filter(pk__in=pk_set or ()).exists()
        readouts = list(pk_set or ())
        purge.note(f"t{instance.pk}")
    if public:
        purge.note_readouts(readouts)
        bump()


def countries_changed(sender, instance, action: str, **kwargs) -> None:
    """Only a revert sets a readout's derived countries through the manager."""
    if action.startswith("post_") and isinstance(instance, Meeting) and instance.is_published:
        purge.note_readouts([instance.pk])
        bump()


def meetings_written_in_bulk(sender, ids, fields, deleted: bool, was_public: bool, **kwargs):
    """A queryset update() or delete(): one refresh of exactly those readouts, one bump."""
    if deleted:
        facetcounts.recount(ids)
    elif fields & DERIVED_FROM and not derived.is_paused():
        derived.refresh_many(ids)  # recounts their facets too
    elif fields & (COUNTED | DERIVED_FROM):
        facetcounts.recount(ids)
    if was_public or (not deleted and Meeting.objects.published().filter(pk__in=ids).exists()):
        purge.note_readouts(ids)
        bump()


def record_deleted(sender, instance, **kwargs) -> None:
    """An official or topic merged into another (or deleted): its page goes from the cache
    in front (the merge's own writes bump the version)."""
    purge.note(f"{'o' if isinstance(instance, Official) else 't'}{instance.pk}")
