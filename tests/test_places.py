"""The gazetteer: every place finds its adjectives, demonyms and synonyms."""

from __future__ import annotations

import pytest

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
