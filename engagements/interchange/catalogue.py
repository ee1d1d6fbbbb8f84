"""The records readouts name, in the interchange format (version 3): organisations,
officials and topics with what a readout line does not carry.

A file may hold, before its readouts, one line per country, organisation, official or
topic (`{"record": "official", …}`): an export writes one for each that its readouts name,
with its address and all it holds besides its name (aliases, a Wikidata id, a biography, a
description, former addresses), each kind in the order the archive took them. An import
writes them first, so the readouts that follow find them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import slugify

from engagements.models import (
    Country,
    FormerAddress,
    Meeting,
    MeetingCountry,
    Official,
    Organization,
    Source,
    Topic,
    longest,
)

RECORD_KINDS = ("country", "organization", "official", "topic")


def record_lines(meetings: QuerySet[Meeting]) -> Iterator[dict]:
    """The record lines `meetings` need: the countries, organisations, officials and topics
    they name, each kind in the order the archive took them (so that a restored archive
    lists them, and breaks ties between them, as this one does)."""
    ids = meetings.order_by().values("pk")
    organizations = Organization.objects.filter(
        Q(participations__meeting__in=ids) | Q(accounts__meeting__in=ids)
    ).distinct()
    wanted = set(organizations.values_list("pk", flat=True))
    known = {o.pk: o for o in Organization.objects.select_related("country", "parent")}
    for pk in list(wanted):  # and the bodies they belong to
        parent = known[pk].parent_id
        while parent and parent not in wanted:
            wanted.add(parent)
            parent = known[parent].parent_id
    officials = list(
        Official.objects.filter(participations__meeting__in=ids)
        .distinct()
        .select_related("country")
        .order_by("pk")
    )
    topics = list(
        Topic.objects.filter(meeting_links__content_object__in=ids).distinct().order_by("pk")
    )
    # Each way a country is named, tested on its own (EXISTS), not joined into one product
    # of readouts, officials, organisations and accounts: that took PostgreSQL a second on
    # the shipped archive, and grows with the product of their numbers.
    named = {o.country_id for o in officials} | {known[pk].country_id for pk in wanted}
    countries = Country.objects.filter(
        Exists(MeetingCountry.objects.filter(country=OuterRef("pk"), meeting__in=ids))
        | Q(pk__in=named - {None})
        | Exists(Source.objects.filter(side=OuterRef("pk"), meeting__in=ids))
    )
    for country in countries.order_by("pk"):
        yield {"record": "country", "code": country.code, "name": country.name}

    for organization in sorted((known[pk] for pk in wanted), key=_depth_then_pk(known)):
        line = {"record": "organization", "name": organization.name, "slug": organization.slug}
        if organization.abbreviation:
            line["abbreviation"] = organization.abbreviation
        if organization.country_id:
            line["country"] = organization.country.code
        if organization.parent_id:
            line["parent"] = organization.parent.slug
        yield line

    former: dict[tuple[str, int], list[str]] = {}
    for path, official_id, topic_id in (
        FormerAddress.objects.filter(
            Q(official__in=[o.pk for o in officials]) | Q(topic__in=[t.pk for t in topics])
        )
        .order_by("path")
        .values_list("path", "official_id", "topic_id")
    ):
        key = ("official", official_id) if official_id else ("topic", topic_id)
        former.setdefault(key, []).append(path)

    for official in officials:
        line = {
            "record": "official",
            "name": official.name,
            "country": official.country.code,
            "slug": official.slug,
        }
        if official.alias_list:
            line["aliases"] = official.alias_list
        if official.family_name:
            line["family_name"] = official.family_name
        if official.wikidata_id:
            line["wikidata_id"] = official.wikidata_id
        if official.bio:
            line["bio"] = official.bio
        if former.get(("official", official.pk)):
            line["former_addresses"] = former["official", official.pk]
        yield line

    for topic in topics:
        line = {"record": "topic", "name": topic.name, "slug": topic.slug}
        if topic.description:
            line["description"] = topic.description
        if topic.alias_list:
            line["aliases"] = topic.alias_list
        if former.get(("topic", topic.pk)):
            line["former_addresses"] = former["topic", topic.pk]
        yield line


def _default(name: str, max_length: int) -> str:
    return slugify(name)[:max_length].strip("-")


def _depth_then_pk(known: dict):
    """Parents before the bodies that belong to them, else in the archive's order."""

    def key(organization) -> tuple[int, int]:
        depth, parent = 0, organization.parent_id
        while parent:
            depth, parent = depth + 1, known[parent].parent_id
        return depth, organization.pk

    return key


# -- importing ----------------------------------------------------------------------------


