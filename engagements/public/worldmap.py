"""A world map of readouts per country: an SVG choropleth drawn on the server.

The outlines are Natural Earth's 1:110m countries, as the npm package `world-atlas`
2.0.2 ships them (TopoJSON; the version is pinned in package.json). `manage.py
build_world_map` decodes them, projects them (Natural Earth I) and writes each country's
outline as an SVG path to `engagements/public/data/world-110m.json`, which the pages read:
no JavaScript, and nothing to install to serve the site. Each country with published
readouts is a link to its page with its count as the title; a table beside the map says
the same for screen readers.
"""

from __future__ import annotations

import json
import math
from functools import cache
from html import escape
from pathlib import Path

import pycountry
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from engagements.models.addresses import record_path

DATA = Path(__file__).resolve().parent / "data" / "world-110m.json"
WIDTH = 960
# Natural Earth I spans +-2.7354 by +-1.4224 (radians of the projection's own plane).
_X_EXTENT, _Y_EXTENT = 2.7354, 1.4224
SCALE = WIDTH / (2 * _X_EXTENT)
HEIGHT = round(2 * _Y_EXTENT * SCALE)
# Readouts per country, in classes a reader can tell apart: none, 1, 2-5, 6-20, 21-100, more.
BOUNDS = (0, 1, 5, 20, 100)


def _natural_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """The Natural Earth I projection (Šavrič, Jenny, Patterson and Jenny, 2011)."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.870700 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return (x + _X_EXTENT) * SCALE, (_Y_EXTENT - y) * SCALE


def outlines_from_topojson(topology: dict) -> dict[str, str]:
    """{ISO alpha-2 code: SVG path} for the countries of a world-atlas topology."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:  # quantized, each point a delta from the one before
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points += arc[1:] if points else arc
        return points

    outlines: dict[str, list[str]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3))
        if country is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue  # a territory without an ISO code (Kosovo, Somaliland…): not linked
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indexes in polygon:
                outlines.setdefault(country.alpha_2, []).append(_path(ring(indexes)))
    return {code: "".join(parts) for code, parts in sorted(outlines.items())}


def _path(points: list[tuple[float, float]]) -> str:
    """An SVG path of one ring, in whole pixels, each point relative to the one before (a
    third of the bytes of absolute decimals); a ring that crosses the antimeridian is cut
    there. Points that round to the one before are left out."""
    parts: list[str] = []
    previous_longitude = at = None
    for longitude, latitude in points:
        x, y = (round(v) for v in _natural_earth(longitude, latitude))
        if at is None or abs(longitude - previous_longitude) > 180:
            parts.append(f"M{x} {y}")
        elif (x, y) != at:
            parts.append(f"l{x - at[0]} {y - at[1]}")
        at, previous_longitude = (x, y), longitude
    return "".join(parts) + "z" if len(parts) > 2 else ""


@cache
def outlines() -> dict[str, str]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def level(count: int) -> int:
    """The class of a count: 0 for none, then 1 to 5."""
    return sum(count > bound for bound in BOUNDS)


@cache
def _blank_shape(code: str) -> str:
    """A country without readouts: the same on every map, made once per process."""
    return f'<path class="m0" d="{escape(outlines()[code])}"></path>'


def choropleth(counts: dict[str, int], names: dict[str, str]) -> SafeString:
    """The map: every country's outline, shaded by its readouts (`counts`, by ISO code);
    those with readouts link to their page, titled with their count. (Built with
    html.escape and record_path, not format_html and reverse: 180 shapes a map.)"""
    shapes = []
    for code, path in outlines().items():
        count = counts.get(code, 0)
        if not count:
            shapes.append(_blank_shape(code))
            continue
        name = names.get(code) or pycountry.countries.get(alpha_2=code).name
        url = record_path("engagements:country-list", code.lower())
        plural = "" if count == 1 else "s"
        shapes.append(
            f'<a href="{escape(url)}"><path class="m{level(count)}" d="{escape(path)}">'
            f"<title>{escape(name)}: {count:,} readout{plural}</title></path></a>"
        )
    return format_html(
        '<svg class="world-map" viewBox="0 0 {} {}" role="group" aria-labelledby="map-title">'
        '<title id="map-title">Published readouts per country</title>{}</svg>',
        WIDTH,
        HEIGHT,
        mark_safe("".join(shapes)),  # noqa: S308 (every value in each shape escaped)
    )


def legend() -> SafeString:
    labels = ["none", "1", "2–5", "6–20", "21–100", "more than 100"]
    return format_html_join(
        "",
        '<li><span class="swatch m{}" aria-hidden="true"></span>{}</li>',
        enumerate(labels),
    )


def archive_map() -> dict:
    """The map of the whole archive and its rows ({"svg", "legend", "rows"}), computed
    once per version of the archive from the counts kept on write."""
    from engagements.models import Country
    from engagements.public import pagecache, stats

    def compute() -> dict:
        countries = stats.kept_records(Country)
        counts = {c.code: c.meeting_count for c in countries}
        names = {c.code: c.name for c in countries}
        return {
            "svg": choropleth(counts, names),
            "legend": legend(),
            "rows": [
                (c.name, c.meeting_count, record_path("engagements:country-list", c.code.lower()))
                for c in countries
            ],
            "unmapped": sorted(c.name for c in countries if c.code not in outlines()),
        }

    return pagecache.memo("world-map", (), compute)
