"""Both sides' accounts of one meeting, compared: what each names that the other does not."""

from __future__ import annotations

from dataclasses import dataclass, field

from engagements.models import Participation, Source, Topic


@dataclass
class TitlesCompared:
    """One participant whose office the accounts word differently."""

    name: str
    readout_title: str  # the readout's own (Participation.title)
    by_account: list[str]  # in the order of the accounts compared; "" where none is kept


@dataclass
class AccountComparison:
    """The accounts that say something of their own (a text or topics), the topics each
    names alone and both name, and the titles each gives the participants."""

    accounts: list[Source]
    shared: list[Topic] = field(default_factory=list)
    only: list[tuple[str, list[Topic]]] = field(default_factory=list)  # (whose, topics)
    titles: list[TitlesCompared] = field(default_factory=list)


def compare(
    sources: list[Source], participations: list[Participation] = ()
) -> AccountComparison | None:
    """The comparison of a meeting's accounts, or None when fewer than two say anything
    of their own (a single account is the readout itself). The sources' `topics` and
    `titles` are read as prefetched."""
    telling = [s for s in sources if s.text or s.topics.all() or s.titles.all()]
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
    return AccountComparison(telling, shared, only, _titles(telling, participations))


def _titles(accounts: list[Source], participations) -> list[TitlesCompared]:
    """The participants some account gives a title of its own, with every account's."""
    worded = [{t.participation_id: t.title for t in account.titles.all()} for account in accounts]
    return [
        TitlesCompared(p.official.name, p.title, [titles.get(p.pk, "") for titles in worded])
        for p in participations
        if any(p.pk in titles for titles in worded)
    ]


@dataclass
class TopicBalance:
    """How often each side's accounts name a topic, over the meetings both sides reported."""

    topic: Topic
    ours: int  # meetings whose account by our side names it
    theirs: int  # meetings whose account by the other side names it
    url: str  # the list of the pair's readouts on this topic
    ours_url: str = ""  # those of them whose account by our side names it
    theirs_url: str = ""  # … by the other side (a country, not "their counterparts")


@dataclass
class SidesCompared:
    ours: str  # our side's name
    theirs: str  # the other side's name ("their counterparts" on a country's page)
    meetings: int  # meetings with accounts by both sides
    rows: list[TopicBalance]


# Topics listed at most, the most named first.
MAX_BALANCE_ROWS = 15


def topic_balance(meetings, ours, theirs=None, *, list_url: str = "") -> SidesCompared | None:
    """Of `meetings` with an account by `ours` (a Country) and one by `theirs` (a Country,
    or any other side when None), how many of each side's accounts name each topic; None
    when no meeting has both. Two queries, whatever the size of `meetings`."""
    sides = (
        Source.objects.filter(meeting__in=meetings, side__isnull=False)
        .values_list("meeting_id", "side_id")
        .distinct()
    )
    by_meeting: dict[int, set[int]] = {}
    for meeting_id, side_id in sides:
        by_meeting.setdefault(meeting_id, set()).add(side_id)

    def other(side_id: int) -> bool:
        return side_id != ours.pk and (theirs is None or side_id == theirs.pk)

    both = [m for m, ids in by_meeting.items() if ours.pk in ids and any(map(other, ids))]
    if not both:
        return None
    named: dict[int, list[set[int]]] = {}
    topics: dict[int, Topic] = {}
    for link in Source.topics.through.objects.filter(source__meeting_id__in=both).select_related(
        "topic", "source"
    ):
        counts = named.setdefault(link.topic_id, [set(), set()])
        topics[link.topic_id] = link.topic
        side_id = link.source.side_id
        if side_id == ours.pk:
            counts[0].add(link.source.meeting_id)
        elif side_id is not None and other(side_id):
            counts[1].add(link.source.meeting_id)

    def named_by(side) -> str:
        return f"&named_by={side.code.lower()}" if side is not None else ""

    rows = []
    for pk, (mine, yours) in named.items():
        if not (mine or yours):
            continue
        url = f"{list_url}topic={topics[pk].slug}"
        rows.append(
            TopicBalance(
                topics[pk],
                len(mine),
                len(yours),
                url,
                url + named_by(ours),
                url + named_by(theirs) if theirs is not None else "",
            )
        )
    rows.sort(key=lambda row: (-(row.ours + row.theirs), row.topic.name.casefold()))
    return SidesCompared(
        ours.name,
        theirs.name if theirs is not None else "their counterparts",
        len(both),
        rows[:MAX_BALANCE_ROWS],
    )
