"""FRUS TEI reader: documents, notes, page breaks, persons, bad XML, bounded memory."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from searcher import Archive
from searcher.errors import ReadError
from searcher.readers import frus, read_file

from .conftest import fresh_python, shared_path

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


def test_unknown_encoding_in_the_declaration(tmp_path: Path) -> None:
    """A mistyped encoding name (found by the fuzz test) is the file's fault, said so."""
    f = tmp_path / "typo.xml"
    head = TEI_HEAD.replace('encoding="UTF-8"', 'encoding="uuf-8"', 1)
    assert head != TEI_HEAD
    f.write_text(head + '<div type="document"><p>Ivan Petrov said hello.</p></div>\n')
    with pytest.raises(ReadError, match="names an unknown encoding: uuf-8"):
        read_file(str(f), "frus")


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


#: reads a volume in a fresh interpreter; prints documents, turns, the peak resident memory
#: before reading and after (KB); `build` also indexes it
PEAK = """
import resource, sys, tempfile
from searcher.build import build
from searcher.readers import stream_file
from searcher.speakers import registry_for, resolve
path, full = sys.argv[1], sys.argv[2] == "build"
registry = registry_for([path])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if full:
    with tempfile.TemporaryDirectory() as folder:
        report = build([path], folder + "/ix")
    docs, turns = report.documents, report.turns
else:
    docs = turns = 0
    for doc in stream_file(path).transcripts:
        docs, turns = docs + 1, turns + len(resolve(doc, registry).turns)
print(docs, turns, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_growth(path: Path, how: str = "read") -> tuple[int, int]:
    """Documents read, and how much the peak resident memory grew while reading (KB)."""
    out = fresh_python(PEAK, str(path), how).split()
    docs, turns, before, after = map(int, out)
    assert turns > docs
    return docs, after - before


def check_flat(tmp_path: Path, how: str, small_mb: int) -> tuple[int, int]:
    small_docs, small = peak_growth(synthetic_volume(tmp_path / "small.xml", small_mb), how)
    big = synthetic_volume(tmp_path / "big.xml", 100)
    assert big.stat().st_size > 100 * 2**20
    big_docs, large = peak_growth(big, how)
    assert big_docs > 90 // small_mb * small_docs
    assert large < small * 1.5 + 16 * 1024, (small, large)  # KB; a list of them costs ~300 MB
    return small, large


def test_reading_a_100_mb_volume_takes_no_more_memory_than_10_mb(tmp_path: Path) -> None:
    """Read and speakers resolved, a transcript at a time (the index writer is the slow test)."""
    check_flat(tmp_path, "read", 10)


@pytest.mark.slow
def test_indexing_a_100_mb_volume_takes_no_more_memory_than_30_mb(tmp_path: Path) -> None:
    """The index writer buffers postings up to its `limitmb` (256) before writing a run to
    disk: memory grows until that buffer is full (a 10 MB volume does not fill it), then stays."""
    check_flat(tmp_path, "build", 30)


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


def test_a_volume_broken_near_its_end_keeps_what_came_before(tmp_path: Path) -> None:
    """Documents streamed before the error stay indexed; the file is reported with its line."""
    f = tmp_path / "broken.xml"
    docs = "".join(
        f'<div type="document" xml:id="d{n}"><head>Memorandum {n}</head>'
        f"<p>Ivan Petrov said that the boats were late.</p></div>\n"
        for n in range(1, 4)
    )
    f.write_text(TEI_HEAD + docs + '<div type="document" xml:id="d4"><p>Anna Smirnova.</div>\n')
    ix = str(tmp_path / "ix")
    for _ in range(2):  # an update reads it again and says so again, without doubling it
        with Archive.build([str(f)], ix) as archive:
            report = archive.report
            assert report is not None
            [skipped] = report.skipped
            assert skipped.line == 7 and "column" in skipped.reason
            assert skipped.reason.endswith("the 3 documents before it are indexed")
            assert archive.search("boats").total == 3
            assert [h.speaker for h in archive.search("boats").hits] == ["Ivan Petrov"] * 3


def test_a_large_volume_is_streamed_while_parsers_read_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searcher import build as build_module

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "volume.xml").symlink_to(shared_path(*VOLUME))
    for n in range(5):
        (corpus / f"{n}.txt").write_text(
            f"---\ntitle: Talk {n}\n---\nPetrov: The boats were late.\n\nSmirnova: Rope {n}.\n"
        )
    monkeypatch.setattr(build_module, "PARALLEL_MIN", 2)
    monkeypatch.setattr(build_module, "STREAM_MIN", 100_000)
    streamed: list[str] = []
    real = build_module._stream

    def spy(path: str, *args: object) -> object:
        streamed.append(Path(path).name)  # in this process only: the parsers are forked
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "_stream", spy)
    report = build_module.build([str(corpus)], str(tmp_path / "ix"), workers=2)
    assert streamed == ["volume.xml"]
    assert (report.files, report.documents, report.skipped) == (6, 27, [])
