"""The relevance set: queries with the turns that must be found, and how they are scored.

recall@10: the share of the expected turns found among the first 10 hits (averaged over the
queries); MRR: the mean of 1/rank of the first expected turn found (0 when none is).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUERIES = Path(__file__).with_name("queries.toml")
OPTIONS = ("speaker", "date_from", "date_to", "topic", "place")
K = 10


@dataclass(frozen=True)
class Judged:
    q: str
    why: str
    expect: tuple[tuple[str, str], ...]
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def docs(self) -> set[str]:
        return {doc for doc, _ in self.expect}


def load() -> list[Judged]:
    data = tomllib.loads(QUERIES.read_text(encoding="utf-8"))
    return [
        Judged(
            q=entry["q"],
            why=entry.get("why", ""),
            expect=tuple((doc, frag) for doc, frag in entry["expect"]),
            options={k: entry[k] for k in OPTIONS if k in entry},
        )
        for entry in data["query"]
    ]


@dataclass(frozen=True)
class Score:
    recall: float
    reciprocal_rank: float
    missing: tuple[tuple[str, str], ...]


def score(judged: Judged, hits: list[tuple[str, str]]) -> Score:
    """`hits`: (doc_id, text) of the first K hits, best first."""
    ranks = []
    missing = []
    for doc, fragment in judged.expect:
        rank = next(
            (i for i, (d, text) in enumerate(hits[:K], 1) if d == doc and fragment in text), None
        )
        if rank is None:
            missing.append((doc, fragment))
        else:
            ranks.append(rank)
    recall = len(ranks) / len(judged.expect)
    return Score(recall, 1 / min(ranks) if ranks else 0.0, tuple(missing))
