"""The archive's data, in three rooms; everything is re-exported here.

Dependencies point one way: records (countries, organisations, officials, topics) ←
meetings (a readout, its participants and sources) ← bookkeeping (the version, former
addresses, kept counts). Nothing here imports from the rest of the app but markup.
"""

from engagements.models.bookkeeping import (
    ArchiveVersion,
    FacetCount,
    FormerAddress,
    MeetingFacet,
    Withdrawal,
)
from engagements.models.meetings import (
    AccountTitle,
    Meeting,
    MeetingCountry,
    MeetingQuerySet,
    Participation,
    Source,
    meetings_changed,
    missing_for_publication,
    new_external_id,
    readout_path,
)
from engagements.models.records import (
    EARLIEST_DATE,
    LATEST_DATE,
    Country,
    Official,
    Organization,
    PublicationStatus,
    TaggedMeeting,
    Topic,
    http_url_validator,
    longest,
    unique_slug,
)

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "AccountTitle",
    "ArchiveVersion",
    "Country",
    "FacetCount",
    "FormerAddress",
    "Meeting",
    "MeetingCountry",
    "MeetingFacet",
    "MeetingQuerySet",
    "Official",
    "Organization",
    "Participation",
    "PublicationStatus",
    "Source",
    "TaggedMeeting",
    "Topic",
    "Withdrawal",
    "http_url_validator",
    "longest",
    "meetings_changed",
    "missing_for_publication",
    "new_external_id",
    "readout_path",
    "unique_slug",
]
