"""The gazetteer: every place finds its adjectives, demonyms and synonyms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.places import Gazetteer, gazetteer

REQUIRED = {
    "Korea": ["Korean", "Koreans"],
    "South Korea": ["South Korean", "South Koreans", "ROK", "Republic of Korea"],
    "North Korea": ["DPRK", "North Korean", "North Koreans"],
    "Soviet Union": ["USSR", "U.S.S.R.", "Soviet", "Soviets"],
    "China": ["Chinese", "PRC", "People's Republic of China"],
    "Germany": ["German", "Germans"],
    "East Germany": ["GDR", "East German"],
    "West Germany": ["FRG", "West Germans"],
    "United States": ["U.S.", "USA", "American", "Americans"],
    "Afghanistan": ["Afghan", "Afghans"],
    "Vietnam": ["Vietnamese"],
    "Warsaw Pact": ["Warsaw Treaty Organization"],
    "NATO": ["North Atlantic Treaty Organization"],
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_places_find_their_other_forms(name: str) -> None:
    g = gazetteer()
    for form in [name, name.upper(), *REQUIRED[name]]:
        found = g.find(form)
        assert found is not None and found.name == name, form


def test_unknown_and_partial_names_are_not_places() -> None:
    g = gazetteer()
    assert g.find("South") is None and g.find("Korean War") is None and g.find("") is None


def test_every_form_belongs_to_one_place_and_the_file_says_why() -> None:
    g = gazetteer()
    assert len(g.places) >= 40
    with pytest.raises(ValueError, match="names both"):
        Gazetteer.from_toml(
            '[[place]]\nname = "Korea"\nforms = ["Korean"]\n'
            '[[place]]\nname = "Koreas"\nforms = ["Koreans"]\n'
        )


def test_mentioned_prefers_the_longest_form() -> None:
    text = "the South Korean authorities, the USSR and the DPRK’s Korean peninsula"
    assert gazetteer().mentioned(text) == ["South Korea", "Soviet Union", "North Korea", "Korea"]
    assert gazetteer().mentioned("nothing here") == []


_FORMS = [f for p in gazetteer().places for f in p.forms]
_WORDS = [
    *sorted({w for f in _FORMS for w in f.split()}),
    *["treaty", "the", "grain", "-", "Koreans", "US", "us", "U.S", "Korea's", "DPRK’s", "Sövièt"],
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_WORDS).map(lambda w: w.lower() if len(w) % 2 else w),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([" ", " AND ", " OR ", " NOT "]),
    st.booleans(),
)
def test_expansion_without_parsing_the_gazetteer_is_the_same(
    words: list[str], op: str, quoted: bool
) -> None:
    """`gazetteer_for` skips places.toml only for queries it cannot change: the expansion
    equals the one made with the whole gazetteer."""
    from searcher import places
    from searcher.query import expand_places, parse_lenient

    text = op.join(words)
    node = parse_lenient(f'"{text}"' if quoted else text).node
    fast = expand_places(node)
    chosen, places.gazetteer_for = places.gazetteer_for, lambda _: gazetteer()  # type: ignore[assignment]
    try:
        assert fast == expand_places(node)
    finally:
        places.gazetteer_for = chosen


def test_a_query_naming_no_place_needs_no_gazetteer() -> None:
    from searcher.places import gazetteer_for

    # "treaty" and "the" are words of forms ("Warsaw Treaty"), but no form starts with them
    assert gazetteer_for(["grain", "treaty", "the"]).places == []
    for form in _FORMS:
        assert gazetteer_for(["grain", *form.split()[:1]]) is gazetteer(), form
    for text in ("US", "U.S", "Korea's", "DPRK’s", "Sövièt", "SOVIETS"):
        assert gazetteer_for([text]) is gazetteer(), text


def test_a_word_places_toml_never_holds_is_ruled_out_without_reading_its_words() -> None:
    """A word in no line of places.toml ("grain") is ruled out without reading any form."""
    from tests.conftest import fresh_python

    code = (
        "from searcher import places\n"
        "print(places.gazetteer_for(['grain', 'security']).places, places._listed.cache_info().misses)\n"
        "print(places.gazetteer_for(['treaty']).places, places._listed.cache_info().misses)"
    )
    assert fresh_python(code).split("\n")[:2] == ["[] 0", "[] 1"]


def test_a_gazetteer_with_escapes_is_never_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """With an escape in places.toml ("Sovi\\u00e9t"), the file's text is not the forms'
    text: no word is ruled out by it."""
    from searcher import places

    cached = (places._source, places._folded_source, places._listed, places.gazetteer)
    toml = '[[place]]\nname = "Sovi\\u00e9t Union"\nforms = ["Sovi\\u00e9ts"]\n'
    monkeypatch.setattr(places, "_source", lambda: toml)
    try:
        for f in cached:
            f.cache_clear()
        assert places.gazetteer_for(["Soviets"]).places == [
            places.PlaceName("Soviét Union", ("Soviét Union", "Soviéts"))
        ]
    finally:
        for f in cached:
            f.cache_clear()
