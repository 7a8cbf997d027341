"""A common word's best hits from per-segment top lists (postings.top_list, written by
segments.py, read by ranking.py) must equal those ranked from all its postings: hits,
scores, order and totals, after updates that delete turns and merge segments, and after
optimize. Invented people and words only."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Archive, build, postings
from searcher.postings import top_list
from searcher.ranking import TextRanker

from .conftest import write_talk

VOCAB = ["the", "of", "and", "sea", "boat", "net", "fish", "storm", "harbour", "ice"]
WEIGHTS = [40, 25, 20, 12, 10, 8, 7, 5, 4, 3]
TOP_K = 12
KS = (1, 3, 10, TOP_K, TOP_K + 1)


def _write(folder: Path, name: str, rng: random.Random) -> None:
    turns = []
    for _ in range(rng.randint(3, 9)):
        words = rng.choices(VOCAB, WEIGHTS, k=rng.randint(2, 60))
        turns.append(f"{rng.choice(['Petrov', 'Smirnova'])}: {' '.join(words)}.")
    write_talk(folder / f"{name}.md", f"Talk {name}", "1975-06-02", turns)


@pytest.fixture
def small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Top lists for words of 20 postings or more, of 12 hits; segments of ~15,000 chars
    (the build's workers are forked: they see the same values)."""
    monkeypatch.setattr(postings, "TOP_MIN", 20)
    monkeypatch.setattr(postings, "TOP_K", TOP_K)
    monkeypatch.setattr(build, "SEGMENT_MAX", 15_000)


@pytest.fixture
def corpus(tmp_path: Path, small_lists: None) -> Iterator[tuple[Path, random.Random]]:
    rng = random.Random(7)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(40):
        _write(folder, f"t{i:02d}", rng)
    yield folder, rng


def _full_ranker(archive: Archive) -> TextRanker:
    """A ranker that reads every posting (no top lists)."""
    ranker = TextRanker(archive.searcher.searcher, archive.searcher._ranker.lengths)
    ranker._read_tops = lambda word: None  # type: ignore[method-assign]
    return ranker


def _assert_same(archive: Archive) -> int:
    """Top-list answers equal full answers for every word and k; returns how many came
    from top lists."""
    searcher = archive.searcher.searcher
    used = 0
    for word in VOCAB:
        for k in KS:
            ranker = TextRanker(searcher, archive.searcher._ranker.lengths)
            short = ranker._read_tops(word) if k <= TOP_K else None
            used += short is not None
            ours = ranker.run([(word,)], None, k)
            theirs = _full_ranker(archive).run([(word,)], None, k)
            assert ours == theirs, (word, k)
            assert word not in ranker._cache or short is None  # all postings not read
    for word in VOCAB:  # via the archive, with its results cache, k growing
        for k in KS:
            hits = archive.search(word, limit=k)
            assert hits.total == _full_ranker(archive).run([(word,)], None, 0)[0]
    return used


def test_same_results_as_all_postings(corpus: tuple[Path, random.Random], tmp_path: Path) -> None:
    folder, _ = corpus
    with Archive.build([str(folder)], str(tmp_path / "ix")) as archive:
        assert len(archive.searcher.searcher.reader().leaf_readers()) > 1
        assert _assert_same(archive) > 0


