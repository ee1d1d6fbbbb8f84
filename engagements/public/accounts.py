"""Both sides' accounts of one meeting, compared: what each names that the other does not."""

from __future__ import annotations

from dataclasses import dataclass, field

from engagements.models import Source, Topic


@dataclass
class AccountComparison:
    """The accounts that say something of their own (a text or topics), and the topics
    each names alone and both name."""

    accounts: list[Source]
    shared: list[Topic] = field(default_factory=list)
    only: list[tuple[str, list[Topic]]] = field(default_factory=list)  # (whose, topics)


def compare(sources: list[Source]) -> AccountComparison | None:
    """The comparison of a meeting's accounts, or None when fewer than two say anything
    of their own (a single account is the readout itself)."""
    telling = [s for s in sources if s.text or s.topics.all()]
    if len(telling) < 2:
        return None
    named = [{t.pk: t for t in account.topics.all()} for account in telling]
    everyone = set.intersection(*(set(topics) for topics in named))
    shared = sorted((named[0][pk] for pk in everyone), key=lambda t: t.name.casefold())
    only = []
    for account, topics in zip(telling, named, strict=True):
        others = set().union(*(set(n) for n in named if n is not topics))
        alone = sorted(
            (topic for pk, topic in topics.items() if pk not in others),
            key=lambda t: t.name.casefold(),
        )
        only.append((account.side_label or account.publisher or "One account", alone))
    return AccountComparison(telling, shared, only)
