"""Two writers and readers on one index: the second writer waits or says why; reads never break."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searcher import Archive
from searcher.cli import main
from tests.test_crash import QUERIES, _cli, _generations, _start, make_corpus, snapshot

FORK = multiprocessing.get_context("fork")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("concurrency")
    # a rebuild of 40 files took ~0.25 s, about the second writer's 0.2 s wait; 120: ~0.6 s
    corpus = make_corpus(root / "corpus", 120)
    index_dir = str(root / "ix")
    Archive.build([str(corpus)], index_dir).close()
    return corpus, index_dir, snapshot(index_dir)


def _start_writer(corpus: Path, index_dir: str, log: Path) -> Any:
    """A `searcher index --rebuild` in another process, returned once it holds the lock."""
    before = set(_generations(index_dir))
    args = ["index", str(corpus), "--index", index_dir, "--rebuild"]
    proc = FORK.Process(target=_cli, args=(args, str(log)))
    _start(proc)
    deadline = time.monotonic() + 20
    while set(_generations(index_dir)) <= before:  # a new generation: it is writing
        assert proc.is_alive() and time.monotonic() < deadline, log.read_text()
        time.sleep(0.002)
    return proc


def test_second_writer_fails_clearly_or_waits(env: tuple[Path, str, dict[str, Any]]) -> None:
    corpus, index_dir, baseline = env
    first = _start_writer(corpus, index_dir, corpus.parent / "w1.log")
    r = CliRunner().invoke(main, ["index", str(corpus), "--index", index_dir, "--wait", "0.2"])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--wait SECONDS" in r.stderr, r.stderr
    assert first.is_alive(), "the first writer finished too soon for this test to mean anything"
    r = CliRunner().invoke(main, ["index", str(corpus), "--index", index_dir, "--wait", "60"])
    first.join(60)
    assert first.exitcode == 0
    assert r.exit_code == 0, r.stderr
    assert snapshot(index_dir) == baseline
    assert len(_generations(index_dir)) == 1


def test_searches_keep_working_while_updates_run(env: tuple[Path, str, dict[str, Any]]) -> None:
    corpus, index_dir, baseline = env
    long_lived = Archive.open(index_dir)
    q = QUERIES[0]
    expected = long_lived.search(**q, limit=10_000).total
    searches = 0
    for n in range(3):
        writer = _start_writer(corpus, index_dir, corpus.parent / f"r{n}.log")
        while writer.is_alive():
            assert snapshot(index_dir) == baseline  # a fresh open each time
            assert long_lived.search(**q, limit=10_000).total == expected
            searches += 1
        writer.join()
        assert writer.exitcode == 0
    assert snapshot(index_dir) == baseline
    assert long_lived.search(**q, limit=10_000).total == expected
    long_lived.close()
    assert searches >= 3
