"""The API's endpoints: read-only views over what the public sees.

The readouts' list reads the very parameters the list pages read (public/filters.py), so a
page's address and its API twin differ only in the path: /meetings/?country=pk&q=CPEC and
/api/meetings/?country=pk&q=CPEC select the same readouts in the same order.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import JsonResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import search
from engagements.api import pagination
from engagements.api.pagination import Ordering
from engagements.api.serializers import (
    CountrySerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    OfficialDetailSerializer,
    OfficialSerializer,
    PanelSerializer,
    TopicSerializer,
    paginated,
)
from engagements.models import Country, Meeting, Official, Topic
from engagements.public import pagecache, panels, stats, surrogate
from engagements.public.filters import MAX_VALUES_PER_FILTER, MeetingFilterForm, parse_filters
from engagements.public.views import find_searched

# -- the schema's shared parts ----------------------------------------------------------------

ERROR = inline_serializer(
    "Error",
    {
        "detail": drf.CharField(),
        "errors": drf.DictField(
            child=drf.ListField(child=drf.CharField()),
            required=False,
            help_text="What is wrong, parameter by parameter.",
        ),
    },
)


def _responses(ok) -> dict:
    return {200: ok, 400: ERROR, 404: ERROR, 429: ERROR}


def _parameter(name: str, schema: dict, description: str, *, many: bool = False):
    if many:
        schema = {"type": "array", "items": schema, "maxItems": MAX_VALUES_PER_FILTER}
    return OpenApiParameter(
        name, schema, description=description, explode=True if many else None, style="form"
    )


CODE = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
# A slug's letters may be in any script (一带一路): the pattern is checked by the filters,
# whose 400 names it, and not written here, where JSON Schema's \w would mean ASCII only.
SLUG = {"type": "string", "maxLength": 200}
PARTIAL_DATE = {"type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"}
PAGE_PARAMETERS = [
    _parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": pagination.MAX_LIMIT},
        f"Rows per page, 1 to {pagination.MAX_LIMIT} (default {pagination.DEFAULT_LIMIT}).",
    ),
    _parameter("cursor", {"type": "string"}, "The `next` link's cursor, as given."),
]
_SORTS = [value for value, _ in MeetingFilterForm.base_fields["sort"].choices]
FILTER_PARAMETERS = [
    _parameter("country", CODE, "Involves this country (ISO code); repeatable.", many=True),
    _parameter("official", SLUG, "This official took part (their slug); repeatable.", many=True),
    _parameter("topic", SLUG, "Names this topic (its slug); repeatable.", many=True),
    _parameter("kind", {"type": "string", "enum": ["", *Meeting.Kind.values]}, "Kind of meeting."),
    _parameter("from", PARTIAL_DATE, "On or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    _parameter("to", PARTIAL_DATE, "On or before this date (YYYY, YYYY-MM or YYYY-MM-DD)."),
    _parameter(
        "q",
        {"type": "string", "maxLength": search.MAX_QUERY_CHARS},
        'Words to search for, as on the pages: "quoted phrases", -excluded, OR.',
    ),
    _parameter(
        "sort",
        {"type": "string", "enum": _SORTS},
        "newest (default), oldest, or relevance (the default with a search).",
    ),
    _parameter("real", {"type": "string", "enum": ["", "1"]}, "1: real readouts only."),
    _parameter(
        "named_by",
        CODE,
        "Only readouts told by this side and another whose account by this side names "
        "the topics filtered on.",
    ),
]
MEETING_PARAMETERS = [*FILTER_PARAMETERS, *PAGE_PARAMETERS]

# Parameters each list reads: any other is refused (a typo must not pass for a filter).
MEETING_PARAMETER_NAMES = frozenset(p.name for p in MEETING_PARAMETERS)
PAGE_PARAMETER_NAMES = frozenset(p.name for p in PAGE_PARAMETERS)
ORDERINGS = {
    "newest": Ordering("newest", ("-date", "-id")),
    "oldest": Ordering("oldest", ("date", "id")),
}
BY_NAME = Ordering("name", ("name", "id"))


def _as_schema_says(request: Request, parameters: list[OpenApiParameter]) -> None:
    """Refuse what the schema does not allow (a 400 naming the parameter): the schema is the
    API's contract, stricter than the pages, which forgive an empty or padded value."""
    errors = {}
    for parameter in parameters:
        schema, values = parameter.type, request.query_params.getlist(parameter.name)
        if schema.get("type") == "array":
            if len(values) > schema["maxItems"]:
                errors[parameter.name] = [f"At most {schema['maxItems']} values."]
            schema = schema["items"]
        for value in values:
            problem = _against(schema, value)
            if problem:
                errors[parameter.name] = [problem]
    if errors:
        raise ValidationError(errors)


def _against(schema: dict, value: str) -> str | None:
    if "pattern" in schema and not re.fullmatch(schema["pattern"].strip("^$"), value):
        return f"“{value[:40]}” is not in the form this parameter takes."
    if "enum" in schema and value not in schema["enum"]:
        return f"Give one of: {', '.join(repr(v) for v in schema['enum'] if v)}."
    if len(value) > schema.get("maxLength", len(value)):
        return f"At most {schema['maxLength']} characters."
    return None


