"""The library API on small indexes: filters, dates, speakers, errors, atomic updates."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher import (
    Archive,
    DateError,
    IndexVersionError,
    NoIndexError,
    NotFoundError,
    QuerySyntaxError,
)
from searcher.errors import NotAnIndexError

PLAIN_WILSON = """Skip to content

March 3, 1961

Conversation between Ivan Petrov and Anna Smirnova

Ivan Petrov: The harvest in the valley was good this year.

Anna Smirnova: The rivers rose early, and the bridges held.

The bridge at the ford was rebuilt in stone.

Ivan Petrov: Then the road to the market is open.

A short summary line.

Associated Places

Associated Topics

Document Information

Record ID

999001
"""


def make_doc(folder: Path, name: str = "a.txt", text: str = PLAIN_WILSON, **subs: str) -> Path:
    for k, v in subs.items():
        text = text.replace(k, v)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_doc(corpus)
    make_doc(
        corpus,
        "b.txt",
        **{"March 3, 1961": "June 9, 1975", "999001": "999002", "harvest": "drought"},
    )
    with Archive.build([str(corpus)], str(tmp_path / "ix")) as a:
        yield a


def test_search_returns_turns_with_metadata(archive: Archive) -> None:
    r = archive.search("harvest")
    assert r.total == 1
    [hit] = r.hits
    assert (hit.id, hit.doc_id, hit.turn, hit.speaker, hit.kind) == (
        "999001#1",
        "999001",
        1,
        "Ivan Petrov",
        "labelled",
    )
    assert (
        hit.date == "1961-03-03"
        and hit.title == "Conversation between Ivan Petrov and Anna Smirnova"
    )
    assert hit.marked_snippet().startswith("The [[harvest]] in the valley")
    assert hit.path.endswith("a.txt")


def test_stemming_and_multi_paragraph_turns(archive: Archive) -> None:
    hits = archive.search("bridges", speaker="Anna Smirnova").hits
    assert {h.id for h in hits} == {"999001#2", "999002#2"}
    assert "rebuilt in stone" in hits[0].text  # the turn runs over the next paragraph
    assert archive.search("rebuilt", speaker="Smirnova").total == 2


def test_speaker_filter_is_case_insensitive_and_exclusive(archive: Archive) -> None:
    assert archive.search("road", speaker="ivan petrov").total == 2
    assert archive.search("road", speaker="PETROV").total == 2
    assert archive.search("road", speaker="Anna Smirnova").total == 0
    r = archive.search("road", speaker="Nobody Known")
    assert r.total == 0 and "No speaker matches" in r.notes[0]


@pytest.mark.parametrize(
    ("date_from", "date_to", "docs"),
    [
        ("1961", None, {"999001", "999002"}),
        ("1961", "1961", {"999001"}),
        ("1961-03", "1961-03", {"999001"}),
        ("1961-03-04", "1975-06-08", set()),
        ("1961-03-03", "1961-03-03", {"999001"}),
        (None, "1970", {"999001"}),
        ("1975-06", None, {"999002"}),
    ],
)
def test_date_filters_overlap_whole_periods(archive: Archive, date_from, date_to, docs) -> None:
    r = archive.search("road", date_from=date_from, date_to=date_to)
    assert {h.doc_id for h in r.hits} == docs


def test_impossible_date_range_says_so(archive: Archive) -> None:
    r = archive.search("road", date_from="1980", date_to="1970")
    assert r.total == 0 and "empty" in r.notes[0]
    with pytest.raises(DateError):
        archive.search("road", date_from="March 1961")


def test_filters_without_query_and_paging(archive: Archive) -> None:
    r = archive.search(speaker="Ivan Petrov", limit=1)
    assert r.total == 4 and len(r.hits) == 1
    page2 = archive.search(speaker="Ivan Petrov", limit=1, offset=1)
    assert page2.hits[0].id != r.hits[0].id


def test_query_syntax(archive: Archive) -> None:
    assert archive.search('"road to the market"').total == 2
    assert archive.search("harvest OR drought").total == 2
    assert archive.search("road NOT harvest").total == 2  # different turns
    assert archive.search("harv*").total == 1
    for bad in ['"open', "(road", "road)", "road AND"]:
        with pytest.raises(QuerySyntaxError):
            archive.search(bad)
    with pytest.raises(QuerySyntaxError):
        archive.search("")


def test_document_and_missing_document(archive: Archive) -> None:
    doc = archive.document("999001")
    assert [t.speaker.name if t.speaker else None for t in doc.turns] == [
        "Ivan Petrov",
        "Anna Smirnova",
        "Ivan Petrov",
    ]
    assert doc.summary == "A short summary line."
    with pytest.raises(NotFoundError):
        archive.document("nope")


def test_public_api_has_no_engine_types(archive: Archive) -> None:
    r = archive.search("road")
    assert type(r).__module__ == "searcher.model"
    assert all(type(h).__module__ == "searcher.model" for h in r.hits)


def test_bad_files_are_skipped_and_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    make_doc(corpus)
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (corpus / "notes.txt").write_text("just some words, no transcript here\n")
    make_doc(corpus, "latin1.txt", **{"999001": "999003", "harvest": "récolte"}).write_bytes(
        PLAIN_WILSON.replace("999001", "999003").replace("harvest", "récolte").encode("cp1252")
    )
    with Archive.build([str(corpus)], str(tmp_path / "ix")) as a:
        check_skips(a)


def check_skips(a: Archive) -> None:
    assert a.report is not None
    assert a.report.files == 2
    reasons = {Path(s.path).name: s.reason for s in a.report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "notes.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert any("latin1.txt" in w and "Windows-1252" in w for w in a.report.warnings)
    assert a.search("récolte").total == 1
    assert a.search("recolte").total == 1  # accents folded for matching


def test_missing_index_and_other_version(tmp_path: Path) -> None:
    with pytest.raises(NoIndexError, match="searcher index"):
        Archive.open(str(tmp_path / "none"))
    ix = tmp_path / "ix"
    corpus = tmp_path / "c"
    corpus.mkdir()
    make_doc(corpus)
    Archive.build([str(corpus)], str(ix)).close()
    meta = json.loads((ix / "searcher.json").read_text())
    meta["format"] = 0
    (ix / "searcher.json").write_text(json.dumps(meta))
    with pytest.raises(IndexVersionError, match="--rebuild"):
        Archive.open(str(ix))


def test_never_builds_into_a_foreign_directory(tmp_path: Path) -> None:
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(NotAnIndexError):
        Archive.build([str(tmp_path)], str(foreign))
    assert (foreign / "holiday.jpg").exists()


def test_failed_update_keeps_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    make_doc(corpus)
    ix = str(tmp_path / "ix")
    Archive.build([str(corpus)], ix).close()
    make_doc(corpus, "b.txt", **{"999001": "999002", "harvest": "drought"})

    import searcher.build as b

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(b, "_fsync_tree", boom)
    with pytest.raises(KeyboardInterrupt):
        Archive.build([str(corpus)], ix)
    with Archive.open(ix) as a:
        assert a.search("harvest").total == 1 and a.search("drought").total == 0
    assert len([n for n in os.listdir(ix) if n.startswith("gen-")]) == 1
    monkeypatch.undo()
    with Archive.build([str(corpus)], ix) as a:
        assert a.search("drought").total == 1
