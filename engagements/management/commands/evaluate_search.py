"""manage.py evaluate_search [QUERIES] — score search relevance on judged queries."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from engagements import search
from engagements.models import Meeting
from engagements.search import spelling

CUTOFF = 10


def ndcg(ranked: list[str], judgements: dict[str, int], cutoff: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain of `ranked` ids at `cutoff` (gain 2^g - 1)."""
    gains = [2 ** judgements.get(rid, 0) - 1 for rid in ranked[:cutoff]]
    dcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))
    ideal = sorted((2**grade - 1 for grade in judgements.values()), reverse=True)[:cutoff]
    best = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / best if best else 0.0


def read_queries(path: Path) -> list[dict]:
    try:
        queries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{path}: cannot be read as JSON ({error})") from None
    if not isinstance(queries, list) or not all(
        isinstance(q, dict)
        and isinstance(q.get("query"), str)
        and isinstance(q.get("judgements"), dict)
        for q in queries
    ):
        raise CommandError(f"{path}: expected a list of {{query, judgements}} objects")
    return queries


def evaluate(queries: list[dict]) -> list[dict]:
    """Each query's ranking (the search page's "most relevant first") and its scores."""
    ids = dict(Meeting.objects.values_list("pk", "external_id"))
    words = spelling.read_vocabulary()
    results = []
    for entry in queries:
        # As the list page: a query that finds nothing is corrected from the vocabulary.
        found, _ = search.find_or_correct(
            Meeting.objects.published(), entry["query"], lambda: words
        )
        ranked = [ids[pk] for pk in found.ordered("relevance")[:CUTOFF]]
        judgements = {key: int(value) for key, value in entry["judgements"].items()}
        top = max(judgements.values(), default=0)
        results.append(
            {
                "query": entry["query"],
                "kind": entry.get("kind", ""),
                "ndcg": ndcg(ranked, judgements),
                "best_first": bool(ranked) and judgements.get(ranked[0], 0) == top > 0,
                "ranked": ranked,
                "matches": len(found),
            }
        )
    return results


def top_tens(results: list[dict]) -> dict[str, list[str]]:
    """{query: the ids of its first ten readouts}, as compared across engines."""
    return {r["query"]: r["ranked"][:CUTOFF] for r in results}


def matches(results: list[dict]) -> dict[str, int]:
    """{query: how many readouts it found}, which both engines should agree on."""
    return {r["query"]: r["matches"] for r in results}


def agreement(ours: dict[str, list[str]], theirs: dict[str, list[str]]) -> tuple[float, float]:
    """How alike two engines' answers are over the queries both ran: the mean overlap of
    their top tens (shared readouts / readouts in either), and the share of queries whose
    first readout is the same."""
    shared = [q for q in ours if q in theirs]
    if not shared:
        return 0.0, 0.0
    overlap = [
        len(set(ours[q]) & set(theirs[q])) / max(1, len(set(ours[q]) | set(theirs[q])))
        for q in shared
    ]
    same_first = [ours[q][:1] == theirs[q][:1] for q in shared]
    return sum(overlap) / len(shared), sum(same_first) / len(shared)


class Command(BaseCommand):
    help = (
        "Run every judged query of a file (eval/search/queries.json by default) through the "
        "search the list pages use, most relevant first, and print nDCG@10 and the share "
        "of queries whose best readout comes first, overall and by kind of query."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "queries",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "eval" / "search" / "queries.json"),
        )
        parser.add_argument("--worst", type=int, default=10, help="list the worst N queries")
        parser.add_argument("--out", help="write each query's ranking and scores as JSON")
        parser.add_argument(
            "--rankings-dir",
            help="write each query's top ten and how many readouts it found to "
            "DIR/rankings-<engine>.json and DIR/matches-<engine>.json, which the suite compares "
            "with the other engine's (tests/search/test_relevance.py)",
        )

    def handle(self, *args, queries: str, worst: int, out: str | None, **options) -> None:
        judged = read_queries(Path(queries))
        if not judged:
            raise CommandError(f"{queries} holds no query")
        results = evaluate(judged)
        if out:
            Path(out).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
        if options.get("rankings_dir"):
            folder = Path(options["rankings_dir"])
            for name, content in [("rankings", top_tens(results)), ("matches", matches(results))]:
                (folder / f"{name}-{connection.vendor}.json").write_text(
                    json.dumps(content, ensure_ascii=False, indent=1) + "\n"
                )
        by_kind: dict[str, list[dict]] = defaultdict(list)
        for result in results:
            by_kind[result["kind"]].append(result)
        engine = connection.vendor
        mean = sum(r["ndcg"] for r in results) / len(results)
        first = sum(r["best_first"] for r in results) / len(results)
        lines = [
            f"{len(results)} judged queries on {engine} "
            f"({Meeting.objects.published().count():,} published readouts)",
            f"nDCG@{CUTOFF} {mean:.3f}   best readout first {100 * first:.1f}%",
            "",
        ]
        for kind, group in sorted(by_kind.items()):
            kind_ndcg = sum(r["ndcg"] for r in group) / len(group)
            kind_first = sum(r["best_first"] for r in group) / len(group)
            lines.append(
                f"  {kind or '—':<14} {len(group):>3} queries  nDCG {kind_ndcg:.3f}  "
                f"first {100 * kind_first:5.1f}%"
            )
        ranked = sorted(results, key=lambda r: r["ndcg"])[:worst]
        if ranked:
            lines += ["", f"Worst {len(ranked)}:"]
            for r in ranked:
                lines.append(
                    f"  {r['ndcg']:.2f} {r['query']!r} ({r['matches']} matches): "
                    + ", ".join(r["ranked"][:3])
                )
        self.stdout.write("\n".join(lines))
