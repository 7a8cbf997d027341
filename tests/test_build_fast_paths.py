"""The build's hand-written fast paths give what the generic code they replace gives:
the store's record dict, name folding, topic pattern matching, words and stems."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import Counter
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import index as store
from searcher.analysis import raw_stems, stem, word_of, words
from searcher.model import (
    DateRange,
    Participant,
    Speaker,
    Transcript,
    Turn,
    to_jsonable,
    transcript_from_dict,
)
from searcher.segments import SegmentBuilder
from searcher.speakers import fold, raw_tokens
from searcher.topics import Matcher, Pattern, Taxonomy, parse_taxonomy


def _generic(doc: Transcript) -> dict[str, object]:
    """What `to_dict` returned before: the dataclass walked generically."""
    return {k: to_jsonable(v) for k, v in asdict(doc).items()}


def _full() -> Transcript:
    ivan = Speaker("ivan-petrov", "Ivan Petrov", ("Petrov", "I. Petrov"))
    turns = (
        Turn("d1", 1, "Good morning.", "labelled", ivan, "PETROV:", ("arms-control",), ()),
        Turn("d1", 2, "A placeholder reply.", "labelled", None, "SMIRNOVA:", (), ("arms-control",)),
        Turn("d1", 3, "They left the room.", "narrative"),
    )
    return Transcript(
        id="d1",
        title="Memorandum of Conversation",
        turns=turns,
        date_text="March 1985",
        date=DateRange(dt.date(1985, 3, 1), dt.date(1985, 3, 31), "month"),
        places=("Moscow",),
        topics=("Soviet Union",),
        summary="A summary.",
        source="An archive",
        type="memcon",
        language="en",
        record_id="r1",
        url="https://example.org/d1",
        path="/tmp/d1.txt",
        participants=(Participant("Ivan Petrov", "minister", "USSR"), Participant("Anna Smirnova")),
        format="plain",
        author="Anna Smirnova",
        notes=("1. A note.",),
    )


def test_record_dict_is_the_generic_one() -> None:
    for doc in (_full(), Transcript(id="d2", title="")):
        data = doc.to_dict()
        assert data == _generic(doc)
        assert list(data) == list(_generic(doc))  # same key order: the same JSON bytes
        assert json.dumps(data, ensure_ascii=False) == json.dumps(_generic(doc), ensure_ascii=False)
        assert transcript_from_dict(json.loads(json.dumps(data))) == doc


def _fold_slowly(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_names_fold_as_any_other(text: str) -> None:
    assert fold(text) == _fold_slowly(text)


def test_remembered_name_tokens_are_fresh_lists() -> None:
    first = raw_tokens("Mr. Ivan PETROV's (reads)")
    assert first == ["mr", "ivan", "petrov"]
    first.append("spoiled")
    assert raw_tokens("Mr. Ivan PETROV's (reads)") == ["mr", "ivan", "petrov"]


TAXONOMY = """
[[topic]]
slug = "missiles"
strong = ["cruise missile", "warhead*"]
weak = ["rocket", "launch"]
[[topic]]
slug = "talks"
strong = ["negotiat*"]
together = [["chinese"], ["soviet"]]
"""
VOCABULARY = [
    "cruise", "missile", "missiles", "warheads", "warhead", "war", "rocket", "rockets",
    "launch", "launched", "negotiations", "negotiate", "neg", "chinese", "soviet", "the", "a",
]  # fmt: skip


def _hits_slowly(matcher: Matcher, text: str) -> list[tuple[int, str, Pattern]]:
    raws, stems = raw_stems(text)
    ws = list(map(word_of, raws))
    out = []
    for pos in range(len(ws)):
        for i, topic in enumerate(matcher.taxonomy.topics):
            entries = [(p, "s") for p in topic.strong] + [(p, "w") for p in topic.weak]
            entries += [(p, str(g)) for g, group in enumerate(topic.together) for p in group]
            for p, kind in entries:
                if pos + len(p) <= len(ws) and all(
                    (stems[pos + j] == v) if op == "=" else ws[pos + j].startswith(v)
                    for j, (op, v) in enumerate(p)
                ):
                    out.append((i, kind, p))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCABULARY), max_size=12), min_size=1, max_size=4))
def test_pattern_hits_are_every_occurrence(texts: list[list[str]]) -> None:
    matcher = Matcher(Taxonomy(tuple(parse_taxonomy(TAXONOMY, "test")[1])))
    for text in map(" ".join, texts):  # one matcher: what it remembers of a word is reused
        assert sorted(matcher.hits(text)) == sorted(_hits_slowly(matcher, text))


@settings(deadline=None)  # the first example imports NLTK
@given(st.text(alphabet=st.sampled_from("abc ABC'’.-1é\u0301")))
def test_raw_stems_are_words_and_their_stems(text: str) -> None:
    raws, stems = raw_stems(text)
    ws = list(map(word_of, raws))
    assert ws == [w for w, _, _ in words(text)]
    assert stems == [stem(w) for w in ws]


PIECES = st.text(alphabet=st.sampled_from("ab AB,é\t-"), max_size=8)


@settings(deadline=None)
@given(st.lists(PIECES, max_size=30).map(",".join))
def test_id_and_keyword_terms_are_whooshs(value: str) -> None:
    schema = store.schema()
    builder = SegmentBuilder(None, schema, store.codec())
    names = {"id", "kind", "speaker_keys", "topics", "derived_topics", "places"}
    assert names <= builder._ids | set(builder._keywords)  # the fields take the fast path
    for name in sorted(names):
        field = schema[name]
        expected = sorted((b, w, v) for b, _, w, v in field.index(value))
        items, length = builder._items(name, field, value)
        assert sorted(items) == expected, name
        whole = sum(f for _, f, _, _ in field.index(value))
        assert length == (whole if field.scorable else 0)


@settings(deadline=None)
@given(st.dictionaries(st.text(alphabet=st.sampled_from("abAB:é-"), min_size=1, max_size=6),
                       st.integers(1, 40), max_size=8))  # fmt: skip
def test_counted_keys_are_the_keys_written_out(counts: dict[str, int]) -> None:
    """A record's participants given as key -> count index as the value that repeats each key
    that often (`build._add` no longer writes it out)."""
    schema = store.schema()
    builder = SegmentBuilder(None, schema, store.codec())
    value = ",".join(",".join([key] * n) for key, n in counts.items())
    for name in ("speaker_keys", "topics"):  # not lowercased, and lowercased
        field = schema[name]
        expected = sorted((b, w, v) for b, _, w, v in field.index(value))
        items, length = builder._items(name, field, Counter(counts))
        assert sorted(items) == expected, name
        assert length == 0  # (neither is scorable)
