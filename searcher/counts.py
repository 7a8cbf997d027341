"""Counts of matching turns: by speaker, year, topic, place or record, and over time.

"Who talked about Korea, and when?" A raw count favours whoever talked most, so speaker counts
also give a rate per 10,000 words that speaker spoke in the whole index.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

CountBy = Literal["speaker", "year", "topic", "place", "document"]
COUNT_BY: tuple[CountBy, ...] = ("speaker", "year", "topic", "place", "document")
PeriodBy = Literal["year", "month"]
UNKNOWN = "(unknown)"
NO_SPEAKER = "(no speaker)"


@dataclass(frozen=True, slots=True)
class Count:
    """How many matching turns (and records) one speaker, year, topic, place or record has."""

    key: str
    label: str
    turns: int
    records: int
    #: words the speaker spoke in the whole index (speaker counts only)
    words: int | None = None

    @property
    def per_10k(self) -> float | None:
        """Matching turns per 10,000 words the speaker spoke (speaker counts only)."""
        if not self.words:
            return None
        return self.turns * 10_000 / self.words

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "label": self.label,
            "turns": self.turns,
            "records": self.records,
        }
        if self.words is not None:
            out["words"] = self.words
            out["per_10k_words"] = round(self.per_10k or 0.0, 3)
        return out


@dataclass(frozen=True, slots=True)
class Period:
    period: str
    turns: int
    records: int


@dataclass(frozen=True, slots=True)
class Timeline:
    """Matching turns per year or month, gaps included, oldest first."""

    by: PeriodBy
    periods: tuple[Period, ...]
    #: matching turns whose record has no date (or, by month, only a year)
    undated: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "periods": [
                {"period": p.period, "turns": p.turns, "records": p.records} for p in self.periods
            ],
            "undated": self.undated,
        }


def tally(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, int, int]]:
    """(key, label, doc_id) rows → (key, label, turns, records), most turns first."""
    turns: Counter[str] = Counter()
    records: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for key, label, doc_id in rows:
        turns[key] += 1
        records.setdefault(key, set()).add(doc_id)
        labels.setdefault(key, label)
    return sorted(
        ((k, labels[k], n, len(records[k])) for k, n in turns.items()),
        key=lambda r: (-r[2], r[1].casefold()),
    )


def timeline(
    rows: Iterable[tuple[str, dt.date | None, str]],
    by: PeriodBy = "year",
) -> Timeline:
    """(doc_id, date or None, precision) per matching turn → turns per period, gaps filled.

    A record dated only to a year has no month: by month it counts as undated rather than
    being put in January.
    """
    turns: Counter[tuple[int, int]] = Counter()
    records: dict[tuple[int, int], set[str]] = {}
    undated = 0
    for doc_id, date, precision in rows:
        if date is None or (by == "month" and precision not in ("day", "month")):
            undated += 1
            continue
        key = (date.year, date.month if by == "month" else 0)
        turns[key] += 1
        records.setdefault(key, set()).add(doc_id)
    if not turns:
        return Timeline(by, (), undated)
    first, last = min(turns), max(turns)
    periods = []
    year, month = first
    while (year, month) <= last:
        label = f"{year:04d}-{month:02d}" if by == "month" else f"{year:04d}"
        key = (year, month)
        periods.append(Period(label, turns.get(key, 0), len(records.get(key, ()))))
        if by == "month":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        else:
            year += 1
    return Timeline(by, tuple(periods), undated)
