"""Distinctive phrases: what a set of turns says that the rest of the archive does not.

NLTK's bigram and trigram collocation finders score how strongly words stick together in
the selected turns (likelihood ratio); that score is weighted by the share of the phrase's
uses, across the whole index, that fall in the selection. Phrases never cross punctuation,
and never begin or end with a stopword (NLTK's stopword list needs a download, so the
list is our own).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_STOPWORDS = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either even ever every few for from further had has have having he her here hers herself
    him himself his how however i if in into is it its itself just let like may me might more
    most much must my myself neither no nor not now of off on once one only or other ought
    our ours ourselves out over own per quite rather same shall she should since so some still
    such than that the their theirs them themselves then there these they this those though
    through thus to too under until up upon us very via was we were what when where whether
    which while who whom whose why will with within without would yes yet you your yours
    yourself yourselves said says say told tell asked ask also well already indeed certain
    certainly course really simply cde comrade comrades mr dr page ed unclear sic
"""
STOPWORDS = frozenset(_STOPWORDS.split())
#: selections smaller than this (in words) keep phrases seen once
SMALL_SELECTION = 5000
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”«»…—–]|\s-\s")


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase, how often the selected turns and the whole index use it, and its score."""

    text: str
    count: int
    corpus_count: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "phrase": self.text,
            "count": self.count,
            "corpus_count": self.corpus_count,
            "score": round(self.score, 3),
        }


def segments(text: str) -> Iterator[list[str]]:
    """Runs of folded words between punctuation marks: phrases never span them."""
    from .analysis import words

    for part in _BREAK.split(text):
        ws = [w for w, _, _ in words(part)]
        if ws:
            yield ws


def _reporting_frame() -> frozenset[str]:
    """Past-tense speech verbs: "Gorbachev continued" is the note-taker's frame, not a phrase
    anyone used."""
    from .readers.reported import SPEECH_VERBS

    return frozenset(v for v in SPEECH_VERBS if " " not in v and v.endswith(("ed", "id", "ld")))


FRAME = _reporting_frame() | {"went"}


def _useless(*ws: str) -> bool:
    edges = (ws[0], ws[-1])
    return (
        any(w in STOPWORDS or len(w) == 1 for w in edges)
        or all(w.isdigit() for w in ws)
        or any(w in FRAME for w in ws)
    )


def _ngram_counts(texts: Iterable[str], wanted: set[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for ws in segments(text):
            for n in (2, 3):
                for i in range(len(ws) - n + 1):
                    gram = tuple(ws[i : i + n])
                    if gram in wanted:
                        counts[gram] += 1
    return counts


def distinctive(
    selected: list[str], corpus: list[str], *, limit: int = 20, min_count: int | None = None
) -> list[Phrase]:
    """The `limit` most distinctive phrases of `selected` texts against `corpus` texts
    (which include them)."""
    from .analysis import import_nltk

    import_nltk()
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    docs = [ws for text in selected for ws in segments(text)]
    if min_count is None:
        min_count = 1 if sum(map(len, docs)) < SMALL_SELECTION else 2
    scored: dict[tuple[str, ...], tuple[float, int]] = {}
    for finder, measure in (
        (BigramCollocationFinder.from_documents(docs), BigramAssocMeasures.likelihood_ratio),
        (TrigramCollocationFinder.from_documents(docs), TrigramAssocMeasures.likelihood_ratio),
    ):
        finder.apply_freq_filter(min_count)
        finder.apply_ngram_filter(_useless)
        for gram, score in finder.score_ngrams(measure):
            scored[gram] = (score, finder.ngram_fd[gram])
    if not scored:
        return []
    in_corpus = _ngram_counts(corpus, set(scored)) if corpus is not selected else None
    phrases = []
    for gram, (score, count) in scored.items():
        total = max(in_corpus[gram], count) if in_corpus is not None else count
        phrases.append(Phrase(" ".join(gram), count, total, score * count / total))
    # phrases seen once only fill up a small selection's list, after every repeated one
    phrases.sort(key=lambda p: (p.count < 2, -p.score, -p.count, p.text))
    # overlapping phrases seen equally often are one phrase ("regular international trade",
    # "international trade exchange"): the best scored stands for them
    kept: list[Phrase] = []
    seen: dict[tuple[str, str], int] = {}
    for p in phrases:
        pairs = _pairs(p.text)
        if any(seen.get(pair) == p.count for pair in pairs):
            continue
        kept.append(p)
        seen.update((pair, p.count) for pair in pairs)
        if len(kept) >= limit:
            break
    return kept


def _pairs(phrase: str) -> list[tuple[str, str]]:
    ws = phrase.split()
    return list(itertools.pairwise(ws))
