"""The topic matcher's faster scan (patterns indexed by their second stem, tags collected
into a set, topics remembered per set of tags) finds what a pattern-by-pattern scan finds:
the same hits, as a multiset, and the same topics, on generated word sequences drawn from the
taxonomies' own words and on the real corpus's turns."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import topics as topics_module
from searcher.analysis import raw_stems, word_of
from searcher.readers import iter_files, read_file
from searcher.topics import Matcher, Pattern, Taxonomy, bundled_taxonomy, parse_taxonomy

from .conftest import shared_path

Hit = tuple[int, str, Pattern]

#: a taxonomy of invented subjects with what the scan must get right: a pattern listed twice,
#: one both strong and weak, patterns sharing a first and a second word, one the start of
#: another, "*" first, second and third, groups of several words, one cut off at the end
EDGES = """
[[topic]]
slug = "fishing"
strong = ["cold sea", "cold sea trawler*", "net* ban", "fishing", "fresh fish* market"]
weak = ["cod", "cod", "salmon", "cold sea", "boat*", "fresh fish*"]
[[topic]]
slug = "trade"
strong = ["grain deal", "grain deal talks", "grain deal signed", "export* credit*"]
weak = ["grain", "credit"]
together = [["cod", "salmon"], ["export credit", "grain deal"]]
[[topic]]
slug = "talks"
together = [["net*"], ["cold sea"], ["grain"]]
"""


def _taxonomy_words(text: str) -> list[str]:
    """Every word the patterns of a taxonomy's TOML are written with, prefixes completed."""
    out: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str):
            for piece in value.split():
                if piece.endswith("*"):
                    out.update(piece[:-1] + end for end in ("", "s", "ing", "istan"))
                else:
                    out.update((piece, piece + "s", piece.capitalize()))
        elif isinstance(value, list):
            for v in value:
                add(v)

    for topic in tomllib.loads(text).get("topic", []):
        for field in ("strong", "weak", "places", "together"):
            add(topic.get(field, []))
    return sorted(out)


NOISE = ["the", "and", "of", "Ivan", "Petrov", "said", ",", ".", "ne", "é", "x-ray"]
BUNDLED = files("searcher").joinpath("data", "topics.toml").read_text(encoding="utf-8")
BUNDLED_WORDS = _taxonomy_words(BUNDLED) + NOISE
EDGE_WORDS = _taxonomy_words(EDGES) + NOISE


def _entries(taxonomy: Taxonomy) -> Iterator[tuple[int, str, Pattern]]:
    for i, topic in enumerate(taxonomy.topics):
        yield from ((i, "s", p) for p in topic.strong)
        yield from ((i, "w", p) for p in topic.weak)
        for g, group in enumerate(topic.together):
            yield from ((i, str(g), p) for p in group)


def _hits_slowly(taxonomy: Taxonomy, text: str) -> list[Hit]:
    """Every pattern checked at every position (the matcher before it indexed anything)."""
    raws, stems = raw_stems(text)
    words = [word_of(r) for r in raws]
    entries = list(_entries(taxonomy))
    out = []

    def at(j: int, token: tuple[str, str]) -> bool:
        op, v = token
        return stems[j] == v if op == "=" else words[j].startswith(v)

    for pos in range(len(raws)):
        for i, kind, p in entries:
            if (
                at(pos, p[0])
                and pos + len(p) <= len(raws)
                and all(at(pos + j, t) for j, t in enumerate(p[1:], 1))
            ):
                out.append((i, kind, p))
    return sorted(out)


def _topics_slowly(taxonomy: Taxonomy, hits: list[Hit]) -> tuple[str, ...]:
    """One strong hit, two different weak patterns, or every group of a topic."""
    strong: set[int] = set()
    weak: dict[int, set[Pattern]] = {}
    groups: dict[int, set[str]] = {}
    for i, kind, p in hits:
        if kind == "s":
            strong.add(i)
        elif kind == "w":
            weak.setdefault(i, set()).add(p)
        else:
            groups.setdefault(i, set()).add(kind)
    found = strong | {i for i, ps in weak.items() if len(ps) >= 2}
    found |= {i for i, gs in groups.items() if len(gs) == len(taxonomy.topics[i].together)}
    return tuple(taxonomy.topics[i].slug for i in sorted(found))


def _same(matcher: Matcher, text: str) -> tuple[str, ...]:
    got = matcher.topics(text)
    hits = _hits_slowly(matcher.taxonomy, text)
    assert got == _topics_slowly(matcher.taxonomy, hits), text
    assert sorted(matcher.hits(text)) == hits, text
    assert matcher.topics(text) == got  # remembered the second time
    return got


BUNDLED_MATCHER = Matcher(bundled_taxonomy())  # reused: what it remembers is exercised too
EDGE_MATCHER = Matcher(Taxonomy(tuple(parse_taxonomy(EDGES, "test")[1])))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(BUNDLED_WORDS), max_size=16), min_size=1, max_size=3))
def test_topics_equal_a_plain_scan_with_the_bundled_taxonomy(texts: list[list[str]]) -> None:
    for text in map(" ".join, texts):
        _same(BUNDLED_MATCHER, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(EDGE_WORDS), max_size=14), min_size=1, max_size=3))
def test_topics_equal_a_plain_scan_on_edge_patterns(texts: list[list[str]]) -> None:
    for text in map(" ".join, texts):
        _same(EDGE_MATCHER, text)


def test_edge_patterns_are_found() -> None:
    """The generated sequences above reach what they are meant to (not only empty sets)."""
    assert _same(EDGE_MATCHER, "Cold seas") == ("fishing",)
    assert _same(EDGE_MATCHER, "cod and cod") == ()  # one weak pattern, twice
    assert _same(EDGE_MATCHER, "cod, salmon") == ("fishing",)  # one group of two
    assert _same(EDGE_MATCHER, "cod grain deals") == ("trade",)  # both groups
    assert _same(EDGE_MATCHER, "nets of the cold sea grain") == ("fishing", "talks")
    assert _same(EDGE_MATCHER, "the grain deal") == ("trade",)
    assert _same(EDGE_MATCHER, "grain") == ()
    assert _same(EDGE_MATCHER, "fresh fishing market") == ("fishing",)
    assert _same(EDGE_MATCHER, "fresh fish, salmon") == ("fishing",)
    assert _same(EDGE_MATCHER, "fresh fisheries") == ()  # one weak
    assert _same(EDGE_MATCHER, "cold") == ()  # a pattern cut off at the end


def test_bounds_cleared_give_the_same_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topics_module, "_BEGINS_MAX", 3)
    monkeypatch.setattr(topics_module, "_DECIDED_MAX", 2)
    matcher = Matcher(Taxonomy(tuple(parse_taxonomy(EDGES, "test")[1])))
    texts = ["cod salmon", "cold sea", "net ban", "grain credit", "boats cod", "cod salmon"] * 2
    for text in texts:
        _same(matcher, text)
    assert len(matcher._begins) <= 3 + 3 and len(matcher._decided) <= 2


def test_topics_equal_a_plain_scan_on_real_turns() -> None:
    matcher = Matcher(bundled_taxonomy())
    texts = [
        t.text
        for folder in ("hsg", "wilson", "frus")
        for path in iter_files([str(shared_path(folder))])
        if isinstance(path, str)
        for doc in read_file(path).transcripts
        for t in doc.turns
    ][:400]
    found = [_same(matcher, text) for text in texts]
    assert sum(map(bool, found)) > 10
