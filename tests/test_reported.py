"""Reported speech: where the speaker changes inside a paragraph, and what stays narrative."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher.readers.reported import author_from_title, segments


def labels(text: str, author: str = "") -> list[tuple[str | None, str]]:
    return [(s.label, s.kind) for s in segments(text, author)]


def test_speaker_changes_inside_a_paragraph() -> None:
    text = (
        "6. Petrov continued that the boats were late. Smirnova noted that the sea was rough. "
        "Petrov continued that the nets were torn. He thought it would pass."
    )
    segs = segments(text)
    assert [(s.label, s.kind) for s in segs] == [
        ("Petrov", "reported"),
        ("Smirnova", "reported"),
        ("Petrov", "reported"),
    ]
    assert segs[0].text.startswith("6. Petrov") and segs[2].text.endswith("would pass.")


def test_subjects_that_are_not_people_stay_narrative() -> None:
    assert labels("The Soviet side had taken due note of this.") == [(None, "narrative")]
    assert labels("Moscow said nothing. He said more.") == [(None, "narrative")]
    assert labels("Petrov did not depart from his position.") == [(None, "narrative")]


def test_roles_intro_phrases_and_first_person() -> None:
    assert labels("Turning to fish, the Vice President noted that stocks fell.") == [
        ("the Vice President", "reported")
    ]
    assert labels("I told Petrov that the boats were late.") == [(None, "narrative")]
    assert labels("I told Petrov that the boats were late.", "Smirnova") == [("I", "reported")]
    assert labels("ANNA SMIRNOVA speaks briefly about the harbour.") == [
        ("ANNA SMIRNOVA", "reported")
    ]


def test_a_clause_runs_across_an_abbreviation_that_can_end_a_sentence() -> None:
    """ "U.S." may end a sentence, so a sentence starts after it; but a clause starting before
    it ("The U.S. Ambassador said") must still be found: the fast path may not stop there."""
    got = labels("Petrov said hello. The U.S. Ambassador said that the boats were late.")
    assert got[:2] == [("Petrov", "reported"), ("The U.S. Ambassador", "reported")]
    assert labels("Petrov said hello! Mr. Ivan Sidorov replied; Smirnova agreed.") == [
        ("Petrov", "reported"),
        ("Mr. Ivan Sidorov", "reported"),
        ("Smirnova", "reported"),
    ]


def test_author_from_title() -> None:
    assert author_from_title("Memorandum From Secretary of State Shultz to President Reagan") == (
        "Shultz"
    )
    assert (
        author_from_title("Telegram From the Embassy in the Soviet Union to the Department") == ""
    )


@given(
    st.lists(
        st.sampled_from(
            [
                "Petrov said that it rained.",
                "He added more.",
                "Smirnova agreed.",
                "The sea was rough.",
                "Moscow noted it.",
            ]
        ),
        max_size=8,
    )
)
def test_segments_keep_every_word(sentences: list[str]) -> None:
    text = " ".join(sentences)
    joined = " ".join(s.text for s in segments(text)) if text else ""
    assert joined.split() == text.split()
