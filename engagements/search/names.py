"""The topic or official a search names: by its name or an alias, whole, in any case.

Such a search is run as any of the record's names (query.prepare): "Shanghai Cooperation
Organization" finds the readouts that say SCO, 一带一路 those that say Belt and Road.
"""

from __future__ import annotations

from django.db.models import Q

from engagements.models import Official, Topic

# A search this long is not a name.
MAX_NAME_CHARS = 80


def named_record(text: str) -> Topic | Official | None:
    """The public topic (first) or official whose name or alias is `text`; two queries at
    most, none for a text that cannot be a name."""
    text = " ".join(text.split())
    if not text or len(text) > MAX_NAME_CHARS or '"' in text:
        return None
    folded = text.casefold()
    for model in (Topic, Official):
        for record in model.objects.public().filter(
            Q(name__iexact=text) | Q(aliases__icontains=text)
        )[:20]:
            if any(name.casefold() == folded for name in names_of(record)):
                return record
    return None


def names_of(record: Topic | Official | None) -> tuple[str, ...]:
    """A record's name and aliases; () for None."""
    return (record.name, *record.alias_list) if record is not None else ()


def synonyms(text: str) -> tuple[str, ...]:
    """Every name of the topic or official `text` names, or ()."""
    return names_of(named_record(text))
