"""history.state.gov page reader, on every shared page and on small invented pages."""

from __future__ import annotations

import datetime as dt

import pytest

from searcher.readers import hsg, read_file
from searcher.readers.apparatus import remove_marks, remove_page_markers

from .conftest import shared_path

# file: (date, title, [(label, kind), …] of the first turns)
EXPECTED = {
    "frus1969-76v18_d10.txt": (
        None,
        "Memorandum of Conversation",
        [("Dr. Kissinger", "labelled"), ("Chou En-lai", "labelled"), ("Dr. Kissinger", "labelled")],
    ),
    "frus1969-76ve13_d48.txt": (
        dt.date(1971, 10, 23),
        "Memorandum of Conversation, Beijing, October 23, 1971, 9:05-10:05 p.m.",
        [(None, "narrative"), ("Dr. Kissinger", "labelled"), ("PM Chou", "labelled")],
    ),
    "frus1981-88v04_d176.txt": (
        None,
        "Memorandum From the White House Situation Room to the President’s Assistant for "
        "National Security Affairs (McFarlane)",
        [
            (None, "narrative"),
            ("Jack Matlock", "reported"),
            (None, "narrative"),
            ("Chernenko", "reported"),
            (None, "narrative"),
            ("the Vice President", "reported"),
        ],
    ),
    "frus1981-88v05_d5.txt": (
        dt.date(1985, 3, 13),
        "Meeting with General Secretary Gorbachev After Chernenko Funeral",
        [
            (None, "narrative"),
            ("General Secretary Gorbachev", "reported"),
            ("Gorbachev", "reported"),
        ],
    ),
    "frus1981-88v06_d181.txt": (
        None,
        "Memorandum of Conversation",
        [
            ("President Reagan", "reported"),
            ("Chairman Gorbachev", "reported"),
            ("The President", "reported"),
        ],
    ),
}


def read(name: str):
    result = read_file(str(shared_path("hsg", name)))
    assert result.format == "hsg"
    [doc] = result.transcripts
    return doc


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_hsg_pages(name: str) -> None:
    date, title, turns = EXPECTED[name]
    doc = read(name)
    assert doc.date.start == date
    assert doc.title == title
    assert [(t.label, t.kind) for t in doc.turns[: len(turns)]] == turns
    volume, d = name[:-4].split("_")
    assert doc.id == f"{volume}/{d}"
    assert doc.url == f"https://history.state.gov/historicaldocuments/{volume}/{d}"
    for t in doc.turns:
        assert "[Page" not in t.text and "(S)" not in t.text


def test_page_markers_and_footnotes_leave_words_intact() -> None:
    d10 = read("frus1969-76v18_d10.txt")
    assert any("very deep base and also" in t.text for t in d10.turns)
    d176 = read("frus1981-88v04_d176.txt")
    assert d176.turns[0].text.endswith("by phone.")
    assert "emphasizing the Middle East" in d176.turns[-2].text
    d181 = read("frus1981-88v06_d181.txt")
    assert any("mixed together." in t.text for t in d181.turns)
    assert remove_page_markers("appar[Page 12]ently") == "apparently"
    assert remove_page_markers("end. [Page 3]Next") == "end. Next"
    assert remove_marks("registered 8.0. Yerevan") == "registered 8.0. Yerevan"


def test_participants_keep_their_side() -> None:
    doc = read("frus1981-88v06_d181.txt")
    sides = {p.name: p.side for p in doc.participants}
    assert sides["M.S. Gorbachev"] == "USSR" and sides["The Vice President"] == "US"
    roles = {p.name: p.role for p in doc.participants}
    assert roles["George P. Shultz"] == "Secretary of State"
    assert roles["Pavel Palazhchenko"] == "Interpreter"
    d48 = read("frus1969-76ve13_d48.txt")
    names = [p.name for p in d48.participants]
    assert "Tang Wen-sheng" in names and "Chi Chao-chu" in names
    assert d48.places == ("Government Guest House (HAK Sitting Room), Peking",)
    assert d48.summary == "The President’s Visit"


def page(body: str, title: str = "7. Memorandum of Conversation1") -> str:
    return f"{title}\n\n\n{body}\n"


def test_letters_labels_and_title_names(tmp_path) -> None:
    title = (
        "12. Transcript of Telephone Conversation Between the President’s Assistant for "
        "National Security Affairs (Kissinger) and the Soviet Ambassador (Dobrynin), "
        "Washington, May 3, 1972, 10:15 a.m.1"
    )
    f = tmp_path / "frus1969-76v99_d12.txt"
    f.write_text(page("K: Placeholder one.\n\nD: Placeholder two.\n\nK: Placeholder three.", title))
    [doc] = read_file(str(f)).transcripts
    assert [(t.label, t.kind) for t in doc.turns] == [
        ("K", "labelled"),
        ("D", "labelled"),
        ("K", "labelled"),
    ]
    assert [p.name for p in doc.participants] == ["Kissinger", "Dobrynin"]
    assert doc.date.start == dt.date(1972, 5, 3)
    assert doc.title.endswith("10:15 a.m.")


def test_label_variants_alone_on_line_and_stage_direction(tmp_path) -> None:
    body = (
        "P.M. Chou: Placeholder one.\n\nPrime Minister Chou:\n\nPlaceholder two.\n\n"
        "Miss Shen: Placeholder three.\n\n"
        "PETROV (reads a memorandum on fishing).\n\nPlaceholder four."
    )
    f = tmp_path / "frus1969-76v99_d3.txt"
    f.write_text(page(body))
    [doc] = hsg.read(f.read_text(), str(f))
    assert [(t.label, t.kind, t.text) for t in doc.turns] == [
        ("P.M. Chou", "labelled", "Placeholder one."),
        ("Prime Minister Chou", "labelled", "Placeholder two."),
        ("Miss Shen", "labelled", "Placeholder three."),
        (None, "narrative", "(reads a memorandum on fishing)"),
        ("PETROV", "labelled", "Placeholder four."),
    ]
