"""A segment's text field inverted in arrays: the build's per-token work done by numpy.

Inverting turn by turn in Python (a dictionary step and a list append per token, an encoded
value per word and turn) cost ~1.2 µs a token, a fifth of a build worker. Here a turn's terms
are only appended to one list; when the segment is written, they are numbered in one pass
mapped in C, and one stable sort by number gives every posting list in order, each
posting's positions as byte gaps, and the word pairs (postings.py) by the same arrays. The
segment files are byte for byte those the per-turn inverter wrote (segments.py writes them
from `Inverted`, as it does the other fields' postings, `gathered`).
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import chain, count
from typing import Any


@dataclass(slots=True)
class Inverted:
    """Posting lists of one field, terms in the order they are written (their UTF-8 bytes)."""

    #: each term's UTF-8 bytes, increasing
    keys: list[bytes]
    #: where each term's postings start (one more entry: the end)
    starts: Any
    #: per posting: document number, and weight as an integer (its float is written)
    docs: Any
    weights: Any
    #: the postings' values end to end, and where each starts (one more entry: the end)
    values: bytes
    bounds: Any


def gathered(terms: dict[bytes, list[Any]]) -> Inverted:
    """Posting lists kept as word -> [document, weight, value, document, …] (documents
    increasing), as arrays: a field's words then take `Inverted`'s one packing path, ~0.7 µs
    a posting of Python fewer. Weights must be whole numbers (a frequency times a whole
    boost, as every field of the schema has) and values all empty or none."""
    import numpy as np

    keys = sorted(terms)
    lists = [terms[k] for k in keys]
    flat = list(chain.from_iterable(lists))
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, lists), np.int64, len(lists)) // 3, out=starts[1:])
    # through `array`: a list of Python numbers is read twice as fast as by `np.array`
    given = np.frombuffer(array("d", flat[1::3]), dtype=np.float64)
    weights = given.astype(np.int64)
    if not (np.array_equal(weights, given) and (np.abs(weights) < 1 << 24).all()):
        raise ValueError("posting weights must be whole numbers below 2**24")
    values = flat[2::3]
    joined = b"".join(values)
    if joined:  # else none: an ID's or a number's postings
        sizes = np.fromiter(map(len, values), np.int64, len(values))
        if not sizes.all():
            raise ValueError("posting values must be all empty or none")
    else:
        sizes = np.zeros(len(values), dtype=np.int64)
    bounds = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(sizes, out=bounds[1:])
    docs = np.frombuffer(array("q", flat[0::3]), dtype=np.int64)
    return Inverted(keys, starts, docs, weights, joined, bounds)


class TextTurns:
    """The terms of a segment's turns for one text field, numbered when it is written."""

    def __init__(self) -> None:
        #: every turn's terms end to end (references to the stems' strings)
        self._terms: list[str] = []
        # 32-bit numbers: a segment holds a few million tokens, and memory is what bounds it
        self._docs = array("i")
        self._sizes = array("i")
        #: (turn, positions) of the turns whose positions are not 0, 1, 2, … (joined compounds)
        self._placed: list[tuple[int, list[int]]] = []

    def add(self, docnum: int, terms: list[str], places: list[int] | None) -> None:
        """One turn's terms in order (`places`: their positions, None for 0, 1, 2, …)."""
        if places is not None:
            self._placed.append((len(self._docs), places))
        self._terms += terms
        self._docs.append(docnum)
        self._sizes.append(len(terms))

    def invert(self) -> tuple[Inverted, _Tokens]:
        """The words' postings, and the tokens `pairs` needs."""
        import numpy as np

        i32 = np.int32
        # each term numbered by its first token, all in one pass mapped in C (twice as fast
        # as numbering each turn's terms as they come); the numbers are not dense
        numbers: dict[str, int] = {}
        found = np.fromiter(map(numbers.setdefault, self._terms, count()), i32, len(self._terms))
        self._terms = []
        words = sorted(numbers)
        ranks = np.zeros(len(found), dtype=i32)
        ranks[np.fromiter(map(numbers.__getitem__, words), np.int64, len(words))] = np.arange(
            len(words), dtype=i32
        )
        terms = ranks[found]
        del ranks, found
        sizes = np.frombuffer(self._sizes, dtype=i32)
        turn = np.repeat(np.arange(len(sizes), dtype=i32), sizes)
        firsts = (np.cumsum(sizes) - sizes).astype(i32)
        positions = np.arange(len(terms), dtype=i32) - firsts[turn]
        for t, places in self._placed:
            positions[firsts[t] : firsts[t] + sizes[t]] = places
        turn_docs = np.frombuffer(self._docs, dtype=i32)
        keys = [w.encode("utf-8") for w in words]
        inverted, order, first = _invert(keys, terms, turn_docs[turn], positions)
        del positions
        # each token's frequency in its turn: its posting's
        posting = np.empty(len(terms), dtype=i32)
        posting[order] = np.cumsum(first, dtype=i32) - 1
        del order, first
        freqs = inverted.weights.astype(i32)[posting]
        del posting
        tokens = _Tokens(words, terms, turn, freqs, firsts, sizes, turn_docs, self._placed)
        return inverted, tokens


@dataclass(slots=True)
class _Tokens:
    """A segment's tokens in turn order, for the word pairs."""

    words: list[str]
    terms: Any
    #: each token's turn, and its frequency there
    turn: Any
    freqs: Any
    #: each turn's first token, number of tokens and document number
    firsts: Any
    sizes: Any
    docs: Any
    #: (turn, positions) of the turns with joined compounds
    placed: list[tuple[int, list[int]]]


