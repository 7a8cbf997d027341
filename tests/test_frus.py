"""FRUS TEI reader: documents, notes, page breaks, persons, bad XML, bounded memory."""

from __future__ import annotations

import datetime as dt
import re
import time
import tracemalloc
from pathlib import Path

import pytest

from searcher import Archive
from searcher.errors import ReadError
from searcher.readers import frus, read_file

from .conftest import shared_path

VOLUME = ("frus", "frus1981-88v05-d1-d22.xml")

# doc: (date, place, title, author, [(label, kind), …] of the first turns)
EXPECTED = {
    "d5": (
        dt.date(1985, 3, 14),
        "Moscow",
        "Telegram From the Embassy in the Soviet Union to the Department of State",
        "Hartman",
        [(None, "narrative")] * 4
        + [
            ("General Secretary Gorbachev", "reported"),
            ("Gorbachev", "reported"),
            ("Gorbachev", "reported"),
            ("Foreign Minister Gromyko", "reported"),
            ("Gorbachev", "reported"),
            ("Gromyko", "reported"),
            ("Gorbachev", "reported"),
        ],
    ),
    "d9": (
        dt.date(1985, 3, 22),
        "Moscow",
        "Telegram From the Embassy in the Soviet Union to the Department of State",
        "Hartman",
        [(None, "narrative")] * 3 + [("Gromyko", "reported"), (None, "narrative")],
    ),
    "d13": (
        dt.date(1985, 3, 30),
        "Washington",
        "Memorandum From Secretary of State Shultz to President Reagan",
        "Shultz",
        [(None, "narrative"), (None, "narrative"), ("I", "reported"), ("I", "reported")],
    ),
    "d22": (
        dt.date(1985, 4, 19),
        "Washington",
        "Memorandum From Secretary of State Shultz to President Reagan",
        "Shultz",
        [
            (None, "narrative"),
            (None, "narrative"),
            ("I", "reported"),
            ("Dobrynin", "reported"),
            ("I", "reported"),
        ],
    ),
}


@pytest.fixture(scope="module")
def volume() -> dict:
    result = read_file(str(shared_path(*VOLUME)))
    assert result.format == "frus"
    return {d.id: d for d in result.transcripts}


def test_every_document_is_read(volume: dict) -> None:
    assert sorted(volume, key=lambda i: int(i.split("/d")[1])) == [
        f"frus1981-88v05/d{n}" for n in range(1, 23)
    ]


@pytest.mark.parametrize("doc", sorted(EXPECTED))
def test_documents(volume: dict, doc: str) -> None:
    date, place, title, author, turns = EXPECTED[doc]
    t = volume[f"frus1981-88v05/{doc}"]
    assert (t.date.start, t.date.end, t.date.precision) == (date, date, "day")
    assert t.places == (place,)
    assert t.title == title
    assert t.author == author
    assert t.source.startswith("Source: ")
    assert [(x.label, x.kind) for x in t.turns[: len(turns)]] == turns
    assert t.url == f"https://history.state.gov/historicaldocuments/frus1981-88v05/{doc}"


def test_notes_are_kept_apart_and_page_breaks_do_not_split_words(volume: dict) -> None:
    d9 = volume["frus1981-88v05/d9"]
    text = "\n".join(t.text for t in d9.turns)
    assert "rockets apparently supplied by Libya" in text
    assert "Karpov made an unusual appearance" not in text
    assert any("Karpov made an unusual appearance" in n for n in d9.notes)
    assert not any(n.startswith("Source:") for n in d9.notes)
    d5 = volume["frus1981-88v05/d5"]
    assert "See footnote" not in "\n".join(t.text for t in d5.turns)
    assert any(
        "there was no alternative to peaceful coexistence" in t.text.lower() for t in d5.turns
    )


def test_participants_with_sides(volume: dict) -> None:
    d5 = volume["frus1981-88v05/d5"]
    got = [(p.name, p.side) for p in d5.participants]
    assert ("The Vice President", "U.S.") in got and ("Mikhail Gorbachev", "USSR") in got
    assert ("Andrey Gromyko", "USSR") in got