def _only_known(request: Request, known: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ValidationError(
            {name: ["The API reads no such parameter."] for name in unknown[:MAX_VALUES_PER_FILTER]}
        )


def _form_errors(form) -> dict[str, list[str]]:
    """A filter form's errors under the parameters' names (`from`, not `date_from`)."""
    names = {**MeetingFilterForm.PARAM_NAMES, "__all__": "filters"}
    return {names.get(field, field): list(errors) for field, errors in form.errors.items()}


def _list(request: Request, serializer, rows, count: int, link: str | None, **extra) -> Response:
    data = serializer(rows, many=True, context={"request": request}).data
    return Response({"count": count, "next": link, **extra, "results": data})


# -- readouts ---------------------------------------------------------------------------------

MEETING_PAGE = inline_serializer(
    "PaginatedMeetingList",
    {
        "count": drf.IntegerField(help_text="Readouts in the whole list."),
        "next": drf.URLField(allow_null=True, help_text="The next page, null on the last."),
        "corrected_query": drf.CharField(
            allow_null=True,
            help_text="When the search found nothing as typed, the spelling it was "
            "corrected to from the archive's own words (the results are that search's).",
        ),
        "results": MeetingSerializer(many=True),
    },
)


class MeetingListView(APIView):
    @extend_schema(
        operation_id="meetings_list",
        summary="Readouts, filtered and searched as on the list pages",
        parameters=MEETING_PARAMETERS,
        responses=_responses(MEETING_PAGE),
        tags=["readouts"],
    )
    def get(self, request: Request) -> Response:
        _only_known(request, MEETING_PARAMETER_NAMES)
        _as_schema_says(request, FILTER_PARAMETERS)  # the page's own are read by pagination
        filters, form = parse_filters(request.query_params)
        if filters is None:
            raise ValidationError(_form_errors(form))
        published = Meeting.objects.published()
        if filters.q:
            found, corrected = find_searched(filters.narrow(published), filters.q)
            ids = found.ordered(filters.sort)
            page_ids, link = pagination.offset_page(request, ids, f"search-{filters.sort}")
            rows = Meeting.objects.filter(pk__in=page_ids).for_listing().in_bulk()
            page = [rows[pk] for pk in page_ids if pk in rows]
            count = len(ids)
            return _list(request, MeetingSerializer, page, count, link, corrected_query=corrected)
        meetings = filters.apply(published)
        page, link = pagination.keyset_page(
            request, meetings.for_listing(), ORDERINGS[filters.sort]
        )
        # Counted once per filters and version: not per page (the cursor and the page's
        # size are not part of the key), or every page of a walk would count it all again.
        selection = sorted(
            (k, v)
            for k, values in request.query_params.lists()
            if k not in PAGE_PARAMETER_NAMES
            for v in values
        )
        count = pagecache.memo("api-count", selection, meetings.count)
        return _list(request, MeetingSerializer, page, count, link, corrected_query=None)


class MeetingDetailView(APIView):
    @extend_schema(
        operation_id="meetings_retrieve",
        summary="One readout: participants, topics, text and every account",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="Its `id`.")],
        responses=_responses(MeetingDetailSerializer),
        tags=["readouts"],
    )
    def get(self, request: Request, id: str) -> Response:
        _only_known(request, frozenset())
        meeting = Meeting.objects.published().filter(external_id=id).in_full().first()
        if meeting is None:
            raise NotFound("No published readout has this id.")
        surrogate.tag_readout(request._request, meeting)
        return Response(MeetingDetailSerializer(meeting, context={"request": request}).data)


# -- records ----------------------------------------------------------------------------------


class RecordViews:
    """The list and the one-record view of a kind of record, counted from kept counts."""

    model: type
    facet: str
    key: str
    serializer: type
    detail_serializer: type
    label: str
    plural: str  # the schema's tag and the operations' prefix
    ordering: Ordering = BY_NAME
    order_said: str = "by name"

    @classmethod
    def records(cls) -> QuerySet:
        return cls.model.objects.annotate(meeting_count=stats.kept_count(cls.facet)).filter(
            meeting_count__isnull=False
        )

    @classmethod
    def one(cls, key: str):
        record = cls.records().filter(**{cls.key: key}).first()
        if record is None:
            raise NotFound(f"No {cls.label} with published readouts has this {cls.key}.")
        return record