def apply_record_line(kind: str, data: dict) -> list[str]:
    """Write one record line (create, or update the record of that name or address);
    the list of what is wrong with it, empty when it was written."""
    errors: list[str] = []
    unknown = set(data) - FIELDS[kind]
    if unknown:
        return [f"{kind}: unknown keys {', '.join(sorted(unknown))}"]
    text = {key: data.get(key) for key in FIELDS[kind] if key != "record"}
    for key, value in text.items():
        if key in ("aliases", "former_addresses"):
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                errors.append(f"{key}: expected a list of text")
        elif value is not None and not isinstance(value, str):
            errors.append(f"{key}: expected text")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        errors.append("name: must not be empty")
    if errors:
        return [f"{kind}: {message}" for message in errors]
    return WRITERS[kind](text)


def _country(code: str | None) -> Country | None:
    if not code:
        return None
    return Country.for_code(code.strip().upper()) if Country.iso_name(code.strip()) else None


def _write_country(data: dict) -> list[str]:
    code = (data.get("code") or "").strip().upper()
    if not Country.iso_name(code):
        return [f"country: {data.get('code')!r} is not an ISO 3166-1 alpha-2 code"]
    country = Country.for_code(code)
    name = data["name"].strip()[: longest(Country, "name")]
    if country.name != name:
        country.name = name
        country.save()
    return []


def _write_organization(data: dict) -> list[str]:
    name = data["name"].strip()[: longest(Organization, "name")]
    slug = (data.get("slug") or "").strip()
    parent = None
    if data.get("parent"):
        parent = Organization.objects.filter(slug=data["parent"]).first()
        if parent is None:
            return [f"organization: its parent {data['parent']!r} is not in the archive or above"]
    found = (
        Organization.objects.filter(slug=slug).first()
        if slug
        else Organization.objects.filter(name__iexact=name).first()
    )
    organization = found or Organization(slug=slug)
    _save_if_changed(
        organization,
        name=name,
        abbreviation=(data.get("abbreviation") or "")[:30],
        country=_country(data.get("country")),
        parent=parent,
    )
    return []


def _save_if_changed(record, **values) -> None:
    """Set the values and save, unless the record already holds them all: re-importing
    an unchanged file changes nothing (and keeps every cached page)."""
    changed = record.pk is None
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    if changed:
        record.save()


def _write_official(data: dict) -> list[str]:
    name = data["name"].strip()
    country = _country(data.get("country"))
    if country is None:
        return [f"official: {data.get('country')!r} is not an ISO country code"]
    slug = (data.get("slug") or "").strip()
    official = (
        Official.objects.filter(name__iexact=name, country=country).first()
        or (Official.objects.filter(slug=slug).first() if slug else None)
        or Official(name=name, country=country)
    )
    if slug and Official.objects.filter(slug=slug).exclude(pk=official.pk).exists():
        return [f"official: the address {slug!r} is another official's"]
    if data.get("wikidata_id") and not re.fullmatch(r"Q[1-9][0-9]*", data["wikidata_id"]):
        return [f"official: {data['wikidata_id']!r} is not a Wikidata id (Q42)"]
    _save_if_changed(
        official,
        name=name,
        country=country,
        slug=slug or official.slug,
        aliases="\n".join(data.get("aliases") or []),
        wikidata_id=data.get("wikidata_id") or "",
        bio=data.get("bio") or "",
        family_name=(data.get("family_name") or "").strip(),
    )
    _keep_former(official, data.get("former_addresses"), "official")
    return []


def _write_topic(data: dict) -> list[str]:
    name = data["name"].strip()
    slug = (data.get("slug") or "").strip()
    topic = (
        Topic.objects.filter(name__iexact=name).first()
        or (Topic.objects.filter(slug=slug).first() if slug else None)
        or Topic(name=name)
    )
    if slug and Topic.objects.filter(slug=slug).exclude(pk=topic.pk).exists():
        return [f"topic: the address {slug!r} is another topic's"]
    _save_if_changed(
        topic,
        name=name,
        slug=slug or topic.slug,
        description=data.get("description") or "",
        aliases="\n".join(data.get("aliases") or []),
    )
    _keep_former(topic, data.get("former_addresses"), "topic")
    return []


def _keep_former(record, paths: list[str] | None, field: str) -> None:
    for path in paths or []:
        if path.startswith("/") and len(path) <= 500 and path != record.get_absolute_url():
            if FormerAddress.objects.filter(path=path, **{field: record}).exists():
                continue  # kept already
            FormerAddress.objects.update_or_create(
                path=path,
                defaults={"meeting": None, "official": None, "topic": None, field: record},
            )


FIELDS = {
    "country": {"record", "code", "name"},
    "organization": {"record", "name", "slug", "abbreviation", "country", "parent"},
    "official": {"record", "name", "slug", "country", "family_name", "aliases",
                 "wikidata_id", "bio", "former_addresses"},
    "topic": {"record", "name", "slug", "description", "aliases", "former_addresses"},
}  # fmt: skip
WRITERS = {
    "country": _write_country,
    "organization": _write_organization,
    "official": _write_official,
    "topic": _write_topic,
}