def test_paragraph_six_changes_speaker(volume: dict) -> None:
    d5 = volume["frus1981-88v05/d5"]
    six = [t for t in d5.turns if "Alaska" in t.text]
    assert [t.label for t in six] == ["Gorbachev", "Gromyko"]
    assert six[1].text.startswith("Gromyko noted that Alaska had indeed belonged to Russia")
    twelve = next(t for t in d5.turns if t.text.startswith("12. "))
    assert (twelve.label, twelve.kind) == ("Gorbachev", "reported")


def test_person_names_from_the_persons_list() -> None:
    assert frus.display_name("Gorbachev, Mikhail S.") == "Mikhail S. Gorbachev"
    assert frus.display_name("Vessey, John W., Jr.") == "John W. Vessey Jr."
    assert frus.display_name("Weinberger, Caspar W. (Cap)") == "Caspar W. Weinberger"


TEI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:frus="http://history.state.gov/frus/ns/1.0"'
    ' xml:id="frus9999v01">\n<text><body>\n'
)


def test_malformed_xml_reports_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "bad.xml"
    f.write_text(TEI_HEAD + '<div type="document" xml:id="d1"><p>Ivan Petrov said hello.</div>\n')
    with pytest.raises(ReadError) as e:
        read_file(str(f))
    assert e.value.line == 4 and "column" in str(e.value)


def test_tei_without_documents(tmp_path: Path) -> None:
    f = tmp_path / "empty.xml"
    f.write_text(TEI_HEAD + '<div type="chapter"><p>Nothing.</p></div></body></text></TEI>\n')
    with pytest.raises(ReadError, match="without any div"):
        read_file(str(f))


def test_entity_bombs_and_dtds_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "bomb.xml"
    f.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>'
        '<div type="document" xml:id="d1"><p>&b;</p></div></body></text></TEI>\n'
    )
    with pytest.raises(ReadError, match="unsafe"):
        read_file(str(f), "frus")


def synthetic_volume(path: Path, megabytes: int) -> Path:
    """The shared volume's documents repeated under new ids until the file has that size."""
    src = shared_path(*VOLUME).read_text(encoding="utf-8")
    head = src[: src.index("<body>") + len("<body>")]
    docs = re.findall(r'<div[^>]*type="document".*?</div>', src, re.S)
    target = megabytes * 2**20
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        size, k = len(head), 0
        while size < target:
            for doc in docs:
                block = doc.replace('xml:id="d', f'xml:id="r{k}d')
                out.write(block)
                size += len(block.encode())
            k += 1
        out.write("</body></text></TEI>\n")
    return path


def parse_peak(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in frus.iter_transcripts(str(path)))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_volume_size(tmp_path: Path) -> None:
    started = time.monotonic()
    small_docs, small = parse_peak(synthetic_volume(tmp_path / "small.xml", 1))
    big_docs, big = parse_peak(synthetic_volume(tmp_path / "big.xml", 6))
    assert big_docs > 4 * small_docs
    assert big < small * 1.5 + 2**20, (small, big)
    assert time.monotonic() - started < 40


def test_whole_volume_indexes_under_300_mb(tmp_path: Path) -> None:
    import resource

    Archive.build([str(shared_path(*VOLUME))], str(tmp_path / "ix")).close()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after < 300 * 1024, after  # kilobytes on Linux


def test_search_reported_speech_over_shared_corpus(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        geneva = archive.search("Geneva", speaker="Gorbachev", limit=50)
        hit = next(h for h in geneva.hits if h.text.startswith("12. "))
        assert hit.doc_id == "frus1981-88v05/d5" and hit.kind == "reported"
        assert "Negotiations have now begun in Geneva" in hit.text
        alaska = archive.search("Alaska", speaker="Gromyko", limit=50)
        assert [h.text[:40] for h in alaska.hits] == ["Gromyko noted that Alaska had indeed bel"]
        assert all(h.doc_id == "frus1981-88v05/d5" for h in alaska.hits)
