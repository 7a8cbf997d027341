"""A long posting list goes in Whoosh's blocks of 128 postings, then in blocks of
`postings.LONG_BLOCK`: the same bytes from the segment writer as from Whoosh's writer with
`CompactCodec`, read back alike by Whoosh's matchers and by the ranker. Invented turns."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher import postings
from searcher.ranking import TextRanker
from searcher.search import _preload_lengths

from .test_segments import (
    invented_fields,
    segment_files,
    whoosh_dump,
    written_by_builder,
    written_by_whoosh,
)


@pytest.mark.parametrize("long_block", [130, 1024])
def test_long_blocks_written_and_read_as_whoosh_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, long_block: int
) -> None:
    monkeypatch.setattr(postings, "LONG_BLOCK", long_block)
    turns = invented_fields()  # "grain" in 399 turns: 128, 128, then 130 and 13 (or 128, 15)
    a = written_by_whoosh(tmp_path / "a", turns)
    b = written_by_builder(tmp_path / "b", turns)
    assert segment_files(b, ".pst") == segment_files(a, ".pst")
    assert segment_files(b, ".trm") == segment_files(a, ".trm")
    assert whoosh_dump(b) == whoosh_dump(a)  # Whoosh's matchers read the long blocks
    with b.searcher() as s:
        ranker = TextRanker(s, _preload_lengths(s.reader(), "text"))
        found = ranker._read("text", "grain", None)
        expected = [0, 128, 256, 386] if long_block == 130 else [0, 128, 256, 384]
        assert found.starts == expected
        m = s.reader().postings("text", "grain")
        assert list(zip(found.ids, found.freqs, strict=True)) == list(m.items_as("weight"))
        assert len(found.ids) == 399