def test_top_lists_are_read_instead_of_postings(
    corpus: tuple[Path, random.Random], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = corpus
    with Archive.build([str(folder)], str(tmp_path / "ix")) as archive:
        ranker = archive.searcher._ranker
        read: list[Any] = []  # segments whose postings were all read
        segment = ranker._read_segment

        def whole(seg: Any, *args: Any) -> int | None:
            left_out = segment(seg, *args)
            if left_out is None:
                read.append(seg)
            return left_out

        monkeypatch.setattr(ranker, "_read_segment", whole)
        ranked: list[int] = []
        single = ranker._single_by_class

        def spy(word: str, p: Any, k: int) -> tuple[int, list[tuple[int, float]]]:
            ranked.append(len(p.ids))
            return single(word, p, k)

        monkeypatch.setattr(ranker, "_single_by_class", spy)
        total, best = ranker.run([("the",)], None, 5)
        assert len(best) == 5
        # only segments too small for a top list of "the" (a job's last one)
        assert len(read) < len(ranker.leaves)
        assert all(seg.doc_frequency("text", "the") < postings.TOP_MIN for seg in read)
        assert ranked and ranked[0] < total  # fewer candidates than matching turns


@pytest.mark.parametrize("small", [0, 2_000])
def test_after_an_update_that_deletes_and_changes(
    corpus: tuple[Path, random.Random],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    small: int,
) -> None:
    """Segments keeping deleted turns (no merge), or small ones merged by the update."""
    monkeypatch.setattr(build, "SMALL_SEGMENT", small)
    folder, rng = corpus
    Archive.build([str(folder)], str(tmp_path / "ix")).close()
    for i in (2, 11, 23):
        (folder / f"t{i:02d}.md").unlink()
    for i in (5, 17, 30, 31):
        _write(folder, f"t{i:02d}", rng)
    with Archive.build([str(folder)], str(tmp_path / "ix")) as archive:
        reader = archive.searcher.searcher.reader()
        assert reader.has_deletions() == (small == 0)
        _assert_same(archive)


def test_merged_segments_keep_no_trusted_top_list(
    corpus: tuple[Path, random.Random], tmp_path: Path
) -> None:
    """Whoosh's merge copies the top lists; their total weight is no longer minus the
    word's postings, so the ranker reads all postings of a merged segment."""
    folder, _ = corpus
    Archive.build([str(folder)], str(tmp_path / "ix")).close()
    with Archive.open(str(tmp_path / "ix")) as archive:
        before = sum(
            TextRanker(archive.searcher.searcher, None)._read_tops(w) is not None for w in VOCAB
        )
    assert before > 0
    build.optimize(str(tmp_path / "ix"))
    with Archive.open(str(tmp_path / "ix")) as archive:
        reader = archive.searcher.searcher.reader()
        assert len(reader.leaf_readers()) == 1
        copied = reader.leaf_readers()[0][0]._terms.term_info("text_top", b"the")
        assert copied.weight() > 0  # the merge's copy: the sum of the frequencies
        ranker = TextRanker(archive.searcher.searcher, None)
        assert all(ranker._read_tops(w) is None for w in VOCAB)
        _assert_same(archive)


def _bm25(f: int, n: int, idf: float, avgdl: float, b: float, k1: float) -> float:
    from whoosh.scoring import bm25
    from whoosh.util.numeric import byte_to_length

    return float(bm25(idf, float(f), byte_to_length(n), avgdl, b, k1))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.sampled_from([3, 9, 40, 41, 120, 255])), max_size=300),
    st.integers(1, 40),
    st.floats(0.05, 3.0),
    st.floats(0.05, 1.0),
    st.floats(1.0, 500.0),
    st.floats(0.01, 12.0),
)
def test_kept_postings_hold_the_true_top_k(
    found: list[tuple[int, int]], k: int, k1: float, b: float, avgdl: float, idf: float
) -> None:
    freqs = [f for f, _ in found]
    lengths = [n for _, n in found]
    kept = top_list(freqs, lengths, k)
    assert kept == sorted(set(kept))
    scores = [_bm25(f, n, idf, avgdl, b, k1) for f, n in found]
    assert all(math.isfinite(s) for s in scores)
    best = sorted(range(len(found)), key=lambda j: (-scores[j], j))[:k]
    assert set(best) <= set(kept)


def test_top_list_drops_what_k_others_beat() -> None:
    # (2, 10) dominates (1, 10); (3, 200) and (2, 10) do not dominate each other
    freqs, lengths = [2, 2, 2, 1, 2, 3], [10, 10, 10, 10, 10, 200]
    assert top_list(freqs, lengths, 2) == [0, 1, 5]
    assert top_list(freqs, lengths, 4) == [0, 1, 2, 4, 5]
