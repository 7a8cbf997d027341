"""`--with` over records spread across segments: build._add indexes everyone taking part once
per record (on its first turn) and search.py expands that to the record's turns; the answer
must be every turn of every record the person takes part in, as when each turn carried them."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher import Archive
from searcher import build as build_module
from searcher.build import build, optimize
from searcher.speakers import document_keys, query_keys

# Invented people only: these texts put words in nobody's mouth.
PEOPLE = ("Ivan Petrov", "Anna Smirnova", "Oleg Ivanov")
PAGE = """Skip to content

May {day}, 1970

Memorandum of Conversation between {title}

{turns}

Associated Topics

Trade

Record ID

{rid}
"""


def write(folder: Path, name: str, rid: int) -> None:
    """Record `rid`: 2 to 5 turns, its speakers and title people varying with `rid`."""
    speakers = [PEOPLE[(rid + k) % 3] for k in range(1 + rid % 2)]
    title = " and ".join(PEOPLE[(rid + k) % 3] for k in range(1 + rid % 3))
    turns = "\n\n".join(
        f"{speakers[k % len(speakers)]}: The grain count is {rid * 10 + k}."
        for k in range(2 + rid % 4)
    )
    page = PAGE.format(day=rid % 28 + 1, title=title, turns=turns, rid=900_000 + rid)
    (folder / name).write_text(page, encoding="utf-8")


def expected(archive: Archive, doc_ids: set[str], name: str, text: str = "") -> list[str]:
    """Turns of the records whose taking-part keys include `name`'s, as a record says."""
    wanted = {"with:" + k for k in query_keys(name)}
    out = []
    for doc_id in doc_ids:
        doc = archive.document(doc_id)
        if wanted & set(document_keys(doc)):
            out += [t.id for t in doc.turns if text in t.text]
    return sorted(out)


def check(index_dir: str) -> int:
    with Archive.open(index_dir) as archive:
        doc_ids = {h.doc_id for h in archive.search("grain", limit=1000).hits}
        found = 0
        for name in (*PEOPLE, "Nobody Known"):
            got = sorted(h.id for h in archive.search(participant=name, limit=1000).hits)
            assert got == expected(archive, doc_ids, name)
            found += len(got)
            hits = archive.search("count", participant=[name, PEOPLE[0]], limit=1000).hits
            both = set(expected(archive, doc_ids, PEOPLE[0]))
            assert sorted(h.id for h in hits) == [
                t for t in expected(archive, doc_ids, name, "count") if t in both
            ]
        return found


def test_with_covers_every_turn_of_a_record_across_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    for rid in range(1, 15):
        write(folder, f"{rid:02d}.txt", rid)
    for rid in (2, 5):  # later copies: deleted from their segments
        write(folder, f"{rid + 20}.txt", rid)
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    monkeypatch.setattr(build_module, "SEGMENT_MIN", 1)
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 1)  # one file per segment
    ix = str(tmp_path / "ix")
    report = build([str(folder)], ix, workers=2)
    assert report.documents == 14 and sum("already read" in w for w in report.warnings) == 2
    assert check(ix) > 20
    (folder / "03.txt").unlink()  # an update deletes record 3 and rewrites record 4
    write(folder, "04.txt", 44)
    build([str(folder)], ix, workers=1)
    check(ix)
    optimize(ix)  # one merged segment: document numbers move, records stay whole
    check(ix)
