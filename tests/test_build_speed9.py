"""The cheaper ways a build makes turns, records, paragraphs and speaker entries give what
the plain ones gave: equal, hashed, shown and pickled alike, still frozen. The old logic is
kept here to compare with. Every person here is invented."""

from __future__ import annotations

import dataclasses
import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.model import DateRange, Participant, Speaker, Transcript, Turn
from searcher.readers.text import Paragraph, paragraphs
from searcher.speakers import Person, _Entry, compact

_BLANK = re.compile(r"\n[ \t\u00a0]*\n")


def old_paragraphs(text: str, first_line: int = 1) -> list[Paragraph]:
    """`paragraphs` before it split the text (a walk over the blank lines' matches)."""
    out: list[Paragraph] = []
    pos, line = 0, first_line
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for m in [*_BLANK.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if "\n" in chunk:
            body = " ".join(filter(None, map(str.strip, chunk.split("\n"))))
        else:
            body = chunk.strip()
        if body:
            lead = len(chunk) - len(chunk.lstrip("\n \t\u00a0"))
            out.append(Paragraph(body, line + chunk.count("\n", 0, lead)))
        if m:
            line += text.count("\n", pos, m.end())
            pos = m.end()
    return out


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab \t\n\r\u00a0\u2003\x0c", max_size=60), st.integers(1, 50))
def test_paragraphs_as_before(text: str, first_line: int) -> None:
    assert paragraphs(text, first_line) == old_paragraphs(text, first_line)


def test_paragraphs_lines() -> None:
    text = "Ivan Petrov: Yes.\r\n\r\n\n  \n\n Anna Smirnova: No,\n  not yet.\n\n\n"
    assert paragraphs(text, 3) == [
        Paragraph("Ivan Petrov: Yes.", 3),
        Paragraph("Anna Smirnova: No, not yet.", 8),
    ]


SPEAKERS = st.none() | st.builds(Speaker, st.text(max_size=5), st.text(max_size=5))
TOPICS = st.lists(st.text(max_size=4), max_size=3).map(tuple)
TURNS = st.builds(
    Turn,
    st.text(max_size=5),
    st.integers(0, 99),
    st.text(max_size=10),
    st.sampled_from(["labelled", "continuation", "narrative", "reported"]),
    SPEAKERS,
    st.none() | st.text(max_size=5),
    TOPICS,
    TOPICS,
)


def _same(a: object, b: object) -> None:
    assert type(a) is type(b)
    assert a == b and b == a
    assert hash(a) == hash(b)
    assert repr(a) == repr(b)
    again = pickle.loads(pickle.dumps(a))
    assert type(again) is type(b) and again == b


@settings(max_examples=200, deadline=None)
@given(TURNS, SPEAKERS, TOPICS, TOPICS)
def test_derived_is_the_constructed_turn(turn: Turn, speaker, topics, inherited) -> None:
    made = turn.derived(speaker, topics, inherited)
    _same(
        made, dataclasses.replace(turn, speaker=speaker, topics=topics, inherited_topics=inherited)
    )
    assert made.id == turn.id
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.n = 1  # type: ignore[misc]


@settings(max_examples=100, deadline=None)
@given(st.lists(TURNS, max_size=4), st.lists(TURNS, max_size=4), st.text(max_size=5))
def test_with_turns_is_replace(before: list[Turn], after: list[Turn], title: str) -> None:
    doc = Transcript(
        "doc-1",
        title,
        tuple(before),
        date=DateRange(precision="year"),
        participants=(Participant("Ivan Petrov", "Minister"),),
        notes=("a note",),
        author="Anna Smirnova",
    )
    made = doc.with_turns(after)
    _same(made, dataclasses.replace(doc, turns=tuple(after)))
    assert doc.turns == tuple(before)  # the source is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "x"  # type: ignore[misc]


PETROV = Person("petrov-ivan", "Ivan Petrov", ("Petrov", "I. Petrov"))


@pytest.mark.parametrize(
    "entry",
    [
        _Entry("Ivan Petrov", PETROV, "Minister", None),
        _Entry("Anna  Smirnova-Volkova", None, "Interpreter"),
        _Entry("Dr. A. Smirnova", None),
        _Entry("", None),
    ],
)
def test_entry_identity_as_before(entry: _Entry) -> None:
    def old(e: _Entry) -> str:
        return f"id:{e.person.id}" if e.person else f"name:{compact(e.name)}"

    assert entry.identity == old(entry)
    copied = entry.copy()
    copied.role, copied.country = "Premier", "xx"  # completed later: who it is stays
    assert copied.identity == entry.identity == old(copied)
    assert "identity" not in repr(entry)
