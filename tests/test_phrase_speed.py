"""The fast paths of searcher/ranking.py for phrases and very common words must give
Whoosh's own hits, scores, order and totals: phrases checked by rows of one-byte positions
(`_single_starts`: words seen once per turn, a position of 254 or more, a word repeated),
top hits found by class (`_best_by_class`, `_single_by_class` with ties), and posting
blocks inflated only as far as their document numbers. Invented people and words only."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from searcher import Archive
from searcher.ranking import TextRanker, _inflated_head
from searcher.search import Filters, TurnSearcher

from .conftest import write_talk

#: invented filler words, each rare, so that most turns hold a phrase's words once
FILLER = [a + b + c for a in ("bra", "klo", "mev", "tus") for b in "aeiou" for c in ("nd", "rk")]


def _turn(rng: random.Random) -> str:
    words = rng.choices(FILLER, k=rng.randint(4, 30))
    kind = rng.random()
    if kind < 0.6:  # the phrase once (its words seen once)
        words.insert(rng.randrange(len(words) + 1), "amber lantern")
    elif kind < 0.7:  # both words, apart
        words[:0] = ["lantern"]
        words.append("amber")
    elif kind < 0.8:  # a word repeated, the phrase there or not
        words += ["amber", "gravel", "amber lantern" if rng.random() < 0.5 else "lantern"]
    elif kind < 0.85:  # a long turn: the phrase at a position of 254 or more
        words = [*rng.choices(FILLER, k=rng.randint(260, 300)), "amber lantern"]
    elif kind < 0.9:  # the three-word phrase
        words.insert(rng.randrange(len(words) + 1), "old amber lantern")
    return " ".join(words) + "."


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An index updated once: several segments and deleted turns."""
    rng = random.Random(23)
    root = tmp_path_factory.mktemp("phrase_speed")
    corpus = root / "corpus"
    corpus.mkdir()

    def write(i: int) -> None:
        turns = [
            f"{rng.choice(['Petrov', 'Smirnova'])}: {_turn(rng)}" for _ in range(rng.randint(4, 12))
        ]
        write_talk(corpus / f"t{i:02d}.md", f"Talk {i}", f"1976-03-0{rng.randint(1, 9)}", turns)

    for i in range(30):
        write(i)
    Archive.build([str(corpus)], str(root / "ix")).close()
    (corpus / "t04.md").unlink()
    write(7)
    write(30)
    with Archive.build([str(corpus)], str(root / "ix")) as updated:
        yield updated


def _same_as_whoosh(
    searcher: TurnSearcher, q: str, filters: Filters, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's hits and total at each limit, and every hit when asked for all."""
    for limit in (1, 3, 10, 10_000):
        searcher._ranker._phrases.clear()
        searcher._ranker._results.clear()
        ours = searcher.search(q, filters, limit=limit)
        with monkeypatch.context() as m:
            m.setattr(searcher, "_rank", lambda *_args: None)
            theirs = searcher.search(q, filters, limit=limit)
            every = searcher.search(q, filters, limit=10_000)
        assert ours.total == theirs.total == every.total == len(every.hits), q
        assert [(h.id, h.score) for h in ours.hits] == [(h.id, h.score) for h in theirs.hits], q


def test_phrases_by_rows_of_positions_equal_whoosh(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = archive.searcher
    assert searcher.searcher.reader().has_deletions()
    rows = []
    checked = TextRanker._single_starts

    def spy(self: TextRanker, *args: object, **kwargs: object) -> set[int]:
        found = checked(self, *args, **kwargs)  # type: ignore[arg-type]
        rows.append(len(found))
        return found

    monkeypatch.setattr(TextRanker, "_single_starts", spy)
    queries = ['"amber lantern"', '"lantern amber"', '"old amber lantern"', '"amber amber"']
    for q in [*queries, '"amber lantern" gravel', 'braand "amber lantern"']:
        for speaker in ((), ("Smirnova",)):
            _same_as_whoosh(searcher, q, Filters(speakers=speaker), monkeypatch)
    assert rows and max(rows) > 0  # the rows of positions were really compared


def test_common_word_ties_equal_whoosh(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many turns share a word's best class: only the first few of each are taken."""
    for q in ("amber", "lantern", "amber lantern", "braand"):
        _same_as_whoosh(archive.searcher, q, Filters(), monkeypatch)


def test_inflated_head_is_the_start_of_the_block() -> None:
    import zlib

    from searcher.postings import pack_block, unpack_head

    rng = random.Random(2)
    for weights in ([1.0] * 300, [float(rng.randint(1, 9)) for _ in range(300)], [0.5] * 300):
        ids = sorted(rng.sample(range(100_000), 300))
        values = [bytes(rng.choices(range(1, 200), k=rng.randint(1, 9))) for _ in ids]
        block = pack_block(ids, weights, values)
        head = _inflated_head(zlib.compress(block, 3), len(ids))
        assert block.startswith(head)
        gaps, found, at = unpack_head(block, len(ids))
        assert at == len(head)
        assert unpack_head(head, len(ids))[:2] == (gaps, found)
