"""The Wilson Center page reader, on the bundled sample and every shared Wilson page."""

from __future__ import annotations

import datetime as dt

import pytest

from searcher.readers import read_file
from searcher.speakers import resolve

from .conftest import SAMPLE, shared_path


def read(path: str):
    [doc] = read_file(str(path)).transcripts
    return resolve(doc)


def first_speakers(doc, n: int) -> list[tuple[str | None, str]]:
    return [(t.speaker.name if t.speaker else None, t.kind) for t in doc.turns[:n]]


def test_sample_metadata_and_turns() -> None:
    doc = read(SAMPLE)
    assert doc.id == "176345"
    assert doc.date.start == dt.date(1988, 5, 4) and doc.date.precision == "day"
    assert doc.title.startswith("Excerpt from a Conversation with Member of the CC KWP Politburo")
    assert (
        doc.summary
        == "Kim expresses concern about the Soviet Union's increasing contacts with South Korea."
    )
    assert doc.type == "Memorandum of Conversation"
    assert doc.source.startswith("Mikhail Gorbachev, Otvechaya na Vyzov Vremeni")
    assert doc.places == () and doc.topics == () and doc.language == ""
    assert [t.speaker.name for t in doc.turns] == [
        "Mikhail Gorbachev",
        "Kim Yong-nam",
        "Mikhail Gorbachev",
        "Kim Yong-nam",
        "Mikhail Gorbachev",
    ]
    last = doc.turns[-1]
    assert "ties with South Korea" in last.text and "Korean peninsula" in last.text
    assert "Kim expresses concern" not in last.text
    assert (
        "[…]" not in doc.turns[1].text and "[Soviet Foreign Minister Eduard]" in doc.turns[1].text
    )
    assert [t.n for t in doc.turns] == [1, 2, 3, 4, 5]


EXPECTED = {
    "121777.txt": (
        dt.date(1989, 5, 17),
        "Notepad of Teimuraz Stepanov-Mamaladze, 17 May 1989",
        [(None, "narrative"), ("Primakov", "labelled"), ("Gorbachev", "labelled")],
    ),
    "honecker-brezhnev-1978-07-25.txt": (
        dt.date(1978, 7, 25),
        "Transcript, Meeting of East German leader Erich Honecker and Soviet leader Leonid Brezhnev, "
        "Crimea, 25 July 1978 (excerpt)",
        [(None, "narrative"), ("Brezhnev", "labelled")],
    ),
    "kim-il-sung-record.txt": (
        dt.date(1969, 4, 14),
        "Record of a Conversation with Kim Il Sung, General Secretary of the KWP CC and Chairman of "
        "the DPRK Cabinet of Ministers",
        [(None, "narrative")],
    ),
    "meeting-gorbachev-deng-1989-05-16.txt": (
        dt.date(1989, 5, 16),
        "Meeting between Mikhail Gorbachev and Deng Xiaoping (Excerpts)",
        [
            (None, "narrative"),
            ("Deng Xiaoping", "labelled"),
            ("Gorbachev", "labelled"),
            ("Deng Xiaoping", "labelled"),
        ],
    ),
    "second-conversation-khrushchev-mao-1958-08-01.txt": (
        dt.date(1958, 8, 1),
        "Second Conversation of N.S. Khrushchev with Mao Zedong, August 1, 1958, in Zhongnanhai",
        [
            (None, "narrative"),
            ("Mao Zedong", "labelled"),
            ("Khrushchev", "labelled"),
            ("Mao Zedong", "labelled"),
        ],
    ),
    "summary-cc-cpsu-meeting.txt": (
        dt.date(1979, 12, 26),
        "Summary of a CC CPSU Meeting",
        [(None, "narrative")],
    ),
    "yudin-mao-1955-03-08.txt": (
        dt.date(1955, 3, 12),
        "From the Journal of Ambassador Pavel Yudin: Record of Conversation with Mao Zedong on 8 March 1955",
        [(None, "narrative")],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_wilson_pages(name: str) -> None:
    date, title, speakers = EXPECTED[name]
    doc = read(shared_path("wilson", name))
    assert doc.date.start == date
    assert doc.title == title
    got = [(t.speaker.name if t.speaker else None, t.kind) for t in doc.turns[: len(speakers)]]
    # Compare surnames: the registry may give fuller names than the label.
    assert [(s and s.split()[-1], k) for s, k in got] == [
        (s and s.split()[-1], k) for s, k in speakers
    ]


def test_wilson_citation_block_gives_summary_and_source() -> None:
    doc = read(shared_path("wilson", "121777.txt"))
    assert doc.summary.startswith("Teimuraz Stepanov-Mamaladze notebook")
    assert doc.source.startswith("Hoover Institution Archive")
    labels = [t.label for t in doc.turns if t.label]
    assert labels[:2] == ["[Evgenii] Primakov", "M.S. [Gorbachev]"]


def test_metadata_without_labels() -> None:
    doc = read(shared_path("wilson", "summary-cc-cpsu-meeting.txt"))
    assert doc.type == "Memorandum of Conversation"
    assert doc.source.startswith("A. A. Lyakhovskiy")
    assert all("welcomes reuse" not in t.text for t in doc.turns)
