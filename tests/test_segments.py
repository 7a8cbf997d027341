"""Segments written through the codec equal what Whoosh's own writer makes of the same turns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import build as build_module
from searcher import index as store
from searcher.analysis import index_terms, raw_stems, text_analyzer, word_of, words
from searcher.build import build
from searcher.readers import iter_files, read_order, stream_file
from searcher.segments import SegmentBuilder

from .conftest import SHARED, shared_path
from .test_incremental import write


def analyzer_terms(text: str) -> list[tuple[str, int]]:
    """What `Positions.word_values` sees when Whoosh indexes `text`."""
    tokens = text_analyzer()(text, positions=True, boosts=True, mode="index")
    return [(t.text, t.pos) for t in tokens]


WORDS = st.sampled_from(
    ["Petrov", "U.S.", "US", "us", "SS", "20s", "1980s", "4,700", "8.0", "don't", "DPRK's",
     "Yong", "nam", "Sino", "Soviet", "State2", "3Kohl", "Conversation1", "Brändt", "Москва",
     "talks", "talked", "¹", "’s", "a", "I"]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "-", "–", "‐", " - ", ", ", ". ", "\n\n", "'", "’", "/"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=12), st.text(max_size=40))
def test_index_terms_are_the_analyzers_tokens(parts: list[tuple[str, str]], noise: str) -> None:
    text = "".join(w + s for w, s in parts) + noise
    assert terms_at(text) == analyzer_terms(text)
    assert list(map(word_of, raw_stems(text)[0])) == [w for w, _, _ in words(text)]
    assert terms_at(text) == analyzer_terms(text)  # taking over what derivation kept


def terms_at(text: str) -> list[tuple[str, int]]:
    """`index_terms` as (term, position) pairs."""
    terms, places = index_terms(text)
    return list(zip(terms, range(len(terms)) if places is None else places, strict=True))


def shared_turns() -> list[str]:
    texts = []
    for path in read_order(iter_files([str(shared_path())])):
        if isinstance(path, str):
            texts += [t.text for doc in stream_file(path).transcripts for t in doc.turns]
    return texts


def test_index_terms_on_the_shared_corpus() -> None:
    texts = shared_turns()
    assert len(texts) > 100
    assert sum(any(h in t for h in "-–") for t in texts) > 10  # compounds are exercised
    for text in texts:
        assert terms_at(text) == analyzer_terms(text)


def invented_fields() -> list[dict[str, Any]]:
    """Turns with every kind of field, some repeated, some missing, one without text."""
    turns = []
    for n in range(400):  # "grain" takes several blocks of postings
        fields: dict[str, Any] = {
            "id": f"r{n // 6}#{n}",
            "doc_id": f"r{n // 6}",
            "turn": n % 6,
            "text": f"Ivan Petrov spoke of grain {n} and the Sino-Soviet talks; grain prices, "
            * (n % 4 + 1),
            "kind": "labelled" if n % 3 else "narrative",
            "day_start": 700_000 + n // 6,
            "day_end": 700_000 + n // 6 + n % 2,
        }
        if n % 5:
            fields["speaker_keys"] = "ivan petrov,petrov" if n % 2 else "anna smirnova,smirnova"
            fields["speaker_id"] = "petrov" if n % 2 else "smirnova"
            fields["speaker"] = "Ivan Petrov" if n % 2 else "Anna Smirnova"
        if n % 6 == 0:  # a record's first turn: who takes part, once per turn of it
            own = [fields["speaker_keys"]] if "speaker_keys" in fields else []
            fields["speaker_keys"] = ",".join(own + ["with:ivan petrov", "with:oleg"] * 6)
        if n % 7 == 0:
            fields["topics"] = "trade,energy"
            fields["places"] = "vienna"
        if n == 13:
            fields["text"] = ""
        turns.append(fields)
    return turns


def whoosh_dump(ix: Any) -> dict[str, Any]:
    """Everything a reader gives back: postings, stored fields, lengths, columns."""
    from whoosh.qparser import QueryParser

    with ix.searcher() as s:
        r = s.reader()
        postings = {}
        for fieldname, term in r.all_terms():
            m = r.postings(fieldname, term)
            found = []
            while m.is_active():
                found.append((m.id(), m.weight(), m.value()))
                m.next()
            postings[fieldname, term] = found
        lengths = {
            (d, f): r.doc_field_length(d, f)
            for d in range(r.doc_count_all())
            for f in ix.schema.names()
        }
        scores = {}
        for q in ("grain", "grain prices", '"grain prices"', "sino", "speaker_keys:petrov talks"):
            hits = s.search(QueryParser("text", ix.schema).parse(q), limit=None)
            scores[q] = [(h.docnum, h.score) for h in hits]
        return {
            "postings": postings,
            "stored": [r.stored_fields(d) for d in range(r.doc_count_all())],
            "lengths": lengths,
            "total": {f: r.field_length(f) for f in ix.schema.names()},
            "day_start": list(r.column_reader("day_start")),
            "day_end": list(r.column_reader("day_end")),
            "scores": scores,
        }


def test_segment_equals_whoosh_writer(tmp_path: Path) -> None:
    turns = invented_fields()
    a = written_by_whoosh(tmp_path / "a", turns)
    b = written_by_builder(tmp_path / "b", turns)
    assert whoosh_dump(b) == whoosh_dump(a)
    assert segment_files(b, ".pst") == segment_files(a, ".pst")  # block statistics too
    assert segment_files(b, ".trm") == segment_files(a, ".trm")


def test_records_added_whole_equal_turns_added_one_by_one(tmp_path: Path) -> None:
    """`add_record` handles what a record's turns share once: the same segment as `add`."""
    turns = invented_fields()
    a = written_by_builder(tmp_path / "a", turns)
    records: dict[str, list[dict[str, Any]]] = {}
    for fields in turns:
        records.setdefault(fields["doc_id"], []).append(fields)
    ix = fresh_index(tmp_path / "b")
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    shared_names = 0
    for group in records.values():
        shared = {k: v for k, v in group[0].items() if all(f.get(k, k) == v for f in group)}
        shared.pop("text", None)  # (inverted per turn)
        shared_names += len(shared)
        own = [{k: v for k, v in f.items() if k not in shared} for f in group]
        _, first = builder.add_record(shared, own)
        assert first == turns.index(group[0])
    assert builder.add_record({"doc_id": "empty"}, []) == (None, 0)
    assert shared_names >= 2 * len(records)  # the record's id and first day at least
    b = committed(ix, builder.finish())
    assert whoosh_dump(b) == whoosh_dump(a)
    for ext in (".pst", ".trm"):
        assert segment_files(b, ext) == segment_files(a, ext)
    with pytest.raises(ValueError, match="text"):
        builder.add_record({"text": "grain"}, [{"id": "x#0"}])
    builder.abandon()


