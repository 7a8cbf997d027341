"""Shortcuts a build's workers take per turn give what the plain code they replace gives:
cleaning a turn's text, words and stems with some not seen before, turns rebuilt with a
speaker or topics."""

from __future__ import annotations

import re
from dataclasses import fields, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import analysis
from searcher.analysis import raw_stems, stem, word_of, words
from searcher.model import Speaker, Transcript, Turn
from searcher.readers.text import clean_turn_text
from searcher.speakers import resolve
from searcher.topics import Matcher, Taxonomy, derive, parse_taxonomy


def _clean_slowly(text: str) -> str:
    text = re.sub(r"[ \t]*\[(?:…|\.\s?\.\s?\.)\][ \t]*", " ", text)
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["a", "Petrov", " ", "  ", "\t", "\u00a0", "[…]", "[...]",
                                 "[. . .]", "[sic]", "\n", "[", "]", "."]), max_size=20))  # fmt: skip
def test_clean_turn_text_is_the_regex_rewrite(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert clean_turn_text(text) == _clean_slowly(text)


def test_raw_stems_fill_in_only_the_words_not_seen_before() -> None:
    text = "Petrov and Smirnova discussed grain, grain prices and the Petrovs' harvests"
    raw_stems(text)  # every spelling known now
    for raw in ("Smirnova", "prices", "harvests"):  # some forgotten: found again, in place
        analysis._RAW_WORDS.pop(raw, None)
    for word in ("petrov", "harvest"):
        analysis.STEMS.cache.pop(word, None)
    analysis._KEPT.clear()
    raws, stems = raw_stems(text)
    ws = list(map(word_of, raws))
    assert ws == [w for w, _, _ in words(text)]
    assert stems == [stem(w) for w in ws]
    assert None not in ws and None not in stems


TAXONOMY = """
[[topic]]
slug = "grain"
name = "Grain"
strong = ["grain"]
"""


def _turn(n: int, text: str, label: str | None, **kw: object) -> Turn:
    return Turn("r1", n, text, "labelled" if label else "narrative", label=label, **kw)  # type: ignore[arg-type]


def test_turns_rebuilt_keep_every_other_field() -> None:
    ivan = Speaker("ivan-petrov", "Ivan Petrov", ())
    first = _turn(1, "Grain prices rose.", "PETROV:", speaker=ivan, inherited_topics=("x",))
    reply = _turn(2, "Yes.", "SMIRNOVA:", topics=("old",))
    doc = Transcript(id="r1", title="A record", turns=(first, reply))
    matcher = Matcher(Taxonomy(tuple(parse_taxonomy(TAXONOMY, "test")[1])))
    derived = derive(doc, matcher).turns
    assert derived[0] == replace(first, topics=("grain",), inherited_topics=())
    assert derived[1] == replace(reply, topics=(), inherited_topics=("grain",))
    resolved = resolve(doc).turns
    assert resolved[0] is first  # a speaker already known is kept
    assert resolved[1] == replace(reply, speaker=resolved[1].speaker)
    assert resolved[1].speaker is not None
    # every field of a turn is one of those the rebuilt turns set
    assert [f.name for f in fields(Turn)] == [
        "doc_id", "n", "text", "kind", "speaker", "label", "topics", "inherited_topics",
    ]  # fmt: skip
