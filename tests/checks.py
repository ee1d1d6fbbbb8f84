"""Assertions several test files share: derived state that must always be exact."""

from __future__ import annotations

from engagements.models import FacetCount, Meeting, MeetingFacet
from engagements.upkeep import derived, facetcounts


def kept() -> tuple[set, set]:
    return (
        set(
            FacetCount.objects.values_list("scope_facet", "scope_value", "facet", "value", "count")
        ),
        set(MeetingFacet.objects.values_list("meeting_id", "facet", "value")),
    )


def assert_exact() -> None:
    """What writes kept equals what a recount from scratch gives; so does every readout's
    facet keys (what a search counts its facets from) what it is made of now."""
    before = kept()
    facetcounts.rebuild()
    assert kept() == before
    for meeting in Meeting.objects.prefetch_related("countries", "participations", "topics"):
        assert meeting.facet_keys == derived.facet_keys(
            countries=[c.pk for c in meeting.countries.all()],
            officials=[p.official_id for p in meeting.participations.all()],
            topics=[t.pk for t in meeting.topics.all()],
        ), meeting
