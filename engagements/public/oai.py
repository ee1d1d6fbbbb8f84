"""OAI-PMH 2.0 at /oai/: libraries and archive aggregators harvest the published readouts.

Verbs: Identify, ListMetadataFormats, ListSets (one set per country and per topic),
ListIdentifiers, ListRecords and GetRecord, in Dublin Core (`oai_dc`). Lists come a page
at a time with a resumption token (signed, stateless: the arguments and the last id
sent), so a harvest of 100,000 readouts is 500 cheap requests, each reading one page by
the primary key, and each answer is a page the page cache keeps (pagecache.py). A
datestamp is when the readout last changed; `from` and `until` select by it. Drafts are
never exposed; a readout withdrawn from the public (deleted, or returned to draft) is
reported as deleted while the archive remembers it ("transient", models.Withdrawal).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from engagements.models import Country, Meeting, Participation, Source, Topic, Withdrawal

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
for prefix, uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(prefix, uri)

METADATA_PREFIX = "oai_dc"
# Records or identifiers in one answer of a list; the rest follow a resumption token.
PAGE_SIZE = 200
# Every argument a verb takes: (required, optional); `resumptionToken` is exclusive.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
PARAMETERS = frozenset({"verb"} | {a for req, opt in VERBS.values() for a in req | opt})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_TOKEN_SALT = "engagements.oai.resumption"  # noqa: S105 (a namespace, not a secret)


def _signer() -> signing.Signer:
    """Signed but not dated: the same list gives the same tokens (so a second harvest is
    served from the page cache), and a token stays good as long as the secret key."""
    return signing.Signer(salt=_TOKEN_SALT)


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# The repository's name in its identifiers: oai:engagement-archive:<readout id>.
REPOSITORY_ID = "engagement-archive"


def identifier_of(external_id: str) -> str:
    return f"oai:{REPOSITORY_ID}:{external_id}"


def _external_id(identifier: str) -> str:
    prefix = f"oai:{REPOSITORY_ID}:"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        raise OaiError("idDoesNotExist", f"No record has the identifier {identifier!r}.")
    return identifier[len(prefix) :]


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(value: str, *, end: bool) -> dt.datetime:
    """A `from` or `until` argument (a day, or a second in UTC) as a moment."""
    if _SECOND.fullmatch(value):
        moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    elif _DAY.fullmatch(value):
        moment = dt.datetime.strptime(value, "%Y-%m-%d")
        if end:
            moment += dt.timedelta(days=1, microseconds=-1)
    else:
        raise OaiError(
            "badArgument", f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)."
        )
    if end and _SECOND.fullmatch(value):
        moment += dt.timedelta(microseconds=999_999)  # the whole second
    return moment.replace(tzinfo=dt.UTC)


# -- the answer ---------------------------------------------------------------------------


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _envelope(request: HttpRequest, arguments: dict[str, str] | None) -> ET.Element:
    root = ET.Element(
        f"{{{OAI}}}OAI-PMH",
        {f"{{{XSI}}}schemaLocation": f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"},
    )
    _element(root, f"{{{OAI}}}responseDate", _stamp(timezone.now()))
    # After badVerb or badArgument the request element carries no arguments.
    _element(root, f"{{{OAI}}}request", _base_url(request), **(arguments or {}))
    return root


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(request.path)


def _xml(root: ET.Element) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


@csrf_exempt  # read-only: a harvester may POST its arguments, as the protocol allows
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    verb = query.get("verb", "")
    try:
        if verb not in VERBS or len(query.getlist("verb")) != 1:
            raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb." if verb else "No verb.")
        arguments = _arguments(query, verb)
    except OaiError as error:
        root = _envelope(request, None)
        _element(root, f"{{{OAI}}}error", error.message, code=error.code)
        return _xml(root)
    root = _envelope(request, {"verb": verb, **arguments})
    try:
        answer = _element(root, f"{{{OAI}}}{verb}")
        ANSWERS[verb](request, answer, arguments)
    except OaiError as error:
        root.remove(answer)
        _element(root, f"{{{OAI}}}error", error.message, code=error.code)
    return _xml(root)


def _arguments(query, verb: str) -> dict[str, str]:
    required, optional = VERBS[verb]
    given = {key: query.getlist(key) for key in query if key != "verb"}
    for key, values in given.items():
        if key not in required | optional:
            raise OaiError("badArgument", f"{verb} does not take the argument {key!r}.")
        if len(values) != 1:
            raise OaiError("badArgument", f"The argument {key!r} is given more than once.")
    arguments = {key: values[0] for key, values in given.items()}
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", "resumptionToken is the only argument it may come with.")
        return arguments
    missing = sorted(required - set(arguments))
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}.")
    if "from" in arguments and "until" in arguments:
        start, end = arguments["from"], arguments["until"]
        if len(start) != len(end):
            raise OaiError("badArgument", "from and until must have the same granularity.")
        if _when(start, end=False) > _when(end, end=True):
            raise OaiError("badArgument", "from is later than until.")
    for key in ("from", "until"):
        if key in arguments:
            _when(arguments[key], end=key == "until")
    return arguments


# -- the verbs ----------------------------------------------------------------------------


def _identify(request, answer: ET.Element, arguments) -> None:
    earliest = (
        Meeting.objects.published()
        .order_by("updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    _element(answer, f"{{{OAI}}}repositoryName", "Engagement Archive")
    _element(answer, f"{{{OAI}}}baseURL", _base_url(request))
    _element(answer, f"{{{OAI}}}protocolVersion", "2.0")
    _element(
        answer,
        f"{{{OAI}}}adminEmail",
        settings.CONTACT_EMAIL,
    )
    _element(answer, f"{{{OAI}}}earliestDatestamp", _stamp(earliest or timezone.now()))
    _element(answer, f"{{{OAI}}}deletedRecord", "transient")
    _element(answer, f"{{{OAI}}}granularity", "YYYY-MM-DDThh:mm:ssZ")


def _list_metadata_formats(request, answer: ET.Element, arguments) -> None:
    if "identifier" in arguments:
        external_id = _external_id(arguments["identifier"])
        known = Meeting.objects.published().filter(external_id=external_id).exists()
        if not known and not Withdrawal.objects.filter(external_id=external_id).exists():
            raise OaiError(
                "idDoesNotExist", f"No record has the identifier {arguments['identifier']!r}."
            )
    metadata_format = _element(answer, f"{{{OAI}}}metadataFormat")
    _element(metadata_format, f"{{{OAI}}}metadataPrefix", METADATA_PREFIX)
    _element(metadata_format, f"{{{OAI}}}schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    _element(metadata_format, f"{{{OAI}}}metadataNamespace", OAI_DC)


def _list_sets(request, answer: ET.Element, arguments) -> None:
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", "The list of sets comes whole: it has no tokens.")
    for code, name in Country.objects.public().order_by("code").values_list("code", "name"):
        each = _element(answer, f"{{{OAI}}}set")
        _element(each, f"{{{OAI}}}setSpec", f"country:{code.lower()}")
        _element(each, f"{{{OAI}}}setName", f"Readouts involving {name}")
    for slug, name in Topic.objects.public().order_by("slug").values_list("slug", "name"):
        each = _element(answer, f"{{{OAI}}}set")
        _element(each, f"{{{OAI}}}setSpec", f"topic:{slug}")
        _element(each, f"{{{OAI}}}setName", f"Readouts on {name}")


def _set_scope(spec: str):
    """The country or topic a setSpec names (public ones only), or None."""
    kind, _, value = spec.partition(":")
    if kind == "country" and re.fullmatch(r"[a-z]{2}", value):
        return Country.objects.public().filter(code=value.upper()).first()
    if kind == "topic" and value:
        return Topic.objects.public().filter(slug=value).first()
    return None


def _list(request, answer: ET.Element, arguments, *, records: bool) -> None:
    if "resumptionToken" in arguments:
        state = _read_token(arguments["resumptionToken"], records=records)
    else:
        if arguments["metadataPrefix"] != METADATA_PREFIX:
            raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is offered.")
        state = {
            "from": arguments.get("from"),
            "until": arguments.get("until"),
            "set": arguments.get("set"),
            "phase": "live",
            "after": 0,
            "cursor": 0,
        }
    meetings = Meeting.objects.published()
    withdrawals = Withdrawal.objects.all()
    if state["from"]:
        start = _when(state["from"], end=False)
        meetings, withdrawals = (
            meetings.filter(updated_at__gte=start),
            withdrawals.filter(withdrawn_at__gte=start),
        )
    if state["until"]:
        end = _when(state["until"], end=True)
        meetings, withdrawals = (
            meetings.filter(updated_at__lte=end),
            withdrawals.filter(withdrawn_at__lte=end),
        )
    if state["set"]:
        scope = _set_scope(state["set"])
        if scope is None:
            raise OaiError("noRecordsMatch", f"No set is called {state['set']!r}.")
        meetings = meetings.of(scope)
        withdrawals = withdrawals.none()  # what a withdrawn readout was about is not kept

    # The live records by id, then the withdrawn ones by id; a token says where it stopped.
    if state["phase"] == "live":
        page: list = list(
            _with_parts(meetings.filter(pk__gt=state["after"]).order_by("pk"), records)[
                : PAGE_SIZE + 1
            ]
        )
        if len(page) <= PAGE_SIZE:
            page += list(withdrawals.order_by("pk")[: PAGE_SIZE + 1 - len(page)])
    else:
        page = list(withdrawals.filter(pk__gt=state["after"]).order_by("pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    if not page and state["cursor"] == 0:
        raise OaiError("noRecordsMatch", "No record matches these arguments.")
    for item in page:
        if isinstance(item, Withdrawal):
            _header_deleted(_element(answer, f"{{{OAI}}}record") if records else answer, item)
        elif records:
            _record(request, _element(answer, f"{{{OAI}}}record"), item)
        else:
            _header(answer, item)
    if more or state["cursor"]:
        # The last answer of a list carries an empty token, as the protocol asks.
        token = ""
        if more:
            last = page[-1]
            token = _signer().sign_object(
                {
                    **state,
                    "phase": "deleted" if isinstance(last, Withdrawal) else "live",
                    "after": last.pk,
                    "cursor": state["cursor"] + len(page),
                    "records": records,
                },
                compress=True,
            )
        _element(answer, f"{{{OAI}}}resumptionToken", token, cursor=str(state["cursor"]))


def _read_token(token: str, *, records: bool) -> dict:
    try:
        state = _signer().unsign_object(token)
    except signing.BadSignature:
        raise OaiError(
            "badResumptionToken", "This resumption token is not one the archive gave."
        ) from None
    if not isinstance(state, dict) or state.get("records") != records:
        raise OaiError("badResumptionToken", "This resumption token belongs to another verb.")
    return state


def _with_parts(meetings: QuerySet[Meeting], records: bool) -> QuerySet[Meeting]:
    meetings = meetings.prefetch_related("countries").with_topics_in_order()
    if records:
        meetings = meetings.select_related("location_country").prefetch_related(
            Prefetch("participations", queryset=Participation.objects.select_related("official")),
            Prefetch("sources", queryset=Source.objects.order_by("order", "id")),
        )
    return meetings


def _sets_of(meeting: Meeting) -> Iterable[str]:
    yield from sorted(f"country:{c.code.lower()}" for c in meeting.countries.all())
    yield from sorted(f"topic:{t.slug}" for t in meeting.topics_in_order)


def _header(parent: ET.Element, meeting: Meeting) -> None:
    header = _element(parent, f"{{{OAI}}}header")
    _element(header, f"{{{OAI}}}identifier", identifier_of(meeting.external_id))
    _element(header, f"{{{OAI}}}datestamp", _stamp(meeting.updated_at))
    for spec in _sets_of(meeting):
        _element(header, f"{{{OAI}}}setSpec", spec)


def _header_deleted(parent: ET.Element, withdrawal: Withdrawal) -> None:
    header = _element(parent, f"{{{OAI}}}header", status="deleted")
    _element(header, f"{{{OAI}}}identifier", identifier_of(withdrawal.external_id))
    _element(header, f"{{{OAI}}}datestamp", _stamp(withdrawal.withdrawn_at))


def _record(request, record: ET.Element, meeting: Meeting) -> None:
    _header(record, meeting)
    metadata = _element(record, f"{{{OAI}}}metadata")
    dc = _element(
        metadata,
        f"{{{OAI_DC}}}dc",
        **{f"{{{XSI}}}schemaLocation": f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"},
    )

    def term(name: str, value: str) -> None:
        if value:
            _element(dc, f"{{{DC}}}{name}", value)

    term("title", meeting.title)
    for source in meeting.sources.all():
        term("creator", source.publisher)
    for participation in meeting.participations.all():
        official = participation.official.name
        term(
            "contributor",
            f"{official} ({participation.title})" if participation.title else official,
        )
    for topic in meeting.topics_in_order:  # main subjects first
        term("subject", topic.name)
    term("description", meeting.summary)
    term("date", meeting.date.isoformat())
    term("type", "Text")
    term("format", "text/html")
    term("identifier", request.build_absolute_uri(meeting.get_absolute_url()))
    for source in meeting.sources.all():
        term("source", source.url)
    term("publisher", "Engagement Archive")
    term("language", "en")
    term("coverage", meeting.place)
    for country in sorted(meeting.countries.all(), key=lambda c: c.name):
        term("coverage", country.name)
    if meeting.synthetic:
        term(
            "description", "Synthetic sample data generated for a demo archive: not a real readout."
        )


def _get_record(request, answer: ET.Element, arguments) -> None:
    if arguments["metadataPrefix"] != METADATA_PREFIX:
        raise OaiError("cannotDisseminateFormat", f"Only {METADATA_PREFIX} is offered.")
    external_id = _external_id(arguments["identifier"])
    meeting = _with_parts(Meeting.objects.published().filter(external_id=external_id), True).first()
    if meeting is not None:
        _record(request, _element(answer, f"{{{OAI}}}record"), meeting)
        return
    withdrawal = Withdrawal.objects.filter(external_id=external_id).first()
    if withdrawal is None:
        raise OaiError(
            "idDoesNotExist", f"No record has the identifier {arguments['identifier']!r}."
        )
    _header_deleted(_element(answer, f"{{{OAI}}}record"), withdrawal)


ANSWERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "ListIdentifiers": lambda request, answer, arguments: _list(
        request, answer, arguments, records=False
    ),
    "ListRecords": lambda request, answer, arguments: _list(
        request, answer, arguments, records=True
    ),
    "GetRecord": _get_record,
}
