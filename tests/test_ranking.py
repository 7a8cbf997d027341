"""Ranking words, phrases and their AND from decoded postings (searcher/ranking.py) must give
Whoosh's own hits, scores and order, and exact totals, on an index with several segments
and deleted turns. Invented people and words only."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher import Archive
from searcher.analysis import STEM_MAP, STEMS, analyze, load_stems
from searcher.postings import decode_positions, encode_positions
from searcher.ranking import _SPREAD, _position_keys
from searcher.search import Filters, TurnSearcher

from .conftest import fresh_python, write_talk

#: common words and rarer ones, so that phrases, repeats and long posting lists all occur
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
    "ice",
    "river",
    "captain",
    "winter",
    "cargo",
]
WEIGHTS = [40, 25, 20, 12, 10, 8, 7, 5, 4, 3, 3, 2, 2, 1]


def _turn(rng: random.Random) -> str:
    return " ".join(rng.choices(VOCAB, WEIGHTS, k=rng.randint(3, 40))) + "."


def _write(folder: Path, name: str, rng: random.Random) -> None:
    turns = []
    for _ in range(rng.randint(2, 8)):
        who = rng.choice(["Petrov", "Smirnova"])
        turns.append(f"{who}: {_turn(rng)}")
    write_talk(folder / f"{name}.md", f"Talk {name}", f"1975-06-0{rng.randint(1, 9)}", turns)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An index updated twice: several segments, and turns deleted by the updates."""
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("ranking")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(40):
        _write(corpus, f"t{i:02d}", rng)
    Archive.build([str(corpus)], str(root / "ix")).close()
    for i in (3, 17):
        (corpus / f"t{i:02d}.md").unlink()
    for i in (5, 40, 41):
        _write(corpus, f"t{i:02d}", rng)
    with Archive.build([str(corpus)], str(root / "ix")) as updated:
        yield updated


def _queries(n: int) -> list[str]:
    rng = random.Random(5)
    out = []
    for _ in range(n):
        a, b, c = rng.choices(VOCAB, k=3)
        out += [a, f"{a} {b}", f'"{a} {b}"', f'"{a} {b} {c}"', f'"{a} {a}"', f'{c} "{a} {b}"']
    return out


def _whoosh(searcher: TurnSearcher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searcher, "_rank", lambda *_args: None)


def test_index_has_segments_and_deletions(archive: Archive) -> None:
    reader = archive.searcher.searcher.reader()
    assert reader.has_deletions()
    assert len(reader.leaf_readers()) > 1


@pytest.mark.parametrize("speaker", [None, "Petrov"])
def test_same_hits_scores_and_totals_as_whoosh(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, speaker: str | None
) -> None:
    searcher = archive.searcher
    filters = Filters(speakers=(speaker,) if speaker else ())
    handled = 0
    for q in _queries(12):
        for limit, offset in ((10, 0), (5, 3), (10_000, 0)):
            ours = searcher.search(q, filters, limit=limit, offset=offset)
            handled += searcher._rank(searcher.compile(q).query, None, 1) is not None
            with monkeypatch.context() as m:
                _whoosh(searcher, m)
                theirs = searcher.search(q, filters, limit=limit, offset=offset)
            assert ours.total == theirs.total, q
            assert [(h.id, h.score) for h in ours.hits] == [(h.id, h.score) for h in theirs.hits]
            assert [h.snippet for h in ours.hits] == [h.snippet for h in theirs.hits]
    assert handled  # the queries really went through the ranker


def _brute_total(archive: Archive, words: list[str], phrase: bool) -> int:
    """Turns whose analyzed text holds every word (as a run of words, for a phrase)."""
    reader = archive.searcher.searcher.reader()
    total = 0
    seen = set()
    for fields in reader.all_stored_fields():
        doc_id = fields["doc_id"]
        if doc_id in seen:
            continue
        seen.add(doc_id)
        for turn in archive.document(doc_id).turns:
            terms = analyze(turn.text)
            if phrase:
                n = len(words)
                total += any(terms[i : i + n] == words for i in range(len(terms) - n + 1))
            else:
                total += all(w in terms for w in words)
    return total


def test_totals_equal_a_brute_force_count(archive: Archive) -> None:
    rng = random.Random(3)
    for _ in range(8):
        a, b = rng.sample(VOCAB, 2)
        assert archive.search(f"{a} {b}").total == _brute_total(archive, [a, b], False)
        assert archive.search(f'"{a} {b}"').total == _brute_total(archive, [a, b], True)
        assert archive.search(a).total == _brute_total(archive, [a], False)


def test_repeated_phrase_uses_the_remembered_turns(archive: Archive) -> None:
    searcher = archive.searcher
    first = searcher.search('"the sea"', Filters(), limit=3)
    assert ("the", "sea") in searcher._ranker._phrases
    again = searcher.search('"the sea"', Filters(), limit=3, offset=3)
    assert again.total == first.total
    filtered = searcher.search('"the sea"', Filters(speakers=("Smirnova",)))
    assert filtered.total == _count_by(archive, '"the sea"', "Smirnova")


