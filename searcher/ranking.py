"""Exact BM25 top hits and totals for words, phrases and their AND, from the posting blocks.

Whoosh ranks a very common word by walking a matcher tree in Python once per matching turn,
then walks it again to count; block-quality skipping never pays for such words (measured:
every block of "the" could hold a top hit). Here a word's blocks are decoded in bulk into
arrays of document numbers and frequencies, kept per searcher (LRU, by size), and scored
through a table of BM25 values per (frequency, length byte): the floats Whoosh computes,
summed in the order its matcher tree sums them, so hits, scores and order are identical.
A phrase's candidates are the AND of its words; positions are decoded rarest word first,
only for the candidates still standing, from only the blocks that hold them. Every
candidate is checked, so totals are exact; the turns of the last phrases checked without a
filter are remembered (paging, or asking again, checks no position). Other shapes (other
fields, OR, NOT, wildcards, slop) return None and Whoosh runs them.

First queries on a word still decode all its blocks: on M (135k turns) "the" is ~130k
postings, ~150 ms of unpickling in Whoosh 2.7's block format, a floor no ranking avoids.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

#: decoded postings kept per searcher, counted in postings (~10 bytes each)
CACHE_POSTINGS = 4_000_000
#: phrases whose matching turns are kept per searcher
CACHE_PHRASES = 64


@dataclass(slots=True)
class _Postings:
    """One word's postings over every segment (deleted turns included), in docnum order."""

    ids: array[int]
    freqs: array[float]
    #: where each block starts among the postings, and (leaf matcher, file offset) to
    #: read its posting values again
    starts: list[int]
    blocks: list[tuple[Any, int]]


