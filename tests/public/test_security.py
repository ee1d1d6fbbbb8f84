"""Stored and reflected markup stays inert; security headers; our own 404 page."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from factories import ADD_URL, make_meeting, make_official, make_topic, readout_form
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from engagements.models import Meeting, Official, Topic

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
BREAKOUT = '"><img src=x onerror=alert(1)>'
BREAKOUT_ESCAPED = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
JS_LINK = "[x](javascript:alert(1))"
IFRAME = '<iframe src="https://evil.example/"></iframe>'

# What must never reach a page as markup.
RAW_PAYLOADS = [SCRIPT, "<script", "<img src=x", "onerror=alert(1)>", "<iframe"]
# A javascript: URL is live only in an attribute; as text (a search snippet quoting the
# Markdown source, say) it is inert.
JS_URL_ATTRIBUTE = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_inert(response, *, escaped: list[str] = ()) -> None:
    """No payload as live markup; the listed escaped forms present (the text was kept)."""
    body = response.content.decode()
    for raw in RAW_PAYLOADS:
        assert raw not in body, f"{raw!r} reached {response.wsgi_request.get_full_path()}"
    assert not JS_URL_ATTRIBUTE.search(body), response.wsgi_request.get_full_path()
    for text in escaped:
        assert text in body, f"{text!r} missing from {response.wsgi_request.get_full_path()}"


@pytest.fixture
def hostile(db):
    """One published readout with a payload in every free-text field the public sees."""
    official = make_official(
        f"Hostile {SCRIPT} Official",
        country="PK",
        aliases=f"{BREAKOUT}\nalias {SCRIPT}",
        bio=f"Bio {SCRIPT} {JS_LINK}\n\n{IFRAME}\n\n<img src=x onerror=alert(1)>",
    )
    counterpart = make_official("Plain Counterpart", country="CN")
    make_topic(f"Topic {SCRIPT}", description=f"About {BREAKOUT}")
    meeting = make_meeting(
        f"Title {SCRIPT}",
        date=dt.date(2025, 11, 11),
        city=f"City{BREAKOUT}",
        summary=f"Summary {BREAKOUT} {SCRIPT}",
        body=(
            f"Body text.\n\n{SCRIPT}\n\n{JS_LINK}\n\n{IFRAME}\n\n"
            '<a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>'
        ),
        participants=[
            (official, "envoy", f"Office {SCRIPT}"),
            (counterpart, "counterpart", "Minister"),
        ],
        topics=[f"Topic {SCRIPT}"],
        sources=[{"publisher": f"Publisher {SCRIPT}", "url": f"https://example.org/?q={BREAKOUT}"}],
    )
    # A second readout, so the first shows up as "related" on each other's page.
    make_meeting(
        f"Second {SCRIPT}",
        date=dt.date(2025, 11, 12),
        participants=[(official, "envoy", "Ambassador")],
        topics=[f"Topic {SCRIPT}"],
    )
    topic = Topic.objects.get(name=f"Topic {SCRIPT}")
    return {"meeting": meeting, "official": official, "topic": topic}


def page_urls(hostile) -> dict[str, str]:
    return {
        "home": "/",
        "list": "/meetings/",
        "year": "/meetings/2025/",
        "month": "/meetings/2025/11/",
        "readout": hostile["meeting"].get_absolute_url(),
        "countries": "/countries/",
        "country": "/countries/pk/",
        "bilateral": "/countries/cn/pk/",
        "officials": "/officials/",
        "official": hostile["official"].get_absolute_url(),
        "topics": "/topics/",
        "topic": hostile["topic"].get_absolute_url(),
    }


# Which escaped payloads each page must still show as text.
EXPECTED_ESCAPED = {
    "home": [f"Title {SCRIPT_ESCAPED}", f"Summary {BREAKOUT_ESCAPED}", f"City{BREAKOUT_ESCAPED}"],
    "list": [f"Title {SCRIPT_ESCAPED}", f"Hostile {SCRIPT_ESCAPED} Official"],
    "year": [f"Title {SCRIPT_ESCAPED}", f"Topic {SCRIPT_ESCAPED}"],
    "month": [f"Title {SCRIPT_ESCAPED}", f"City{BREAKOUT_ESCAPED}"],
    "readout": [
        f"<h1>Title {SCRIPT_ESCAPED}</h1>",
        f"Summary {BREAKOUT_ESCAPED}",
        f"City{BREAKOUT_ESCAPED}",
        f"Hostile {SCRIPT_ESCAPED} Official",
        f"Office {SCRIPT_ESCAPED}",
        f"Topic {SCRIPT_ESCAPED}",
        f"Publisher {SCRIPT_ESCAPED}",
        f"Second {SCRIPT_ESCAPED}",
    ],
    "countries": [],
    "country": [f"Title {SCRIPT_ESCAPED}", f"Hostile {SCRIPT_ESCAPED} Official"],
    "bilateral": [f"Title {SCRIPT_ESCAPED}", f"Topic {SCRIPT_ESCAPED}"],
    "officials": [f"Hostile {SCRIPT_ESCAPED} Official"],
    "official": [
        f"<h1>Hostile {SCRIPT_ESCAPED} Official</h1>",
        BREAKOUT_ESCAPED,
        f"alias {SCRIPT_ESCAPED}",
        f"Office {SCRIPT_ESCAPED}",
        f"Title {SCRIPT_ESCAPED}",
    ],
    "topics": [f"Topic {SCRIPT_ESCAPED}"],
    "topic": [f"<h1>Topic {SCRIPT_ESCAPED}</h1>", f"About {BREAKOUT_ESCAPED}"],
}


@pytest.mark.parametrize("page", list(EXPECTED_ESCAPED))
def test_stored_payloads_are_inert_on_every_page(client, hostile, page):
    response = client.get(page_urls(hostile)[page])
    assert response.status_code == 200
    assert_inert(response, escaped=EXPECTED_ESCAPED[page])


def test_readout_body_drops_dangerous_markdown(client, hostile):
    response = client.get(hostile["meeting"].get_absolute_url())
    html = response.content.decode()
    start = html.index(">", html.index('class="readout-body"')) + 1
    body = html[start : html.index("</section>", start)]
    assert "Body text." in body
    assert "alert(1)" not in body  # script content, javascript: hrefs, onerror all gone
    assert "<img" not in body
    assert "iframe" not in body
    assertInHTML('<a rel="nofollow noopener noreferrer">x</a>', body)


def test_official_bio_drops_dangerous_markdown(client, hostile):
    response = client.get(hostile["official"].get_absolute_url())
    html = response.content.decode()
    bio = html[html.index('<div class="bio">') :]
    bio = bio[: bio.index("</div>")]
    assert bio.startswith('<div class="bio"><p>Bio')
    assert "alert(1)" not in bio
    assert "<img" not in bio
    assert "iframe" not in bio


def test_source_url_is_escaped_in_its_attribute(client, hostile):
    response = client.get(hostile["meeting"].get_absolute_url())
    assertContains(response, f'href="https://example.org/?q={BREAKOUT_ESCAPED}"')


def test_body_keeps_harmless_markdown(client, db):
    meeting = make_meeting(
        "Harmless formatting",
        body=(
            "Talks were **constructive** and *frank*; see [the statement](https://mofa.gov.pk/x).\n\n"
            '<a href="https://ok.example/" onclick="alert(1)">raw link</a> '
            '<span onmouseover="alert(1)" style="color:red">hover</span>\n\n'
            "- one\n- two\n"
        ),
    )
    response = client.get(meeting.get_absolute_url())
    html = response.content.decode()
    assertInHTML("<strong>constructive</strong>", html)
    assertInHTML("<em>frank</em>", html)
    assertInHTML(
        '<a href="https://mofa.gov.pk/x" rel="nofollow noopener noreferrer">the statement</a>',
        html,
    )
    assertInHTML(
        '<a href="https://ok.example/" rel="nofollow noopener noreferrer">raw link</a>', html
    )
    assertInHTML("<ul><li>one</li><li>two</li></ul>", html)
    assert "hover" in html
    for dropped in ("onclick", "onmouseover", "style=", "<span"):
        assert dropped not in html


# --- reflected input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("country=%3Cscript%3Ealert(1)%3C/script%3E", 400),
        ("official=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", 400),
        ("topic=%3Cscript%3Ealert(1)%3C/script%3E", 400),
        ("kind=%3Cscript%3Ealert(1)%3C/script%3E", 400),
        ("sort=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E", 400),
        ("from=%3Cscript%3E", 400),
        ("q=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        # A parameter no page reads is dropped by a redirect, payload and all.
        ("page=1&x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", 301),
    ],
)
def test_query_parameters_are_not_reflected_as_markup(client, hostile, query, status):
    response = client.get(f"/meetings/?{query}")
    assert response.status_code == status
    if status == 301:
        assert response["Location"] == "/meetings/?page=1"
        response = client.get(response["Location"])
    assert_inert(response)


def test_reflected_value_in_error_is_escaped(client, db):
    response = client.get("/meetings/?kind=%3Cscript%3Ealert(1)%3C/script%3E")
    assertContains(response, SCRIPT_ESCAPED, status_code=400)


# --- headers ------------------------------------------------------------------------


HEADER_URLS = [
    "/",
    "/meetings/",
    "/meetings/2025/",
    "/countries/",
    "/countries/pk/",
    "/officials/",
    "/topics/",
    "/meetings/?kind=bogus",  # 400
    "/no/such/page/",  # 404
]


@pytest.mark.parametrize("url", HEADER_URLS)
def test_security_headers(client, hostile, url):
    response = client.get(url)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin"


@pytest.mark.parametrize("page", ["home", "list", "readout", "official", "topic"])
def test_pages_need_no_inline_script_or_style(client, hostile, page):
    """With no 'unsafe-inline' in the CSP, any inline script or style would be blocked."""
    response = client.get(page_urls(hostile)[page])
    html = response.content.decode()
    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html


# --- the 404 page -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/no/such/page/", "/officials/nobody/", "/meetings/2025/13/", "/countries/zz/"],
)
def test_custom_404_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assertInHTML("<h1>Not found</h1>", html)
    assertContains(response, "Engagement Archive", status_code=404)
    assertContains(response, "<title>Not found · Engagement Archive</title>", status_code=404)
    assertContains(response, 'href="/meetings/"', status_code=404)
    assertNotContains(response, "Traceback", status_code=404)


def test_404_does_not_reflect_the_path_as_markup(client, db):
    response = client.get("/%3Cscript%3Ealert(1)%3C/script%3E/")
    assert response.status_code == 404
    assert_inert(response)


RLO, PDF, LRI = "\u202e", "\u202c", "\u2066"


def test_bidi_controls_are_stripped_on_every_write_path(client, staff_client, tmp_path):
    # The admin's form.
    envoy = make_official(f"Khalil {RLO}imhsaH{PDF}", country="PK")
    counterpart = make_official("Liu Haixing", country="CN")
    data = readout_form(envoy=envoy, counterpart=counterpart)
    data["title"] = f"Ambassador {RLO}sllac{PDF} on the Minister"
    data["participations-1-title"] = f"{LRI}Minister"
    assert staff_client.post(ADD_URL, data).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.title == "Ambassador sllac on the Minister"
    assert Official.objects.get(pk=envoy.pk).name == "Khalil imhsaH"
    assert meeting.participations.get(official=counterpart).title == "Minister"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert RLO not in page and LRI not in page
    # The importer.
    line = {
        "id": "bidi-1",
        "date": "2025-12-01",
        "title": f"Imported {RLO}eltit{PDF}",
        "kind": "meeting",
        "participants": [{"name": f"Wang {RLO}iY", "country": "CN", "role": "envoy"}],
    }
    path = tmp_path / "bidi.jsonl"
    path.write_text(json.dumps(line) + "\n")
    call_command("import_readouts", str(path), verbosity=0)
    imported = Meeting.objects.get(external_id="bidi-1")
    assert imported.title == "Imported eltit"
    assert imported.participations.get().official.name == "Wang iY"
