"""Exact BM25 top hits and totals for words, phrases and their AND, from the posting blocks.

Whoosh ranks a very common word by walking a matcher tree in Python once per matching turn,
then walks it again to count; block-quality skipping never pays for such words (measured:
every block of "the" could hold a top hit). Here a word's posting list is read from each
segment in one piece and its blocks parsed in memory into arrays of document numbers and
frequencies (one byte each while they fit), kept per searcher (LRU, by size). A score
depends only on the posting's (frequency, length byte) class: the floats Whoosh's scorer
computes, per class, summed in the order its matcher tree sums them, so hits, scores and
order are identical. An unfiltered word finds its classes once; a query then looks only at
the postings of its best classes, found by `bytes.find`; phrases and ANDs rank the same way,
by classes of (length byte, each word's frequency byte). A phrase's candidates are the AND
of its words; in a turn holding each word once (most turns, for two rarer words) the check
compares rows of one-byte positions as integers; elsewhere positions are decoded rarest word
first, only for the candidates still standing, as integers (turn, start) whose set
intersection is the phrase check. Every candidate is checked, so totals are exact; the
turns of the last phrases checked without a filter, and the best hits of the last
unfiltered queries, are remembered. Other shapes (other fields, OR, NOT, wildcards, slop)
return None and Whoosh runs them.

The first unfiltered query on a very common word, for at most `TOP_K` hits, reads only
the word's top list in each segment that has one (postings.py: the postings fewer than
`TOP_K` others of the segment beat), and its total from the segments' document frequencies;
asked for more hits or with a filter it reads all its postings (~640k for "the" on L; only
the start of each block, its document numbers and frequencies, is inflated).

A phrase with many candidates (its rarest word in `PAIR_CANDIDATES` turns or more) is read
from word pairs where a segment holds them (postings.py): a two-word phrase's turns are its
pair's postings; a longer one's are the turns holding all its pairs, each inner word once
(they can only stand one after the other), or, for three words, the pairs more often than
the middle word; the rest are checked by the pairs' positions. Segments without pairs check
their candidates by positions as above. A phrase alone, unfiltered, reads its words' postings
only in the segments without its pairs (none on a fresh build; an update's small segment):
elsewhere a pair's weight holds its words' frequencies in each turn.
"""

from __future__ import annotations

import heapq
import io
import math
import pickle
import struct
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import accumulate, chain, compress, pairwise
from operator import add, gt, itemgetter, not_
from typing import Any

#: decoded postings kept per searcher, counted in postings (~10 bytes each)
CACHE_POSTINGS = 4_000_000
#: phrases whose matching turns are kept per searcher
CACHE_PHRASES = 64
#: unfiltered queries whose total and best hits are kept per searcher
CACHE_RESULTS = 256
#: a phrase whose rarest word has fewer postings (or under a filter of fewer turns) is
#: checked by positions, not read from word pairs (postings.py)
PAIR_CANDIDATES = 2_000

_INT = struct.Struct("!i")  # a posting block's length, as Whoosh writes it
#: a turn's step between phrase keys (see `_phrase_docs`): above any 2**31 + position, and
#: not a power of two, as a set places an integer by its low bits: with turn << 32, every
#: turn's keys would crowd the same few places (~4x slower to build and probe)
_SPREAD = (1 << 32) + 0x9E3779B1


class _Postings:
    """One word's postings over every segment (deleted turns included), in docnum order.
    (A plain class: a dataclass costs every search ~0.7 ms to create at import.)"""

    __slots__ = ("blocks", "classes", "df", "freqs", "ids", "pairs", "starts", "words")

    def __init__(
        self,
        ids: array[int],
        freqs: bytearray | array[float],
        starts: list[int],
        blocks: list[Callable[[], Sequence[bytes]]],
    ) -> None:
        self.ids = ids
        #: each posting's frequency: one byte each while every one is a whole number below
        #: 256 (with its turn's length byte, the key of its BM25 score), else floats
        self.freqs = freqs
        #: where each block starts among the postings, and a function reading its values again
        self.starts = starts
        self.blocks = blocks
        #: (length byte of its turn, frequency byte xor 0x80) of each posting, once needed
        self.pairs: bytes | None = None
        #: (score, length byte, frequency byte) of each class present, best first
        self.classes: list[tuple[float, int, int]] | None = None
        #: turns holding the word, deleted ones included (as Whoosh counts for its idf)
        self.df = 0
        #: a word pair's postings: its first and second word's frequency bytes in each turn
        #: (None: not known for every posting, see postings.pair_weight)
        self.words: tuple[bytes, bytes] | None = None


_NONE = _Postings(array("i"), array("f"), [], [])


class _BM25:
    """The `_score` of Whoosh's `BM25FScorer`, given its statistics."""

    __slots__ = ("B", "K1", "avgfl", "bm25", "idf")

    def __init__(self, idf: float, avgfl: float, B: float, K1: float) -> None:
        from whoosh.scoring import bm25

        self.idf, self.avgfl, self.B, self.K1, self.bm25 = idf, avgfl, B, K1, bm25

    def _score(self, weight: float, length: float) -> float:
        return float(self.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1))


class Unsupported(Exception):
    """The index is not in the block format read here: let Whoosh run the query."""


