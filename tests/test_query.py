"""The query language: the strict parser, the lenient one, and what the engine runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import Archive, QuerySyntaxError
from searcher.query import (
    And,
    Field,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Place,
    Wildcard,
    Word,
    date_bounds,
    describe,
    expand_places,
    parse,
    parse_lenient,
)


def test_words_phrases_and_operators() -> None:
    assert parse("road") == Word("road")
    assert parse("road market") == And((Word("road"), Word("market")))
    assert parse("road AND market") == And((Word("road"), Word("market")))
    assert parse("a OR b c") == Or((Word("a"), And((Word("b"), Word("c")))))
    assert parse("(a OR b) c") == And((Or((Word("a"), Word("b"))), Word("c")))
    assert parse('"road to the market"') == Phrase("road to the market")
    assert parse('"arms race"~5') == Phrase("arms race", 5)
    assert parse("a NOT b") == And((Word("a"), Not(Word("b"))))
    assert parse("a -b +c") == And((Word("a"), Not(Word("b")), Word("c")))
    assert parse("-Korea") == Not(Word("Korea"))
    assert parse("Gorbachov~") == Fuzzy("Gorbachov", 1)
    assert parse("Gorbachov~2") == Fuzzy("Gorbachov", 2)
    assert parse("harv*") == Wildcard("harv*")
    assert parse("Sino-Soviet") == Word("Sino-Soviet")
    assert parse("") is None


def test_nodes_equal_only_nodes_of_their_own_class() -> None:
    """The nodes are NamedTuples (cheaper to create at import than dataclasses), yet a word
    is no wildcard, an AND no OR, and no node equals the plain tuple of its fields."""
    assert Word("a") != Wildcard("a")
    assert (Word("a") == Wildcard("a")) is False
    assert And((Word("a"), Word("b"))) != Or((Word("a"), Word("b")))
    assert Not(Word("a")) != Word(Word("a"))  # type: ignore[arg-type]
    assert Word("a") != ("a",) and Phrase("a b") != ("a b", 0)
    assert len({Word("a"), Wildcard("a"), Word("a"), Field("doc", "1")}) == 3
    assert parse("a b") == And((Word("a"), Word("b")))
    assert hash(parse("a OR b")) == hash(Or((Word("a"), Word("b"))))


def test_fields() -> None:
    assert parse("speaker:Gorbachev") == Field("speaker", "Gorbachev")
    assert parse('speaker:"Kim Yong-nam" Korea') == And(
        (Field("speaker", "Kim Yong-nam"), Word("Korea"))
    )
    assert parse("speaker: Gorbachev") == Field("speaker", "Gorbachev")
    assert parse("date:1985..1991") == Field("date", "1985..1991")
    assert parse("Topic:Korea") == Field("topic", "Korea")
    assert date_bounds("1988-05") == ("1988-05", "1988-05")
    assert date_bounds("1985..1991") == ("1985", "1991")
    assert date_bounds("..1991") == (None, "1991")


@pytest.mark.parametrize(
    ("bad", "message", "position"),
    [
        ('"open', "unbalanced double quote", 0),
        ("(road", "unclosed parenthesis", 0),
        ("road)", "closing parenthesis", 4),
        ("road AND", "AND needs something", 5),
        ("AND road", "AND needs something", 0),
        ("road OR", "OR needs something", 5),
        ("road NOT", "NOT has nothing", 5),
        ("date:May", "date:1988", 0),
        ("speaker:", "has no value", 0),
        ("*", "wildcard", 0),
    ],
)
def test_strict_errors_give_the_position(bad: str, message: str, position: int) -> None:
    with pytest.raises(QuerySyntaxError) as e:
        parse(bad)
    assert message in str(e.value) and e.value.position == position


def test_lenient_repairs_and_says_so() -> None:
    parsed = parse_lenient('"South Korea')
    assert parsed.node == Phrase("South Korea")
    assert "unbalanced double quote" in parsed.warnings[0]
    assert parse_lenient("(road").node == Word("road")
    assert parse_lenient("road)").node == Word("road")
    assert parse_lenient("road AND").node == Word("road")
    assert parse_lenient("road AND").warnings
    assert parse_lenient("road").warnings == ()


def test_unknown_field_is_an_error_even_when_lenient() -> None:
    for parser in (parse, parse_lenient):
        with pytest.raises(QuerySyntaxError) as e:
            parser("spaeker:Gorbachev Korea")
        assert "spaeker" in str(e.value)
        assert all(f"{f}:" in str(e.value) for f in ("speaker", "date", "topic", "place", "doc"))


def test_place_expansion_in_the_tree() -> None:
    tree = expand_places(parse("South Korea speaker:Gorbachev"))
    assert isinstance(tree, And) and isinstance(tree.children[0], Place)
    place = tree.children[0]
    assert place.name == "South Korea" and "ROK" in place.forms
    assert expand_places(parse('"South Korean"')).name == "South Korea"  # type: ignore[union-attr]
    assert expand_places(parse("Korea OR China")) == Or(
        tuple(expand_places(parse(w)) for w in ("Korea", "China"))  # type: ignore[misc]
    )
    assert isinstance(expand_places(parse("-DPRK")), Not)
    assert expand_places(parse("South Africa")) == parse("South Africa")  # not a place we know
    assert "ROK" in describe(tree) and "speaker:'Gorbachev'" in describe(tree)


# -- over an index ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(sample_index: str) -> Iterator[Archive]:
    with Archive.open(sample_index) as a:
        yield a


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in results.hits]


def test_must_show_queries(archive: Archive) -> None:
    for q in ("South Korean", "South Korea"):
        assert ids(archive.search(q, speaker="Gorbachev")) == ["176345#5"]
    hits = archive.search("Korea", speaker="Kim Yong-nam").hits
    assert [h.id for h in hits] == ["176345#2"]
    assert "South [[Korean]] authorities" in hits[0].marked_snippet()  # the demonym is marked


def test_exact_turns_expansion_off(archive: Archive) -> None:
    assert archive.search("Korea", speaker="Kim Yong-nam", exact=True).total == 0
    assert archive.search("DPRK", exact=True).total == 1
    assert archive.search("North Korea").total == 1  # DPRK
    assert archive.search("North Korea", exact=True).total == 0


def test_only_excluding_answers_all_turns_minus_the_excluded(archive: Archive) -> None:
    everything = archive.search(speaker=("Gorbachev", "Kim Yong-nam"), limit=100).total
    without = archive.search("-Korea", limit=100)
    with_korea = archive.search("Korea", limit=100)
    assert without.total == everything - with_korea.total > 0
    assert not set(ids(without)) & set(ids(with_korea))


def test_fields_in_the_query_string(archive: Archive) -> None:
    assert ids(archive.search('speaker:"Kim Yong-nam" Korea')) == ["176345#2"]
    assert archive.search("speaker:Gorbachev").total == 3
    assert archive.search("doubt date:1988").total == 3
    assert archive.search("doubt date:1985..1987").total == 0
    assert archive.search("doubt date:1988-05 doc:176345").total == 3
    r = archive.search("speaker:Nobody")
    assert r.total == 0 and "speaker:Nobody" in r.notes[0]


def test_phrases_proximity_fuzzy_wildcards(archive: Archive) -> None:
    assert ids(archive.search('"South Korean products"')) == ["176345#5"]
    assert archive.search('"Korean products South"').total == 0
    assert ids(archive.search('"South products"~1')) == ["176345#5"]
    assert ids(archive.search("Shevardnaze~")) == ["176345#2"]
    assert ids(archive.search("Shevard*")) == ["176345#2"]
    assert "176345#5" in ids(archive.search("amelior*"))


def test_marks_only_whole_phrases(archive: Archive) -> None:
    snippet = archive.search("South Korean", speaker="Gorbachev").hits[0].marked_snippet()
    assert "[[South]] [[Korean]] products" in snippet
    assert "context [[of]]" not in snippet  # "of" belongs to "Republic of Korea", absent here


def test_explain_shows_expansion_and_engine_query(archive: Archive) -> None:
    text = archive.explain("South Korea -Japan")
    assert "ROK" in text and "Republic of Korea" in text and "engine:" in text
    assert "ANDNOT" in text
    assert "ROK" not in archive.explain("South Korea", exact=True)


def test_lenient_search_reports_repairs(archive: Archive) -> None:
    r = archive.search('"South Korean', strict=False)
    assert r.total == 2 and any("unbalanced" in n for n in r.notes)
    with pytest.raises(QuerySyntaxError):
        archive.search('"South Korean')


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab :"()-*~?.1ANDORNOT\t')), max_size=30))
def test_parsers_fail_only_with_query_errors(text: str) -> None:
    try:
        describe(parse(text))
    except QuerySyntaxError as e:
        assert e.position is None or 0 <= e.position <= len(text)
    try:
        parsed = parse_lenient(text)
    except QuerySyntaxError as e:  # unknown fields and bad dates stay errors
        assert "field" in str(e) or "date" in str(e)
    else:
        describe(parsed.node)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab "()-*~?KoreaSouth')), max_size=25))
def test_any_lenient_query_runs(archive: Archive, text: str) -> None:
    archive.search(text, strict=False, speaker="Gorbachev")


def test_snippet_marks_a_compound_found_by_its_joined_form() -> None:
    from searcher.search import snippet

    text = "Kim Yong-nam met the Sino-Soviet group"
    _, marks = snippet(text, frozenset({"yongnam"}))
    assert [text[s:e] for s, e in marks] == ["Yong", "nam"]
    _, marks = snippet(text, frozenset(), phrases=[("sino", "soviet")])
    assert [text[s:e] for s, e in marks] == ["Sino", "Soviet"]