def _count_by(archive: Archive, q: str, speaker: str) -> int:
    hits = archive.search(q, limit=10_000).hits
    return sum(1 for h in hits if h.label == speaker)


def test_stem_map_loads_the_pairs_it_saved(tmp_path: Path) -> None:
    pairs = {"négociations": "négoci", "ships": "ship", "u.s": "u.s", "x": "x"}
    text = "".join(f"{w}\t{s}\n" for w, s in pairs.items())
    (tmp_path / STEM_MAP).write_text(text, encoding="utf-8")
    saved = dict(STEMS.cache)
    try:
        STEMS.cache.clear()
        assert load_stems(str(tmp_path)) == len(pairs)
        assert STEMS.cache == pairs
        (tmp_path / STEM_MAP).write_text(text.rstrip("\n"), encoding="utf-8")
        STEMS.cache.clear()
        load_stems(str(tmp_path))
        assert STEMS.cache == pairs
    finally:
        STEMS.cache.clear()
        STEMS.cache.update(saved)


def test_whoosh_loads_without_urllib_request() -> None:
    """The stand-ins of analysis._import_whoosh_lightly: not loaded, yet working when called."""
    code = (
        "import sys, searcher.analysis, whoosh.compat, whoosh.query.terms as t\n"
        "print('urllib.request' in sys.modules, 'whoosh.lang.morph_en' in sys.modules)\n"
        "print(sorted(t.variations('ship'))[:2])\n"
        "import urllib.request\n"
        "print(callable(urllib.request.urlopen))\n"
    )
    out = fresh_python(code).split("\n")
    assert out[0] == "False False"
    assert out[1] == "['ship', 'shiped']"
    assert out[2] == "True"


def test_selection_for_counts_equals_whoosh(archive: Archive) -> None:
    searcher = archive.searcher
    for speaker in ((), ("Smirnova",)):
        filters = Filters(speakers=speaker)
        allowed = searcher.filter_set(filters, [])
        for q in _queries(6):
            found, _ = searcher.select(q, filters)
            query = searcher.compile(q).query
            theirs = set(searcher.searcher.docs_for_query(query))
            assert found == (theirs if allowed is None else theirs & allowed), q


def test_block_reader_equals_whoosh_postings(archive: Archive) -> None:
    """Posting lists read whole and parsed in memory: the same document numbers and
    frequencies as Whoosh's own matchers, deleted turns included."""
    searcher = archive.searcher
    ranker = searcher._ranker
    reader = searcher.searcher.reader()
    for word in VOCAB:
        theirs: list[tuple[int, float]] = []
        for seg, base in reader.leaf_readers():
            if ("text", word) in seg:
                m = seg.postings("text", word)
                while hasattr(m, "child"):
                    m = m.child  # the wrapper hiding deleted turns
                theirs += [(base + d, w) for d, w in m.items_as("weight")]
        found = ranker._read("text", word, None)
        assert list(zip(found.ids, found.freqs, strict=True)) == theirs, word
    assert any(len(ranker._read("text", w, None).starts) > 1 for w in VOCAB)  # several blocks


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_totals_of_shapes_whoosh_runs_count_every_match(archive: Archive, sort: str) -> None:
    """OR, NOT and slop with a phrase go to Whoosh's own search, which must count every
    match whatever the limit (its collector once dropped an OR's side as scores rose)."""
    searcher = archive.searcher
    for q in ['"the sea" OR storm', 'sea OR "boat net"', '"sea boat" OR ice', '"the sea" -storm',
              '"the sea"~2 storm', '"fish net" OR "the sea" OR cargo']:  # fmt: skip
        compiled = searcher.compile(q).query
        assert searcher._ranker.parts(compiled) is None, q  # not ranked from postings
        every = len(set(searcher.searcher.docs_for_query(compiled)))
        allowed = set(range(0, searcher.searcher.doc_count_all(), 2))
        some = len(set(searcher.searcher.docs_for_query(compiled)) & allowed)
        for limit in (1, 3, 10):
            assert archive.search(q, limit=limit, sort=sort).total == every, (q, limit)
        found = searcher._whoosh_search(compiled, allowed, 3, None)  # within a filter
        assert searcher._total(compiled, allowed, found) == some, q