class TextRanker:
    """Ranks `text` queries of one open Whoosh searcher; reused across queries."""

    def __init__(self, searcher: Any, lengths: bytes | None, field: str = "text") -> None:
        self.searcher = searcher
        self.field = field
        #: the length byte of every turn's `field`, by document number (None: unusable)
        self.lengths = lengths
        self.leaves = list(searcher.reader().leaf_readers())
        self._deleted: set[int] | None = None
        self._cache: OrderedDict[str, _Postings] = OrderedDict()
        self._cached = 0
        self._tables: dict[str, dict[float, list[float]]] = {}
        self._scorers: dict[str, Any] = {}
        self._avgfl: float | None = None
        self._by_class: dict[str, dict[int, float]] = {}
        self._phrases: OrderedDict[tuple[str, ...], frozenset[int]] = OrderedDict()
        #: the ranker of the word pairs' field (None: not made yet), and the PAIR_MIN each
        #: segment's pairs were written with (None: the segment has no valid pairs)
        self._pair_ranker: TextRanker | None = None
        self._pair_mins: dict[int, int | None] = {}
        #: unfiltered queries: (total, best hits, how many were asked for)
        self._results: OrderedDict[
            tuple[tuple[str, ...], ...], tuple[int, list[tuple[int, float]], int]
        ] = OrderedDict()

    @property
    def deleted(self) -> set[int]:
        """Deleted turns (document numbers), read from each segment's deletion list."""
        if self._deleted is None:
            self._deleted = deleted_docs(self.leaves)
        return self._deleted

    def parts(self, q: Any) -> list[tuple[str, ...]] | None:
        """The query as word tuples (a word, or a phrase's words); None: not handled here."""
        from whoosh import query as wq

        def part(sub: Any) -> tuple[str, ...] | None:
            if type(sub) is wq.Term and sub.fieldname == self.field and sub.boost == 1.0:
                return (sub.text,)
            if (
                type(sub) is wq.Phrase
                and sub.fieldname == self.field
                and sub.slop == 1
                and sub.boost == 1.0
                and len(sub.words) > 1
            ):
                return tuple(sub.words)
            return None

        if type(q) is wq.And and q.boost == 1.0 and len(q.subqueries) == 2:
            # two parts: a + b is the same float in either order (Whoosh may reorder them)
            found = [part(s) for s in q.subqueries]
            return [p for p in found if p is not None] if None not in found else None
        single = part(q)
        return [single] if single is not None else None

    def run(
        self, parts: list[tuple[str, ...]], allowed: set[int] | None, k: int
    ) -> tuple[int, list[tuple[int, float]]]:
        """(exact number of matching turns, the best `k` as (docnum, score), best first)."""
        if self.lengths is None:
            raise Unsupported
        if allowed is not None:
            return self._run(parts, allowed, k)
        key = tuple(parts)
        known = self._results.get(key)
        if known is not None and (k <= known[2] or len(known[1]) == known[0]):
            self._results.move_to_end(key)
            return known[0], known[1][:k]
        total, best = self._run(parts, None, k)
        self._results[key] = (total, best, k)
        if len(self._results) > CACHE_RESULTS:
            self._results.popitem(last=False)
        return total, best

    def _run(
        self, parts: list[tuple[str, ...]], allowed: set[int] | None, k: int
    ) -> tuple[int, list[tuple[int, float]]]:
        if len(parts) == 1 and len(parts[0]) == 1:
            word = parts[0][0]
            if allowed is None and word not in self._cache and self._tops(k):
                short = self._read_tops(word)
                if short is not None:
                    return self._single_top(word, *short, k)
            found = self._postings(word)
            if not found.ids:
                return 0, []
            if allowed is None and isinstance(found.freqs, bytearray):
                return self._single_by_class(word, found, k)
            return self._single(word, found, allowed, k)
        alone = self._from_pairs(parts[0]) if allowed is None and len(parts) == 1 else None
        docs, postings, located = alone or self._match(parts, allowed)
        if not k or not docs:
            return len(docs), []
        ordered = sorted(docs)
        if len(postings) < 8 and all(type(postings[w].freqs) is bytearray for w in postings):
            return len(docs), self._best_by_class(parts, postings, located, ordered, k)
        scores = {w: self._scores(w, postings[w], ordered, located.get(w)) for w in postings}
        per_part = [_tree_sum([scores[w] for w in p]) for p in parts]
        total = per_part[0] if len(per_part) == 1 else list(map(add, *per_part))
        return len(docs), _best(list(zip(total, ordered, strict=True)), k)

    def _tops(self, k: int) -> bool:
        """Whether the best `k` of a word can come from its top lists (postings.py): BM25F
        with K1 > 0 and B > 0, under which a score falls as the length byte grows."""
        from whoosh.scoring import BM25F

        from . import postings

        weighting = self.searcher.weighting
        if k > postings.TOP_K or type(weighting) is not BM25F:
            return False
        if not self.searcher.schema[self.field].scorable:
            return False
        return weighting.K1 > 0 and weighting._field_B.get(self.field, weighting.B) > 0

    def _read_tops(self, word: str) -> tuple[_Postings, int] | None:
        """The postings of `word` that can rank, from each segment's top list when it has
        one (`_read_segment`), else all of them; and how many turns the top lists leave
        out. None: no segment has a top list of the word; its postings, all read, are then
        kept as `_postings` keeps them."""
        from .postings import TOP_SUFFIX

        p = _Postings(array("i"), bytearray(), [], [])
        top = self.field + TOP_SUFFIX
        shorts = [
            self._read_segment(seg, base, self.field, word, p, None, top)
            for seg, base in self.leaves  # in docnum order
        ]
        if any(n is not None for n in shorts):  # a top list has no positions: not kept
            return p, sum(filter(None, shorts))
        self._keep(word, p)
        return None

    def _single_top(
        self, word: str, p: _Postings, left_out: int, k: int
    ) -> tuple[int, list[tuple[int, float]]]:
        """`_single_by_class` (or `_single`) over the postings that can rank; the total
        counts the turns the top lists leave out. idf comes from the word's document
        frequency, as when all postings are read."""
        if word not in self._scorers:
            self._scorers[word] = self._bm25(word, p.df)
        if isinstance(p.freqs, bytearray):
            total, best = self._single_by_class(word, p, k)
        else:
            total, best = self._single(word, p, None, k)
        return total + left_out, best

    def matching(self, parts: list[tuple[str, ...]], allowed: set[int] | None) -> set[int]:
        """Every turn matching `parts` within `allowed` (None: no filter), for counts."""
        return self._match(parts, allowed)[0]

    def _match(
        self, parts: list[tuple[str, ...]], allowed: set[int] | None
    ) -> tuple[set[int], dict[str, _Postings], dict[str, tuple[list[int], list[int]]]]:
        """(matching turns, each word's postings, where the phrase check last found some
        turns among a word's postings: (turns, places), turns holding every match)."""
        words = list(dict.fromkeys(w for p in parts for w in p))
        # a phrase word read from disk now keeps its decompressed blocks for this query,
        # unless the phrase may be answered without positions (known, or from word pairs)
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]] = {}
        pairs = self._may_pair(allowed)
        in_phrases = {
            w for p in parts if len(p) > 1 and not (pairs or p in self._phrases) for w in p
        }
        postings = {w: self._postings(w, fresh if w in in_phrases else None) for w in words}
        located: dict[str, tuple[list[int], list[int]]] = {}
        if any(not postings[w].ids for w in words):
            return set(), postings, located
        # candidates: phrases already checked (or now from word pairs), then the other
        # words, smallest set first
        known = [
            self._phrase_set(p, postings, fresh, located, allowed) for p in parts if len(p) > 1
        ]
        sets: list[Any] = sorted((f for f in known if f is not None), key=len)
        covered = {
            w for f, p in zip(known, (p for p in parts if len(p) > 1), strict=True) if f for w in p
        }
        sets += sorted((postings[w].ids for w in words if w not in covered), key=len)
        docs = set(sets[0])
        for other in sets[1:]:
            docs.intersection_update(other)
        if allowed is not None:
            docs &= allowed
        docs -= self.deleted
        for p in parts:
            if len(p) > 1 and docs:
                alone = allowed is None and len(parts) == 1
                docs = self._phrase(p, docs, postings, fresh, located, alone)
        return docs, postings, located

    # -- scoring ------------------------------------------------------------------------

    def _scorer(self, word: str) -> Any:
        scorer = self._scorers.get(word)
        if scorer is None:
            scorer = self._scorers[word] = self._bm25(word) or self.searcher.weighting.scorer(
                self.searcher, self.field, word
            )
        return scorer

    def _bm25(self, word: str, df: int | None = None) -> _BM25 | None:
        """Whoosh's BM25F scorer for `word` from statistics at hand: Whoosh's own looks the
        word up three more times in every segment (~7 ms on L's 40 segments), for its
        document frequency and for bounds ranking here never uses."""
        from whoosh.scoring import BM25F

        weighting, p = self.searcher.weighting, self._cache.get(word)
        if df is None and p is not None:
            df = p.df
        if df is None or type(weighting) is not BM25F:
            return None
        if not self.searcher.schema[self.field].scorable:
            return None
        if self._avgfl is None:
            self._avgfl = self.searcher.avg_field_length(self.field) or 1
        idf = math.log(self.searcher.doc_count_all() / (df + 1)) + 1  # WeightingModel.idf
        return _BM25(
            idf, self._avgfl, weighting._field_B.get(self.field, weighting.B), weighting.K1
        )

    def _row(self, word: str, freq: float) -> list[float]:
        """BM25 of `word` at frequency `freq`, by length byte: Whoosh's scorer, memoized."""
        table = self._tables.setdefault(word, {})
        row = table.get(freq)
        if row is None:
            from whoosh.util.numeric import byte_to_length

            scorer, f = self._scorer(word), float(freq)
            row = table[freq] = [scorer._score(f, byte_to_length(b)) for b in range(256)]
        return row

    def _class_scores(self, word: str, classes: Iterable[int]) -> dict[int, float]:
        """BM25 of `word` by class key (frequency byte * 256 + length byte), computed by
        Whoosh's scorer for the classes asked for, memoized."""
        memo = self._by_class.setdefault(word, {})
        missing = set(classes).difference(memo)
        if missing:
            from whoosh.util.numeric import byte_to_length

            scorer = self._scorer(word)
            for c in missing:
                memo[c] = scorer._score(float(c >> 8), byte_to_length(c & 255))
        return memo

    def _best_by_class(
        self,
        parts: list[tuple[str, ...]],
        postings: dict[str, _Postings],
        located: dict[str, tuple[list[int], list[int]]],
        docs: list[int],
        k: int,
    ) -> list[tuple[int, float]]:
        """The best `k` of `docs` (sorted, all matching) when every word's frequencies are
        bytes: a turn's score depends only on its class, its length byte and each word's
        frequency byte (xor 0x80, as in `_pairs`), packed into one integer per turn in C
        (a row of bytes read as an array). Scores are summed per class, as `_run` sums
        columns (`_tree_sum`, then the parts); the turns of the best classes, down to the
        k-th best score, are found by `bytes.find`: no Python step per turn."""
        assert self.lengths is not None
        words = list(postings)
        width = 2 if len(words) == 1 else 4 if len(words) < 4 else 8
        row = bytearray(width * len(docs))
        row[0::width] = bytes(map(self.lengths.__getitem__, docs))
        chosen = set(docs)
        for i, w in enumerate(words, 1):
            p, near = postings[w], located.get(w)
            assert isinstance(p.freqs, bytearray)
            if near is not None and len(near[0]) != len(docs):  # `_places`, one set for all
                at = list(compress(near[1], map(chosen.__contains__, near[0])))
            else:
                at = _places(p, docs, near)
            row[i::width] = bytes(map(p.freqs.__getitem__, at)).translate(_FLIP)
        found = set(array({2: "H", 4: "I", 8: "Q"}[width], row))
        classes = [c.to_bytes(width, sys.byteorder) for c in found]
        columns = {}  # each word's score in each class, summed below as `_run` sums
        for i, w in enumerate(words, 1):
            keys = [(c[i] ^ 0x80) << 8 | c[0] for c in classes]
            columns[w] = list(map(self._class_scores(w, keys).__getitem__, keys))
        per_part = [_tree_sum([columns[w] for w in p]) for p in parts]
        totals = per_part[0] if len(per_part) == 1 else list(map(add, *per_part))
        ranked = sorted(zip(totals, classes, strict=True), reverse=True)
        need, floor, level = k, math.inf, 0
        top = []
        for score, pattern in ranked:
            if need <= 0 and score < floor:
                break
            if score < floor:  # of the turns scoring this, only the first `level` can rank
                level = need
            floor, room = score, level
            j = row.find(pattern)
            while j >= 0:
                if j % width:  # straddles two turns
                    j = row.find(pattern, j + 1)
                    continue
                need -= 1
                room -= 1
                top.append((score, docs[j // width]))
                j = row.find(pattern, j + width) if room > 0 else -1
        return _best(top, k)

    def _scores(
        self, word: str, p: _Postings, docs: list[int], near: tuple[list[int], list[int]] | None
    ) -> list[float]:
        """The score of `word` in each of `docs` (sorted; all hold the word), from one
        row of Whoosh's scores per frequency (by length byte): no table of the word's
        (length, frequency) pairs is built for a few of its postings. `near`: turns
        holding all of `docs` and their places among the postings, found already."""
        assert self.lengths is not None
        freqs = list(map(p.freqs.__getitem__, _places(p, docs, near)))
        rows = self._tables.setdefault(word, {})
        for f in set(freqs).difference(rows):
            self._row(word, f)
        return [rows[f][n] for f, n in zip(freqs, map(self.lengths.__getitem__, docs), strict=True)]

    def _single(
        self, word: str, p: _Postings, allowed: set[int] | None, k: int
    ) -> tuple[int, list[tuple[int, float]]]:
        ids: Any = p.ids
        freqs: Any = p.freqs
        # a few deleted turns are left in and skipped among the best; a filter picks first
        gone = [d for d in self.deleted if _holds(ids, d)] if allowed is None else []
        if allowed is not None:
            keep = allowed - self.deleted
            if len(keep) * 8 < len(ids):
                at = [bisect_left(ids, d) for d in sorted(keep)]
                found = [
                    j for j, d in zip(at, sorted(keep), strict=True) if j < len(ids) and ids[j] == d
                ]
                ids, freqs = [ids[j] for j in found], [freqs[j] for j in found]
            else:
                chosen = list(map(keep.__contains__, ids))
                ids, freqs = list(compress(ids, chosen)), list(compress(freqs, chosen))
        total = len(ids) - len(gone)
        if not k or not total:
            return total, []
        assert self.lengths is not None
        lengths = self.lengths
        rows = {f: self._row(word, f) for f in set(freqs)}
        scores = [rows[f][lengths[d]] for d, f in zip(ids, freqs, strict=True)]
        # the k-th best score, then the few turns at or above it, in Whoosh's order
        floor = heapq.nlargest(k + len(gone), scores)[-1]
        top = [
            (s, d) for s, d in zip(scores, ids, strict=True) if s >= floor and d not in self.deleted
        ]
        return total, _best(top, k)

    def _single_by_class(
        self, word: str, p: _Postings, k: int
    ) -> tuple[int, list[tuple[int, float]]]:
        """An unfiltered word whose frequencies are bytes: a score depends only on the
        posting's (length byte, frequency byte) class. The classes present are found once
        per word (a set of the pairs: ~3x cheaper than counting them); the postings of the
        best classes, down to the (k + deleted)-th best score, are found by `bytes.find`
        of their two bytes: no Python step per posting."""
        ids = p.ids
        deleted = self.deleted
        gone = sum(1 for d in deleted if _holds(ids, d))
        total = len(ids) - gone
        if not k or not total:
            return total, []
        pairs = self._pairs(p)
        if p.classes is None:
            present = set(array("H", pairs))
            if sys.byteorder != "little":
                present = {(c & 255) << 8 | c >> 8 for c in present}
            present = {c ^ 0x8000 for c in present}  # the frequency bytes as they are
            scores = self._class_scores(word, present)
            p.classes = sorted(((scores[c], c & 255, c >> 8) for c in present), reverse=True)
        need, floor, level = k + gone, math.inf, 0
        top = []
        for score, length, f in p.classes:
            if need <= 0 and score < floor:
                break
            if score < floor:  # of the turns scoring this, only the first `level` can rank
                level = need
            floor, room = score, level
            pattern = bytes((length, f ^ 0x80))
            j = pairs.find(pattern)
            while j >= 0:
                if j % 2:  # the frequency of one posting and the length of the next
                    j = pairs.find(pattern, j + 1)
                    continue
                need -= 1
                room -= 1
                d = ids[j // 2]
                if d not in deleted:
                    top.append((score, d))
                j = pairs.find(pattern, j + 2) if room > 0 else -1
        return total, _best(top, k)

    def _pairs(self, p: _Postings) -> bytes:
        """(length byte, frequency byte xor 0x80) of each posting (its frequencies are
        bytes). A class's two bytes are found across two postings (a frequency, then the
        next length) only where both are 0x80 or more: a length of ~1,700 words or more, a
        frequency below 128 (without the xor: ~100 times as often as at one posting, for
        "the" on L)."""
        if p.pairs is None:
            assert self.lengths is not None and isinstance(p.freqs, bytearray)
            out = bytearray(2 * len(p.ids))
            out[0::2] = bytes(map(self.lengths.__getitem__, p.ids))
            out[1::2] = p.freqs.translate(_FLIP)
            p.pairs = bytes(out)
        return p.pairs

    # -- postings -----------------------------------------------------------------------

    def _postings(
        self, word: str, values: dict[str, list[Callable[[], Sequence[bytes]]]] | None = None
    ) -> _Postings:
        """`word`'s postings (cached); when read from disk and `values` is given, a function
        giving each block's posting values from its decompressed data (kept for this query)
        goes into `values[word]`."""
        found = self._cache.get(word)
        if found is not None:
            self._cache.move_to_end(word)
            return found
        kept = values.setdefault(word, []) if values is not None else None
        return self._keep(word, self._read(self.field, word, kept))

    def _keep(self, word: str, p: _Postings) -> _Postings:
        """Cache all of `word`'s postings, `p`, dropping the least recently used."""
        if not p.ids:
            return _NONE
        self._cache[word] = p
        self._cached += len(p.ids)
        while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
            old, dropped = self._cache.popitem(last=False)
            self._cached -= len(dropped.ids)
            self._tables.pop(old, None)
            self._scorers.pop(old, None)
            self._by_class.pop(old, None)
        return p

    def term_docs(self, field: str, term: str) -> set[int]:
        """The live turns holding `term` in `field` (a keyword field, e.g. a topic key):
        the searcher's `docs_for_query` walks a matcher once per turn."""
        return set(self._read(field, term, None).ids) - self.deleted

    def _read(
        self,
        field: str,
        word: str,
        kept: list[Callable[[], Sequence[bytes]]] | None,
        bases: set[int] | None = None,
    ) -> _Postings:
        """`word`'s postings in `field` over every segment (or those whose first document
        numbers are `bases`), from disk."""
        p = _Postings(array("i"), bytearray(), [], [])
        for seg, base in self.leaves:
            if bases is None or base in bases:
                self._read_segment(seg, base, field, word, p, kept)
        return p

    def _read_segment(
        self,
        seg: Any,
        base: int,
        field: str,
        word: str,
        p: _Postings,
        kept: list[Callable[[], Sequence[bytes]]] | None,
        top: str | None = None,
    ) -> int | None:
        """Append `word`'s postings in `field` of one segment (`base`: its first docnum).
        With `top` (the field of top lists), only the word's top list there when the
        segment has a valid one: no deleted turns, and written for its postings of the word
        (see `segments._top_lists`). Returns how many postings that leaves out (None: all
        were read)."""
        from whoosh.reading import TermNotFound

        from . import postings as codec

        terms: Any = getattr(seg, "_terms", None)
        if type(getattr(terms, "_codec", None)) is not codec.CompactCodec:
            self._read_by_matcher(seg, base, field, word, p, kept)
            return None
        key = word.encode("utf-8")
        try:
            info = terms.term_info(field, key)
        except TermNotFound:
            return None
        df = info.doc_frequency()
        p.df += df
        if top is not None and df >= codec.TOP_MIN and not seg.has_deletions():
            try:
                short = terms.term_info(top, key)
            except TermNotFound:
                short = None
            if short is not None and short.weight() == -df and not short.is_inlined():
                _read_compact(terms._postfile, *_extent(short), base, p, kept)
                return df - short.doc_frequency()
        _read_compact(terms._postfile, *_extent(info), base, p, kept)
        return None

    def _read_by_matcher(
        self,
        seg: Any,
        base: int,
        field: str,
        word: str,
        p: _Postings,
        kept: list[Callable[[], Sequence[bytes]]] | None,
    ) -> None:
        """A segment of another codec (Whoosh's own, after a Whoosh merge): its blocks
        decoded by its own leaf matcher."""
        from whoosh.codec.whoosh3 import W3LeafMatcher

        if (field, word) not in seg:
            return
        p.df += seg.doc_frequency(field, word)
        m = seg.postings(field, word)
        while not isinstance(m, W3LeafMatcher) and hasattr(m, "child"):
            m = m.child  # the wrapper that hides deleted turns
        if not isinstance(m, W3LeafMatcher):
            raise Unsupported
        for offset, ids, weights in _blocks(m):
            p.starts.append(len(p.ids))
            p.blocks.append(partial(_matcher_values, m, offset))
            p.ids.extend([base + d for d in ids] if base else ids)
            p.freqs = _floats(p.freqs)
            p.freqs.extend(weights)
            if kept is not None:
                m._read_values()
                kept.append(partial(_given, m._values))

    def _values(
        self,
        p: _Postings,
        docs: list[int],
        values: list[Callable[[], Sequence[bytes]]] | None,
        at: list[int],
    ) -> list[bytes]:
        """The posting value (positions) of the word in each of `docs` (sorted; all hold
        the word; `at`: their places among its postings), from `values` (by block: this
        query's decompressed blocks) when given, else from the blocks holding `docs`:
        cut block by block."""
        blocks = values if values is not None else p.blocks
        out: list[bytes] = []
        for b, start, here in _by_block(p, at):
            found = blocks[b]()
            if isinstance(found, _Values):
                block, bounds = found.block, found.bounds
                out += [block[bounds[j - start] : bounds[j - start + 1]] for j in here]
            else:
                out += [found[j - start] for j in here]
        return out

    def _phrase(
        self,
        words: tuple[str, ...],
        docs: set[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        located: dict[str, tuple[list[int], list[int]]],
        alone: bool,
    ) -> set[int]:
        """The turns of `docs` holding the phrase. A phrase checked over all its candidates
        (`alone`: no filter, no other part) is remembered: paging through its hits, or
        asking again, costs no position check."""
        known = self._phrases.get(words)
        if known is not None:
            self._phrases.move_to_end(words)
            return docs & known
        found = self._phrase_docs(words, docs, postings, fresh, located)
        if alone:
            self._remember(words, frozenset(found))
        return found

    def _may_pair(self, allowed: set[int] | None) -> bool:
        """Whether word pairs may answer a phrase here: the index has them, and a filter
        leaves enough turns for positions to cost more."""
        from .postings import PAIR_SUFFIX

        if allowed is not None and len(allowed) < PAIR_CANDIDATES:
            return False
        return self.field + PAIR_SUFFIX in self.searcher.schema

    def _phrase_set(
        self,
        words: tuple[str, ...],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        located: dict[str, tuple[list[int], list[int]]],
        allowed: set[int] | None,
    ) -> frozenset[int] | None:
        """Every live turn holding the phrase, when known or worth finding from word pairs:
        its rarest word has `PAIR_CANDIDATES` postings or more, and so has the filter."""
        known = self._phrases.get(words)
        if known is not None:
            return known
        fewest = min(len(postings[w].ids) for w in words)
        if fewest < PAIR_CANDIDATES or not self._may_pair(allowed):
            return None
        rest = self._pair_cover(words)[0]
        if len(rest) == len(self.leaves):  # no segment holds the pairs
            return None
        found = self._by_pairs(words, rest, postings, fresh, located)
        self._remember(words, found)
        return found

    def _remember(self, words: tuple[str, ...], found: frozenset[int]) -> None:
        """Keep a phrase's turns, checked over all its candidates: paging through its hits,
        or asking again, costs no check."""
        self._phrases[words] = found
        if len(self._phrases) > CACHE_PHRASES:
            self._phrases.popitem(last=False)

    def _by_pairs(
        self,
        words: tuple[str, ...],
        rest: list[tuple[int, int]],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        located: dict[str, tuple[list[int], list[int]]],
    ) -> frozenset[int]:
        """The phrase's live turns: in a segment holding its word pairs (postings.py), the
        turns where the pairs stand one after the other (a two-word phrase: its pair's
        postings); in the others, whose document numbers are `rest`, the candidates checked
        by positions. Where the pairs' turns were found among each word's postings goes into
        `located`."""
        pairs = self._pairs_field()
        keys = tuple(f"{a} {b}" for a, b in pairwise(words))
        read = {key: self._pair(key) for key in dict.fromkeys(keys)}
        found: set[int] = set()
        places: dict[str, tuple[list[int], list[int]]] = {}
        if all(p.ids for p in read.values()):
            first, *others = sorted((p.ids for p in read.values()), key=len)
            found.update(first)
            for other in others:
                found.intersection_update(other)
        if len(keys) > 1 and found:
            # pairs all present, every inner word once: they can only stand one after
            # the other; elsewhere their positions tell
            ordered = sorted(found)
            again = 0  # a non-zero byte: an inner word more than once in that turn
            where: dict[int, list[int]] = {}  # words given a pair's postings share them
            for w in dict.fromkeys(words):
                p = postings[w]
                if id(p.ids) not in where:
                    where[id(p.ids)] = _where(p.ids, ordered)
                at = places[w] = (ordered, where[id(p.ids)])
                if w in words[1:-1]:
                    freqs = p.freqs
                    if isinstance(freqs, bytearray):
                        row = bytes(map(freqs.__getitem__, at[1])).translate(_NOT_ONE)
                    else:
                        row = bytes(freqs[j] != 1 for j in at[1])
                    again |= int.from_bytes(row, "big")
            if again:
                twice = list(compress(ordered, again.to_bytes(len(ordered), "big")))
                found.difference_update(twice)
                if len(words) == 3:
                    sure, twice = _surely(twice, read[keys[0]], read[keys[1]], postings[words[1]])
                    found.update(sure)
                if twice:
                    found |= pairs._phrase_docs(keys, set(twice), read, {}, {})
        elsewhere = self._within(words, postings, rest)
        if elsewhere:
            found |= self._phrase_docs(words, elsewhere, postings, fresh, {})
        else:  # the pairs' turns hold every match
            located.update(places)
        return frozenset(found - self.deleted)

    def _pairs_field(self) -> TextRanker:
        """The ranker of the word pairs' field: it reads and caches their postings."""
        from .postings import PAIR_SUFFIX

        if self._pair_ranker is None:
            self._pair_ranker = TextRanker(self.searcher, None, self.field + PAIR_SUFFIX)
        return self._pair_ranker

    def _pair(self, key: str) -> _Postings:
        """A word pair's postings (cached), each weight unpacked into the pair's frequency
        and its words' (`postings.pair_counts`)."""
        from .postings import pair_counts

        pairs = self._pairs_field()
        found = pairs._cache.get(key)
        if found is not None:
            pairs._cache.move_to_end(key)
            return found
        p = pairs._read(pairs.field, key, None)
        p.freqs, first, second = pair_counts(p.freqs)
        p.words = None if first is None or second is None else (first, second)
        return pairs._keep(key, p)

    def _from_pairs(
        self, words: tuple[str, ...]
    ) -> tuple[set[int], dict[str, _Postings], dict[str, tuple[list[int], list[int]]]] | None:
        """`_match` for a phrase alone whose pairs some segment holds, with every word's
        frequency in them. There a word's postings are those of a pair it stands in, with
        its frequencies (they hold every turn of the phrase there); the words' own postings
        are read only in the other segments (an update's small one, say), where the phrase
        is checked by positions. None: no segment holds them (or few candidates: the
        positions are checked then)."""
        if len(words) < 2 or len(set(words)) >= 8 or not self._may_pair(None):
            return None
        rest, df = self._pair_cover(words)
        if len(rest) == len(self.leaves) or min(df.values()) < PAIR_CANDIDATES:
            return None
        keys = [f"{a} {b}" for a, b in pairwise(words)]
        read = {key: self._pair(key) for key in keys}
        if any(p.ids and p.words is None for p in read.values()):
            return None
        postings: dict[str, _Postings] = {}
        firsts = {lo for lo, _ in rest}  # the segments without the pairs
        for i, w in reversed(list(enumerate(words))):  # a word's first pair: its frequency
            p = read[keys[min(i, len(keys) - 1)]]
            mine = _Postings(p.ids, bytearray(p.words[i == len(keys)] if p.words else b""), [], [])
            if rest:
                mine = _spliced(mine, self._read(self.field, w, None, firsts), rest)
            mine.df = df[w]
            postings[w] = mine
            if w not in self._scorers:
                scorer = self._bm25(w, df[w])
                if scorer is not None:
                    self._scorers[w] = scorer
        located: dict[str, tuple[list[int], list[int]]] = {}
        if not rest and any(not p.ids for p in read.values()):
            return set(), postings, located
        known = self._phrases.get(words)
        if known is None:
            known = self._by_pairs(words, rest, postings, {}, located)
            self._remember(words, known)
        return set(known), postings, located

    def _pair_cover(self, words: tuple[str, ...]) -> tuple[list[tuple[int, int]], dict[str, int]]:
        """The document numbers (ranges) of the segments that do not hold every pair of the
        phrase's words standing side by side there, and each word's document frequency. A
        segment holds them when its marker is valid and each word has the marker's PAIR_MIN
        postings there."""
        from whoosh.reading import TermNotFound

        from .postings import PAIR_MARK

        rest: list[tuple[int, int]] = []
        df = dict.fromkeys(words, 0)
        for seg, base in self.leaves:
            if base not in self._pair_mins:
                try:
                    mark = seg.term_info(self._pairs_field().field, PAIR_MARK).weight()
                except TermNotFound:
                    mark = 0.0
                self._pair_mins[base] = int(-mark) if mark < 0 else None
            least = self._pair_mins[base]
            here = {w: seg.doc_frequency(self.field, w) for w in df}
            for w, n in here.items():
                df[w] += n
            if least is None or min(here.values()) < least:
                rest.append((base, base + seg.doc_count_all()))
        return rest, df

    def _within(
        self, words: tuple[str, ...], postings: dict[str, _Postings], ranges: list[tuple[int, int]]
    ) -> set[int]:
        """The live turns holding every word, among the document numbers of `ranges`."""
        out: set[int] = set()
        for lo, hi in ranges:
            cuts = []
            for w in dict.fromkeys(words):
                ids = postings[w].ids
                cuts.append(ids[bisect_left(ids, lo) : bisect_left(ids, hi)])
            first, *others = sorted(cuts, key=len)
            here = set(first)
            for other in others:
                here.intersection_update(other)
            out |= here
        return out - self.deleted

    def _phrase_docs(
        self,
        words: tuple[str, ...],
        docs: set[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        located: dict[str, tuple[list[int], list[int]]],
    ) -> set[int]:
        """The turns of `docs` where `words` occur one right after the other (where each
        word's turns were found among its postings goes into `located`).

        Most turns of a two-word phrase hold each word once: there a word's posting value
        is its position, one byte, and the phrase check is a comparison of whole rows of
        such bytes, one per word (`_single_starts`). The other turns go through
        `_phrase_keys`."""
        from .postings import CompactPositions

        ordered = sorted(docs)
        places = {w: _where(postings[w].ids, ordered) for w in dict.fromkeys(words)}
        compact = isinstance(self.searcher.schema[self.field].format, CompactPositions)
        simple = compact and len(words) < 0xFE  # `_plus` needs len(words) < 0xFE
        if not simple or any(type(postings[w].freqs) is not bytearray for w in words):
            found = self._phrase_keys(words, docs, postings, fresh, ordered, places)
        else:
            for w in dict.fromkeys(words):  # each block read once, however often asked
                fresh[w] = list(map(_Once, fresh.get(w) or postings[w].blocks))
            found = self._single_starts(words, docs, ordered, postings, fresh, places)
        for w, at in places.items():
            located[w] = (ordered, at)
        return found

    def _single_starts(
        self,
        words: tuple[str, ...],
        docs: set[int],
        ordered: list[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        places: dict[str, list[int]],
    ) -> set[int]:
        """`_phrase_docs` for compact positions and byte frequencies. A turn where every
        word occurs once, below position `WIDE` (one byte, see postings.py), matches when
        the first word's byte plus i is the i-th word's: rows of bytes, one per word and
        turn, translated, xor-ed and or-ed as integers (no Python step per turn). The
        others, and all when few turns are such, are checked by `_phrase_keys`. `docs`:
        the turns, `ordered` sorted."""
        n = len(ordered)
        other = 0  # a non-zero byte: a turn holding some word more than once
        for w in sorted(words, key=lambda w: -len(postings[w].ids)):  # commonest first
            row = bytes(map(_byte_freqs(postings[w]).__getitem__, places[w]))
            other |= int.from_bytes(row.translate(_NOT_ONE), "big")
            if other.to_bytes(n, "big").count(0) * 2 < n:
                return self._phrase_keys(words, docs, postings, fresh, ordered, places)
        firsts = []
        for w in words:
            first = _first_bytes(postings[w], places[w], fresh[w])
            if first is None:
                return self._phrase_keys(words, docs, postings, fresh, ordered, places)
            firsts.append(first)
        for first in firsts:  # a position of `WIDE` or more is stored in more bytes
            other |= int.from_bytes(first.translate(_IS_WIDE), "big")
        apart = 0  # a non-zero byte: positions not one after the other
        for i, first in enumerate(firsts[1:], 1):
            apart |= int.from_bytes(firsts[0].translate(_plus(i)), "big") ^ int.from_bytes(
                first, "big"
            )
        plain = other.to_bytes(n, "big")
        found = set(compress(ordered, (other | apart).to_bytes(n, "big").translate(_IS_ZERO)))
        rest = set(compress(ordered, plain))
        if rest:
            found |= self._phrase_keys(words, rest, postings, fresh, ordered, places)
        return found

    def _phrase_keys(
        self,
        words: tuple[str, ...],
        docs: set[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Callable[[], Sequence[bytes]]]],
        ordered: list[int],
        places: dict[str, list[int]],
    ) -> set[int]:
        """The turns of `docs` (among `ordered`, whose places among each word's postings
        are `places`) where `words` occur one right after the other.

        A possible phrase start is one integer, turn * `_SPREAD` + 2**31 + position: each
        word's occurrences become such integers (the position minus the word's place in
        the phrase) and the phrase's starts are their set intersection, in C. Words are
        decoded rarest first, only in the turns still holding a possible start."""
        from .postings import CompactPositions

        fmt = self.searcher.schema[self.field].format
        decode, compact = fmt.decode_positions, isinstance(fmt, CompactPositions)
        starts: set[int] | None = None
        order = sorted(range(len(words)), key=lambda i: len(postings[words[i]].ids))
        for i in order:
            some = ordered if len(docs) == len(ordered) else sorted(docs)
            p = postings[words[i]]
            at = _places(p, some, (ordered, places[words[i]]))
            values = self._values(p, some, fresh.get(words[i]), at)
            shift = (1 << 31) - i
            keys: Iterable[int] = (
                _position_keys(some, values, shift, decode)
                if compact
                else [
                    d * _SPREAD + shift + q
                    for d, v in zip(some, values, strict=True)
                    for q in decode(v)
                ]
            )
            if starts is None:  # every candidate holds the rarest word: `docs` stand
                starts = set(keys)
                continue
            starts = starts.intersection(keys)
            if not starts:
                return set()
            docs = set(map(_SPREAD.__rfloordiv__, starts))
        return docs


#: byte translations: b -> b xor 0x80 (`_pairs`); for `_single_starts`: 1 -> 0, else 1;
#: a byte of `WIDE` (0xFE) or more -> 1, else 0; 0 -> 1, else 0
_FLIP = bytes(range(128, 256)) + bytes(range(128))
_NOT_ONE = b"\x01\x00" + b"\x01" * 254
_IS_WIDE = bytes(254) + b"\x01\x01"
_IS_ZERO = b"\x01" + bytes(255)


def _plus(i: int) -> bytes:
    """The byte translation b -> b + i, or 255 (which no one-byte position equals)."""
    return bytes(range(i, 0xFE)) + b"\xff" * (i + 2)


class _Once:
    """A block's values, read (decompressed) on the first call only."""

    __slots__ = ("read", "values")

    def __init__(self, read: Callable[[], Sequence[bytes]]) -> None:
        self.read = read
        self.values: Sequence[bytes] | None = None

    def __call__(self) -> Sequence[bytes]:
        if self.values is None:
            self.values = self.read()
        return self.values


def _byte_freqs(p: _Postings) -> bytearray:
    assert isinstance(p.freqs, bytearray)
    return p.freqs


def _first_bytes(
    p: _Postings, at: list[int], blocks: list[Callable[[], Sequence[bytes]]]
) -> bytes | None:
    """The first byte of the posting value at each of `at` (increasing places among
    `p`'s postings), from `blocks` (one function per block giving its values), cut in C;
    None: a block's values are not `_Values` (another codec's)."""
    out = bytearray()
    for b, start, here in _by_block(p, at):
        found = blocks[b]()
        if not isinstance(found, _Values):
            return None
        out += bytes(
            map(found.block.__getitem__, map(found.bounds.__getitem__, map(start.__rsub__, here)))
        )
    return bytes(out)


def _by_block(p: _Postings, at: list[int]) -> Iterator[tuple[int, int, list[int]]]:
    """(block number, the place of its first posting, the places of `at` in it), block by
    block: `at` is increasing places among `p`'s postings."""
    starts, n = p.starts, len(p.ids)
    lo = 0
    while lo < len(at):
        b = bisect_right(starts, at[lo]) - 1
        end = starts[b + 1] if b + 1 < len(starts) else n
        hi = bisect_left(at, end, lo)
        yield b, starts[b], at[lo:hi]
        lo = hi


def deleted_docs(leaves: list[tuple[Any, int]]) -> set[int]:
    """The deleted document numbers of a reader's `leaf_readers()`: a reader's own
    `all_doc_ids` asks about every document in Python (~1 s per million turns)."""
    out: set[int] = set()
    for seg, base in leaves:
        if seg.has_deletions():
            perdoc = getattr(seg, "_perdoc", None)
            if perdoc is None:
                raise Unsupported
            out.update(base + d for d in perdoc.deleted_docs())
    return out


def _blocks(m: Any) -> Any:
    """(file offset, document numbers, weights) of each posting block of a leaf matcher,
    decoded by the matcher's own block readers (Whoosh's, or a codec's subclass)."""
    offset = m._baseoffset
    m._goto(offset)
    while True:
        m._read_ids()
        m._read_weights()
        yield offset, m._ids, m._weights
        if m._lastblock:
            return
        offset = m._nextoffset
        m._goto(offset)


def _matcher_values(m: Any, offset: int) -> Sequence[bytes]:
    m._goto(offset)
    m._read_values()
    return m._values


def _extent(info: Any) -> tuple[int, int]:
    """(offset, length) of a term's postings in the postings file."""
    if info.is_inlined():
        raise Unsupported
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh 2.7 reads it back as a 1-tuple
        (length,) = length
    return offset, length


def _read_compact(
    postfile: Any,
    offset: int,
    length: int,
    base: int,
    p: _Postings,
    kept: list[Callable[[], Sequence[bytes]]] | None,
) -> None:
    """Append one segment's postings of a word written by `CompactCodec` to `p`: the
    whole posting list is read at once and its blocks parsed in memory (a leaf matcher
    reads each block's header and data with several small reads of the compound file)."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from .postings import unpack_head

    data = postfile.get(offset, length)
    if data[:4] != WHOOSH3_HEADER_MAGIC:
        raise Unsupported
    buf = io.BytesIO(data)
    pos = 4
    ones = array("f", [1.0])
    while True:
        size = _INT.unpack_from(data, pos)[0]
        end = pos + 4 + abs(size)
        buf.seek(pos + 4)
        count, _maxid, _maxweight, comp, _minlen, _maxlen = pickle.load(buf)
        at = buf.tell()
        if not comp:
            block = data[at:end]
        elif kept is None:  # the values, most of a block, are inflated only if asked for
            block = _inflated_head(data[at:end], count)
        else:
            block = zlib.decompress(data[at:end])
        gaps, weights, vat = unpack_head(block, count)
        p.starts.append(len(p.ids))
        p.blocks.append(partial(_compact_values, data, at, end, comp, count))
        ids = list(accumulate(gaps, initial=base))  # a list: `fromlist` beats `extend`
        del ids[0]
        p.ids.fromlist(ids)
        if weights is None:
            p.freqs.extend(b"\x01" * count if isinstance(p.freqs, bytearray) else ones * count)
        elif isinstance(weights, bytes):
            p.freqs.extend(weights)
        else:
            p.freqs = _floats(p.freqs)
            p.freqs.extend(weights)
        if kept is not None:
            kept.append(partial(_block_values, block, count, vat))
        if size < 0:  # Whoosh marks the last block with a negative length
            return
        pos = end


def _inflated_head(raw: bytes, count: int) -> bytes:
    """The start of a compressed `pack_block` block of `count` postings, inflated as far
    as its document-number gaps and weights (zlib stops there): not its values."""
    inflate = zlib.decompressobj()
    codes = inflate.decompress(raw, 3)
    weights = 0 if codes[1] == ord("N") else count * array(chr(codes[1])).itemsize
    rest = count * array(chr(codes[0])).itemsize + weights
    return codes + inflate.decompress(inflate.unconsumed_tail, rest)


def _compact_values(data: bytes, at: int, end: int, comp: int, count: int) -> Sequence[bytes]:
    from .postings import unpack_head

    block = zlib.decompress(data[at:end]) if comp else data[at:end]
    return _block_values(block, count, unpack_head(block, count)[2])


def _block_values(block: bytes, count: int, at: int) -> Sequence[bytes]:
    from .postings import value_bounds

    bounds = value_bounds(block, count, at)
    return (None,) * count if bounds is None else _Values(block, bounds)  # type: ignore[return-value]


class _Values:
    """A block's posting values, each cut from the block only when asked for (a phrase
    reads the values of its candidate turns, not of every posting)."""

    __slots__ = ("block", "bounds")

    def __init__(self, block: bytes, bounds: list[int]) -> None:
        self.block, self.bounds = block, bounds

    def __getitem__(self, i: int) -> bytes:
        return self.block[self.bounds[i] : self.bounds[i + 1]]

    def __len__(self) -> int:
        return len(self.bounds) - 1


def _position_keys(
    docs: list[int], values: list[bytes], shift: int, decode: Callable[[bytes], list[int]]
) -> Iterable[int]:
    """doc * `_SPREAD` + shift + position for each position of each of `docs` (whose
    posting values are `values`), by one `accumulate` over every value end to end: each
    turn's first gap is raised by the distance from the previous turn's last key to its
    own base. A value that is not one byte per gap (see postings.py) gives its first key
    there and the others apart."""
    from .postings import WIDE

    gaps = list(b"".join(values))
    apart: list[int] = []
    run = at = 0
    for d, v in zip(docs, values, strict=True):
        base = d * _SPREAD + shift
        if v[0] < WIDE:
            gaps[at] += base - run
            run = base + sum(v)
        else:
            first, *rest = decode(v)
            gaps[at : at + len(v)] = bytes(len(v))
            gaps[at] = base + first - run
            run = base + first
            apart += [base + q for q in rest]
        at += len(v)
    return chain(accumulate(gaps), apart)


def _floats(freqs: bytearray | array[float]) -> array[float]:
    """Frequencies as floats (a bytearray given to `array` would be read as raw floats)."""
    return array("f", array("B", freqs)) if isinstance(freqs, bytearray) else freqs


def _given(values: Sequence[bytes]) -> Sequence[bytes]:
    return values


def _spliced(covered: _Postings, other: _Postings, ranges: list[tuple[int, int]]) -> _Postings:
    """`covered`'s postings outside `ranges` (whole segments' document numbers, increasing)
    and `other`'s, all within them, in document order: `other`'s blocks are kept, their
    starts moved, for the positions of the turns there."""
    byte = isinstance(covered.freqs, bytearray) and isinstance(other.freqs, bytearray)
    a, a_freqs = covered.ids, covered.freqs if byte else _floats(covered.freqs)
    b, b_freqs = other.ids, other.freqs if byte else _floats(other.freqs)
    ids: array[int] = array("i")
    freqs: Any = bytearray() if byte else array("f")
    starts: list[int] = []
    i = j = 0
    for lo, hi in ranges:
        cut = bisect_left(a, lo)
        ids.extend(a[i:cut])
        freqs.extend(a_freqs[i:cut])
        i = bisect_left(a, hi)  # a word pair copied into such a segment is left out
        end = bisect_left(b, hi, j)
        shift = len(ids) - j
        starts += [s + shift for s in other.starts if j <= s < end]
        ids.extend(b[j:end])
        freqs.extend(b_freqs[j:end])
        j = end
    ids.extend(a[i:])
    freqs.extend(a_freqs[i:])
    return _Postings(ids, freqs, starts, other.blocks)


def _where(ids: array[int], docs: list[int]) -> list[int]:
    """Where each of `docs` (sorted; all among `ids`) is in `ids`: by bisection for a few,
    else by one C-level pass over `ids`."""
    if len(docs) == len(ids):
        return list(range(len(ids)))
    if len(docs) * 16 < len(ids):
        out, lo = [], 0
        for d in docs:
            lo = bisect_left(ids, d, lo)
            out.append(lo)
        return out
    wanted = set(docs)
    return list(compress(range(len(ids)), map(wanted.__contains__, ids)))


def _places(p: _Postings, docs: list[int], near: tuple[list[int], list[int]] | None) -> list[int]:
    """Where each of `docs` (sorted; all hold the word) is among `p`'s postings. `near`:
    turns holding all of `docs` and their places, found already."""
    if near is None:
        return _where(p.ids, docs)
    if len(near[0]) == len(docs):
        return near[1]
    return list(compress(near[1], map(set(docs).__contains__, near[0])))


def _surely(
    twice: list[int], first: _Postings, second: _Postings, middle: _Postings
) -> tuple[list[int], list[int]]:
    """`twice` (sorted turns holding both pairs of a three-word phrase, its middle word more
    than once) as (matches, turns to check): where the pairs occur more often than the
    middle word, one of its places has both, as each pair's occurrence stands at one."""
    first_n, second_n, middle_n = (
        map(p.freqs.__getitem__, _where(p.ids, twice)) for p in (first, second, middle)
    )
    sure = list(map(gt, map(add, first_n, second_n), middle_n))
    return list(compress(twice, sure)), list(compress(twice, map(not_, sure)))


def _holds(ids: array[int], d: int) -> bool:
    j = bisect_left(ids, d)
    return j < len(ids) and ids[j] == d


def _tree_sum(columns: list[list[float]]) -> list[float]:
    """Column sums grouped as Whoosh's binary matcher tree adds its children."""
    if len(columns) == 1:
        return columns[0]
    half = len(columns) // 2
    return list(map(add, _tree_sum(columns[:half]), _tree_sum(columns[half:])))


def _best(scores: list[tuple[float, int]], k: int) -> list[tuple[int, float]]:
    """The `k` highest scores, ties by document number (Whoosh's order). Many scores are
    cut first at the k-th best (C-level), then the few left are ordered."""
    if len(scores) > 4 * k:
        floor = heapq.nlargest(k, map(itemgetter(0), scores))[-1]
        scores = [sd for sd in scores if sd[0] >= floor]
    top = heapq.nsmallest(k, scores, key=lambda sd: (-sd[0], sd[1]))
    return [(d, s) for s, d in top]
