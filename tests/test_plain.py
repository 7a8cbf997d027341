"""Plain transcripts with front matter, JSON Lines import, and detection order."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from searcher.errors import ReadError
from searcher.readers import read_file

FRONT = """---
title: Conversation between Ivan Petrov and Anna Smirnova
date: 1975-06-02
participants: Ivan Petrov, Anna Smirnova
topics: fisheries, weather
places: Murmansk
source: invented for the tests
---
Petrov: Good morning.

Smirnova: Good morning.

Petrov continued that the boats were late. Smirnova replied that the sea was rough.
"""


def test_front_matter_and_turns(tmp_path: Path) -> None:
    f = tmp_path / "petrov.md"
    f.write_text(FRONT)
    result = read_file(str(f))
    assert result.format == "plain"
    [doc] = result.transcripts
    assert doc.title == "Conversation between Ivan Petrov and Anna Smirnova"
    assert doc.date.start == dt.date(1975, 6, 2) and doc.date.precision == "day"
    assert [p.name for p in doc.participants] == ["Ivan Petrov", "Anna Smirnova"]
    assert doc.topics == ("fisheries", "weather") and doc.places == ("Murmansk",)
    assert [(t.label, t.kind) for t in doc.turns] == [
        ("Petrov", "labelled"),
        ("Smirnova", "labelled"),
        ("Petrov", "reported"),
        ("Smirnova", "reported"),
    ]


def test_text_without_labels_is_not_a_transcript(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("Just some notes.\n\nNothing anyone said.\n")
    with pytest.raises(ReadError, match="not a transcript"):
        read_file(str(f))


def test_jsonl_import(tmp_path: Path) -> None:
    f = tmp_path / "docs.jsonl"
    rows = [
        {"id": "p1", "title": "One", "turns": [{"label": "Petrov", "text": "Hello."}]},
        {
            "id": "p2",
            "title": "Two",
            "date": {"start": "1975-06-02", "end": "1975-06-02", "precision": "day"},
            "turns": [{"text": "Narrative only."}],
        },
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    result = read_file(str(f))
    assert result.format == "jsonl"
    assert [d.id for d in result.transcripts] == ["p1", "p2"]
    assert result.transcripts[0].turns[0].kind == "labelled"
    assert result.transcripts[1].date.start == dt.date(1975, 6, 2)


def test_jsonl_bad_line_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "docs.jsonl"
    f.write_text('{"id": "p1", "turns": []}\n{"id": "p2", "turns": [{}]}\n')
    with pytest.raises(ReadError) as e:
        read_file(str(f), "jsonl")
    assert e.value.line == 2
