"""The array inverter (searcher/inverter.py) against a plain dictionary inversion: the same
terms in the same order, the same postings (documents, frequencies, encoded positions) and
the same word pairs, on turns long enough for position gaps that do not fit a byte and with
joined compounds sharing a position."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.inverter import Inverted, TextTurns, gathered, pairs
from searcher.postings import encode_positions, pair_weight

VOCABULARY = ["the", "of", "talks", "treaty", "é", "ядро", "zz", "a-b", "mir"]

#: one turn: its words, and whether the first two share a position (a joined compound)
turn = st.tuples(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=400),  # a run of one word: gaps past a byte
    st.booleans(),
)


def _places(words: list[str], run: int, joined: bool) -> tuple[list[str], list[int] | None]:
    terms = words + ["the"] * run + words[:1]
    if joined and len(terms) > 1:
        return terms, [0, *range(len(terms) - 1)]
    return terms, None


def _turns(spec: list[tuple[list[str], int, bool]]) -> list[tuple[int, list[str], list[int]]]:
    out = []
    for docnum, (words, run, joined) in enumerate(spec):
        terms, places = _places(words, run, joined)
        out.append((docnum * 2, terms, places or list(range(len(terms)))))
    return out


def _postings(inv: Inverted) -> dict[bytes, list[tuple[int, int, bytes]]]:
    out = {}
    for t, key in enumerate(inv.keys):
        a, z = int(inv.starts[t]), int(inv.starts[t + 1])
        out[key] = [
            (
                int(inv.docs[p]),
                int(inv.weights[p]),
                inv.values[int(inv.bounds[p]) : int(inv.bounds[p + 1])],
            )
            for p in range(a, z)
        ]
    return out


def _built(spec: list[tuple[list[str], int, bool]]) -> TextTurns:
    turns = TextTurns()
    for docnum, (words, run, joined) in enumerate(spec):
        turns.add(docnum * 2, *_places(words, run, joined))
    return turns


@settings(max_examples=150, deadline=None)
@given(st.lists(turn, min_size=1, max_size=12))
def test_postings_are_a_plain_inversion(spec: list[tuple[list[str], int, bool]]) -> None:
    words, _ = _built(spec).invert()
    expected: dict[str, list[tuple[int, int, bytes]]] = {}
    for docnum, terms, places in _turns(spec):
        at: dict[str, list[int]] = {}
        for term, pos in zip(terms, places, strict=True):
            at.setdefault(term, []).append(pos)
        for term, poses in at.items():
            expected.setdefault(term, []).append((docnum, len(poses), encode_positions(poses)))
    assert list(words.keys) == sorted(w.encode() for w in expected)
    assert _postings(words) == {w.encode(): p for w, p in expected.items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(turn, min_size=1, max_size=12), st.integers(min_value=1, max_value=6))
def test_pairs_are_the_words_side_by_side(
    spec: list[tuple[list[str], int, bool]], least: int
) -> None:
    words, tokens = _built(spec).invert()
    found = pairs(words, tokens, least)
    df = Counter(w for _, terms, _ in _turns(spec) for w in set(terms))
    expected: dict[str, list[tuple[int, int, bytes]]] = {}
    for docnum, terms, places in _turns(spec):
        by_place: dict[int, list[str]] = {}
        for term, q in zip(terms, places, strict=True):
            if df[term] >= least:
                by_place.setdefault(q, []).append(term)
        here: dict[tuple[str, str], list[int]] = {}
        for q, left in by_place.items():
            for b in dict.fromkeys(by_place.get(q + 1, ())):
                for a in dict.fromkeys(left):
                    here.setdefault((a, b), []).append(q)
        counts = Counter(terms)
        for (a, b), poses in here.items():
            weight = pair_weight(len(poses), counts[a], counts[b])
            expected.setdefault(f"{a} {b}", []).append(
                (docnum, int(weight), encode_positions(poses))
            )
    if not expected:
        assert found is None
        return
    assert found is not None
    assert list(found.keys) == sorted(k.encode() for k in expected)
    assert _postings(found) == {k.encode(): p for k, p in sorted(expected.items())}


@given(
    st.dictionaries(
        st.binary(min_size=1, max_size=4),
        st.lists(st.tuples(st.integers(0, 3), st.integers(-3, 300)), min_size=1, max_size=20),
        max_size=12,
    ),
    st.booleans(),
)
def test_gathered_postings_are_the_lists_given(
    given_terms: dict[bytes, list[tuple[int, int]]], with_values: bool
) -> None:
    """`gathered` keeps every word's postings (documents increasing) and their order."""
    terms: dict[bytes, list[object]] = {}
    for key, steps in given_terms.items():
        doc = 0
        posts: list[object] = []
        for step, weight in steps:
            doc += step + (1 if posts else 0)
            value = weight.to_bytes(2, "big", signed=True) if with_values else b""
            posts += (doc, float(weight), value)
        terms[key] = posts
    words = gathered(terms)
    assert words.keys == sorted(terms)
    for t, key in enumerate(words.keys):
        a, z = int(words.starts[t]), int(words.starts[t + 1])
        values = [words.values[words.bounds[j] : words.bounds[j + 1]] for j in range(a, z)]
        flat = zip(words.docs[a:z].tolist(), words.weights[a:z].tolist(), values, strict=True)
        assert [x for posting in flat for x in posting] == terms[key]


def test_gathered_refuses_what_it_would_pack_wrongly() -> None:
    with pytest.raises(ValueError, match="whole"):
        gathered({b"a": [0, 1.5, b""]})
    with pytest.raises(ValueError, match="empty"):
        gathered({b"a": [0, 1.0, b""], b"b": [0, 1.0, b"\x01"]})
