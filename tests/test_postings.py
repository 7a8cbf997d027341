"""The compact position encoding and posting blocks (searcher/postings.py)."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from searcher.postings import (
    CompactCodec,
    CompactPositions,
    decode_positions,
    encode_positions,
    pack_block,
    position_count,
    unpack_block,
)

positions = st.lists(st.integers(0, 1 << 20), min_size=1, max_size=60, unique=True).map(sorted)


@given(positions)
def test_positions_round_trip(poses: list[int]) -> None:
    value = encode_positions(poses)
    assert decode_positions(value) == poses
    assert position_count(value) == len(poses)
    fmt = CompactPositions()
    assert fmt.decode_frequency(value) == len(poses)
    assert fmt.decode_positions(value) == poses


def test_small_gaps_take_a_byte_each() -> None:
    assert encode_positions([37]) == bytes([37])
    assert encode_positions([3, 10, 200]) == bytes([3, 7, 190])
    assert len(encode_positions([3, 300])) == 1 + 2 * 2  # marker, then 16-bit gaps
    assert len(encode_positions([3, 70_000])) == 1 + 2 * 4


@given(st.lists(positions, min_size=1, max_size=4))
def test_combine_merges_positions(lists: list[list[int]]) -> None:
    fmt = CompactPositions()
    merged = fmt.combine(encode_positions(p) for p in lists)
    assert decode_positions(merged) == sorted({p for ps in lists for p in ps})


@st.composite
def blocks(draw: st.DrawFn) -> tuple[list[int], list[float], list[bytes]]:
    ids = sorted(draw(st.sets(st.integers(0, 1 << 31), min_size=1, max_size=128)))
    n = len(ids)
    weight = st.one_of(st.just(1.0), st.integers(0, 300).map(float), st.floats(0, 1e6, width=32))
    weights = draw(st.lists(weight, min_size=n, max_size=n))
    values = draw(
        st.one_of(
            st.just([]), st.lists(st.binary(min_size=1, max_size=300), min_size=n, max_size=n)
        )
    )
    return ids, weights, values


@given(blocks())
def test_block_round_trip(block: tuple[list[int], list[float], list[bytes]]) -> None:
    ids, weights, values = block
    got_ids, got_weights, got_values = unpack_block(pack_block(ids, weights, values), len(ids))
    assert got_ids == ids
    assert list(got_weights) == list(array("f", weights))
    assert got_values == (values or None)


def test_codec_answers_like_whoosh(tmp_path: Path) -> None:
    """The same turns written with Whoosh's codec and with `CompactCodec`: same hits, same
    scores, for words, phrases and proximity; and a smaller postings file."""
    from whoosh.codec import default_codec
    from whoosh.filedb.filestore import FileStorage
    from whoosh.query import Phrase, Term

    from searcher.index import schema

    rng = random.Random(7)
    words = [
        "petrov",
        "smirnova",
        "treaty",
        "border",
        "talks",
        "grain",
        "visit",
        "ministry",
        "of",
        "the",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 400))) for _ in range(300)]
    results = []
    sizes = []
    for name, codec in (("whoosh", default_codec()), ("compact", CompactCodec())):
        (tmp_path / name).mkdir()
        ix = FileStorage(str(tmp_path / name)).create_index(schema())
        writer = ix.writer(codec=codec)
        for i, text in enumerate(texts):
            writer.add_document(id=str(i), doc_id=f"d{i // 5}", turn=i, text=text, kind="x")
        writer.commit()
        sizes.append(sum(f.stat().st_size for f in (tmp_path / name).iterdir()))
        with ix.searcher() as s:
            found = []
            for q in (
                Term("text", "treati"),
                Phrase("text", ["border", "talk"]),
                Phrase("text", ["grain", "visit"], slop=5),
            ):
                hits = s.search(q, limit=None)
                found.append([(h["turn"], round(h.score, 5)) for h in hits])
            results.append(found)
    assert results[0] == results[1]
    assert all(results[0])
    assert sizes[1] < sizes[0]
