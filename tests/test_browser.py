"""The site in a real browser: visitors' journeys, the keyboard, accessibility, screenshots.

Chromium (Debian's package, never a downloaded one) is driven by Playwright against
Django's live server and the real test database. Without Chromium, Playwright or
axe-core the tests are skipped with one line saying why (they fail under CI instead).
Screenshots of every page type at 375 and 1280 px go to build/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from browser import AXE, CHROMIUM, FLAGS, SCREENSHOTS, require_browser
from factories import make_meeting, make_official, make_topic

from engagements.models import Meeting

# One worker runs them all: one Chromium, one server (pytest-xdist's --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only: while Playwright runs, its event loop runs too.

    Playwright's sync API keeps an event loop running in this thread, so Django refuses
    ORM calls here unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The tests' own ORM calls
    between browser steps are ordinary synchronous code; both the loop and the variable
    end with this module, so no later test (nor a subprocess it starts) inherits them.
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(live_server):
    """The live server, serving the site as deployed: whitenoise serves the static files.

    pytest-django's live server puts Django's development static handler in front, which
    knows no hashed file names; the site itself (with whitenoise inside) is what to test.
    """
    from django.core.handlers.wsgi import WSGIHandler

    live_server.thread.httpd.set_app(WSGIHandler())
    return live_server


@pytest.fixture
def page(browser, site, transactional_db):
    # bypass_csp: axe-core is injected as an inline script, which the site's CSP forbids.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True, base_url=site.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def archive(seed_like):
    """The seed readout, plus enough around it for lists that page, facets and a pair."""
    hashmi, liu = seed_like["hashmi"], seed_like["liu"]
    wang = make_official("Wang Yi", country="CN")
    for day in range(40):
        make_meeting(
            f"Ambassador meets Chinese officials, meeting {day + 1}",
            date=dt.date(2025, 9, 1) + dt.timedelta(days=day),
            kind=Meeting.Kind.MEETING if day % 3 else Meeting.Kind.TELEPHONE_CALL,
            participants=[
                (hashmi, "envoy", "Ambassador"),
                (wang if day % 2 else liu, "counterpart", "Minister"),
            ],
            topics=["CPEC 2.0", "trade" if day % 3 == 0 else "youth exchanges"],
            summary=f"Talks number {day + 1} on trade and the corridor.",
        )
    return seed_like


def test_a_visitor_goes_from_home_to_a_topic_a_readout_an_official_and_a_pair(page, archive):
    page.goto("/")
    page.get_by_role("link", name=re.compile("^CPEC 2.0")).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "CPEC 2.0"
    page.get_by_role(
        "link", name="Ambassador of Pakistan pays courtesy call on IDCPC Minister"
    ).click()
    assert "courtesy call" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".cite").is_visible()
    page.locator("main").get_by_role("link", name="Liu Haixing").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Liu Haixing"
    page.goto("/countries/pk/")
    page.get_by_role("link", name=re.compile("China")).first.click()
    assert re.search(r"/countries/(cn/pk|pk/cn)/", page.url), page.url


def test_facets_narrow_the_list_and_a_chip_removes_a_filter(page, archive):
    page.goto("/meetings/")
    total = page.locator("#results-heading").inner_text()
    page.locator(".facets").get_by_role("link", name="Wang Yi").click()
    narrowed = page.locator("#results-heading").inner_text()
    assert narrowed != total and "official=" in page.url
    page.locator(".facets").get_by_role("link", name="trade").click()
    assert "topic=trade" in page.url
    page.get_by_role("link", name=re.compile("Remove filter official Wang Yi")).click()
    assert "official=" not in page.url and "topic=trade" in page.url
    page.go_back()
    assert "official=" in page.url  # back and forward work: every state is a URL


def test_a_search_from_the_header_finds_a_readout(page, archive):
    page.goto("/topics/")
    page.get_by_role("searchbox", name="Search the readouts").fill("刘海星")
    page.get_by_role("button", name="Search").click()
    assert "q=" in page.url
    page.get_by_role(
        "link", name="Ambassador of Pakistan pays courtesy call on IDCPC Minister"
    ).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ambassador of Pakistan")


def test_a_long_list_pages_forward_and_back(page, archive):
    page.goto("/meetings/")
    first = page.locator(".meeting-title").first.inner_text()
    page.get_by_role("link", name=re.compile("Next")).first.click()
    assert "page=2" in page.url
    assert page.locator(".meeting-title").first.inner_text() != first
    page.get_by_role("link", name=re.compile("Previous")).first.click()
    assert page.locator(".meeting-title").first.inner_text() == first


def test_the_keyboard_alone_reaches_the_search_box_and_a_result(page, archive):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("courtesy")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=courtesy"))
    # Tab on until a readout's link has the focus, then follow it.
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href') || ''")
        if re.match(r"^/meetings/\d{4}/\d{2}/\d{2}/", href):
            break
    else:
        pytest.fail("no readout link reached by the keyboard")
    # The focused element shows where it is (a visible focus style).
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/meetings/\d{4}/\d{2}/\d{2}/"))


def page_types(archive) -> dict[str, str]:
    meeting = archive["meeting"]
    return {
        "home": "/",
        "list": "/meetings/",
        "filtered-list": "/meetings/?country=pk&topic=trade",
        "search": "/meetings/?q=corridor",
        "no-results": "/meetings/?q=nothingmatchesthis",
        "readout": meeting.get_absolute_url(),
        "year": "/meetings/2025/",
        "month": "/meetings/2025/09/",
        "countries": "/countries/",
        "country": "/countries/pk/",
        "bilateral": "/countries/cn/pk/",
        "officials": "/officials/",
        "official": archive["hashmi"].get_absolute_url(),
        "topics": "/topics/",
        "topic": "/topics/cpec-20/",
        "data": "/data/",
        "all-officials": "/meetings/facets/official/",
        "not-found": "/no-such-page/",
    }


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )


def test_every_page_type_passes_axe_looks_right_and_never_scrolls_sideways(page, archive):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name, url in page_types(archive).items():
        for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            response = page.goto(url)
            assert response.status == (404 if name == "not-found" else 200), url
            page.screenshot(path=SCREENSHOTS / f"{name}-{viewport['width']}.png", full_page=True)
            if width == "phone":
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    problems[f"{name} at 375 px"] = f"scrolls sideways by {overflow} px"
            else:
                if violations := axe_violations(page):
                    problems[name] = violations
                assert page.evaluate("document.documentElement.lang") == "en"
    assert problems == {}


def test_readout_page_prints_as_a_clean_citable_record(page, archive):
    page.goto(archive["meeting"].get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-search").is_visible()
    assert page.locator(".cite").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (SCREENSHOTS / "readout-print.pdf").write_bytes(pdf)


def choose_in_autocomplete(page, field_id: str, typed: str, option: str) -> None:
    """Pick an option in one of the admin's autocomplete (select2) widgets by typing."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_an_editor_enters_a_draft_publishes_it_and_finds_it_on_the_topic_page(
    page, browser, site, django_user_model
):
    from playwright.sync_api import expect

    make_official("Khalil Hashmi", country="PK")
    make_official("Liu Haixing", country="CN", aliases="刘海星")
    django_user_model.objects.create_superuser("editor", "editor@example.org", "pw-editor-1")
    title = "Ambassador Hashmi calls on Minister Liu"

    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("pw-editor-1")
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/engagements/meeting/add/")
    page.locator("#id_title").fill(title)
    page.locator("#id_date").fill("2025-11-20")
    page.locator("#id_kind").select_option("courtesy call")
    page.locator("#id_city").fill("Beijing")
    page.locator("#id_summary").fill("A courtesy call on the Minister.")
    page.locator("#id_body").fill("The Ambassador called on the **Minister** today.")
    page.locator("#id_topics").fill("CPEC 2.0, youth exchanges, think-tank cooperation")
    page.locator("#id_status").select_option("draft")
    page.locator("#id_participations-0-role").select_option("envoy")
    choose_in_autocomplete(page, "id_participations-0-official", "Hashmi", "Khalil Hashmi")
    page.locator("#id_participations-0-title").fill("Ambassador of Pakistan to China")
    page.locator("#id_participations-1-role").select_option("counterpart")
    # Found by an alias, in another script.
    choose_in_autocomplete(page, "id_participations-1-official", "刘海星", "Liu Haixing")
    page.locator("#id_participations-1-title").fill("Minister of the IDCPC")
    page.locator("#id_sources-0-publisher").fill("DNA news agency")
    page.locator("#id_sources-0-url").fill("https://example.org/readout")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    meeting = Meeting.objects.get(title=title)
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.participations.count() == 2 and meeting.topics.count() == 3
    visitor = browser.new_context(base_url=site.url).new_page()
    assert visitor.goto(meeting.get_absolute_url()).status == 404
    visitor.goto("/topics/think-tank-cooperation/")
    assert visitor.get_by_role("link", name=title).count() == 0

    # Publish it from the list, the way editors do.
    page.goto("/admin/engagements/meeting/")
    page.get_by_role("row", name=re.compile(title)).locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist .success")).to_contain_text("published")

    visitor.goto("/topics/think-tank-cooperation/")
    visitor.get_by_role("link", name=title).click()
    assert visitor.get_by_role("heading", level=1).inner_text() == title
    assert "Liu Haixing" in visitor.locator("main").inner_text()
    visitor.context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_contributor_pastes_a_press_release_and_an_editor_previews_and_publishes_it(
    page, browser, site, django_user_model
):
    """The editors' desk end to end: paste → proposed draft → preview → publish → public."""
    from pathlib import Path

    from django.contrib.auth.models import Group
    from playwright.sync_api import expect

    from engagements.desk import roles

    make_official("Khalil Hashmi", country="PK")
    make_official("Liu Haixing", country="CN", aliases="刘海星")
    for name in ["CPEC 2.0", "youth exchanges", "think-tank cooperation", "climate finance"]:
        make_topic(name)
    for name, role in [("writer", roles.CONTRIBUTOR), ("chief", roles.EDITOR)]:
        user = django_user_model.objects.create_user(name, f"{name}@example.org", f"pw-{name}-1")
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=role))
    release = (Path(__file__).parent / "data" / "readout-2025-11-11-pakistan-idcpc.txt").read_text()

    # The contributor pastes the release and saves the proposal as a draft.
    sign_in(page, "writer", "pw-writer-1")
    page.goto("/admin/engagements/meeting/")
    page.get_by_role("link", name="Paste a press release").click()
    page.get_by_label("Press release").fill(release)
    page.get_by_label("Its address").fill("https://example.org/2025/11/11/courtesy-call")
    page.get_by_role("button", name="Propose a readout").click()
    expect(page.locator("#proposal")).to_contain_text("Khalil Hashmi")
    expect(page.locator("#id_date")).to_have_value("2025-11-11")
    expect(page.locator("#id_city")).to_have_value("Beijing")
    expect(page.locator("#id_kind")).to_have_value("courtesy call")
    # The title describes the meeting; the release's headline is offered in a note.
    expect(page.locator("#id_title")).to_have_value(
        "Khalil Hashmi pays courtesy call on Liu Haixing"
    )
    expect(page.locator("#proposal")).to_contain_text("Ambassador of Pakistan pays courtesy call")
    assert page.locator("#id_status").count() == 0  # a contributor cannot publish
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.DRAFT
    assert [(p.official.name, p.role) for p in meeting.participations.all()] == [
        ("Khalil Hashmi", "envoy"),
        ("Liu Haixing", "counterpart"),
    ]
    assert meeting.sources.get().publisher == "DNA"
    topics = {t.name for t in meeting.topics.all()}
    assert {"CPEC 2.0", "youth exchanges", "think-tank cooperation"} <= topics
    assert "climate finance" not in topics

    # The editor previews the draft, then publishes it from the list.
    editor = browser.new_context(viewport=DESKTOP, base_url=site.url).new_page()
    sign_in(editor, "chief", "pw-chief-1")
    editor.goto(f"/admin/engagements/meeting/{meeting.pk}/change/")
    preview = editor.get_by_role("link", name="Preview").get_attribute("href")
    editor.goto(preview)
    expect(editor.locator(".preview-banner")).to_contain_text("Preview of a draft")
    expect(editor.get_by_role("heading", level=1)).to_have_text(meeting.title)
    editor.goto("/admin/engagements/meeting/")
    editor.get_by_role("row", name=re.compile("Khalil Hashmi pays courtesy call")).locator(
        "input[type=checkbox]"
    ).check()
    editor.locator("select[name=action]").select_option("publish")
    editor.get_by_role("button", name="Run").click()
    expect(editor.locator(".messagelist .success")).to_contain_text("1 readout(s) published")
    editor.context.close()

    visitor = browser.new_context(base_url=site.url).new_page()
    visitor.goto("/topics/youth-exchanges/")
    visitor.get_by_role("link", name=re.compile("Khalil Hashmi pays courtesy call")).click()
    assert "Liu Haixing" in visitor.locator("main").inner_text()
    visitor.context.close()


def test_the_api_docs_work_under_the_sites_csp_and_try_a_request(browser, site, archive):
    # Under the site's own Content Security Policy (no bypass): every script and style of
    # the docs is a file served from here.
    context = browser.new_context(viewport=DESKTOP, base_url=site.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == 10
    readouts = page.locator(".opblock", has_text="/api/meetings/").first
    readouts.locator(".opblock-summary").click()
    readouts.get_by_role("button", name="Try it out").click()
    readouts.get_by_role("button", name="Execute").click()
    answer = readouts.locator(".live-responses-table tbody .response-col_status").first
    answer.wait_for()
    assert answer.inner_text().strip() == "200"
    assert "Ambassador" in readouts.locator(".live-responses-table tbody").inner_text()
    assert refused == []
    context.close()