def _invert(keys: list[bytes], terms: Any, docs: Any, positions: Any) -> tuple[Inverted, Any, Any]:
    """Posting lists from occurrences (term number, document, position) in document order
    (and position order within a document): a posting's weight is its frequency, its value
    the positions as `postings.encode_positions` writes them (byte gaps, nearly always).
    Also the sort order and where postings start in it, to carry other attributes of the
    occurrences over to the postings."""
    import numpy as np

    from .postings import WIDE, encode_positions

    n = len(terms)
    order = np.argsort(terms, kind="stable")
    s_terms, s_docs, s_pos = terms[order], docs[order], positions[order]
    first = np.ones(n, dtype=bool)
    np.not_equal(s_terms[1:], s_terms[:-1], out=first[1:])
    first[1:] |= s_docs[1:] != s_docs[:-1]
    pstarts = np.flatnonzero(first)
    freqs = np.diff(pstarts, append=n)
    gaps = s_pos.copy()
    gaps[1:] -= s_pos[:-1]
    gaps[pstarts] = s_pos[pstarts]
    p_terms = s_terms[pstarts]
    tstarts = np.searchsorted(p_terms, np.arange(len(keys) + 1))
    lengths = freqs.copy()
    wide = np.unique(np.searchsorted(pstarts, np.flatnonzero(gaps >= WIDE), "right") - 1)
    small = gaps.astype(np.uint8).tobytes()
    if len(wide):
        ends = np.append(pstarts, n)
        pieces, at = [], 0
        for p in wide.tolist():
            a, z = int(ends[p]), int(ends[p + 1])
            value = encode_positions(s_pos[a:z].tolist())
            pieces += [small[at:a], value]
            lengths[p] = len(value)
            at = z
        pieces.append(small[at:])
        values = b"".join(pieces)
    else:
        values = small
    bounds = np.zeros(len(pstarts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    inverted = Inverted(keys, tstarts, s_docs[pstarts], freqs, values, bounds)
    return inverted, order, first


def pairs(words: Inverted, tokens: _Tokens, least: int) -> Inverted | None:
    """The pair terms (postings.py) of the words of `tokens` that have `least` postings or
    more: "a b" -> a posting per turn where a stands right before b, its value a's positions
    there, its weight `pair_weight` of the pair's and the words' frequencies in the turn."""
    import numpy as np

    frequent = np.diff(words.starts) >= least
    if not frequent.any():
        return None
    terms, turn, freqs = tokens.terms, tokens.turn, tokens.freqs
    common = frequent[terms]
    if tokens.placed:  # those turns' pairs follow their positions: below
        skip = np.zeros(len(tokens.sizes), dtype=bool)
        skip[[t for t, _ in tokens.placed]] = True
        common &= ~skip[turn]
    at = np.flatnonzero(common[:-1] & common[1:] & (turn[:-1] == turn[1:]))
    del common
    where = turn[at]  # the other turns' positions are 0, 1, 2, …
    # (first, second, document, position, first's and second's frequency) of each
    found = np.empty((6, len(at)), dtype=np.int32)
    found[0], found[1] = terms[at], terms[at + 1]
    found[2], found[3] = tokens.docs[where], at - tokens.firsts[where]
    found[4], found[5] = freqs[at], freqs[at + 1]
    del at, where
    extra = _placed_pairs(tokens, frequent)
    if extra:
        found = np.concatenate((found, np.array(extra, dtype=found.dtype).T), axis=1)
        found = found[:, np.lexsort((found[3], found[2]))]  # in document order again
    if not found.shape[1]:
        return None
    firsts, seconds, where, places, first_counts, second_counts = found
    size = len(tokens.words)
    distinct, which = np.unique(firsts.astype(np.int64) * size + seconds, return_inverse=True)
    spelled = tokens.words
    names = [
        f"{spelled[a]} {spelled[b]}"
        for a, b in zip((distinct // size).tolist(), (distinct % size).tolist(), strict=True)
    ]
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    keys = [names[j].encode("utf-8") for j in order]
    inverted, sort, first = _invert(keys, rank[which], where, places)
    pair = inverted.weights
    head = sort[np.flatnonzero(first)]  # each posting's first occurrence
    a, b = first_counts[head], second_counts[head]
    packed = pair | (a - 1) << 8 | (b - 1) << 16
    inverted.weights = np.where((a < 256) & (b < 256), packed, -pair)
    return inverted


def _placed_pairs(tokens: _Tokens, frequent: Any) -> list[tuple[int, ...]]:
    """(first, second, document, position, first's and second's frequency) of the pairs of
    the turns with joined compounds, whose parts share the compound's position."""
    out: list[tuple[int, ...]] = []
    is_frequent = frequent.tolist()
    for t, places in tokens.placed:
        a = int(tokens.firsts[t])
        words = tokens.terms[a : a + int(tokens.sizes[t])].tolist()
        doc = int(tokens.docs[t])
        counts = Counter(words)
        by_place: dict[int, list[int]] = {}
        for word, q in zip(words, places, strict=True):
            if is_frequent[word]:
                by_place.setdefault(q, []).append(word)
        for q, left in by_place.items():
            for second in dict.fromkeys(by_place.get(q + 1, ())):
                for first in dict.fromkeys(left):
                    out.append((first, second, doc, q, counts[first], counts[second]))
    return out
