"""The builder's bulk paths hold Whoosh's bytes: words of one posting (with weight 1.0 or
not, a value or none, document numbers past a byte) and a term table past
64 KB, where Whoosh widens its index of positions (`_add_terms`, `_write_hashes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from searcher import index as store
from searcher.segments import SegmentBuilder

from .test_build_speed3 import _by_whoosh, _segment_files


def _invented_word(n: int) -> str:
    """A made-up word of letters for each number (no stem, no stop word)."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = "qu"
    while True:
        n, r = divmod(n, len(letters))
        word += letters[r] + "a"
        if not n:
            return word


def _turns() -> list[dict[str, Any]]:
    """Turns whose words are mostly their own: one posting each, some said twice."""
    turns = []
    for n in range(330):
        own = [_invented_word(5 * n + k) for k in range(5)]
        text = f"Anna Smirnova noted {' '.join(own)} and {own[n % 5]} again."
        turns.append({"id": f"t{n // 3}#{n}", "doc_id": f"t{n // 3}", "turn": n % 3, "text": text})
    return turns


def test_single_postings_and_a_long_term_table_are_whooshs(tmp_path: Path) -> None:
    from whoosh.filedb.filestore import FileStorage

    turns = _turns()
    ix = FileStorage(str(tmp_path / "b")).create().create_index(store.schema())
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    for fields in turns:
        builder.add(fields)
    found, found_lengths = _segment_files(ix.storage, builder.finish())
    expected, lengths = _by_whoosh(tmp_path / "w", turns)
    assert len(found[".trm"]) > 1 << 16  # past the positions Whoosh keeps as 16-bit
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert found[name] == expected[name], name
    assert found_lengths == lengths
