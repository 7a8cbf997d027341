"""Stored-field columns open with offsets summed in C (index._offsets_in_c): every turn's
stored fields still read back, in every segment of an index with several."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from searcher import build as build_module
from searcher import index as store
from searcher.build import build

from .test_incremental import write


def test_stored_fields_read_back_through_patched_offsets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.columns import VarBytesColumn

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for rid in range(1, 9):
        write(corpus, rid, f"Talk {rid} about grain " + "and oil " * rid)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 300)  # several segments
    ix_dir = str(tmp_path / "ix")
    build([str(corpus)], ix_dir, workers=1)
    gen_dir = os.path.join(ix_dir, str(store.read_meta(ix_dir)["current"]))
    ix = store.open_whoosh(gen_dir)
    assert getattr(VarBytesColumn.Reader, "_searcher_patched", False)
    con = store.open_store(gen_dir)
    expected = sorted(turn.id for doc in store.all_documents(con) for turn in doc.turns)
    con.close()
    with ix.reader() as reader:
        leaves = reader.leaf_readers()
        assert len(leaves) >= 2
        ids = [
            sub.stored_fields(n)["id"]
            for sub, _ in leaves
            for n in range(sub.doc_count_all())
            if not sub.is_deleted(n)
        ]
    assert sorted(ids) == expected and len(expected) >= 16


def test_offsets_summed_when_asked_equal_the_whole_table() -> None:
    """The first reads of a segment sum the lengths before the value; later ones use the
    whole table: both give Whoosh's offsets, in any order, to the last value."""
    import random
    from array import array
    from itertools import accumulate

    rng = random.Random(7)
    lengths = array("B", (rng.randrange(256) for _ in range(5000)))
    expected = list(accumulate(lengths, initial=0))[:-1]
    offsets = store._SummedOffsets(lengths)
    order = [0, 4999, *rng.sample(range(5000), 200), 1]
    assert [offsets[n] for n in order] == [expected[n] for n in order]
    assert offsets._table is not None  # past EAGER_AFTER reads
    with pytest.raises(IndexError):
        offsets[5000]
