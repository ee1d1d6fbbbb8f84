"""Every change to a readout, official or topic, kept by django-reversion and shown as a diff.

The admin (admin/base.py, `HistoryAdmin`) records a revision for each save, publish, revert and
merge, with who and when. A readout's revision also holds its participants, sources and
topic links, so reverting a readout brings them back too. `describe_changes` turns a list
of versions into what changed between each one and the one before it.

`revert` puts back one record as a version holds it, never the rest of its revision: a
revision may hold many readouts (the publish action saves them all in one) or an official
with participations in other readouts (a merge), and reverting those through one record's
history would change records nobody checked the permissions for. Reverted rows are saved
raw (django-reversion's way), so the receivers that keep derived state skip them:
`refresh_after_revert` brings that state back in line.
"""

from __future__ import annotations

from collections.abc import Sequence

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db.models import Model
from reversion.errors import RevertError
from reversion.models import Version

from engagements.models import (
    AccountTitle,
    Meeting,
    Official,
    Participation,
    Source,
    TaggedMeeting,
    Topic,
)
from engagements.upkeep import derived, permalinks
from engagements.upkeep import version as archive_version

# Derived or bookkeeping fields: stored (a revert restores them) but not worth showing.
HIDDEN_FIELDS = {
    "id",
    "body_html",
    "bio_html",
    "search_primary",
    "search_secondary",
    "facet_keys",
    "countries",
    "created_at",
    "updated_at",
    "published_at",
}
SHOWN_LENGTH = 120


def register_models() -> None:
    """Put the archive's records under version control (called once, from apps.py)."""
    if reversion.is_registered(Meeting):
        return
    reversion.register(
        Meeting, follow=["participations", "sources", "account_titles", "topic_links"]
    )
    for model in (Participation, Source, AccountTitle, TaggedMeeting, Official, Topic):
        reversion.register(model)


# A readout's own rows in its revisions, by the field that points at the readout.
MEETING_PARTS = {
    Participation: "meeting_id",
    Source: "meeting_id",
    AccountTitle: "meeting_id",
    TaggedMeeting: "content_object_id",
}


def revert(version: Version) -> None:
    """Put back the record `version` holds, as it was then; for a readout, exactly its
    participants, sources and topic links of then too. Nothing else in the revision moves.

    RevertError when the version cannot be put back (it names an official or topic deleted
    since): the caller's transaction must then be rolled back."""
    model = version._model
    try:
        with derived.paused():  # refresh_after_revert does it once, for the whole record
            version.revert()
            if model is Meeting:
                _revert_meeting_parts(version)
            # Reverted rows may name records deleted since: find out now, not at commit.
            connection.check_constraints(
                table_names=[m._meta.db_table for m in (model, *MEETING_PARTS)]
            )
    except IntegrityError as error:
        raise RevertError(
            f"This version of “{version.object_repr}” cannot be put back: it refers to a "
            "record that has been deleted since."
        ) from error


def _revert_meeting_parts(version: Version) -> None:
    meeting_id = int(version.object_id)
    parts = [
        other
        for other in version.revision.version_set.all()
        if other._model in MEETING_PARTS
        and str(other.field_dict.get(MEETING_PARTS[other._model])) == str(meeting_id)
    ]
    for part_model, key in MEETING_PARTS.items():
        kept = [int(v.object_id) for v in parts if v._model is part_model]
        part_model.objects.filter(**{key: meeting_id}).exclude(pk__in=kept).delete()
    for part in parts:
        part.revert()


def refresh_after_revert(record: Model, *, former_path: str | None, was_public: bool) -> None:
    """What a revert saved raw, brought in line: the derived state of the readouts it
    touches (search text, countries, facet keys and counts), the archive's version (if the
    record is public, or was before the revert), and the address the record had before
    (which keeps answering if the revert moved it)."""
    if isinstance(record, Meeting):
        derived.refresh([record.pk])
    elif isinstance(record, Official):
        derived.refresh_many(record.participations.values_list("meeting_id", flat=True))
    elif isinstance(record, Topic):
        derived.refresh_many(record.meeting_links.values_list("content_object_id", flat=True))
    if former_path:
        permalinks.remember(record, former_path)
    if was_public or archive_version.is_public(record):
        archive_version.bump()