def written_by_whoosh(folder: Path, turns: list[dict[str, Any]]) -> Any:
    """An index of `turns` written by Whoosh's own writer (with the project's codec)."""
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(folder)).create().create_index(store.schema())
    with ix.writer(codec=store.codec()) as w:
        for fields in turns:
            w.add_document(**fields)
    return ix


def written_by_builder(folder: Path, turns: list[dict[str, Any]]) -> Any:
    """An index of `turns` in one segment written by `SegmentBuilder`, as a build's worker
    writes it."""
    ix = fresh_index(folder)
    builder = SegmentBuilder(ix.storage, ix.schema, store.codec())
    for fields in turns:
        builder.add(fields)
    segment = builder.finish()
    assert builder.finish() is None  # nothing added since
    return committed(ix, segment)


def fresh_index(folder: Path) -> Any:
    from whoosh.filedb.filestore import FileStorage

    return FileStorage(str(folder)).create().create_index(store.schema())


def committed(ix: Any, segment: Any) -> Any:
    ix.writer(codec=store.codec()).commit(mergetype=lambda writer, old: [*old, segment])
    return ix


def segment_files(ix: Any, ext: str) -> bytes:
    [segment] = ix._segments()
    files = segment.open_compound_file(ix.storage)
    with files.open_file(segment.make_filename(ext)) as f:
        return bytes(f.read())


def test_workers_write_a_segment_per_job_and_drop_later_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Duplicates written by another worker are deleted; the first copy in plan order wins."""
    folder = tmp_path / "c"
    folder.mkdir()
    for n in range(12):  # 09.txt, 10.txt and 11.txt hold records 1, 2 and 3 again
        write(folder, n % 9 + 1, f"Grain number {n}.").rename(folder / f"{n:02d}.txt")
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    monkeypatch.setattr(build_module, "SEGMENT_MIN", 1)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 1)  # one file per job
    reports = {}
    for workers in (1, 2):
        ix = str(tmp_path / f"ix{workers}")
        reports[workers] = report = build([str(folder)], ix, workers=workers)
        assert (report.files, report.documents) == (12, 9)
        assert sum("already read" in w for w in report.warnings) == 3
        from searcher import Archive

        with Archive.open(ix) as archive:
            hits = archive.search("grain", limit=100).hits
            assert sorted(h.text for h in hits) == sorted(f"Grain number {n}." for n in range(9))
            gen = str(store.read_meta(ix)["current"])
        whoosh_ix = store.open_whoosh(str(Path(ix) / gen))
        segments = whoosh_ix._segments()
        assert len(segments) == 9  # the three holding only a later copy are left out
        assert whoosh_ix.doc_count() == 18
    assert reports[1].warnings == reports[2].warnings


@pytest.mark.skipif(not SHARED.exists(), reason="shared corpus not available")
def test_stems_learned_in_workers_are_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searcher import analysis

    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    monkeypatch.setattr(analysis.STEMS, "cache", {})
    ix = tmp_path / "ix"
    build([str(SHARED / "wilson"), str(SHARED / "hsg")], str(ix), workers=2)
    gen = str(store.read_meta(str(ix))["current"])
    saved = dict(
        line.split("\t") for line in (ix / gen / analysis.STEM_MAP).read_text().splitlines()
    )
    texts = [
        turn.text
        for folder in ("wilson", "hsg")
        for path in sorted((SHARED / folder).iterdir())
        for doc in stream_file(str(path)).transcripts
        for turn in doc.turns
    ]
    indexed = {word for text in texts for word, _, _ in words(text)}
    assert len(indexed) > 500
    assert indexed <= saved.keys()
