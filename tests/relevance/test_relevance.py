"""Run the relevance set over ../shared/corpus: each query on its own, then the figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from searcher import Archive

from .judge import Judged, K, load, score

JUDGED = load()
TARGET_RECALL = 0.95


@pytest.fixture(scope="module")
def archive(shared_index: str) -> Iterator[Archive]:
    with Archive.open(shared_index) as a:
        yield a


@pytest.fixture(scope="module")
def indexed(archive: Archive) -> set[str]:
    reader = archive.searcher.searcher.reader()
    return {f["doc_id"] for f in reader.all_stored_fields()}


def _hits(archive: Archive, judged: Judged) -> list[tuple[str, str]]:
    results = archive.search(judged.q, limit=K, **judged.options)
    return [(h.doc_id, h.text) for h in results.hits]


def test_the_set_is_big_enough_and_well_formed() -> None:
    assert len(JUDGED) >= 30
    assert all(j.expect and j.why for j in JUDGED)


@pytest.mark.parametrize("judged", JUDGED, ids=[j.q for j in JUDGED])
def test_query_finds_its_turns(archive: Archive, indexed: set[str], judged: Judged) -> None:
    absent = judged.docs - indexed
    if absent:
        pytest.skip(f"not indexed (reader not landed?): {', '.join(sorted(absent))}")
    s = score(judged, _hits(archive, judged))
    assert not s.missing, f"{judged.q!r} ({judged.why}) missed {s.missing}"


def test_recall_and_mrr(
    archive: Archive, indexed: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    usable = [j for j in JUDGED if j.docs <= indexed]
    if len(usable) < 10:
        pytest.skip("too few judged records are indexed")
    scores = [score(j, _hits(archive, j)) for j in usable]
    recall = sum(s.recall for s in scores) / len(scores)
    mrr = sum(s.reciprocal_rank for s in scores) / len(scores)
    with capsys.disabled():
        print(f"\nrelevance: {len(usable)} queries, recall@{K} {recall:.3f}, MRR {mrr:.3f}")
    assert recall >= TARGET_RECALL
