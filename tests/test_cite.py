"""Citations: Wilson Center and FRUS records cited as the archives ask, in three formats."""

from __future__ import annotations

import datetime as dt
import re

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from searcher import Archive
from searcher.cite import Citation, anchor, cite, frus_volume
from searcher.cli import main
from searcher.model import DateRange, Transcript
from searcher.readers import read_file

from .conftest import SAMPLE

DAY = DateRange(dt.date(1985, 3, 13), dt.date(1985, 3, 13), "day")


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """A small RIS reader: `TAG  - value` lines, records from TY to ER."""
    records: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert m, f"not a RIS line: {line!r}"
        tag, value = m.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
            continue
        current.setdefault(tag, []).append(value)
    assert current is None, "record without ER"
    return records


def from_roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(numeral, [*numeral[1:], ""], strict=True):
        total += -values[a] if b and values[b] > values[a] else values[a]
    return total


def test_wilson_record_is_cited_as_the_archive_asks() -> None:
    doc = read_file(str(SAMPLE), None).transcripts[0]
    c = cite(doc)
    assert c.kind == "wilson"
    assert c.chicago() == (
        f'"{doc.title}," May 4, 1988, History and Public Policy Program Digital Archive, '
        f"{doc.source} {doc.url}"
    )
    assert doc.source.endswith(".") and ".." not in c.chicago()


def test_frus_document_from_its_id() -> None:
    c = cite(Transcript(id="frus1981-88v05/d5", title="Memorandum of Conversation", date=DAY))
    assert c.chicago() == (
        "Foreign Relations of the United States, 1981–1988, Volume V, Soviet Union, "
        "March 1985–October 1986, Document 5. "
        "https://history.state.gov/historicaldocuments/frus1981-88v05/d5"
    )


def test_frus_document_from_file_name_or_address() -> None:
    by_path = cite(Transcript(id="x", title="t", path="/c/hsg/frus1969-76ve13_d48.txt"))
    by_url = cite(
        Transcript(
            id="y",
            title="t",
            url="https://history.state.gov/historicaldocuments/frus1969-76ve13/d48",
        )
    )
    assert by_path.chicago() == by_url.chicago()
    assert by_url.chicago().startswith(
        "Foreign Relations of the United States, 1969–1976, Volume E–13, "
    )
    assert by_url.chicago().endswith(", Document 48. " + by_url.url)


def test_unknown_frus_volume_gets_the_generic_form() -> None:
    c = cite(Transcript(id="frus1969-76v12_d10", title="t"))
    assert c.chicago().startswith(
        "Foreign Relations of the United States, 1969–1976, Volume XII, Document 10. "
    )


@given(st.integers(1, 80), st.sampled_from(["1969-76", "1981-88", "1964-68"]))
def test_frus_volume_numbers_are_roman(n: int, years: str) -> None:
    text = frus_volume(f"frus{years}v{n:02d}")
    m = re.search(r"Volume ([IVXLC]+)", text)
    assert m and from_roman(m.group(1)) == n
    first, last = years.split("-")
    assert f"{first}–{first[:2]}{last}" in text


def test_plain_record_gets_a_generic_citation() -> None:
    c = cite(Transcript(id="notes", title="Ivan Petrov's notes", path="/tmp/notes.txt"))
    assert c.kind == "generic"
    assert c.chicago() == '"Ivan Petrov\'s notes." /tmp/notes.txt'
    assert anchor("notes", 3) == "notes#3"


def test_ris_and_bibtex_carry_the_metadata() -> None:
    doc = read_file(str(SAMPLE), None).transcripts[0]
    c: Citation = cite(doc)
    (rec,) = parse_ris(c.ris(["176345#5 matched"]))
    assert rec["TY"] == ["MANSCPT"] and rec["TI"] == [doc.title]
    assert rec["DA"] == ["1988/05/04/"] and rec["UR"] == [doc.url]
    assert "176345#5 matched" in rec["N1"]
    bib = c.bibtex()
    assert bib.startswith("@misc{176345,") and bib.count("{") == bib.count("}")
    assert "year = {1988}" in bib and "month = may" in bib


def test_hits_carry_their_records_citation(sample_index: str) -> None:
    with Archive.open(sample_index) as archive:
        results = archive.search("Korea")
        assert results.hits
        for hit in results.hits:
            assert hit.citation == archive.citation(hit.doc_id).chicago()
            assert hit.to_dict()["citation"] == hit.citation


def test_cite_command_formats(sample_index: str) -> None:
    def run(*args: str):
        return CliRunner().invoke(main, ["cite", *args, "--index", sample_index])

    r = run("176345")
    assert r.exit_code == 0 and r.stdout.startswith('"Excerpt from a Conversation')
    (rec,) = parse_ris(run("176345#5", "--format", "ris").stdout)
    assert "Turn 5 (176345#5)" in rec["N1"]
    assert run("176345", "--format", "bibtex").stdout.startswith("@misc{176345,")
    r = run("nope")
    assert r.exit_code == 1 and r.stdout == "" and "No document" in r.stderr


def test_real_frus_records_cite_the_same_document_alike() -> None:
    from .conftest import shared_path

    page = read_file(str(shared_path("hsg", "frus1981-88v05_d5.txt")), None).transcripts[0]
    volume = read_file(str(shared_path("frus", "frus1981-88v05-d1-d22.xml")), None).transcripts
    (tei,) = [d for d in volume if d.id == page.id]
    assert cite(page).chicago() == cite(tei).chicago()
    assert cite(page).url == "https://history.state.gov/historicaldocuments/frus1981-88v05/d5"
    for path in sorted(shared_path("hsg").iterdir()):
        for doc in read_file(str(path), None).transcripts:
            c = cite(doc)
            assert c.kind == "frus" and c.chicago().startswith(
                "Foreign Relations of the United States, "
            )
            assert c.url.endswith(f"/d{c.number}") and f"Document {c.number}." in c.chicago()
