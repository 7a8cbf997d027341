"""A segment's per-document columns (stored fields, text lengths, days), which the builder
writes a batch at a time, hold the bytes Whoosh's own writer writes one document at a time."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import index as store
from searcher import segments
from searcher.model import DateRange, Speaker, Transcript, Turn
from searcher.segments import SegmentBuilder

from .test_segments import invented_fields


def _record_turns() -> list[dict[str, Any]]:
    """Turns as a build makes them, every field of the schema set somewhere."""
    ivan = Speaker("ivan-petrov", "Ivan Petrov", ("Petrov",))
    turns = (
        Turn("d1", 1, "Good morning.", "labelled", ivan, "PETROV:", ("grain",), ()),
        Turn("d1", 2, "A placeholder reply.", "labelled", None, "SMIRNOVA:", (), ("grain",)),
        Turn("d1", 3, "They left the room.", "narrative"),
    )
    doc = Transcript(
        id="d1",
        title="Memorandum of Conversation",
        turns=turns,
        date=DateRange(dt.date(1985, 3, 1), dt.date(1985, 3, 31), "month"),
        places=("Moscow",),
        topics=("Soviet Union",),
    )
    undated = Transcript(id="d2", title="", turns=(Turn("d2", 1, "Undated words.", "narrative"),))
    return [store.turn_fields(d, t) for d in (doc, undated) for t in d.turns]


def _turns() -> list[dict[str, Any]]:
    odd: list[dict[str, Any]] = [
        {"text": "Nothing stored for this one."},  # a gap in the stored fields
        {"id": "x#1", "text": ""},  # no length, no days: gaps in those columns
        {"id": "x#2", "turn": 2, "kind": "narrative", "day_start": 1, "day_end": 2},
    ]
    fields = invented_fields()
    return [*_record_turns(), *fields[:150], *odd, *fields[150:], *odd[:2]]


def _segment_files(storage: Any, segment: Any) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every file of a segment, by extension, and its field lengths."""
    prefix = segment.segment_id()
    files = {}
    if segment.is_compound():
        storage = segment.open_compound_file(storage)
    for name in storage.list():
        if name.startswith(prefix):
            with storage.open_file(name) as f:
                files[name.replace(prefix, "")] = bytes(f.read())
    return files, dict(segment._fieldlengths)


def _by_whoosh(folder: Path, turns: list[dict[str, Any]]) -> tuple[dict[str, bytes], Any]:
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(folder)).create().create_index(store.schema())
    with ix.writer(codec=store.codec()) as w:
        for fields in turns:
            w.add_document(**fields)
    [segment] = ix._segments()
    return _segment_files(ix.storage, segment)


@pytest.mark.parametrize("batch", [1, 3, 4_096])
def test_columns_are_whooshs_whatever_the_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    from whoosh.columns import VarBytesColumn
    from whoosh.filedb.filestore import FileStorage

    monkeypatch.setattr(segments, "_BATCH", batch)
    # the stored fields' offsets are written past 2**15 documents (~a segment of L): here too
    monkeypatch.setattr(VarBytesColumn.Writer.__init__, "__defaults__", (True, 100))
    turns = _turns()
    halves = (turns[:200], turns[200:])
    ix = FileStorage(str(tmp_path / "b")).create().create_index(store.schema())
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    written = []
    for n, half in enumerate(halves):  # two segments from one builder: its columns renewed
        for fields in half:
            builder.add(fields)
        written.append(builder.finish())
        found, found_lengths = _segment_files(ix.storage, written[-1])
        expected, lengths = _by_whoosh(tmp_path / f"w{n}", half)
        names = ["._stored.col", "._text_len.col", ".day_end.col", ".day_start.col", ".pst"]
        assert sorted(found) == sorted(expected) == [*names, ".trm"]
        for name in expected:
            assert found[name] == expected[name], name
        assert found_lengths == lengths and lengths["text"] > 0
    ix.writer(codec=store.codec()).commit(mergetype=lambda w, old: [*old, *written])
    with ix.searcher() as s:
        stored = [s.stored_fields(d) for d in range(s.doc_count_all())]
    assert stored == [{k: v for k, v in t.items() if ix.schema[k].stored} for t in turns]


FIELDS = {
    "id": st.from_regex(r"r[0-9]#[0-9]", fullmatch=True),
    "doc_id": st.sampled_from(["r1", "r2"]),
    "turn": st.integers(0, 3),
    "text": st.lists(st.sampled_from(["grain", "Petrov", "talks", "the"]), max_size=4).map(
        " ".join
    ),
    "kind": st.sampled_from(["labelled", "narrative"]),
    "day_start": st.integers(0, 800_000),
    "day_end": st.integers(0, 800_000),
    "speaker": st.sampled_from(["Ivan Petrov", "Anna Smirnova"]),
    "label": st.sampled_from(["PETROV:", "SMIRNOVA:"]),
}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({}, optional=FIELDS), min_size=1, max_size=12),
    st.integers(1, 5),
)
def test_any_fields_missing_anywhere(turns: list[dict[str, Any]], batch: int) -> None:
    """Gaps in every column anywhere: turns without stored fields, text or days."""
    from whoosh.filedb.filestore import FileStorage

    with pytest.MonkeyPatch.context() as mp, tempfile.TemporaryDirectory() as folder:
        mp.setattr(segments, "_BATCH", batch)
        ix = FileStorage(os.path.join(folder, "b")).create().create_index(store.schema())
        builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
        for fields in turns:
            builder.add(fields)
        found, lengths = _segment_files(ix.storage, builder.finish())
        expected, whooshs = _by_whoosh(Path(folder) / "w", turns)
        assert lengths == whooshs
        columns = {name for name in expected if name.endswith(".col")}
        assert {name for name in found if name.endswith(".col")} == columns
        for name in columns:  # (postings: test_segments.py)
            assert found[name] == expected[name], name
