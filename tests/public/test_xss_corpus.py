"""An XSS corpus in every text field stays inert on every page, feed, download and admin page.

test_security.py checks a few payloads by their escaped text; this file throws a wider
corpus (script, event handlers, javascript: and data: URLs, SVG, broken and nested
markup, Markdown link and image tricks) at every field at once, and checks the output
with an HTML parser: no element, attribute or URL the payload could have made live.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from factories import make_meeting, make_official, make_topic

from engagements.models import Topic

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<style>body{display:none}</style>",
    "<scr<script>ipt>alert(1)</script>",
    '<div title="</div><script>alert(1)</script>">',
    '"><svg/onload=alert(1)>',
    "'><body onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "![pic](javascript:alert(1))",
    '![pic](x" onerror="alert(1))',
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[link][a]",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset", "poster"}
DANGEROUS_ELEMENTS = {"iframe", "object", "embed", "frame", "frameset", "base", "applet", "style"}
ATOM = "{http://www.w3.org/2005/Atom}"
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)


class LiveMarkup(HTMLParser):
    """Collects whatever in a page could run: the payloads must add nothing here."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_ELEMENTS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append("<meta http-equiv>")
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value:
                bare = re.sub(r"[\x00-\x20]", "", value)
                if BAD_SCHEME.match(bare):
                    self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert" in data:
            self.problems.append("script text with alert")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.fixture(params=CORPUS, ids=range(len(CORPUS)))
def payload(request):
    return request.param


@pytest.fixture
def hostile_archive(db, payload):
    """Two published readouts with the payload in every free-text field."""
    official = make_official(
        f"Envoy {payload}",
        country="PK",
        aliases=f"{payload}\nAlias {payload}",
        bio=f"Bio.\n\n{payload}\n\nEnd.",
    )
    counterpart = make_official(f"Counterpart {payload}", country="CN")
    make_topic(f"Topic {payload}", description=f"About.\n\n{payload}")
    meeting = make_meeting(
        f"Title {payload}",
        date=dt.date(2025, 11, 11),
        city=f"City {payload}",
        summary=f"Summary {payload}",
        body=f"Body.\n\n{payload}\n\nMore body {payload} text.",
        participants=[
            (official, "envoy", f"Office {payload}"),
            (counterpart, "counterpart", f"Minister {payload}"),
        ],
        topics=[f"Topic {payload}"],
        sources=[{"publisher": f"Publisher {payload}", "url": "https://example.org/readout"}],
    )
    make_meeting(
        f"Second {payload}",
        date=dt.date(2025, 11, 12),
        participants=[(official, "envoy", "Ambassador")],
        topics=[f"Topic {payload}"],
    )
    topic = Topic.objects.get(name=f"Topic {payload}")
    return {"meeting": meeting, "official": official, "topic": topic}


def public_pages(archive) -> list[str]:
    return [
        "/",
        "/meetings/",
        "/meetings/2025/",
        "/meetings/2025/11/",
        archive["meeting"].get_absolute_url(),
        "/countries/",
        "/countries/pk/",
        "/countries/cn/pk/",
        "/officials/",
        archive["official"].get_absolute_url(),
        "/topics/",
        archive["topic"].get_absolute_url(),
        "/meetings/?q=Title",
        "/meetings/?q=body",
        "/meetings/?q=alert",
    ]


def test_public_pages(client, hostile_archive):
    for url in public_pages(hostile_archive):
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], url


def test_feeds(client, hostile_archive):
    feeds = [
        "/meetings/feed/",
        "/countries/pk/feed/",
        "/countries/cn/pk/feed/",
        hostile_archive["official"].get_absolute_url() + "feed/",
        hostile_archive["topic"].get_absolute_url() + "feed/",
    ]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        feed = ElementTree.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        assert entries, url
        for entry in entries:
            for field in ("title", "summary", "content"):
                for element in entry.findall(f"{ATOM}{field}"):
                    if element.get("type", "text") == "text":
                        continue  # Atom's text type: readers show it as it is, never as markup
                    # type="html": a reader renders it, so it must hold nothing live.
                    assert live_markup(element.text or "") == [], (url, field)


def test_downloads_are_attachments_a_browser_will_not_render(client, hostile_archive):
    for url, kind in [
        ("/meetings/export.csv", "text/csv"),
        ("/meetings/export.jsonl", "application/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(kind)
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_pages(staff_client, hostile_archive):
    meeting, official, topic = (hostile_archive[k] for k in ("meeting", "official", "topic"))
    pages = [
        reverse("admin:index"),
        reverse("admin:engagements_meeting_changelist"),
        reverse("admin:engagements_meeting_changelist") + "?q=Title",
        reverse("admin:engagements_meeting_change", args=[meeting.pk]),
        reverse("admin:engagements_official_changelist"),
        reverse("admin:engagements_official_change", args=[official.pk]),
        reverse("admin:engagements_topic_changelist"),
        reverse("admin:engagements_topic_change", args=[topic.pk]),
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        problems = [p for p in live_markup(response.content.decode()) if p != "inline <script>"]
        assert problems == [], url
        # The admin's own inline scripts are JSON data, never the payload.
        assert "alert(1)</script>" not in response.content.decode().replace("&lt;", "")
