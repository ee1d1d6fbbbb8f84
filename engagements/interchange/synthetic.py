"""Synthetic sample readouts for the demo archive, in the interchange format.

Every record is marked `"synthetic": true` and cites a source that says it is
synthetic; the site labels such readouts on every page that shows them. Names of
people are invented; countries, kinds and topics are real vocabulary so that the
browse pages have something to show, and the archive looks like the world: each
official holds one to three offices over the years, in their own country (an
ambassador posted to one country), and topics fit the countries that discuss them
(CPEC between Pakistan and China, the SCO among its members). Deterministic for a
given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

SAMPLE_PUBLISHER = "Engagement Archive synthetic sample data (not a real readout)"

_COUNTRIES = [
    ("PK", "Pakistan", "Islamabad"),
    ("CN", "China", "Beijing"),
    ("US", "United States", "Washington"),
    ("RU", "Russia", "Moscow"),
    ("IN", "India", "New Delhi"),
    ("GB", "United Kingdom", "London"),
    ("FR", "France", "Paris"),
    ("DE", "Germany", "Berlin"),
    ("JP", "Japan", "Tokyo"),
    ("TR", "Türkiye", "Ankara"),
    ("SA", "Saudi Arabia", "Riyadh"),
    ("IR", "Iran", "Tehran"),
    ("AF", "Afghanistan", "Kabul"),
    ("UZ", "Uzbekistan", "Tashkent"),
    ("KZ", "Kazakhstan", "Astana"),
    ("BD", "Bangladesh", "Dhaka"),
    ("LK", "Sri Lanka", "Colombo"),
    ("NP", "Nepal", "Kathmandu"),
    ("ID", "Indonesia", "Jakarta"),
    ("MY", "Malaysia", "Kuala Lumpur"),
    ("EG", "Egypt", "Cairo"),
    ("QA", "Qatar", "Doha"),
    ("AE", "United Arab Emirates", "Abu Dhabi"),
    ("BR", "Brazil", "Brasília"),
]
# The seed readout's pair is the busiest, as it would be in a real archive of this desk.
_WEIGHTS = [30, 30, 8, 6, 6, 4, 4, 4, 4, 5, 5, 4, 4, 3, 3, 3, 3, 2, 3, 3, 3, 3, 3, 2]
_TOPICS = [
    "CPEC 2.0", "5E framework", "Uraan Pakistan", "15th Five-Year Plan", "youth exchanges",
    "think-tank cooperation", "party-to-party exchanges", "people-to-people connectivity",
    "industrial cooperation", "agriculture", "digital technology", "green development",
    "anniversary of diplomatic relations", "Belt and Road Initiative", "trade", "investment",
    "energy", "climate change", "counter-terrorism", "regional security", "education",
    "health", "culture", "tourism", "Gwadar port", "railways", "space cooperation",
    "Shanghai Cooperation Organisation", "BRICS", "United Nations reform", "water resources",
    "food security", "maritime cooperation", "visa facilitation",
]  # fmt: skip
_KINDS = [
    ("courtesy call", "paid a courtesy call on"), ("bilateral meeting", "held talks with"),
    ("official visit", "was received by"), ("telephone call", "spoke by telephone with"),
    ("video conference", "held a video conference with"),
    ("delegation visit", "led a delegation to meet"), ("consultations", "held consultations with"),
]  # fmt: skip
# Offices an official holds in their own country, by track; {h} is the host country of
# an ambassador (fixed for a posting).
_TRACKS = {
    "diplomat": ["Ambassador of {c} to {h}", "Vice Minister of Foreign Affairs of {c}",
                 "Minister of Foreign Affairs of {c}"],
    "economy": ["Minister of Commerce of {c}", "Minister of Planning of {c}",
                "Minister of Finance of {c}"],
    "politics": ["Member of the National Assembly of {c}",
                 "Speaker of the National Assembly of {c}",
                 "Secretary-General of the ruling party of {c}"],
}  # fmt: skip
# Topics any pair may discuss, and those that belong to some countries only.
_GENERAL_TOPICS = [
    "trade", "investment", "energy", "climate change", "education", "health", "culture",
    "tourism", "agriculture", "digital technology", "green development", "youth exchanges",
    "think-tank cooperation", "people-to-people connectivity", "industrial cooperation",
    "counter-terrorism", "regional security", "United Nations reform", "water resources",
    "food security", "maritime cooperation", "visa facilitation", "space cooperation",
    "anniversary of diplomatic relations",
]  # fmt: skip
_COUNTRY_TOPICS = {
    frozenset({"PK", "CN"}): ["CPEC 2.0", "Gwadar port", "5E framework", "railways"],
    frozenset({"PK"}): ["Uraan Pakistan"],
    frozenset({"CN"}): ["Belt and Road Initiative", "15th Five-Year Plan",
                        "party-to-party exchanges"],
}  # fmt: skip
_SCO = {"CN", "RU", "IN", "PK", "KZ", "UZ", "IR"}
_BRICS = {"CN", "RU", "IN", "BR", "EG", "IR", "AE", "SA"}
_SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "ta", "vo", "zen", "ha", "ri", "no", "shi", "da", "el"]
FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def _career(rng: random.Random, country: str, name: str) -> list[tuple[dt.date, str]]:
    """One to three offices over 2015–2025, in the official's own country, each from the
    day it starts (the first from the beginning); an ambassador is posted to one host."""
    track = _TRACKS[rng.choice(list(_TRACKS))]
    host = rng.choice([c for c, _, _ in _COUNTRIES if c != country])
    host_name = next(n for c, n, _ in _COUNTRIES if c == host)
    country_name = next(n for c, n, _ in _COUNTRIES if c == country)
    count = rng.randint(1, 3)
    span = (LAST_DAY - FIRST_DAY).days
    starts = sorted(rng.sample(range(1, span), count - 1))
    return [
        (FIRST_DAY + dt.timedelta(days=start), track[index].format(c=country_name, h=host_name))
        for index, start in enumerate([0, *starts])
    ]


def _office_on(career: list[tuple[dt.date, str]], date: dt.date) -> str:
    return [office for start, office in career if start <= date][-1]


def _topics_for(rng: random.Random, a: str, b: str) -> list[str]:
    """Two to five topics that fit the two countries."""
    pool = list(_GENERAL_TOPICS)
    for countries, topics in _COUNTRY_TOPICS.items():
        if countries <= {a, b}:
            pool += topics * 3  # what belongs to the pair comes up often
    if {a, b} <= _SCO:
        pool.append("Shanghai Cooperation Organisation")
    if {a, b} <= _BRICS:
        pool.append("BRICS")
    chosen: list[str] = []
    while len(chosen) < rng.randint(2, 5):
        topic = rng.choice(pool)
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def sample_records(count: int, *, seed: int = 2025) -> Iterator[dict]:
    """`count` synthetic readouts, oldest first, between 2015 and 2025."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    people = {code: [_name(rng) for _ in range(12)] for code, _, _ in _COUNTRIES}
    careers = {
        (code, name): _career(rng, code, name) for code, names in people.items() for name in names
    }
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(rng.randrange(span) for _ in range(count))
    for n, offset in enumerate(days, 1):
        date = FIRST_DAY + dt.timedelta(days=offset)
        (a_code, _, _), (b_code, _, b_city) = _two_countries(rng)
        kind, verb = rng.choice(_KINDS)
        envoy, counterpart = rng.choice(people[a_code]), rng.choice(people[b_code])
        envoy_title = _office_on(careers[a_code, envoy], date)
        counterpart_title = _office_on(careers[b_code, counterpart], date)
        topics = _topics_for(rng, a_code, b_code)
        paragraphs = [
            f"{envoy_title} {envoy} {verb} {counterpart_title} {counterpart}.",
            f"The two sides discussed {', '.join(topics[:-1])} and {topics[-1]}, and agreed "
            f"to stay in close contact.",
            "This readout is synthetic sample data generated for the demo archive. "
            "It describes no real meeting.",
        ]
        yield {
            "id": f"sample-{n:06d}",
            "date": date.isoformat(),
            "title": f"{envoy} meets {counterpart}: {topics[0]}",
            "kind": kind,
            "location": {
                "city": "" if kind in {"telephone call", "video conference"} else b_city,
                "country": None if kind in {"telephone call", "video conference"} else b_code,
            },
            "participants": [
                {"name": envoy, "title": envoy_title, "country": a_code, "role": "envoy"},
                {
                    "name": counterpart,
                    "title": counterpart_title,
                    "country": b_code,
                    "role": "counterpart",
                },
            ],
            "themes": topics,
            "summary": paragraphs[0],
            "body": "\n\n".join(paragraphs),
            "sources": [{"url": "", "publisher": SAMPLE_PUBLISHER, "published": date.isoformat()}],
            "synthetic": True,
        }


def _two_countries(rng: random.Random) -> tuple[tuple, tuple]:
    first = rng.choices(_COUNTRIES, weights=_WEIGHTS)[0]
    while (second := rng.choices(_COUNTRIES, weights=_WEIGHTS)[0]) == first:
        pass
    return first, second
