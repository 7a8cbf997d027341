"""The gazetteer: Cold War places and the other forms records use for them.

"South Korea" should also find "South Korean products" and "the ROK"; "Soviet Union" should
find "USSR" and "the Soviets". Forms are compared folded (case and accents off) without possessives
and plural "s", so "Koreans" and "DPRK's" need no entry of their own.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib import resources
from typing import NamedTuple


class PlaceName(NamedTuple):
    """One place: its usual name first, then every other form, as written in the gazetteer.
    (A NamedTuple: a search creates the class at import, ~1 ms less than a dataclass.)"""

    name: str
    forms: tuple[str, ...]


def _key(word: str) -> str:
    """A folded word without a plural "s": names need no stemmer (and no NLTK at query time)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _terms(text: str) -> tuple[str, ...]:
    from .analysis import words

    return tuple(_key(w) for w, _, _ in words(text))


class Gazetteer:
    """Places looked up by any of their forms (compared folded, possessives and plurals off)."""

    def __init__(self, places: list[PlaceName]) -> None:
        self.places = places
        self._by_terms: dict[tuple[str, ...], PlaceName] = {}
        for place in places:
            for form in place.forms:
                terms = _terms(form)
                other = self._by_terms.get(terms)
                if other is not None and other is not place:
                    raise ValueError(f"{form!r} names both {other.name} and {place.name}")
                if terms:
                    self._by_terms[terms] = place
        #: the most words a form has (how far ahead a query needs looking)
        self.longest = max((len(t) for t in self._by_terms), default=1)

    def words(self) -> set[str]:
        """Every word of every form (stemmed at build time, so queries need no NLTK)."""
        from .analysis import words

        return {w for p in self.places for form in p.forms for w, _, _ in words(form)}

    @classmethod
    def from_toml(cls, text: str) -> Gazetteer:
        import tomllib  # here: most searches never parse the gazetteer (`gazetteer_for`)

        data = tomllib.loads(text)
        places = []
        for entry in data.get("place", []):
            name = str(entry["name"])
            forms = tuple(dict.fromkeys([name, *map(str, entry.get("forms", []))]))
            places.append(PlaceName(name, forms))
        return cls(places)

    def find(self, text: str) -> PlaceName | None:
        """The place `text` names exactly (any form, any case or plural), or None."""
        return self._by_terms.get(_terms(text))

    def mentioned(self, text: str) -> list[str]:
        """Names of the places `text` mentions (where forms overlap, the longest wins)."""
        terms = _terms(text)
        found: dict[str, None] = {}
        i = 0
        while i < len(terms):
            for j in range(min(len(terms), i + self.longest), i, -1):
                place = self._by_terms.get(terms[i:j])
                if place is not None:
                    found[place.name] = None
                    i = j
                    break
            else:
                i += 1
        return list(found)


@functools.cache
def _source() -> str:
    return resources.files("searcher").joinpath("data/places.toml").read_text(encoding="utf-8")


@functools.cache
def gazetteer() -> Gazetteer:
    """The bundled gazetteer (searcher/data/places.toml), read once per process."""
    return Gazetteer.from_toml(_source())


_STRING = r'"([^"\\\n]*)"'


@functools.cache
def _listed() -> tuple[frozenset[str], frozenset[str]] | None:
    """(first word of each form, every word of every form), found without parsing TOML: from
    each double-quoted string of places.toml, comments' included (more is harmless). None
    when a value may be written otherwise (escapes, literal or multi-line strings)."""
    text = _source()
    if "\\" in text or '"""' in text:
        return None
    strings: list[str] = []
    for line in text.splitlines():
        strings += re.findall(_STRING, line)
        if "'" in re.sub(_STRING, "", line).partition("#")[0]:
            return None
    terms = [t for t in map(_terms, strings) if t]
    return frozenset(t[0] for t in terms), frozenset(w for t in terms for w in t)


@functools.cache
def _folded_source() -> str | None:
    """places.toml folded, without the dots, commas and apostrophes a word loses on its way
    to a term ("Korea's" is "korea"), and the word "U.S." and "US" become: each word of each
    form is found in it. None when a value may hold an escape ("\\u00e9")."""
    from .analysis import _COUNTRY_US, fold

    text = _source()
    if "\\" in text:
        return None
    return fold(re.sub(r"[.,'’]", "", text)) + " " + _COUNTRY_US


def gazetteer_for(texts: Iterable[str]) -> Gazetteer:
    """The gazetteer, or an empty one when none of `texts` can be part of a place name: a
    query naming no place never parses places.toml (~8 ms of a cold search). Checking each
    text alone is enough: a run of them that is a form starts with a text whose first word
    begins that form, and all of whose words are in it. A first word that the file does not
    hold at all ("grain") is ruled out without reading its words (~3 ms)."""
    found = [t for t in map(_terms, texts) if t]
    source = _folded_source()
    if source is not None and not any(t[0] in source for t in found):
        return _NOWHERE
    listed = _listed()
    if listed is None:
        return gazetteer()
    firsts, known = listed
    for terms in found:
        if terms[0] in firsts and known.issuperset(terms):
            return gazetteer()
    return _NOWHERE


_NOWHERE = Gazetteer([])
