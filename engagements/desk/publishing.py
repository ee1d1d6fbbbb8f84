"""What a readout needs before the public may see it, checked the same way everywhere.

The admin form (its participant and source inlines) and the publish action both ask
`missing_for_publication`, so the rule is written once: an envoy, a counterpart, a source.
"""

from __future__ import annotations

from collections.abc import Iterable

from engagements.models import Meeting, Participation

NEEDS = {
    "envoy": "an envoy (a participant with the role “envoy”)",
    "counterpart": "a counterpart (a participant with the role “counterpart”)",
    "source": "a source",
}


def missing_for_publication(*, roles: Iterable[str], source_count: int) -> list[str]:
    """The parts a readout with these participant roles and sources lacks to be published."""
    roles = set(roles)
    needed = [Participation.Role.ENVOY, Participation.Role.COUNTERPART]
    missing = [str(role) for role in needed if role not in roles]
    if source_count < 1:
        missing.append("source")
    return missing


def missing_for_meeting(meeting: Meeting) -> list[str]:
    """As `missing_for_publication`, for a readout as it is in the database."""
    return missing_for_publication(
        roles=meeting.participations.values_list("role", flat=True),
        source_count=meeting.sources.count(),
    )


def explain(missing: Iterable[str]) -> str:
    """'an envoy and a source' — for messages that say what to add."""
    parts = [NEEDS[key] for key in missing]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
