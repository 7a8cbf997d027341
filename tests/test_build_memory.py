"""What a build keeps in memory stays bounded: per segment in the workers, not per corpus."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from searcher import build as build_module
from searcher import index as store
from searcher import segments
from searcher.model import transcript_from_dict
from searcher.segments import SegmentBuilder
from searcher.topics import Matcher, derive, taxonomy_for

from .test_incremental import write
from .test_segments import invented_fields, whoosh_dump


def test_value_cache_is_bounded_and_forgotten_with_its_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.filedb.filestore import FileStorage

    turns = invented_fields()
    many = ",".join(["with:ivan petrov", "with:anna smirnova"] * 20)  # a long meeting
    turns[0]["speaker_keys"] += "," + many
    ix = FileStorage(str(tmp_path / "a")).create().create_index(store.schema())
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    for fields in turns:
        builder.add(fields)
    assert builder._cache  # values recurring within the segment are remembered
    assert max(len(str(v)) for _, v in builder._cache) <= segments._CACHE_VALUE_MAX
    assert ("speaker_keys", turns[0]["speaker_keys"]) not in builder._cache  # never recurs
    builder.finish()
    assert builder._cache == {}

    monkeypatch.setattr(segments, "_CACHE_MAX", 8)
    small = FileStorage(str(tmp_path / "b")).create().create_index(store.schema())
    builder = SegmentBuilder(small.storage, small.schema, store.codec())
    for fields in turns:
        builder.add(fields)
        assert len(builder._cache) <= 8
    segment = builder.finish()
    small.writer(codec=store.codec()).commit(mergetype=lambda w, old: [*old, segment])
    with ix.writer(codec=store.codec()) as w:  # the same turns through Whoosh's writer
        for fields in turns:
            w.add_document(**fields)
    assert whoosh_dump(small) == whoosh_dump(ix)


def test_a_worker_sends_back_encoded_documents_not_transcripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job's result is what the parent holds and unpickles: compressed store bodies."""
    from whoosh.filedb.filestore import FileStorage

    from searcher.readers import stream_file

    folder = tmp_path / "c"
    folder.mkdir()
    paths = [str(write(folder, n, f"Grain number {n}.")) for n in range(1, 4)]
    gen = tmp_path / "gen"
    gen.mkdir()
    ix = FileStorage(str(gen)).create_index(store.schema())
    matcher = Matcher(taxonomy_for(paths))
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    state = {"format": None, "registry": None, "matcher": matcher, "builder": builder}
    monkeypatch.setattr(build_module, "_WORKER", {**state, "stems": 0})
    done, _ = build_module._index_chunk(paths)
    sent = pickle.dumps(done)
    assert b"Transcript" not in sent and b"Turn" not in sent
    for indexed, path in zip(done, paths, strict=True):
        [(doc, _, _)] = indexed.docs
        [read] = stream_file(path).transcripts
        expected = derive(build_module.resolve(read, None), matcher)
        decoded = transcript_from_dict(store.decode(doc.body))
        assert (doc.id, doc.path, doc.turns) == (read.id, read.path, len(read.turns))
        assert decoded == expected