def _record_views(views: type[RecordViews], *, list_parameters=(), narrow=None):
    """A list view and a detail view for one kind of record."""
    tag = views.plural

    class ListView(APIView):
        @extend_schema(
            operation_id=f"{tag}_list",
            summary=f"Every {views.label} with published readouts, {views.order_said}",
            parameters=[*list_parameters, *PAGE_PARAMETERS],
            responses=_responses(paginated(views.serializer)),
            tags=[tag],
        )
        def get(self, request: Request) -> Response:
            _only_known(request, PAGE_PARAMETER_NAMES | {p.name for p in list_parameters})
            _as_schema_says(request, list(list_parameters))
            records = views.records()
            if narrow is not None:
                records = narrow(request, records)
            page, link = pagination.keyset_page(request, records, views.ordering)
            count = pagecache.memo(f"api-{tag}", request.GET.get("country"), records.count)
            return _list(request, views.serializer, page, count, link)

    class DetailView(APIView):
        @extend_schema(
            operation_id=f"{tag}_retrieve",
            summary=f"One {views.label}",
            responses=_responses(views.detail_serializer),
            tags=[tag],
        )
        def get(self, request: Request, key: str) -> Response:
            _only_known(request, frozenset())
            record = views.one(key)
            surrogate.tag_records(request._request, [record])
            return Response(views.detail_serializer(record, context={"request": request}).data)

    ListView.__name__ = f"{views.model.__name__}ListView"
    DetailView.__name__ = f"{views.model.__name__}DetailView"
    return ListView, DetailView


class CountryRecords(RecordViews):
    model, facet, key, label, plural = Country, "country", "code", "country", "countries"
    serializer = detail_serializer = CountrySerializer

    @classmethod
    def one(cls, key: str):
        return super().one(key.upper())


class OfficialRecords(RecordViews):
    model, facet, key, label, plural = Official, "official", "slug", "official", "officials"
    serializer, detail_serializer = OfficialSerializer, OfficialDetailSerializer
    # As the officials' index: by family name (Hashmi under H, Liu Haixing under L).
    ordering, order_said = Ordering("family-name", ("sort_key", "id")), "by family name"

    @classmethod
    def records(cls) -> QuerySet:
        return super().records().select_related("country")


class TopicRecords(RecordViews):
    model, facet, key, label, plural = Topic, "topic", "slug", "topic", "topics"
    serializer = detail_serializer = TopicSerializer


def _officials_of(request: Request, officials: QuerySet) -> QuerySet:
    code = request.query_params.get("country")  # checked against its schema already
    return officials if code is None else officials.filter(country__code=code.upper())


CountryListView, CountryDetailView = _record_views(CountryRecords)
OfficialListView, OfficialDetailView = _record_views(
    OfficialRecords,
    list_parameters=[_parameter("country", CODE, "Only officials of this country (ISO code).")],
    narrow=_officials_of,
)
TopicListView, TopicDetailView = _record_views(TopicRecords)


# -- counts -----------------------------------------------------------------------------------

PANEL_INDEX = inline_serializer(
    "PanelIndex",
    {
        "panels": drf.ListField(
            child=inline_serializer(
                "PanelLink",
                {
                    "key": drf.CharField(),
                    "title": drf.CharField(),
                    "description": drf.CharField(),
                    "api_url": drf.URLField(),
                    "csv_url": drf.URLField(),
                },
            )
        )
    },
)


class PanelListView(APIView):
    @extend_schema(
        operation_id="counts_list",
        summary="The Data page's panels: readouts counted per country, pair or topic and year",
        responses=_responses(PANEL_INDEX),
        tags=["counts"],
    )
    def get(self, request: Request) -> Response:
        _only_known(request, frozenset())
        absolute = request.build_absolute_uri
        return Response(
            {
                "panels": [
                    {
                        "key": panel.key,
                        "title": panel.title,
                        "description": panel.description,
                        "api_url": absolute(reverse("api:panel-detail", args=[panel.key])),
                        "csv_url": absolute(reverse("engagements:panel-csv", args=[panel.key])),
                    }
                    for panel in panels.PANELS.values()
                ]
            }
        )


class PanelDetailView(APIView):
    @extend_schema(
        operation_id="counts_retrieve",
        summary="One panel: a row per cell, real and synthetic readouts counted apart",
        parameters=[
            OpenApiParameter(
                "key",
                {"type": "string", "enum": list(panels.PANELS)},
                OpenApiParameter.PATH,
            )
        ],
        responses=_responses(PanelSerializer),
        tags=["counts"],
    )
    def get(self, request: Request, key: str) -> Response:
        _only_known(request, frozenset())
        if key not in panels.PANELS:
            raise NotFound(f"No such panel; the panels are: {', '.join(panels.PANELS)}.")
        return Response(panels.as_json(key))


class RootView(APIView):
    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        absolute = request.build_absolute_uri
        names = ["meetings", "countries", "officials", "topics", "counts"]
        views = ["meeting-list", "country-list", "official-list", "topic-list", "panel-list"]
        links = {n: absolute(reverse(f"api:{v}")) for n, v in zip(names, views, strict=True)}
        links["schema"] = absolute(reverse("api:schema"))
        links["docs"] = absolute(reverse("api:docs"))
        return Response(links)


def not_found(request, unmatched: str = ""):
    """An address under /api/ that names no endpoint: a 404 in JSON, like the API's own."""
    return JsonResponse(
        {"detail": "The API has no such address; GET /api/ lists its endpoints."}, status=404
    )
