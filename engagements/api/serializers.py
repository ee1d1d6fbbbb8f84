"""What the API returns for each record: plain JSON, the same names as the pages use.

Every record carries `url` (its page on the site) and `api_url` (itself in the API), both
absolute, so that a client can follow links without building addresses.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engagements.models import Country, Meeting, Official, Participation, Source, Topic


def _absolute(context: dict, path: str) -> str:
    return context["request"].build_absolute_uri(path)


class PageLinkField(serializers.Field):
    """The absolute address of the record's page on the site."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record) -> str:
        return _absolute(self.context, record.get_absolute_url())


class ApiLinkField(PageLinkField):
    """The absolute address of the record in the API (by the view name and its key)."""

    def __init__(self, view_name: str, key: str, **kwargs) -> None:
        self.view_name, self.key = view_name, key
        super().__init__(**kwargs)

    def to_representation(self, record) -> str:
        # Lower case, as the pages spell a country's code in their addresses.
        path = reverse(f"api:{self.view_name}", args=[getattr(record, self.key).lower()])
        return _absolute(self.context, path)


class MeetingsLinkField(PageLinkField):
    """The API's list of the record's published readouts (/api/meetings/?country=pk)."""

    def __init__(self, parameter: str, key: str, **kwargs) -> None:
        self.parameter, self.key = parameter, key
        super().__init__(**kwargs)

    def to_representation(self, record) -> str:
        query = urlencode({self.parameter: getattr(record, self.key).lower()})
        return _absolute(self.context, f"{reverse('api:meeting-list')}?{query}")


extend_schema_field({"type": "string", "format": "uri"})(PageLinkField)
extend_schema_field({"type": "string", "format": "uri"})(ApiLinkField)
extend_schema_field({"type": "string", "format": "uri"})(MeetingsLinkField)


class CountryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name"]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class ParticipantSerializer(serializers.ModelSerializer):
    """An official's part in a readout, with the office they held that day."""

    name = serializers.CharField(source="official.name")
    slug = serializers.CharField(source="official.slug")
    country = serializers.CharField(source="official.country.code")

    class Meta:
        model = Participation
        fields = ["name", "slug", "country", "role", "title"]


class FullParticipantSerializer(ParticipantSerializer):
    organization = serializers.SerializerMethodField()

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "organization"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "name": {"type": "string"},
                "abbreviation": {"type": "string"},
                "country": {"type": "string", "nullable": True},
            },
        }
    )
    def get_organization(self, participation: Participation) -> dict | None:
        org = participation.organization
        if org is None:
            return None
        return {
            "name": org.name,
            "abbreviation": org.abbreviation,
            "country": org.country.code if org.country_id else None,
        }


class MeetingSerializer(serializers.ModelSerializer):
    """A readout as a list shows it."""

    id = serializers.CharField(
        source="external_id", help_text="The readout's lasting id (as in the interchange format)."
    )
    url = PageLinkField()
    api_url = ApiLinkField("meeting-detail", "external_id")
    location_country = CountryRefSerializer(allow_null=True)
    participants = ParticipantSerializer(source="participations", many=True)
    topics = TopicRefSerializer(many=True, source="topics_in_order")  # main subjects first
    synthetic = serializers.BooleanField(help_text="Sample data made by the archive's generator.")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "api_url",
            "title",
            "date",
            "kind",
            "city",
            "location_country",
            "summary",
            "participants",
            "topics",
            "synthetic",
            "published_at",
            "updated_at",
        ]


class AccountSerializer(serializers.ModelSerializer):
    """One account of the meeting: a publisher's release or report, and what it names."""

    side = serializers.CharField(
        source="side.code", allow_null=True, help_text="The country whose account this is."
    )
    side_organization = serializers.CharField(source="side_organization.name", allow_null=True)
    topics = TopicRefSerializer(many=True)
    titles = serializers.SerializerMethodField(
        help_text="Titles this account gives participants where it words them differently: "
        "{official's name: title}."
    )

    class Meta:
        model = Source
        fields = [
            "url",
            "publisher",
            "published",
            "archived_url",
            "side",
            "side_organization",
            "headline",
            "text",
            "topics",
            "titles",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_titles(self, account: Source) -> dict[str, str]:
        names = self.context["participant_names"]
        return {names[t.participation_id]: t.title for t in account.titles.all()}


class MeetingDetailSerializer(MeetingSerializer):
    """One readout in full: its text, participants' organisations and every account."""

    participants = FullParticipantSerializer(source="participations", many=True)
    body_html = serializers.CharField(help_text="The readout as the page shows it (sanitised).")
    accounts = AccountSerializer(source="sources", many=True)
    citations = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "body", "body_html", "accounts", "citations"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {f: {"type": "string", "format": "uri"} for f in ("bib", "ris", "json")},
        }
    )
    def get_citations(self, meeting: Meeting) -> dict[str, str]:
        page = meeting.get_absolute_url()
        return {fmt: _absolute(self.context, f"{page}cite.{fmt}") for fmt in ("bib", "ris", "json")}

    def to_representation(self, meeting: Meeting) -> dict:
        self.context["participant_names"] = {
            p.pk: p.official.name for p in meeting.participations.all()
        }
        return super().to_representation(meeting)


class CountrySerializer(serializers.ModelSerializer):
    url = PageLinkField()
    api_url = ApiLinkField("country-detail", "code")
    meetings_url = MeetingsLinkField("country", "code")
    meeting_count = serializers.IntegerField(help_text="Published readouts involving it.")

    class Meta:
        model = Country
        fields = ["code", "name", "url", "api_url", "meetings_url", "meeting_count"]


class OfficialSerializer(serializers.ModelSerializer):
    url = PageLinkField()
    api_url = ApiLinkField("official-detail", "slug")
    meetings_url = MeetingsLinkField("official", "slug")
    country = CountryRefSerializer()
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField())
    meeting_count = serializers.IntegerField(help_text="Published readouts they took part in.")

    class Meta:
        model = Official
        fields = ["slug", "name", "url", "api_url", "meetings_url", "country"]
        fields += ["aliases", "wikidata_id", "meeting_count"]


class OfficialDetailSerializer(OfficialSerializer):
    class Meta(OfficialSerializer.Meta):
        fields = [*OfficialSerializer.Meta.fields, "bio", "bio_html"]


class TopicSerializer(serializers.ModelSerializer):
    url = PageLinkField()
    api_url = ApiLinkField("topic-detail", "slug")
    meetings_url = MeetingsLinkField("topic", "slug")
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField())
    meeting_count = serializers.IntegerField(help_text="Published readouts naming it.")

    class Meta:
        model = Topic
        fields = ["slug", "name", "url", "api_url", "meetings_url", "description", "aliases"]
        fields += ["meeting_count"]


class PanelSerializer(serializers.Serializer):
    panel = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="One object per cell, keyed by the columns."
    )


def paginated(serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of one page of a list: the rows, the total, the link to the next page."""
    return type(
        f"Paginated{serializer.__name__.removesuffix('Serializer')}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="Rows in the whole list."),
            "next": serializers.URLField(
                allow_null=True, help_text="The next page (a signed cursor), null on the last."
            ),
            "results": serializer(many=True),
        },
    )
