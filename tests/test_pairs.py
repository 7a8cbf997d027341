"""Phrases answered from word pairs (the hidden field `text` + postings.PAIR_SUFFIX, written
by segments.py, read by ranking.py) must give the same hits, scores, order and totals as an
index without pairs and as a plain check of each turn's analysed terms: on fresh indexes,
after updates that delete turns or merge segments, after optimize, and on indexes mixing
segments with and without pairs. Invented people and words only."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import Archive, build, postings, ranking
from searcher.analysis import index_terms
from searcher.ranking import TextRanker

#: common words, rarer ones, and a hyphenated compound (indexed joined and in its parts)
VOCAB = [
    "the",
    "of",
    "and",
    "sea",
    "boat",
    "net",
    "fish",
    "storm",
    "harbour",
    "anti-soviet",
    "soviet",
    "line",
    "ice",
    "captain",
]
WEIGHTS = [30, 20, 18, 12, 10, 9, 8, 6, 5, 4, 4, 4, 2, 1]
#: phrases stitched into turns so that longer runs occur
RUNS = ["the sea and the boat", "the anti-soviet line", "net of the net", "the the sea"]
TOPICS = ["Fisheries", "Arctic shipping"]
#: no word reaches it: no pairs are written
NO_PAIRS = 10**9
#: the pairs of the text field
PAIR_FIELD = "text" + postings.PAIR_SUFFIX

QUERIES = [
    '"the sea"',
    '"sea the"',
    '"the sea and"',
    '"the sea and the"',
    '"sea and the boat"',
    '"net of the net"',
    '"the the"',
    '"the the sea"',
    '"net net"',
    '"captain ice"',  # rare words
    '"the captain"',  # a common word and a rare one
    '"harbour ice captain"',
    '"boat sea boat"',
    '"ice captain storm harbour"',  # probably never
    '"the anti-soviet line"',
    '"anti-soviet line"',
    '"the anti-soviet"',
    '"anti soviet"',
    '"antisoviet line"',
    '"soviet line"',
    '"the sea" boat',
    'fish "of the"',
    '"the sea" "of the"',
    '"and the" "sea and"',
    '"the zzyzx"',  # a word never seen
]
#: fewer, for the indexes built twice per test
SOME = [
    '"the sea and the"',
    '"net of the net"',
    '"the the sea"',
    '"the captain"',
    '"the anti-soviet line"',
    '"anti soviet"',
    'fish "of the"',
    '"and the" "sea and"',
]


def _turn(rng: random.Random) -> str:
    words = rng.choices(VOCAB, WEIGHTS, k=rng.randint(2, 30))
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(RUNS))
    return " ".join(words) + "."


def _write(folder: Path, name: str, rng: random.Random) -> None:
    """An invented talk in the plain format, with a date and a topic."""
    turns = [
        f"{rng.choice(['Petrov', 'Smirnova'])}: {_turn(rng)}" for _ in range(rng.randint(2, 8))
    ]
    date = f"19{rng.randint(60, 79)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    front = (
        f"---\ntitle: Talk {name}\ndate: {date}\n"
        f"participants: Ivan Petrov, Anna Smirnova\ntopics: {rng.choice(TOPICS)}\n"
        "source: invented for the tests\n---\n"
    )
    (folder / f"{name}.md").write_text(front + "\n\n".join(turns) + "\n")


def _corpus(folder: Path, seed: int, n: int = 36) -> random.Random:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        _write(folder, f"t{i:02d}", rng)
    return rng


def _update(folder: Path, rng: random.Random) -> None:
    """Remove three talks, rewrite two, add one."""
    for i in (2, 11, 23):
        (folder / f"t{i:02d}.md").unlink()
    for i in (5, 17, 40):
        _write(folder, f"t{i:02d}", rng)


@contextmanager
def _settings(pair_min: int, small: int = 0, size: int = 6_000) -> Iterator[None]:
    """Pairs of words of `pair_min` postings or more; segments of ~`size` chars; updates
    merging segments of fewer than `small` turns (the build's workers are forked: they see
    the same values)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(postings, "PAIR_MIN", pair_min)
        m.setattr(build, "SEGMENT_MAX", size)
        m.setattr(build, "SEGMENT_MIN", size // 6)
        m.setattr(build, "SMALL_SEGMENT", small)
        yield


def _build(folder: Path, ix: Path, pair_min: int, small: int = 0, size: int = 6_000) -> None:
    with _settings(pair_min, small, size):
        Archive.build([str(folder)], str(ix)).close()


@pytest.fixture(autouse=True)
def pairs_for_every_phrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """Phrases read from pairs however few their candidates (the corpora here are small)."""
    monkeypatch.setattr(ranking, "PAIR_CANDIDATES", 0)


# -- what the answers are compared with -----------------------------------------------------


def _matches(node: Any, at: dict[int, set[str]]) -> bool:
    """Whether a turn's terms (position -> terms there) match the compiled text query."""
    from whoosh import query as wq

    if type(node) is wq.Phrase:
        return _holds(at, list(node.words))
    if type(node) is wq.Term and node.fieldname == "text":
        return any(node.text in here for here in at.values())
    if type(node) is wq.And:
        return all(_matches(sub, at) for sub in node.subqueries)
    if type(node) is wq.Or:
        return any(_matches(sub, at) for sub in node.subqueries)
    raise AssertionError(f"not checked here: {node!r}")


def _turn_terms(archive: Archive) -> dict[str, dict[int, set[str]]]:
    """Each live turn's analysed text (turn id -> position -> terms there), from the documents."""
    reader = archive.searcher.searcher.reader()
    out: dict[str, dict[int, set[str]]] = {}
    for _, fields in reader.iter_docs():
        doc = archive.document(fields["doc_id"])
        text = next(t.text for t in doc.turns if t.id == fields["id"])
        at: dict[int, set[str]] = {}
        terms, places = index_terms(text)
        for term, pos in zip(terms, places or range(len(terms)), strict=True):
            at.setdefault(pos, set()).add(term)
        out[fields["id"]] = at
    return out


def _holds(at: dict[int, set[str]], words: list[str]) -> bool:
    """Whether the words stand one right after the other (Whoosh's phrase, slop 1)."""
    return any(
        all(w in at.get(p + i, ()) for i, w in enumerate(words)) for p in at if words[0] in at[p]
    )


def _brute(archive: Archive, q: str, terms: dict[str, dict[int, set[str]]]) -> set[str]:
    """The turns matching the query, checked turn by turn."""
    query = archive.searcher.compile(q).query
    return {t for t, at in terms.items() if _matches(query, at)}


def _answers(archive: Archive, q: str, **kw: Any) -> list[Any]:
    """What the archive answers for `q`: totals, hits and scores at several limits and
    sorts, and counts by speaker and year."""
    out: list[Any] = []
    for sort, limit in (("relevance", 1), ("relevance", 3), ("relevance", 10_000), ("date", 3)):
        found = archive.search(q, limit=limit, sort=sort, **kw)
        out.append((sort, limit, found.total, [(h.id, h.score) for h in found.hits]))
    out.append([(c.key, c.turns) for c in archive.count(q, "speaker", **kw)])
    out.append([(c.key, c.turns) for c in archive.count(q, "year", **kw)])
    return out


FILTERS: list[dict[str, Any]] = [
    {},
    {"speaker": "Smirnova"},
    {"date_from": "1965", "date_to": "1972"},
    {"topic": "Fisheries"},
]


def _assert_same(ours: Archive, plain: Archive, queries: list[str] = SOME) -> int:
    """Equal answers with and without pairs, and equal to the brute force; returns how many
    queries had hits."""
    terms = _turn_terms(plain)
    assert terms == _turn_terms(ours)
    some = 0
    for q in queries:
        for kw in FILTERS:  # the first search of `q`, at limit 1: nothing cached yet
            assert _answers(ours, q, **kw) == _answers(plain, q, **kw), (q, kw)
        everything = ours.search(q, limit=10_000)
        assert {h.id for h in everything.hits} == _brute(ours, q, terms), q
        assert everything.total == len(everything.hits)
        some += everything.total > 0
    return some


# -- equivalence ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus built with pairs (PAIR_MIN 3, in "pairs") and without ("plain"):
    several segments each."""
    root = tmp_path_factory.mktemp("pairs")
    _corpus(root / "corpus", 7)
    _build(root / "corpus", root / "pairs", 3)
    _build(root / "corpus", root / "plain", NO_PAIRS)
    return root


def _segments(archive: Archive) -> list[tuple[Any, int]]:
    return list(archive.searcher.searcher.reader().leaf_readers())


def _marker(seg: Any) -> float | None:
    """The total weight of the segment's pair marker (None: no marker)."""
    from whoosh.reading import TermNotFound

    try:
        return float(seg._terms.term_info(PAIR_FIELD, postings.PAIR_MARK.encode()).weight())
    except TermNotFound:
        return None


def test_fresh_index_has_pairs_in_every_segment(fresh: Path) -> None:
    with Archive.open(str(fresh / "pairs")) as ours, Archive.open(str(fresh / "plain")) as plain:
        assert len(_segments(ours)) > 2
        assert all(_marker(seg) == -3 and _written_pairs(seg) for seg, _ in _segments(ours))
        assert not any(_written_pairs(seg) for seg, _ in _segments(plain))


@pytest.mark.parametrize("candidates", [0, 25])
def test_same_answers_as_without_pairs(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    """Every phrase from pairs, or only those whose words (and filter) have 25 turns or more."""
    monkeypatch.setattr(ranking, "PAIR_CANDIDATES", candidates)
    queries = QUERIES if candidates == 0 else SOME
    with Archive.open(str(fresh / "pairs")) as ours, Archive.open(str(fresh / "plain")) as plain:
        assert _assert_same(ours, plain, queries) > len(queries) // 2


# -- the pair terms as written ---------------------------------------------------------------


def _expected_pairs(seg: Any, least: int) -> dict[str, dict[int, tuple[float, list[int]]]]:
    """The pairs the segment should hold, from its own `text` postings: "a b" -> document
    number -> (weight, the positions p of a where b stands at p + 1), for a, b of `least`
    postings or more."""
    words: dict[str, dict[int, list[int]]] = {}
    for btext in seg.lexicon("text"):
        word = btext.decode("utf-8")
        if seg.doc_frequency("text", word) < least:
            continue
        m = seg.postings("text", word)
        found = words[word] = {}
        while m.is_active():
            found[m.id()] = list(m.value_as("positions"))
            m.next()
    out: dict[str, dict[int, tuple[float, list[int]]]] = {}
    for a, a_docs in words.items():
        for b, b_docs in words.items():
            for d in a_docs.keys() & b_docs.keys():
                after = set(b_docs[d])
                starts = [p for p in a_docs[d] if p + 1 in after]
                if starts:  # the weight packs the pair's and its words' frequencies
                    weight = postings.pair_weight(len(starts), len(a_docs[d]), len(b_docs[d]))
                    out.setdefault(f"{a} {b}", {})[d] = (weight, starts)
    return out


def _written_pairs(seg: Any) -> dict[str, dict[int, tuple[float, list[int]]]]:
    """The segment's pair terms but the marker: "a b" -> docnum -> (weight, positions)."""
    out: dict[str, dict[int, tuple[float, list[int]]]] = {}
    for btext in seg.lexicon(PAIR_FIELD):
        pair = btext.decode("utf-8")
        if pair == postings.PAIR_MARK:
            continue
        m = seg.postings(PAIR_FIELD, pair)
        found = out[pair] = {}
        while m.is_active():
            found[m.id()] = (m.weight(), list(m.value_as("positions")))
            m.next()
    return out


@pytest.mark.parametrize("least", [2, 4])
def test_pair_terms_as_written(tmp_path: Path, least: int) -> None:
    """Every pair of words of `least` postings standing side by side, and no other: its turns,
    frequency (its starts) and positions (those of its first word); the marker's weight.
    At the edge: "walrus" and "tusk" have just `least` postings, "narwhal" one fewer."""
    _corpus(tmp_path / "corpus", 3, n=14)
    edge = ["Petrov: walrus tusk walrus tusk the sea."] * least + ["Smirnova: the narwhal tusk."]
    edge += ["Smirnova: the sea narwhal tusk."] * (least - 2)
    front = "---\ntitle: Edge\ndate: 1971-01-01\nsource: invented\n---\n"
    (tmp_path / "corpus" / "edge.md").write_text(front + "\n\n".join(edge) + "\n")
    _build(tmp_path / "corpus", tmp_path / "ix", least)
    with Archive.open(str(tmp_path / "ix")) as archive:
        (edge_segment,) = [s for s, _ in _segments(archive) if ("text", "walrus") in s]
        assert edge_segment.doc_frequency("text", "narwhal") == least - 1
        pairs = _written_pairs(edge_segment)
        assert len(pairs["walrus tusk"]) == least
        assert "tusk walrus" in pairs
        assert not any("narwhal" in pair for pair in pairs)
        total = 0
        for seg, _ in _segments(archive):
            assert _marker(seg) == -least
            expected = _expected_pairs(seg, least)
            written = _written_pairs(seg)
            assert set(written) == set(expected)
            for pair, docs in expected.items():
                assert written[pair] == docs, pair
                assert seg.doc_frequency(PAIR_FIELD, pair) == len(docs)
            total += len(written)
        assert total > 20


# -- hyphenated compounds ------------------------------------------------------------------


def test_phrases_across_compounds(tmp_path: Path) -> None:
    """ "anti-soviet" is indexed as "antisoviet" and "anti" at one position, "soviet" at the
    next: pairs starting or ending at either must not make a phrase match where the
    positions do not."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    rng = random.Random(1)
    texts = [
        "the anti-soviet line of the sea",
        "the antisoviet line and the anti soviet line",
        "anti-soviet soviet line the anti-soviet",
        "the soviet line anti the",
        "line anti-soviet anti-soviet line the sea",
        "the sea anti-soviet-line the",
    ]
    for i in range(12):
        turns = [f"Petrov: {rng.choice(texts)}." for _ in range(4)]
        turns += [f"Smirnova: {_turn(rng)}" for _ in range(2)]
        front = f"---\ntitle: Talk {i}\ndate: 1970-01-0{i % 9 + 1}\nsource: invented\n---\n"
        (folder / f"c{i:02d}.md").write_text(front + "\n\n".join(turns) + "\n")
    _build(folder, tmp_path / "pairs", 2)
    _build(folder, tmp_path / "plain", NO_PAIRS)
    queries = [
        '"the anti-soviet line"',
        '"anti-soviet line"',
        '"anti-soviet soviet"',
        '"antisoviet soviet"',
        '"antisoviet line"',
        '"anti soviet line"',
        '"the anti"',
        '"the antisoviet"',
        '"line anti-soviet anti-soviet"',
        '"soviet line the"',
        '"anti-soviet-line"',
    ]
    with (
        Archive.open(str(tmp_path / "pairs")) as ours,
        Archive.open(str(tmp_path / "plain")) as plain,
    ):
        assert any(_marker(seg) == -2 for seg, _ in _segments(ours))
        assert _assert_same(ours, plain, queries) >= 6


# -- segments that cannot answer from pairs -------------------------------------------------


@pytest.mark.parametrize("small", [0, 2_000])
def test_after_an_update(tmp_path: Path, small: int) -> None:
    """Segments keeping deleted turns (no merge), or small ones merged by Whoosh during the
    update (their marker's copy is not trusted)."""
    answers = {}
    for name, least in (("pairs", 3), ("plain", NO_PAIRS)):
        folder = tmp_path / name / "corpus"
        rng = _corpus(folder, 7)
        _build(folder, tmp_path / name / "ix", least, small)
        _update(folder, rng)
        _build(folder, tmp_path / name / "ix", least, small)
        answers[name] = Archive.open(str(tmp_path / name / "ix"))
    ours, plain = answers["pairs"], answers["plain"]
    try:
        reader = ours.searcher.searcher.reader()
        assert reader.has_deletions() == (small == 0)
        markers = [_marker(seg) for seg, _ in _segments(ours)]
        assert -3 in markers
        if small:
            assert any(m is None or m > 0 for m in markers)  # a merged segment
        _assert_same(ours, plain)
    finally:
        ours.close()
        plain.close()


def test_after_optimize(tmp_path: Path) -> None:
    """An index whose update added segments with pairs to segments without, merged into one
    by optimize: the merge's copy of the pairs (those of some turns only) is not trusted."""
    for name, then in (("pairs", 3), ("plain", NO_PAIRS)):
        folder = tmp_path / name / "corpus"
        rng = _corpus(folder, 7)
        _build(folder, tmp_path / name / "ix", NO_PAIRS)
        _update(folder, rng)
        _build(folder, tmp_path / name / "ix", then)
        with _settings(then):
            build.optimize(str(tmp_path / name / "ix"))  # the average length changes too
    ours_ix, plain_ix = tmp_path / "pairs" / "ix", tmp_path / "plain" / "ix"
    with Archive.open(str(ours_ix)) as ours, Archive.open(str(plain_ix)) as plain:
        (seg, _), *rest = _segments(ours)
        assert not rest
        assert _written_pairs(seg)  # copied
        copied = _marker(seg)
        assert copied is not None and copied > 0  # the merge's copy: a sum of positive weights
        _assert_same(ours, plain)


def test_mixed_segments(tmp_path: Path) -> None:
    """A build without pairs updated with them, and one with pairs updated with a higher
    PAIR_MIN: segments whose pairs differ in PAIR_MIN, or that have none."""
    indexes = {"plain": (NO_PAIRS, NO_PAIRS), "none-3": (NO_PAIRS, 3), "2-5": (2, 5)}
    for name, (first, then) in indexes.items():
        folder = tmp_path / name / "corpus"
        rng = _corpus(folder, 9)
        _build(folder, tmp_path / name / "ix", first)
        _update(folder, rng)
        _build(folder, tmp_path / name / "ix", then)
    with Archive.open(str(tmp_path / "plain" / "ix")) as plain:
        for name, (first, then) in indexes.items():
            if name == "plain":
                continue
            with Archive.open(str(tmp_path / name / "ix")) as ours:
                # a segment without pairs has no marker, or one saying so
                markers = {_marker(seg) for seg, _ in _segments(ours)} - {-NO_PAIRS} | {None}
                assert markers == {None, -float(first), -float(then)} - {-NO_PAIRS}, name
                _assert_same(ours, plain)


# -- pairs are really used ------------------------------------------------------------------


def _covered(seg: Any, words: tuple[str, ...]) -> bool:
    """Whether the segment can answer a phrase of `words` from its pairs."""
    mark = _marker(seg)
    if mark is None or mark >= 0:
        return False
    return all(seg.doc_frequency("text", w) >= -mark for w in words)


def test_pairs_are_read_instead_of_positions(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Phrases of common words on a fresh index: the pair field is read, and the position
    check of the phrase's words sees no turn of a segment covered by pairs."""
    fields: list[str] = []
    read_segment = TextRanker._read_segment

    def spy_read(self: TextRanker, seg: Any, base: int, field: str, *args: Any, **kw: Any) -> Any:
        fields.append(field)
        return read_segment(self, seg, base, field, *args, **kw)

    checked: list[int] = []
    phrase_docs = TextRanker._phrase_docs

    def spy_phrase(self: TextRanker, words: Any, docs: set[int], *args: Any, **kw: Any) -> Any:
        if self.field == "text":  # not the pairs' own phrase of pairs
            checked.extend(docs)
        return phrase_docs(self, words, docs, *args, **kw)

    monkeypatch.setattr(TextRanker, "_read_segment", spy_read)
    monkeypatch.setattr(TextRanker, "_phrase_docs", spy_phrase)
    with Archive.open(str(fresh / "pairs")) as ours:
        # each phrase holds a pair not read before
        for words in (("the", "sea"), ("sea", "and", "the"), ("of", "the", "sea", "and")):
            fields.clear()
            checked.clear()
            assert ours.search('"' + " ".join(words) + '"', limit=3).total > 0
            assert PAIR_FIELD in fields, words
            covered = [
                range(base, base + seg.doc_count_all())
                for seg, base in _segments(ours)
                if _covered(seg, words)
            ]
            assert covered, words
            # no turn of a covered segment goes through the position check
            assert not [d for d in checked if any(d in r for r in covered)], words


# -- a property -----------------------------------------------------------------------------

SMALL_VOCAB = ["the", "sea", "boat", "net", "of", "ice", "anti-soviet", "soviet"]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.lists(st.sampled_from(SMALL_VOCAB), min_size=1, max_size=14), min_size=4, max_size=30
    ),
    st.lists(
        st.lists(st.sampled_from(SMALL_VOCAB), min_size=2, max_size=4), min_size=1, max_size=6
    ),
    st.integers(1, 3),
)
def test_phrase_matches_equal_a_brute_force(
    turns: list[list[str]], phrases: list[list[str]], least: int
) -> None:
    root = Path(tempfile.mkdtemp(prefix="pairs-"))
    try:
        folder = root / "corpus"
        folder.mkdir()
        for i in range(0, len(turns), 5):
            body = "\n\n".join(f"Petrov: {' '.join(t)}." for t in turns[i : i + 5])
            front = f"---\ntitle: Talk {i}\ndate: 1970-01-01\nsource: invented\n---\n"
            (folder / f"p{i:02d}.md").write_text(front + body + "\n")
        _build(folder, root / "ix", least, size=600)  # a few segments, not all with pairs
        with Archive.open(str(root / "ix")) as archive:
            terms = _turn_terms(archive)
            queries = ['"' + " ".join(words) + '"' for words in phrases]
            for q in [*queries, " ".join(queries[:2])]:
                found = archive.search(q, limit=10_000)
                assert {h.id for h in found.hits} == _brute(archive, q, terms), q
                assert found.total == len(found.hits)
    finally:
        shutil.rmtree(root)


def test_a_phrase_alone_reads_no_word_postings(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phrase alone, unfiltered, is ranked from its pairs' postings only: each pair's
    weight holds its words' frequencies in the turn (postings.pair_weight)."""
    fields: list[str] = []
    read = TextRanker._read

    def spy(self: TextRanker, field: str, word: str, kept: Any) -> Any:
        fields.append(field)
        return read(self, field, word, kept)

    monkeypatch.setattr(TextRanker, "_read", spy)
    with Archive.open(str(fresh / "pairs")) as ours, Archive.open(str(fresh / "plain")) as plain:
        for q in ('"the sea"', '"the sea and the"', '"net of the net"', '"the the sea"'):
            fields.clear()
            found = ours.search(q, limit=5)
            assert found.total and set(fields) == {PAIR_FIELD}, (q, fields)
            expected = plain.search(q, limit=5)
            assert [(h.id, h.score) for h in found.hits] == [(h.id, h.score) for h in expected.hits]
            assert found.total == expected.total


def test_a_phrase_alone_after_an_update(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an update whose small segments Whoosh merged (no trusted pairs there), a phrase
    alone still takes the other segments' turns from its pairs: its words' postings are
    read only in the merged segment, and the answers are those without pairs."""
    for name, least in (("pairs", 3), ("plain", NO_PAIRS)):
        folder = tmp_path / name / "corpus"
        rng = _corpus(folder, 7)
        _build(folder, tmp_path / name / "ix", least, 2_000)
        _update(folder, rng)
        _build(folder, tmp_path / name / "ix", least, 2_000)
    bases: list[int] = []
    read_segment = TextRanker._read_segment

    def spy(self: TextRanker, seg: Any, base: int, field: str, *args: Any, **kw: Any) -> Any:
        if field == "text":
            bases.append(base)
        return read_segment(self, seg, base, field, *args, **kw)

    monkeypatch.setattr(TextRanker, "_read_segment", spy)
    with (
        Archive.open(str(tmp_path / "pairs" / "ix")) as ours,
        Archive.open(str(tmp_path / "plain" / "ix")) as plain,
    ):
        for q in ('"the sea"', '"the sea and the"', '"net of the net"', '"the the sea"'):
            words = tuple(q.strip('"').split())
            covered = {base for seg, base in _segments(ours) if _covered(seg, words)}
            assert covered and len(covered) < len(_segments(ours)), q
            bases.clear()
            found = ours.search(q, limit=5)
            assert bases and not covered & set(bases), q
            expected = plain.search(q, limit=5)
            assert [(h.id, h.score) for h in found.hits] == [(h.id, h.score) for h in expected.hits]
            assert found.total == expected.total > 0


def test_a_word_256_times_in_a_turn(tmp_path: Path) -> None:
    """A pair whose word occurs 256 times or more in a turn cannot pack the frequencies:
    its phrases are ranked from the words' postings, with the same answers."""
    _corpus(tmp_path / "corpus", 5, n=12)
    front = "---\ntitle: Long\ndate: 1970-05-05\nsource: invented\n---\n"
    long = "Petrov: " + "the sea and " * 260 + "the boat.\n\nSmirnova: the sea.\n"
    (tmp_path / "corpus" / "long.md").write_text(front + long)
    _build(tmp_path / "corpus", tmp_path / "pairs", 3)
    _build(tmp_path / "corpus", tmp_path / "plain", NO_PAIRS)
    with (
        Archive.open(str(tmp_path / "pairs")) as ours,
        Archive.open(str(tmp_path / "plain")) as plain,
    ):
        weights = []
        for seg, _ in _segments(ours):
            if (PAIR_FIELD, "the sea") in seg:
                m = seg.postings(PAIR_FIELD, "the sea")
                while m.is_active():
                    weights.append(m.weight())
                    m.next()
        assert weights and min(weights) < 0  # the long turn's: not packed
        queries = ['"the sea"', '"the sea and"', '"sea and the"', '"and the boat"', '"the boat"']
        assert _assert_same(ours, plain, queries) == len(queries)