_NONE = _Postings(array("i"), array("f"), [], [])


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
        self._phrases: OrderedDict[tuple[str, ...], frozenset[int]] = OrderedDict()

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
        if len(parts) == 1 and len(parts[0]) == 1:
            word = parts[0][0]
            found = self._postings(word)
            return self._single(word, found, allowed, k) if found.ids else (0, [])
        docs, postings = self._match(parts, allowed)
        if not k or not docs:
            return len(docs), []
        ordered = sorted(docs)
        scores = {w: self._scores(w, postings[w], ordered) for w in postings}
        per_part = [_tree_sum([scores[w] for w in p]) for p in parts]
        total = (
            per_part[0] if len(per_part) == 1 else [a + b for a, b in zip(*per_part, strict=True)]
        )
        return len(docs), _best(list(zip(total, ordered, strict=True)), k)

    def matching(self, parts: list[tuple[str, ...]], allowed: set[int] | None) -> set[int]:
        """Every turn matching `parts` within `allowed` (None: no filter), for counts."""
        return self._match(parts, allowed)[0]

    def _match(
        self, parts: list[tuple[str, ...]], allowed: set[int] | None
    ) -> tuple[set[int], dict[str, _Postings]]:
        words = list(dict.fromkeys(w for p in parts for w in p))
        # a phrase word read from disk now keeps its posting values for this query
        fresh: dict[str, list[Any]] = {}
        in_phrases = {w for p in parts if len(p) > 1 for w in p}
        postings = {w: self._postings(w, fresh if w in in_phrases else None) for w in words}
        if any(not postings[w].ids for w in words):
            return set(), postings
        # candidates: phrases already checked, then the other words, smallest set first
        known = [self._phrases.get(p) for p in parts if len(p) > 1]
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
                docs = self._phrase(p, docs, postings, fresh, alone)
        return docs, postings

    # -- scoring ------------------------------------------------------------------------

    def _row(self, word: str, freq: float) -> list[float]:
        """BM25 of `word` at frequency `freq`, by length byte: Whoosh's scorer, memoized."""
        table = self._tables.setdefault(word, {})
        row = table.get(freq)
        if row is None:
            from whoosh.util.numeric import byte_to_length

            scorer = self.searcher.weighting.scorer(self.searcher, self.field, word)
            row = table[freq] = [scorer._score(freq, byte_to_length(b)) for b in range(256)]
        return row

    def _scores(self, word: str, p: _Postings, docs: list[int]) -> list[float]:
        """The score of `word` in each of `docs` (sorted; all hold the word)."""
        assert self.lengths is not None
        lengths, ids, freqs = self.lengths, p.ids, p.freqs
        rows = self._tables.setdefault(word, {})
        out = []
        lo = 0
        for d in docs:
            lo = bisect_left(ids, d, lo)
            f = freqs[lo]
            out.append((rows.get(f) or self._row(word, f))[lengths[d]])
        return out

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
                pairs = [(d, f) for d, f in zip(ids, freqs, strict=True) if d in keep]
                ids, freqs = [d for d, _ in pairs], [f for _, f in pairs]
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

    # -- postings -----------------------------------------------------------------------

    def _postings(self, word: str, values: dict[str, list[Any]] | None = None) -> _Postings:
        """`word`'s postings (cached); when read from disk and `values` is given, its
        posting values by block go into `values[word]` (the blocks are decoded anyway)."""
        found = self._cache.get(word)
        if found is not None:
            self._cache.move_to_end(word)
            return found
        from whoosh.codec.whoosh3 import W3LeafMatcher

        p = _Postings(array("i"), array("f"), [], [])
        for seg, base in self.leaves:
            if (self.field, word) not in seg:
                continue
            m = seg.postings(self.field, word)
            while not isinstance(m, W3LeafMatcher) and hasattr(m, "child"):
                m = m.child  # the wrapper that hides deleted turns
            if not isinstance(m, W3LeafMatcher):
                raise Unsupported
            for offset, ids, weights in _blocks(m):
                p.starts.append(len(p.ids))
                p.blocks.append((m, offset))
                p.ids.extend([base + d for d in ids] if base else ids)
                p.freqs.extend(weights)
                if values is not None:
                    m._read_values()
                    values.setdefault(word, []).append(m._values)
        if not p.ids:
            return _NONE
        self._cache[word] = p
        self._cached += len(p.ids)
        while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
            old, dropped = self._cache.popitem(last=False)
            self._cached -= len(dropped.ids)
            self._tables.pop(old, None)
        return p

    def _positions(
        self, p: _Postings, docs: list[int], values: list[Any] | None
    ) -> list[list[int]]:
        """The positions of the word in each of `docs` (sorted; all hold the word), from
        `values` (by block) when given, else from the blocks holding `docs`."""
        decode = self.searcher.schema[self.field].format.decode_positions
        out: list[list[int]] = []
        block, found, start, lo = -1, (), 0, 0
        for d in docs:
            lo = bisect_left(p.ids, d, lo)
            b = bisect_right(p.starts, lo) - 1
            if b != block:
                block, start = b, p.starts[b]
                if values is not None:
                    found = values[b]
                else:
                    m, offset = p.blocks[b]
                    m._goto(offset)
                    m._read_values()
                    found = m._values
            out.append(decode(found[lo - start]))
        return out

    def _phrase(
        self,
        words: tuple[str, ...],
        docs: set[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Any]],
        alone: bool,
    ) -> set[int]:
        """The turns of `docs` holding the phrase. A phrase checked over all its candidates
        (`alone`: no filter, no other part) is remembered: paging through its hits, or
        asking again, costs no position check."""
        known = self._phrases.get(words)
        if known is not None:
            self._phrases.move_to_end(words)
            return docs & known
        found = self._phrase_docs(words, docs, postings, fresh)
        if alone:
            self._phrases[words] = frozenset(found)
            if len(self._phrases) > CACHE_PHRASES:
                self._phrases.popitem(last=False)
        return found

    def _phrase_docs(
        self,
        words: tuple[str, ...],
        docs: set[int],
        postings: dict[str, _Postings],
        fresh: dict[str, list[Any]],
    ) -> set[int]:
        """The turns of `docs` where `words` occur one right after the other.

        Each turn keeps the phrase starts still possible; words are decoded rarest first,
        and a turn is dropped (its other words never decoded) when none is left."""
        starts: dict[int, set[int]] | None = None
        order = sorted(range(len(words)), key=lambda i: len(postings[words[i]].ids))
        for i in order:
            ordered = sorted(docs if starts is None else starts)
            found = self._positions(postings[words[i]], ordered, fresh.get(words[i]))
            if starts is None:
                starts = {d: {q - i for q in pos} for d, pos in zip(ordered, found, strict=True)}
            else:
                for d, pos in zip(ordered, found, strict=True):
                    left = starts[d].intersection([q - i for q in pos])
                    if left:
                        starts[d] = left
                    else:
                        del starts[d]
            if not starts:
                break
        return set(starts or ())


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


def _holds(ids: array[int], d: int) -> bool:
    j = bisect_left(ids, d)
    return j < len(ids) and ids[j] == d


def _tree_sum(columns: list[list[float]]) -> list[float]:
    """Column sums grouped as Whoosh's binary matcher tree adds its children."""
    if len(columns) == 1:
        return columns[0]
    half = len(columns) // 2
    return [
        a + b for a, b in zip(_tree_sum(columns[:half]), _tree_sum(columns[half:]), strict=True)
    ]


def _best(scores: list[tuple[float, int]], k: int) -> list[tuple[int, float]]:
    """The `k` highest scores, ties by document number (Whoosh's order)."""
    top = heapq.nsmallest(k, scores, key=lambda sd: (-sd[0], sd[1]))
    return [(d, s) for s, d in top]
