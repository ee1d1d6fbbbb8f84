"""Synthetic sample readouts for the demo archive, in the interchange format.

Every record is marked `"synthetic": true` and cites a source that says it is
synthetic; the site labels such readouts on every page that shows them. Names of
people are invented; countries, kinds and topics are real vocabulary so that the
browse pages have something to show. Deterministic for a given seed.
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
_OFFICES = [
    "Minister of Foreign Affairs of {c}", "Ambassador of {c} to {h}", "Minister of Commerce of {c}",
    "Vice Minister of Foreign Affairs of {c}", "Minister of Planning of {c}",
    "Speaker of the National Assembly of {c}", "Secretary-General of the ruling party of {c}",
]  # fmt: skip
_SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "ta", "vo", "zen", "ha", "ri", "no", "shi", "da", "el"]


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def sample_records(count: int, *, seed: int = 2025) -> Iterator[dict]:
    """`count` synthetic readouts, oldest first, between 2015 and 2025."""
    rng = random.Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
    people = {code: [_name(rng) for _ in range(12)] for code, _, _ in _COUNTRIES}
    start, span = dt.date(2015, 1, 1), (dt.date(2025, 12, 31) - dt.date(2015, 1, 1)).days
    days = sorted(rng.randrange(span) for _ in range(count))
    for n, offset in enumerate(days, 1):
        date = start + dt.timedelta(days=offset)
        (a_code, a_name, _), (b_code, b_name, b_city) = _two_countries(rng)
        kind, verb = rng.choice(_KINDS)
        envoy, counterpart = rng.choice(people[a_code]), rng.choice(people[b_code])
        envoy_title = rng.choice(_OFFICES).format(c=a_name, h=b_name)
        counterpart_title = rng.choice(_OFFICES).format(c=b_name, h=a_name)
        topics = rng.sample(_TOPICS, rng.randint(2, 5))
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