def _shown(model, name: str, value) -> str:
    field = model._meta.get_field(name.removesuffix("_id"))
    if field.is_relation and field.many_to_one and value is not None:
        value = field.related_model._default_manager.filter(pk=value).first() or value
    text = "—" if value in ("", None) else str(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def _related(version: Version, model, key: str, cache: dict) -> dict[int, dict]:
    """The rows of `model` that this version's revision holds for its object, by id."""
    content_type = ContentType.objects.get_for_model(model)
    rows = {}
    for other in cache.setdefault(version.revision_id, list(version.revision.version_set.all())):
        if other.content_type_id == content_type.pk:
            fields = other.field_dict
            if str(fields.get(key)) == str(version.object_id):
                rows[int(other.object_id)] = fields
    return rows


def _meeting_parts(version: Version, cache: dict) -> dict[str, set[str]]:
    """A readout's participants, sources and topics in this version, as readable lines."""
    people = _related(version, Participation, "meeting_id", cache)
    sources = _related(version, Source, "meeting_id", cache)
    titles = _related(version, AccountTitle, "meeting_id", cache)
    names = dict(
        Official.objects.filter(pk__in=[p["official_id"] for p in people.values()]).values_list(
            "pk", "name"
        )
    )
    return {
        "participants": {
            f"{names.get(p['official_id'], '(deleted official)')} ({p['role']}"
            + (f", {p['title']})" if p["title"] else ")")
            for p in people.values()
        },
        "sources": {" ".join(filter(None, [s["publisher"], s["url"]])) for s in sources.values()},
        "topics": set(_topic_order(version, cache)),
        "titles in accounts": {
            f"{names.get(people.get(t['participation_id'], {}).get('official_id'), '?')}: "
            f"{t['title']} ({sources.get(t['account_id'], {}).get('publisher') or 'an account'})"
            for t in titles.values()
        },
    }


def _topic_order(version: Version, cache: dict) -> list[str]:
    """The readout's topics in this version, in their order (main subjects first); read
    once per version."""
    key = ("topic order", version.pk)
    if key not in cache:
        links = _related(version, TaggedMeeting, "content_object_id", cache)
        names = dict(
            Topic.objects.filter(pk__in=[link["tag_id"] for link in links.values()]).values_list(
                "pk", "name"
            )
        )
        in_order = sorted(links.items(), key=lambda item: (item[1].get("order", 0), item[0]))
        cache[key] = [names.get(link["tag_id"], "(deleted topic)") for _pk, link in in_order]
    return cache[key]


def describe_changes(versions: Sequence[Version]) -> list[list[str]]:
    """For each version (newest first), lines saying what it changed from the one before."""
    cache: dict = {}
    described = []
    for index, version in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        now = version.field_dict
        if older is None:
            described.append(["Created."])
            continue
        before = older.field_dict
        lines = [
            f"{name.removesuffix('_id').replace('_', ' ')}: "
            f"{_shown(version._model, name, before.get(name))} → "
            f"{_shown(version._model, name, now.get(name))}"
            for name in now
            if name not in HIDDEN_FIELDS and now.get(name) != before.get(name)
        ]
        if version._model is Meeting:
            parts_now = _meeting_parts(version, cache)
            parts_before = _meeting_parts(older, cache)
            for part, items in parts_now.items():
                added = sorted(items - parts_before[part])
                removed = sorted(parts_before[part] - items)
                if added:
                    lines.append(f"{part} added: " + "; ".join(added))
                if removed:
                    lines.append(f"{part} removed: " + "; ".join(removed))
            order_now, order_before = _topic_order(version, cache), _topic_order(older, cache)
            if order_now != order_before and set(order_now) == set(order_before):
                lines.append("topics reordered: " + "; ".join(order_now))
        described.append(lines or ["No change to the record's fields."])
    return described