def test_scorer_from_postings_scores_as_whooshs(archive: Archive) -> None:
    """The ranker builds BM25 from the document frequency its postings carry (Whoosh's
    scorer would look each word up in every segment again): the same floats, with deleted
    turns counted as Whoosh counts them."""
    from whoosh.util.numeric import byte_to_length

    from searcher.ranking import _BM25

    searcher = archive.searcher
    ranker, whoosh = searcher._ranker, searcher.searcher
    assert whoosh.reader().has_deletions()
    for word in VOCAB:
        ranker._scorers.pop(word, None)
        ranker._postings(word)
        ours, theirs = ranker._scorer(word), whoosh.weighting.scorer(whoosh, "text", word)
        assert isinstance(ours, _BM25)
        assert ranker._read("text", word, None).df == whoosh.doc_frequency("text", word)
        for f in (1.0, 2.0, 7.0, 40.0):
            for b in (0, 1, 9, 60, 255):
                length = byte_to_length(b)
                assert ours._score(f, length) == theirs._score(f, length), (word, f, b)


def test_phrases_with_a_word_over_several_blocks_rank_as_whoosh(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Phrases of two and three words led, split or ended by the commonest word, whose
    postings span several blocks, and their AND with a word: Whoosh's hits and totals."""
    searcher = archive.searcher
    assert len(searcher._ranker._read("text", "the", None).starts) > 1
    queries = ['"the sea"', '"sea the"', '"the sea boat"', '"boat the sea"', '"net the the"']
    for q in [*queries, *(f"fish {q}" for q in queries)]:
        searcher._ranker._phrases.clear()
        searcher._ranker._results.clear()
        ours = searcher.search(q, Filters(), limit=10)
        assert searcher._rank(searcher.compile(q).query, None, 1) is not None, q
        with monkeypatch.context() as m:
            _whoosh(searcher, m)
            theirs = searcher.search(q, Filters(), limit=10)
        assert ours.total == theirs.total, q
        assert [(h.id, h.score) for h in ours.hits] == [(h.id, h.score) for h in theirs.hits]


_POSITIONS = st.lists(st.integers(0, 70_000), min_size=1, max_size=6, unique=True).map(sorted)


@given(
    st.lists(st.tuples(st.integers(0, 5_000), _POSITIONS), max_size=12, unique_by=lambda t: t[0])
)
def test_position_keys_are_every_turn_and_position(turns: list[tuple[int, list[int]]]) -> None:
    """Keys of one `accumulate` over all values end to end, with 16- and 32-bit gaps
    (decoded apart) anywhere, first included: exactly turn * spread + shift + position."""
    turns.sort()
    docs = [d for d, _ in turns]
    values = [encode_positions(ps) for _, ps in turns]
    shift = (1 << 31) - 2
    keys = list(_position_keys(docs, values, shift, decode_positions))
    assert set(keys) == {d * _SPREAD + shift + q for d, ps in turns for q in ps}
    assert {k // _SPREAD for k in keys} == set(docs)


def test_keyword_filters_equal_whoosh(archive: Archive) -> None:
    from whoosh.query import Term

    searcher = archive.searcher
    reader = searcher.searcher.reader()
    checked = 0
    for field in ("speaker_keys", "speaker_id", "doc_id"):
        for raw in list(reader.lexicon(field))[:20]:
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            theirs = set(searcher.searcher.docs_for_query(Term(field, term)))
            assert searcher._ranker.term_docs(field, term) == theirs, (field, term)
            checked += 1
    assert checked > 10
    assert searcher._ranker.term_docs("speaker_keys", "nobody-at-all") == set()


@pytest.fixture(scope="module")
def unusual(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """Turns with a word said 300 times (a frequency that is no byte) and a phrase after
    it (position gaps that are no byte), among ordinary ones."""
    rng = random.Random(23)
    root = tmp_path_factory.mktemp("unusual")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(12):
        _write(corpus, f"u{i:02d}", rng)
    front = (
        "---\ntitle: Long talk\ndate: 1976-02-03\nparticipants: Ivan Petrov, Anna Smirnova\n"
        "source: invented for the tests\n---\n"
    )
    long_turn = "Petrov: " + "net " * 300 + "storm " * 260 + "the sea boat.\n\n"
    (corpus / "long.md").write_text(front + long_turn + "Smirnova: the sea and the ice.\n")
    with Archive.build([str(corpus)], str(root / "ix")) as built:
        yield built


def test_unusual_frequencies_and_gaps_rank_as_whoosh(
    unusual: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = unusual.searcher
    assert not isinstance(searcher._ranker._read("text", "net", None).freqs, bytearray)
    for q in ["net", "storm", '"the sea"', '"sea boat"', '"storm the sea"', "net sea", "the"]:
        for limit in (3, 10_000):
            ours = searcher.search(q, Filters(), limit=limit)
            assert searcher._rank(searcher.compile(q).query, None, 1) is not None, q
            with monkeypatch.context() as m:
                _whoosh(searcher, m)
                theirs = searcher.search(q, Filters(), limit=limit)
            assert ours.total == theirs.total, q
            assert [(h.id, h.score) for h in ours.hits] == [(h.id, h.score) for h in theirs.hits]
