"""What a build remembers between records and turns gives what a fresh start gives: the
entries a registry remembers per name, the context reused for a record, and the raw-match
stems of the tokenizer. Every person here is invented."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import analysis
from searcher import index as store
from searcher.analysis import raw_stems, stem, word_of, words
from searcher.build import build, file_digest
from searcher.model import DateRange, Participant, Transcript, Turn
from searcher.readers import stream_file
from searcher.speakers import Registry, document_keys, resolve
from searcher.topics import keys

from .conftest import write_talk

#: Petrov serves one country, then another: his country, and so the premier a record's
#: "The Premier" names, follows the record's date
PEOPLE = """
[[person]]
id = "petrov-ivan"
name = "Ivan Petrov"
aliases = ["Petrov"]
[[person.office]]
title = "Ambassador"
country = "PL"
from = "1980-01-01"
to = "1986-01-01"
[[person.office]]
title = "Ambassador"
country = "HU"
from = "1986-01-01"
to = "1991-01-01"

[[person]]
id = "smirnova-anna"
name = "Anna Smirnova"
[[person.office]]
title = "Premier"
role = "head-of-government"
country = "PL"
from = "1980-01-01"
to = "1991-01-01"

[[person]]
id = "ivanova-olga"
name = "Olga Ivanova"
[[person.office]]
title = "Premier"
role = "head-of-government"
country = "HU"
from = "1980-01-01"
to = "1991-01-01"
"""

NAMES = [
    "Ivan Petrov",
    "Petrov",
    "Anna Smirnova",
    "Boris Orlov",
    "The Premier",
    "Ivan Petrov, Premier",
]
ROLES = ["", "Premier", "Ambassador"]
SIDES = ["", "Polish", "Hungarian"]
DAYS = [dt.date(1983, 5, 2), dt.date(1988, 9, 14)]
LABELS = ["The Premier", "Mr. Petrov", "Smirnova", "P", "Orlov"]
PRESENT = ["Present: Ivan Petrov", "Present: Boris Orlov and Anna Smirnova", "Opening remarks."]


def _record(n: int, participants: list[Participant], day: dt.date, present: str) -> Transcript:
    turns = [Turn(f"r{n}", 0, present, "narrative")]
    turns += [
        Turn(f"r{n}", i, "Placeholder text.", "labelled", label=label)
        for i, label in enumerate(LABELS, 1)
    ]
    return Transcript(
        id=f"r{n}",
        title="Memorandum of Conversation",
        turns=tuple(turns),
        date=DateRange(day, day, "day"),
        participants=tuple(participants),
    )


RECORDS = st.lists(
    st.tuples(
        st.lists(
            st.builds(
                Participant, st.sampled_from(NAMES), st.sampled_from(ROLES), st.sampled_from(SIDES)
            ),
            max_size=3,
        ),
        st.sampled_from(DAYS),
        st.sampled_from(PRESENT),
    ),
    min_size=1,
    max_size=6,
)


def _speakers(doc: Transcript, registry: Registry) -> tuple[list[object], list[str]]:
    resolved = resolve(doc, registry)
    return [t.speaker for t in resolved.turns], document_keys(resolved, registry)


@settings(max_examples=150, deadline=None)
@given(RECORDS)
def test_remembered_entries_and_contexts_resolve_as_a_fresh_registry(
    records: list[tuple[list[Participant], dt.date, str]],
) -> None:
    shared = Registry.from_toml([PEOPLE])  # remembers across the records, as a build does
    for n, (participants, day, present) in enumerate(records):
        doc = _record(n, participants, day, present)
        assert _speakers(doc, shared) == _speakers(doc, Registry.from_toml([PEOPLE]))


def test_the_same_participants_on_another_day_find_that_days_premier() -> None:
    """Fails when a remembered entry ignores the date its country came from."""
    registry = Registry.from_toml([PEOPLE])
    premiers = []
    for n, day in enumerate(DAYS):
        doc = _record(n, [Participant("Ivan Petrov")], day, "Opening remarks.")
        speaker = resolve(doc, registry).turns[1].speaker
        premiers.append(speaker.id if speaker else None)
    assert premiers == ["smirnova-anna", "ivanova-olga"]


def test_a_role_completed_in_one_record_stays_there() -> None:
    """Fails when a remembered entry is handed out itself, not a copy: merging a listed role
    into it would carry that role into the next record."""
    registry = Registry.from_toml([PEOPLE])
    once = [Participant("Ivan Petrov", side="Polish")]  # a side: his entry is remembered
    twice = [*once, Participant("Ivan Petrov", "Premier", "Polish")]
    premiers = []
    for n, participants in enumerate((once, twice, once)):
        doc = _record(n, participants, DAYS[0], "Opening remarks.")
        speaker = resolve(doc, registry).turns[1].speaker
        premiers.append(speaker.id if speaker else None)
    assert premiers == ["smirnova-anna", "petrov-ivan", "smirnova-anna"]


def test_a_person_added_later_is_found() -> None:
    registry = Registry.from_toml([])
    doc = _record(0, [Participant("Anna Smirnova")], DAYS[0], "Opening remarks.")
    ids = []
    for _ in range(2):
        speaker = resolve(doc, registry).turns[3].speaker
        ids.append(speaker.id if speaker else None)
        registry.load(PEOPLE, "test")
    assert ids == ["anna-smirnova", "smirnova-anna"]  # as written, then the registry's


@settings(deadline=None)  # the first example may import NLTK
@given(st.text(alphabet=st.sampled_from("abc ABC'’.-1é\u0301²")))
def test_raw_stems_are_the_words_stems(text: str) -> None:
    analysis._KEPT.clear()
    raws, stems = raw_stems(text)
    assert [word_of(r) for r in raws] == [w for w, _, _ in words(text)]
    assert stems == [stem(word_of(r)) for r in raws]


def test_a_new_stems_cache_learns_every_word_again() -> None:
    """The build saves the stems `STEMS.cache` learned: the raw-match table must not let a
    word past a cache that never saw it."""
    text = "Petrov and Smirnova discussed grain prices"
    raw_stems(text)
    analysis._KEPT.clear()
    saved = analysis.STEMS.cache
    try:
        analysis.STEMS.cache = {}
        raw_stems(text)
        assert set(analysis.STEMS.cache) == {w for w, _, _ in words(text)}
    finally:
        analysis.STEMS.cache = saved
        analysis._KEPT.clear()


TOPIC_NAMES = st.lists(
    st.sampled_from(["Korean War", "korean-war", "Trade", "trade", "", "Berlin"])
)


@settings(max_examples=100)
@given(TOPIC_NAMES, TOPIC_NAMES, TOPIC_NAMES, TOPIC_NAMES)
def test_turn_fields_keys_are_those_of_every_topic_together(
    archive: list[str], places: list[str], own: list[str], inherited: list[str]
) -> None:
    day = dt.date(1983, 5, 2)
    doc = Transcript(
        id="r1",
        title="Memorandum of Conversation",
        turns=(),
        date=DateRange(day, None, "day"),
        topics=tuple(archive),
        places=tuple(places),
    )
    turn = Turn("r1", 1, "Placeholder text.", "narrative", topics=tuple(own))
    turn = turn.derived(None, tuple(own), tuple(inherited))
    fields = store.turn_fields(doc, turn)
    assert fields == store.turn_fields(doc, turn, store.record_fields(doc))
    expected = {
        "topics": ",".join(keys([*archive, *own, *inherited])),
        "archive_topics": ",".join(keys(archive)),
        "places": ",".join(keys(places)),
        "derived_topics": ",".join(own),
        "inherited_topics": ",".join(inherited),
    }
    assert {k: fields.get(k, "") for k in expected} == expected
    assert (fields["day_start"], fields["day_end"]) == (day.toordinal(), store.NO_DAY_END)


def test_a_file_read_once_is_hashed_and_read_as_from_its_path(tmp_path: Path) -> None:
    """A build reads each file once: its digest and transcripts are those of the path."""
    path = tmp_path / "talk.txt"
    turns = ["Ivan Petrov: Placeholder text.", "Anna Smirnova: Placeholder reply."]
    write_talk(path, "Invented talk", "1983-05-02", turns)
    (tmp_path / "notes.txt").write_bytes(b"\x00\x01binary")
    built = build([str(tmp_path)], str(tmp_path / "ix"), workers=1)
    gen = tmp_path / "ix" / str(store.read_meta(str(tmp_path / "ix"))["current"])
    [record] = store.Manifest(str(gen)).records().values()
    assert record.sha1 == file_digest(str(path))
    assert [s.path for s in built.skipped] == [str(tmp_path / "notes.txt")]
    once = stream_file(str(path), None, (path).read_bytes())
    assert list(once.transcripts) == list(stream_file(str(path)).transcripts)
