"""What a readout needs before the public may see it, checked the same way everywhere.

The admin form (its participant and source inlines), the publish action and the importer
all ask `missing_for_publication` (models/meetings.py), so the rule is written once: an
envoy, a counterpart, a source. Here: the rule for a readout as stored, and its words.
"""

from __future__ import annotations

from collections.abc import Iterable

from engagements.models import Meeting, missing_for_publication

NEEDS = {
    "envoy": "an envoy (a participant with the role “envoy”)",
    "counterpart": "a counterpart (a participant with the role “counterpart”)",
    "source": "a source",
}


__all__ = ["NEEDS", "explain", "missing_for_meeting", "missing_for_publication"]


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
