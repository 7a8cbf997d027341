"""A build's jobs: every file in exactly one job, in order, and groups of even size so that
the workers finish together; the same answers whichever way the files were grouped. Topic
patterns found with their first token checked once per word are every occurrence."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import Generator
from searcher import Archive
from searcher import build as build_module
from searcher import index as store
from searcher.analysis import raw_stems, word_of
from searcher.topics import Matcher, Taxonomy, parse_taxonomy


def _files(folder: str, sizes: list[int]) -> list[str]:
    paths = []
    for n, size in enumerate(sizes):
        path = os.path.join(folder, f"{n:03d}.txt")
        with open(path, "wb") as f:
            f.write(b"x" * size)
        paths.append(path)
    return paths


def _jobs(paths: list[str], workers: int) -> list[str | list[str]]:
    return list(build_module._jobs(paths, workers))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 3_000), max_size=40),
    st.integers(1, 3),
    st.integers(1, 9_000),
)
def test_every_file_in_one_job_in_order(sizes: list[int], workers: int, most: int) -> None:
    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as folder:
        mp.setattr(build_module, "SEGMENT_MIN", 1)
        mp.setattr(build_module, "SEGMENT_MAX", most)
        mp.setattr(build_module, "STREAM_MIN", 2_500)
        paths = _files(folder, sizes)
        jobs = _jobs(paths, workers)
        flat = [p for job in jobs for p in ([job] if isinstance(job, str) else job)]
        assert flat == paths
        for job in jobs:
            if isinstance(job, str):  # a large file is streamed alone
                assert os.path.getsize(job) >= 2_500
            else:
                assert job and all(os.path.getsize(p) < 2_500 for p in job)
                # a group never holds much more than the limit: one file over at most
                total = sum(os.path.getsize(p) for p in job)
                assert total < max(most, 1) + 2_500


@pytest.mark.parametrize("workers", [2, 3])
def test_groups_are_even_and_a_multiple_of_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The old plan cut groups at the limit: the last was what was left, and one worker
    ran it alone while the other waited."""
    sizes = [700 + (n * 37) % 300 for n in range(97)]  # ~82 KB: 9 groups at the limit
    monkeypatch.setattr(build_module, "SEGMENT_MIN", 1)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 9_000)
    jobs = _jobs(_files(str(tmp_path), sizes), workers)
    totals = [sum(os.path.getsize(p) for p in job) for job in jobs]
    assert len(jobs) % workers == 0
    assert max(totals) <= 9_000 + max(sizes)
    # each group ends at the file that reaches its share: the last is as large as the others
    assert max(totals) - min(totals) <= 2 * max(sizes)


def test_a_small_corpus_is_not_split_below_the_smallest_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rounding the groups up to a multiple of the workers stops at SEGMENT_MIN: a corpus of
    a few groups' worth stays in as many, not twice as many small segments."""
    monkeypatch.setattr(build_module, "SEGMENT_MIN", 10_000)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 40_000)
    for files, groups in ((9, 1), (30, 3)):  # not 2 of 4,500 bytes, 4 of 7,500
        (tmp_path / str(files)).mkdir()
        assert len(_jobs(_files(str(tmp_path / str(files)), [1_000] * files), 2)) == groups


def test_same_answers_whatever_the_grouping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers writing even groups and one process writing its own give the same hits,
    scores and documents (the segments differ: the groups do)."""
    folder = tmp_path / "c"
    folder.mkdir()
    gen = Generator()
    for k in range(40):
        record, text = gen.document(k)
        (folder / f"{record}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(build_module, "SEGMENT_MIN", 1)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 30_000)
    answers = []
    for workers in (1, 2):
        ix = str(tmp_path / f"ix{workers}")
        report = build_module.build([str(folder)], ix, workers=workers)
        assert report.files == 40
        gen_dir = os.path.join(ix, str(store.read_meta(ix)["current"]))
        jobs = _jobs(sorted(str(p) for p in folder.iterdir()), workers)
        assert len(store.open_whoosh(gen_dir)._segments()) == len(jobs)
        with Archive.open(ix) as archive:
            found = []
            for query in ("the", "soviet union", '"nuclear weapons"', "grain OR oil"):
                res = archive.search(query, limit=1_000)
                found.append((res.total, [(h.doc_id, h.turn, h.score) for h in res.hits]))
            docs = [archive.document(str(300_000 + k)) for k in range(40)]
        answers.append((found, docs))
    assert answers[0] == answers[1]
    assert answers[0][0][0][0] > 0


TAXONOMY = """
[[topic]]
slug = "arms"
strong = ["arm* control", "nuclear weap*", "test ban"]
weak = ["test*", "warhead"]
[[topic]]
slug = "talks"
strong = ["negotiat*", "summit meet*"]
together = [["arm*"], ["test"]]
"""
WORDS = ["arms", "armed", "control", "controls", "nuclear", "weapons", "weapon", "test",
         "tests", "testing", "ban", "warhead", "warheads", "negotiate", "neg", "summit",
         "meeting", "meets", "the", "a"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12), min_size=1, max_size=4))
def test_pattern_hits_with_prefixes_anywhere(texts: list[list[str]]) -> None:
    matcher = Matcher(Taxonomy(tuple(parse_taxonomy(TAXONOMY, "test")[1])))
    for text in map(" ".join, texts):  # one matcher: what it remembers of a word is reused
        raws, stems = raw_stems(text)
        ws = list(map(word_of, raws))
        slowly = [
            (i, kind, p)
            for pos in range(len(ws))
            for i, topic in enumerate(matcher.taxonomy.topics)
            for p, kind in [(p, "s") for p in topic.strong]
            + [(p, "w") for p in topic.weak]
            + [(p, str(g)) for g, group in enumerate(topic.together) for p in group]
            if pos + len(p) <= len(ws)
            and all(
                (stems[pos + j] == v) if op == "=" else ws[pos + j].startswith(v)
                for j, (op, v) in enumerate(p)
            )
        ]
        assert sorted(matcher.hits(text)) == sorted(slowly)
