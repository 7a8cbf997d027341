"""The document store: compressed transcripts, and the texts hits are built from."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import zlib
from pathlib import Path

import pytest

from searcher import Archive
from searcher import index as store


def _gen(index_dir: str) -> str:
    return os.path.join(index_dir, str(store.read_meta(index_dir)["current"]))


def test_bodies_are_compressed_pickles_and_json_ones_still_read(
    sample_index: str, tmp_path: Path
) -> None:
    gen = _gen(sample_index)
    (part,) = store.store_parts(gen)  # a fresh build writes one part
    con = sqlite3.connect(part)
    (doc_id, body), *_ = con.execute("SELECT id, body FROM documents").fetchall()
    con.close()
    assert isinstance(body, bytes)
    data = pickle.loads(zlib.decompress(body))
    assert data["id"] == doc_id and store.decode(body) == data
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert len(body) < len(raw) / 2
    with Archive.open(sample_index) as archive:
        assert archive.document(doc_id).to_dict() == data
    # an index written before bodies were pickled holds JSON ones
    copy = tmp_path / "ix"
    shutil.copytree(sample_index, copy)
    con = sqlite3.connect(store.store_parts(_gen(str(copy)))[0])
    old = [
        (zlib.compress(json.dumps(store.decode(b)).encode()), i)
        for i, b in con.execute("SELECT id, body FROM documents")
    ]
    con.executemany("UPDATE documents SET body = ? WHERE id = ?", old)
    con.commit()
    con.close()
    with Archive.open(str(copy)) as archive:
        assert archive.document(doc_id).to_dict() == data
        assert archive.search("the", limit=1).hits
    with pytest.raises(ValueError, match="mapping"):
        store.decode(zlib.compress(pickle.dumps([data])))


def test_turn_text_and_record_fields_are_stored_once(sample_index: str) -> None:
    """Whoosh keeps no second copy of a turn's text or its record's title, path and date;
    hits, snippets and phrase counts read them from the document store."""
    with Archive.open(sample_index) as archive:
        results = archive.search("the", limit=3)
        reader = archive.searcher.searcher.reader()
        stored = reader.stored_fields(0)
        assert not {"text", "title", "path", "date"} & set(stored)
        for hit in results.hits:
            doc = archive.document(hit.doc_id)
            turn = next(t for t in doc.turns if t.n == hit.turn)
            assert (hit.text, hit.title, hit.path) == (turn.text, doc.title, doc.path)
            assert hit.date == doc.date.iso()
        every = archive.searcher.texts(None)
        assert sorted(every) == sorted(t.text for t in doc.turns)
        assert archive.searcher.dates({0}) == [(stored["doc_id"], doc.date.iso())]


def test_documents_cache_is_bounded(sample_index: str) -> None:
    docs = store.Documents(store.open_store(_gen(sample_index)), size=1)
    doc_id = store.open_store(_gen(sample_index)).ids()[0]
    first = docs.get(doc_id)
    assert first is not None and docs.get(doc_id) is first  # kept
    assert docs.get("no-such-record") is None
    assert docs.get(doc_id) is not first  # pushed out by the miss, read again
    assert docs.turn(doc_id, first.turns[0].n) == first.turns[0]
    docs.close()
