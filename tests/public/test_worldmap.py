"""The world map: Natural Earth outlines (npm world-atlas) drawn as an SVG choropleth."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from factories import make_meeting, make_official

from engagements.public import worldmap

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def readouts(db):
    hashmi = make_official("Khalil Hashmi", country="PK")
    liu = make_official("Liu Haixing", country="CN")
    for _ in range(3):
        make_meeting(participants=[(hashmi, "envoy", ""), (liu, "counterpart", "")])
    make_meeting("In Paris", location="FR", city="Paris", participants=[(hashmi, "envoy", "")])


def the_map(html: str) -> ET.Element:
    svg = re.search(r'<svg class="world-map".*?</svg>', html, re.S).group(0)
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


@pytest.mark.parametrize("url", ["/", "/countries/"])
def test_each_country_with_readouts_is_a_link_titled_with_its_count(client, readouts, url):
    html = client.get(url).content.decode()
    svg = the_map(html)
    links = {a.get("href"): a.find(f"{SVG}path") for a in svg.iter(f"{SVG}a")}
    assert set(links) == {"/countries/pk/", "/countries/cn/", "/countries/fr/"}
    assert links["/countries/pk/"].find(f"{SVG}title").text == "Pakistan: 4 readouts"
    assert links["/countries/fr/"].find(f"{SVG}title").text == "France: 1 readout"
    assert links["/countries/pk/"].get("class") == "m2"  # 2-5 readouts
    assert links["/countries/fr/"].get("class") == "m1"
    shapes = list(svg.iter(f"{SVG}path"))
    assert len(shapes) > 150  # every country drawn, most without readouts (class m0)
    assert "<script" not in html.split('class="world-map"')[1].split("</svg>")[0]
    # The same, as text: a table (in a disclosure on the home page; the page's own table
    # on the countries index).
    assert re.search(r'Pakistan</a></td>(<td>PK</td>)?<td class="num">4</td>', html)


def test_no_map_without_readouts(client, db):
    assert "world-map" not in client.get("/").content.decode()


def test_the_map_is_small_and_kept_per_version(client, readouts, django_assert_max_num_queries):
    size = len(
        re.search(r'<svg class="world-map".*?</svg>', client.get("/").content.decode(), re.S).group(
            0
        )
    )
    assert size < 80_000, size  # bytes of SVG on the page (about 13 kB compressed)
    with django_assert_max_num_queries(4):  # the map itself is not recomputed
        client.get("/countries/")


def test_the_shipped_outlines_are_what_the_registry_package_gives(tmp_path):
    source = (
        Path(__file__).resolve().parents[2] / "node_modules" / "world-atlas" / "countries-110m.json"
    )
    if not source.exists():
        pytest.skip("npm ci has not installed world-atlas (make install does)")
    out = tmp_path / "world.json"
    call_command("build_world_map", "--out", str(out), stdout=None)
    assert out.read_text() == worldmap.DATA.read_text()
    outlines = json.loads(out.read_text())
    assert {"PK", "CN", "FR", "BR", "AU"} <= set(outlines)
    x, y = worldmap._natural_earth(0, 0)
    assert (round(x), round(y)) == (worldmap.WIDTH // 2, round(worldmap.HEIGHT / 2))


def test_a_source_that_is_not_a_world_atlas_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="not a world-atlas topology"):
        call_command("build_world_map", "--source", str(bad), "--out", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("build_world_map", "--source", str(tmp_path / "missing.json"))
