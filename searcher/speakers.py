"""Who is speaking: labels as written ("M.S. [Gorbachev]", "PM Chou", "The President") resolved
to one `Speaker` per person.

Resolution works per transcript: first the record's own participants (participant lists,
`Present:`/`Attending:`/`Chairing:` lines, names in the title, the author for "I"), then the
registry of people shipped in `searcher/data/people.toml` plus a corpus folder's own
`people.toml`. Roles ("the Vice President") are resolved by the record's date and side. A
single letter or a bare surname that is not a registered spelling resolves only through the
record's participants. Ambiguity is never guessed, and nothing is ever dropped: a label that
cannot be resolved becomes a speaker of its own, named as written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import ReadError
from .model import DateRange, Speaker, Transcript, Turn

#: the file name of user corrections inside a corpus folder (same format as the registry)
OVERRIDES = "people.toml"
#: a generation's people files as parsed (`save_overrides`): JSON reads ~10x faster than
#: TOML (~40 ms for the bundled file), a cost the first search naming someone paid
PARSED = "people.json"
#: TOML text -> its data, for texts parsed in this process or read from a generation's PARSED
_parsed: dict[str, Any] = {}

_LETTERS = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ð": "d"})

#: words dropped from the front of a name: honorifics, titles, organizations, nationalities
TITLES = frozenset(
    """mr mrs ms miss dr comrade comrades cde cdes com tov herr frau monsieur madame mme madam
    sir lord lady dame general gen secretary secy sec minister prime pm pres premier chairman
    ambassador amb foreign vice party first deputy acting state senator sen admiral adm marshal
    professor prof president chancellor leader cdr commander colonel col captain capt major
    interpreter the of and for to cc cpsu ccp kwp sed pzpr central committee council ministers
    affairs presidium soviet american chinese us usa ussr prc dprk rok gdr frg east west north
    south german korean vietnamese british french cuban polish czechoslovak hungarian romanian
    his her excellency hon honorable assistant national security adviser advisor""".split()  # noqa: SIM905
)
#: forms of address before a name: after one, a title word is a surname ("Mr. Lord")
HONORIFICS = frozenset(
    "mr mrs ms miss dr comrade cde com tov herr frau monsieur madame mme sir lady dame".split()  # noqa: SIM905
)
FEMALE = frozenset(["mrs", "ms", "miss", "madame", "mme", "madam", "frau", "lady", "dame"])
_SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv"])
_STOP = frozenset({"the", "of", "and", "de", "van", "von", "der", "la", "le"})
#: dropped before a role phrase: "Mr. President", "Comrade Chairman", "the Secretary"
_ROLE_LEAD = frozenset(["the", "mr", "madam", "madame", "comrade", "cde", "com", "tov"])

#: role phrase -> (office roles it names, word the office title must contain)
ROLE_PHRASES: dict[tuple[str, ...], tuple[frozenset[str], str | None]] = {}


def _phrases(words: Iterable[str], roles: Iterable[str], title_word: str | None = None) -> None:
    for w in words:
        ROLE_PHRASES[tuple(w.split())] = (frozenset(roles), title_word)


_phrases(["president"], ["president"])
_phrases(["vice president"], ["vice-president"])
_phrases(["secretary", "secretary of state"], ["secretary-of-state"])
_phrases(["general secretary"], ["party-leader"], "general secretary")
_phrases(["first secretary"], ["party-leader"], "first secretary")
_phrases(["prime minister", "pm", "p m", "premier"], ["head-of-government"])
_phrases(["chancellor"], ["head-of-government"], "chancellor")
_phrases(["chairman"], ["party-leader", "head-of-state", "head-of-government"], "chairman")
_phrases(
    ["foreign minister", "minister of foreign affairs", "foreign secretary"], ["foreign-minister"]
)
_phrases(
    ["national security adviser", "national security advisor", "assistant for national security"],
    ["national-security-adviser"],
)

#: nationality words and country names -> the country codes used in the registry
COUNTRY_WORDS: dict[tuple[str, ...], str] = {
    tuple(k.split()): v
    for k, v in {
        "us": "US", "u s": "US", "usa": "US", "american": "US", "united states": "US",
        "soviet": "USSR", "ussr": "USSR", "soviet union": "USSR",
        "chinese": "PRC", "prc": "PRC", "china": "PRC",
        "british": "UK", "uk": "UK", "united kingdom": "UK", "britain": "UK",
        "french": "FR", "france": "FR",
        "east german": "GDR", "gdr": "GDR", "west german": "FRG", "frg": "FRG",
        "north korean": "DPRK", "dprk": "DPRK", "south korean": "ROK", "rok": "ROK",
        "cuban": "CU", "cuba": "CU", "polish": "PL", "poland": "PL",
        "czechoslovak": "CS", "czechoslovakian": "CS", "czechoslovakia": "CS",
        "hungarian": "HU", "hungary": "HU", "romanian": "RO", "romania": "RO",
        "vietnamese": "VN", "north vietnamese": "VN", "vietnam": "VN",
        "south vietnamese": "RVN", "yugoslav": "YU", "yugoslavia": "YU",
    }.items()
}  # fmt: skip
#: the side a record's own roles belong to when it does not say: a FRUS memcon is American
HOME_COUNTRY = {"hsg": "US", "frus": "US"}


# -- names ----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for every comparison of names."""
    if text.isascii():  # nothing to decompose or translate: most labels and names
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_LETTERS)


_NUMBERED = re.compile(r"^\s*\d+[.)]?\s*")
_STAGE = re.compile(r"\([^)]*\)")
_POSSESSIVE = re.compile(r"['’`ʼ‘]s\b")
_APOSTROPHES = re.compile(r"['’`ʼ‘]")
_NAME_TOKEN = re.compile(r"[^\W_]+")


def _clean(text: str) -> str:
    s = fold(text)
    s = _NUMBERED.sub("", s)  # a paragraph number glued on: "3Kohl"
    s = _STAGE.sub(" ", s)  # stage directions: "GORBACHEV (reads a memorandum)"
    s = _POSSESSIVE.sub("", s)  # possessive
    return _APOSTROPHES.sub("", s)  # Wade-Giles apostrophes: "P'eng" = "Peng"


def raw_tokens(text: str) -> list[str]:
    return list(_raw_tokens(text))


@lru_cache(maxsize=1 << 16)
def _raw_tokens(text: str) -> tuple[str, ...]:
    """Remembered: resolving a build's records folds the same labels and names over and over."""
    return tuple(_NAME_TOKEN.findall(_clean(text)))


def name_tokens(text: str) -> list[str]:
    """A name as comparable tokens: no brackets, initials, honorifics or punctuation."""
    tokens = raw_tokens(text)
    long_tokens = [t for t in tokens if len(t) > 1]
    if long_tokens:
        tokens = long_tokens
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens = tokens[1:]
    return tokens


def normalize(text: str) -> str:
    return " ".join(name_tokens(text))


def compact(text: str) -> str:
    """Spaces and hyphens do not matter: "Kim Il Sung" = "Kim Il-sung" = "Kim Ilsung"."""
    return "".join(name_tokens(text))


def slug(text: str) -> str:
    return "-".join(name_tokens(text)) or "unknown"


_GLUED_NUMBER = re.compile(r"^\d+\.?\s*")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_BRACKETS = re.compile(r"[\[\]]")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_SPACES = re.compile(r"\s+")


def display_name(label: str) -> str:
    """A label as a name to show: brackets, glued numbers and initials of ALL CAPS fixed."""
    s = _GLUED_NUMBER.sub("", label.strip())
    s = _PARENTHESES.sub("", s)
    s = _BRACKETS.sub("", s).strip(" .:")
    if s.isupper() and len(s) > 2:
        s = " ".join(w if _INITIALS.fullmatch(w) else w.capitalize() for w in s.split())
        s = re.sub(r"-([a-z])", lambda m: "-" + m[1], s)
    return _SPACES.sub(" ", s)


def _plain_name(text: str) -> str:
    """A participant as a name: no role after a comma, no parentheses, no leading titles."""
    s = re.sub(r"\s*\([^)]*\)", "", text).split(",")[0].strip(" .:;")
    words = s.split()
    while len(words) > 1 and fold(words[0]).strip(".") in TITLES:
        words = words[1:]
    return display_name(" ".join(words))


def country_of(text: str) -> str | None:
    """A side as written ("US", "Soviet", "People's Republic of China") as a country code."""
    toks = raw_tokens(text)
    for n in (3, 2, 1):
        for i in range(len(toks) - n + 1):
            code = COUNTRY_WORDS.get(tuple(toks[i : i + n]))
            if code:
                return code
    return None


@dataclass(frozen=True, slots=True)
class Role:
    roles: frozenset[str]
    title_word: str | None
    country: str | None


def parse_role(text: str) -> Role | None:
    """ "The Vice President", "Mr. Prime Minister", "the Soviet Foreign Minister" as a role."""
    toks = raw_tokens(text)
    while toks and toks[0] in _ROLE_LEAD:
        toks = toks[1:]
    country = None
    for n in (2, 1):
        code = COUNTRY_WORDS.get(tuple(toks[:n]))
        if code and len(toks) > n:
            country, toks = code, toks[n:]
            break
    found = ROLE_PHRASES.get(tuple(toks))
    return Role(found[0], found[1], country) if found else None


# -- the registry ---------------------------------------------------------------------------


def _day(text: str, end: bool) -> dt.date:
    """An ISO date or a partial one; a partial `to` counts its whole period as in office."""
    parts = [int(p) for p in str(text).split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        y, m = parts
        if not end:
            return dt.date(y, m, 1)
        return dt.date(y + (m == 12), m % 12 + 1, 1)
    return dt.date(parts[0] + end, 1, 1)


@dataclass(frozen=True, slots=True)
class Office:
    """An office held from `start` up to (not including) `end`; None: open."""

    title: str
    role: str = ""
    country: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def held(self, first: dt.date, last: dt.date) -> bool:
        return (self.start is None or self.start <= first) and (self.end is None or last < self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    offices: tuple[Office, ...] = ()
    country: str = ""

    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def countries(self, date: DateRange | None = None) -> set[str]:
        if date is not None and date.start and date.end:
            now = {o.country for o in self.offices if o.country and o.held(date.start, date.end)}
            if now:
                return now
        return {self.country} if self.country else {o.country for o in self.offices if o.country}


def _person(entry: dict[str, Any], source: str, base: Person | None = None) -> Person:
    try:
        pid = str(entry["id"])
        name = str(entry.get("name") or (base.name if base else entry["name"]))
        aliases = [*(base.aliases if base else ()), *(str(a) for a in entry.get("aliases", ()))]
        dropped = {compact(a) for a in entry.get("not_aliases", ())}
        offices = tuple(
            Office(
                title=str(o["title"]),
                role=str(o.get("role", "")),
                country=str(o.get("country", "")),
                start=_day(o["from"], False) if o.get("from") else None,
                end=_day(o["to"], True) if o.get("to") else None,
            )
            for o in entry.get("office", ())
        )
    except (KeyError, ValueError, TypeError) as e:
        raise ReadError(source, f"person {entry.get('id', '?')!r}: bad or missing {e}") from None
    return Person(
        id=pid,
        name=name,
        aliases=tuple(a for a in dict.fromkeys(aliases) if compact(a) not in dropped),
        offices=offices if "office" in entry or base is None else base.offices,
        country=str(entry.get("country") or (base.country if base else "")),
    )


@dataclass
class Registry:
    """Known people by every spelling; a spelling shared by several people maps to all."""

    people: dict[str, Person] = field(default_factory=dict)
    by_key: dict[str, set[str]] = field(default_factory=dict)
    #: the user corrections that were applied (kept with the index)
    overrides: list[str] = field(default_factory=list)
    #: every TOML text loaded, in order (their data is kept with the index)
    texts: list[str] = field(default_factory=list)
    #: (name text, role, country) -> the record entry it makes, for names whose entry does
    #: not depend on the record's date: records name the same people again and again
    entries: dict[tuple[str, str, str | None], _Entry] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: the last record's context and what it was made from (`_context`)
    last_context: tuple[tuple[Any, ...], _Context] | None = field(
        default=None, repr=False, compare=False
    )
    #: every prefix of a spelling's key (`_starts`): where `find_in` may find no one
    starts: set[str] | None = field(default=None, repr=False, compare=False)

    def add(self, person: Person) -> None:
        self.entries.clear()  # a name may now find someone else
        self.last_context = None
        self.starts = None
        old = self.people.get(person.id)
        if old is not None:
            for form in old.forms():
                self.by_key.get(compact(form), set()).discard(old.id)
        self.people[person.id] = person
        for form in person.forms():
            key = compact(form)
            if key:
                self.by_key.setdefault(key, set()).add(person.id)

    def lookup(self, text: str) -> list[Person]:
        return [self.people[i] for i in sorted(self.by_key.get(compact(text), ()))]

    def find_in(self, text: str) -> list[Person]:
        """People named anywhere in `text` (a title, a participant line), longest match first."""
        toks = [t for t in _NAME_TOKEN.findall(_APOSTROPHES.sub("", fold(text))) if len(t) > 1]
        found: dict[str, Person] = {}
        starts = self._starts()
        i = 0
        while i < len(toks):
            if toks[i] not in starts:  # no key begins with it: no name begins here
                i += 1
                continue
            for n in (4, 3, 2, 1):
                ids = self.by_key.get("".join(toks[i : i + n])) if i + n <= len(toks) else None
                if ids:
                    if len(ids) == 1:
                        p = self.people[next(iter(ids))]
                        found[p.id] = p
                    i += n
                    break
            else:
                i += 1
        return list(found.values())

    def _starts(self) -> set[str]:
        """Every prefix of every key: most words of a title begin no one's name."""
        if self.starts is None:
            self.starts = {key[:j] for key in self.by_key for j in range(1, len(key) + 1)}
        return self.starts

    def holders(self, role: Role, date: DateRange, countries: set[str] | None) -> list[Person]:
        """Who held the role throughout the record's date in one of `countries` (None: any)."""
        if not (date.start and date.end):
            return []
        return [
            p
            for p in self.people.values()
            if any(
                o.role in role.roles
                and (countries is None or o.country in countries)
                and (role.title_word is None or role.title_word in fold(o.title))
                and o.held(date.start, date.end)
                for o in p.offices
            )
        ]

    def load(self, text: str, source: str) -> None:
        """Add the people of one TOML text; an entry with a known id corrects that person."""
        data = _parsed.get(text)
        if data is None:
            import tomllib  # here: a search that names nobody never parses TOML

            try:
                data = _parsed[text] = tomllib.loads(text)
            except tomllib.TOMLDecodeError as e:
                raise ReadError(source, f"not valid TOML ({e})") from None
        self.texts.append(text)
        for entry in data.get("person", []):
            if not isinstance(entry, dict) or "id" not in entry:
                raise ReadError(source, "every [[person]] needs an id")
            self.add(_person(entry, source, self.people.get(str(entry["id"]))))

    @classmethod
    def from_toml(cls, sources: Iterable[str]) -> Registry:
        reg = cls()
        for text in sources:
            reg.load(text, "people.toml")
        return reg


def bundled_text() -> str:
    return resources.files("searcher").joinpath("data/people.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bundled_registry() -> Registry:
    reg = Registry()
    reg.load(bundled_text(), "searcher/data/people.toml")
    return reg


def with_overrides(texts: Sequence[tuple[str, str]]) -> Registry:
    """The bundled registry corrected by user files: (source name, TOML text) pairs."""
    if not texts:
        return bundled_registry()
    reg = Registry()
    reg.load(bundled_text(), "searcher/data/people.toml")
    for source, text in texts:
        reg.load(text, source)
        reg.overrides.append(text)
    return reg


def registry_for(paths: Iterable[str]) -> Registry:
    """The registry for indexing `paths`: each folder's own `people.toml` corrects the bundled one."""
    return with_overrides(override_files(paths))


def override_files(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(path, TOML text) of each folder's own `people.toml`: `"\n".join` of the texts is the
    `overrides_text` of their registry, known before the bundled people are parsed."""
    texts = []
    for p in paths:
        path = os.path.join(p, OVERRIDES)
        if os.path.isdir(p) and os.path.isfile(path):
            try:
                with open(path, encoding="utf-8") as f:
                    texts.append((path, f.read()))
            except (OSError, UnicodeDecodeError) as e:
                raise ReadError(path, f"cannot be read ({e})") from None
    return texts


# -- resolution -----------------------------------------------------------------------------

#: names whose entries a registry remembers (a bound: cleared when reached)
_ENTRIES_MAX = 50_000


@dataclass
class _Entry:
    """Someone the record itself names: a participant, a name in the title, the author."""

    name: str
    person: Person | None = None
    role: str = ""
    country: str | None = None
    tokens: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    initials: set[str] = field(default_factory=set)
    #: "id:<person>" or "name:<compact name>": who this is, whatever the role and country
    #: (those are completed later; name and person never change). Set once here: `_add`
    #: and `find` compared it recomputed, ~5% of resolving a record.
    identity: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        forms = self.person.forms() if self.person else (self.name,)
        for form in forms:
            toks = name_tokens(form)
            self.tokens.update(toks)
            self.keys.add("".join(toks))
            if toks and (len(toks) == 1 or form == forms[0]):
                self.initials.add(toks[-1][0])
            if self.person is None:  # the one form: the name
                self.identity = "name:" + "".join(toks)
        if self.person is not None:
            self.identity = "id:" + self.person.id

    def copy(self) -> _Entry:
        """A shallow copy, as `copy.copy` makes (its sets shared), without its generic walk."""
        new = object.__new__(_Entry)
        new.__dict__.update(self.__dict__)
        return new

    def speaker(self, label: str | None = None) -> Speaker:
        if self.person is not None:
            return speaker_for(self.person, label)
        aliases = (label,) if label and label != self.name else ()
        return Speaker(id=slug(self.name), name=self.name, aliases=aliases)


_LIST_LINE = re.compile(
    r"^(?:Present|Participants|Participating|Attending|Chairing|Chaired by)\b[^:\n]{0,40}:"
    r"[ \t]*(?P<rest>.*)$",
    re.I | re.M,
)
_TITLE_NAME = re.compile(r"[A-Z][\w’'\-.]*(?:\s+[A-Z][\w’'\-.]*)+")


def _split_names(text: str) -> list[str]:
    """ "Tang Wen-sheng and Chi Chao-chu, Chinese Interpreters": two people, one role."""
    head, sep, role = text.partition(",")
    names = [n for n in re.split(r"\s+and\s+|\s*&\s*", head) if n.strip()]
    return [n + sep + role for n in names] if len(names) > 1 else [text]


def _list_names(transcript: Transcript) -> list[str]:
    """Names from `Present:`/`Attending:`/`Chairing:` lines before the dialogue starts."""
    names: list[str] = []
    for turn in transcript.turns[:6]:
        if turn.kind != "narrative":
            break
        for m in _LIST_LINE.finditer(turn.text):
            rest = m["rest"] or turn.text[m.end() :].strip().split("\n\n")[0]
            rest = re.sub(r"^(?:Cdes?\.|Comrades?)\s+", "", rest.strip()).rstrip(". ")
            names += [n for n in re.split(r",\s*(?:and\s+)?|;\s*|\s+and\s+", rest) if n.strip()]
    return names


class _Context:
    """The people one transcript names, and how to find a label among them."""

    def __init__(self, transcript: Transcript, registry: Registry) -> None:
        self.doc = transcript
        self.registry = registry
        self.home = HOME_COUNTRY.get(transcript.format)
        self.entries: list[_Entry] = []
        pending: list[tuple[str, str, str | None]] = []
        named = [
            (name, p.role, country_of(p.side) if p.side else None)
            for p in transcript.participants
            for name in _split_names(p.name)
        ]
        named += [(n, "", None) for n in _list_names(transcript)]
        for name, role, country in named:
            if parse_role(name.split(",")[0]):
                pending.append((name, role, country))
            else:
                self._add_named(name, role, country)
        for person in registry.find_in(transcript.title):
            self._add(_Entry(person.name, person))
        for name in _TITLE_NAME.findall(transcript.title):
            self._add_named(name, "", None, strict=True)
        self.author: _Entry | None = None
        if transcript.author:
            self.author = self._named_entry(transcript.author, "", None)
            self._add(self.author)
        for name, role_text, country in pending:  # "The Vice President" in a participants list
            found = self.role(parse_role(name.split(",")[0]), country)  # type: ignore[arg-type]
            if found is not None:
                self._add(replace(found, role=role_text or name, country=country or found.country))

    def _named_entry(self, text: str, role: str, country: str | None) -> _Entry:
        memo = self.registry.entries
        known = memo.get((text, role, country))
        if known is not None:  # a copy: `_add` may complete its role and country
            return known.copy()
        key = (text, role, country)
        if not role and "," in text:
            text, role = (s.strip() for s in text.split(",", 1))
        people = self.registry.lookup(text)
        if len(people) != 1:
            people = self.registry.find_in(text)
        #: whether the record's date took part: a title's holder, or a person's country
        dated = False
        if len(people) != 1:
            dated = titled(text) is not None
            people = self._by_title(text) if dated else []
        person = people[0] if len(people) == 1 else None
        if country is None and person is not None:
            dated = True
            countries = person.countries(self.doc.date)
            country = next(iter(countries)) if len(countries) == 1 else None
        entry = _Entry(person.name if person else _plain_name(text), person, role, country)
        if not dated:
            if len(memo) >= _ENTRIES_MAX:
                memo.clear()
            memo[key] = entry.copy()
        return entry

    def _add_named(self, text: str, role: str, country: str | None, strict: bool = False) -> None:
        entry = self._named_entry(text, role, country)
        if (strict and entry.person is None) and (
            len(entry.tokens) < 2 or any(entry.tokens <= e.tokens for e in self.entries)
        ):
            return
        if entry.tokens:
            self._add(entry)

    def _add(self, entry: _Entry) -> None:
        for e in self.entries:
            if e.identity == entry.identity:
                e.role = e.role or entry.role
                e.country = e.country or entry.country
                return
        self.entries.append(entry)

    def countries(self) -> set[str]:
        return {e.country for e in self.entries if e.country}

    def role(self, role: Role, country: str | None = None) -> _Entry | None:
        """The one person holding `role` here: a participant listed with it, else by date."""
        listed = {
            e.identity: e
            for e in self.entries
            if e.role and (r := _role_of(e.role)) is not None and r.roles == role.roles
        }
        if len(listed) == 1 and not role.country:
            return next(iter(listed.values()))
        for places in ([role.country or country or self.home], self.countries()):
            options = {p for p in places if p}
            if not options:
                continue
            people = self.registry.holders(role, self.doc.date, options)
            if len(people) == 1:
                return self._entry_for(people[0])
            if people:
                return None
        return None

    def _by_title(self, text: str) -> list[Person]:
        """ "President Bush" in 1990: the holder of that office then with that name."""
        found = titled(text)
        if found is None:
            return []
        role, name = found
        countries = {role.country} if role.country else None
        return [
            p
            for p in self.registry.holders(role, self.doc.date, countries)
            if set(name) <= {t for f in p.forms() for t in name_tokens(f)}
        ]

    def _entry_for(self, person: Person) -> _Entry:
        for e in self.entries:
            if e.person is not None and e.person.id == person.id:
                return e
        return _Entry(person.name, person)

    def find(self, label: str) -> Speaker | None:
        """The speaker `label` names in this record, or None (then it stays as written)."""
        raw = raw_tokens(label)
        if not raw:
            return None
        if raw == ["i"]:
            return self.author.speaker(label) if self.author else None
        role = parse_role(label)
        if role is not None:
            found = self.role(role)
            return found.speaker(label) if found else None
        if len(raw) == 1 and len(raw[0]) == 1:  # "K:" in a telephone transcript
            hits = {e.identity: e for e in self.entries if raw[0] in e.initials}
            return next(iter(hits.values())).speaker(label) if len(hits) == 1 else None
        toks = name_tokens(label)
        key = "".join(toks)
        named = raw[0] in HONORIFICS or not set(toks) <= TITLES
        hits = {
            e.identity: e
            for e in self.entries
            if key in e.keys or (toks and named and set(toks) <= e.tokens)
        }
        if len(hits) == 1:
            return next(iter(hits.values())).speaker(label)
        if hits:
            return None
        people = self.registry.lookup(label)
        if raw[0] in FEMALE and len(toks) == 1:  # "Mrs. Gorbachev" is not Gorbachev
            people = [p for p in people if any(raw_tokens(f) == raw for f in p.forms())]
        if len(people) != 1:
            people = self._by_title(label)
        return speaker_for(people[0], label) if len(people) == 1 else None

    def participants(self) -> list[Speaker]:
        return [e.speaker() for e in self.entries]


def titled(text: str) -> tuple[Role, list[str]] | None:
    """ "Secretary of State Baker", "President Bush": a role phrase, then a name."""
    toks = raw_tokens(text)
    while toks and toks[0] in _ROLE_LEAD:
        toks = toks[1:]
    for n in range(min(len(toks) - 1, 5), 0, -1):
        role = parse_role(" ".join(toks[:n]))
        if role is not None:
            rest = [t for t in toks[n:] if len(t) > 1]
            return (role, rest) if rest else None
    return None


def _role_of(text: str) -> Role | None:
    """A participant's role text ("Premier, State Council") as a role, if it is one."""
    head = text.split(",")[0]
    return parse_role(head) or parse_role(re.split(r"\s+of\s+the\b", head, maxsplit=1)[0])


def speaker_for(person: Person, label: str | None = None) -> Speaker:
    aliases = tuple(dict.fromkeys(a for a in (*person.aliases, label) if a and a != person.name))
    return Speaker(id=person.id, name=person.name, aliases=aliases)


def unresolved(label: str) -> Speaker:
    """A label no one could be found for: its own speaker, titles kept ("the-vice-president"
    is not "the-president")."""
    shown = display_name(label)
    sid = "-".join(raw_tokens(shown)) or "unknown"
    return Speaker(id=sid, name=shown, aliases=(label,) if label != shown else ())


def _context(transcript: Transcript, registry: Registry) -> _Context:
    """The record's context, the last one again when made from the same fields: a build
    resolves a record's speakers, then indexes everyone taking part in it."""
    turns = transcript.turns[:6]
    leading = len(list(itertools.takewhile(lambda t: t.kind == "narrative", turns)))
    key = (
        transcript.format,
        transcript.participants,
        transcript.title,
        transcript.author,
        transcript.date,
        tuple(t.text for t in turns[:leading]),  # what `_list_names` reads
    )
    last = registry.last_context
    if last is not None and last[0] == key:
        return last[1]
    context = _Context(transcript, registry)
    registry.last_context = (key, context)
    return context


def resolve_label(label: str, transcript: Transcript, registry: Registry | None = None) -> Speaker:
    """One label in one transcript: participants first, then the registry, else as written."""
    found = _context(transcript, registry or bundled_registry()).find(label)
    return found or unresolved(label)


def resolve(transcript: Transcript, registry: Registry | None = None) -> Transcript:
    """Fill in the speaker of every labelled turn; turns keep their label as written."""
    context = _context(transcript, registry or bundled_registry())
    cache: dict[str, Speaker] = {}
    turns: list[Turn] = []
    for turn in transcript.turns:
        if turn.label and turn.speaker is None:
            if turn.label not in cache:
                cache[turn.label] = context.find(turn.label) or unresolved(turn.label)
            turn = turn.derived(cache[turn.label], turn.topics, turn.inherited_topics)
        turns.append(turn)
    return transcript.with_turns(turns)


# -- keys for the index and for queries -----------------------------------------------------


def speaker_keys(speaker: Speaker) -> list[str]:
    """Every form a user may type to name this speaker (indexed per turn)."""
    keys = {f"id:{speaker.id}"}
    for form in (speaker.name, *speaker.aliases):
        toks = name_tokens(form)
        if toks:
            keys.add("name:" + "".join(toks))
            keys.update(f"tok:{t}" for t in toks if t not in _STOP and len(t) > 1)
    return sorted(keys)


def query_keys(text: str, registry: Registry | None = None) -> list[str]:
    """What a `--speaker` value matches: the ids of a registered spelling, else the name as
    written (a single word also matches it as a surname or given name)."""
    registry = registry or bundled_registry()
    toks = name_tokens(text)
    if not toks:
        return []
    keys = [f"id:{p.id}" for p in registry.lookup(text)]
    keys.append("name:" + "".join(toks))
    if len(toks) == 1 and not keys[:-1]:
        keys.append(f"tok:{toks[0]}")
    return keys


def document_keys(transcript: Transcript, registry: Registry | None = None) -> list[str]:
    """Keys of everyone taking part in a record (speakers and participants), for `--with`."""
    people = {t.speaker.id: t.speaker for t in transcript.turns if t.speaker is not None}
    for sp in _context(transcript, registry or bundled_registry()).participants():
        people.setdefault(sp.id, sp)
    keys = {f"with:{k}" for sp in people.values() for k in speaker_keys(sp)}
    return sorted(keys)


# -- who speaks in an archive ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpeakerSummary:
    """One canonical speaker over an index, with the labels that were resolved to them."""

    id: str
    name: str
    turns: int
    documents: int
    first: str | None
    last: str | None
    #: (label as written, number of turns), most frequent first
    labels: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "turns": self.turns,
            "documents": self.documents,
            "first": self.first,
            "last": self.last,
            "labels": [{"label": label, "turns": n} for label, n in self.labels],
        }


def summarize(
    transcripts: Iterable[Transcript], query: str | None = None, registry: Registry | None = None
) -> list[SpeakerSummary]:
    """Speakers of `transcripts` (those matching `query`, any spelling), most turns first."""
    turns: Counter[str] = Counter()
    names: dict[str, str] = {}
    docs: dict[str, set[str]] = {}
    dates: dict[str, list[dt.date]] = {}
    labels: dict[str, Counter[str]] = {}
    forms: dict[str, set[str]] = {}
    for doc in transcripts:
        for turn in doc.turns:
            sp = turn.speaker
            if sp is None:
                continue
            turns[sp.id] += 1
            names.setdefault(sp.id, sp.name)
            docs.setdefault(sp.id, set()).add(doc.id)
            dates.setdefault(sp.id, []).extend(d for d in (doc.date.start, doc.date.end) if d)
            labels.setdefault(sp.id, Counter())[turn.label or sp.name] += 1
            forms.setdefault(sp.id, set()).update((sp.name, *sp.aliases))
    wanted = set(turns)
    if query and query.strip():
        ids = {p.id for p in (registry or bundled_registry()).lookup(query)}
        needle = compact(query) or fold(query).strip()
        wanted = {
            i for i in turns if i in ids or any(needle in compact(f) for f in forms[i] | {names[i]})
        }
    out = [
        SpeakerSummary(
            id=i,
            name=names[i],
            turns=turns[i],
            documents=len(docs[i]),
            first=min(dates[i]).isoformat() if dates[i] else None,
            last=max(dates[i]).isoformat() if dates[i] else None,
            labels=tuple(labels[i].most_common()),
        )
        for i in wanted
    ]
    return sorted(out, key=lambda s: (-s.turns, fold(s.name), s.id))


# -- corrections kept with an index ---------------------------------------------------------


def overrides_text(registry: Registry) -> str:
    return "\n".join(registry.overrides)


def stored_overrides(gen_dir: str) -> str:
    """The user corrections an index generation was built with ("" for none)."""
    try:
        with open(os.path.join(gen_dir, OVERRIDES), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def save_overrides(registry: Registry, gen_dir: str) -> None:
    """Keep the corrections with the index: searches then read names as indexing did. The
    data of every people file goes with them, with its text (`index_registry`)."""
    import json

    from .index import replace_file

    text = overrides_text(registry)
    path = os.path.join(gen_dir, OVERRIDES)
    if text:
        replace_file(path, text)
    elif os.path.exists(path):
        os.remove(path)
    try:
        parsed = json.dumps([[t, _parsed[t]] for t in registry.texts if t in _parsed])
    except (TypeError, ValueError):  # e.g. a TOML date: such files are parsed again
        parsed = "[]"
    replace_file(os.path.join(gen_dir, PARSED), parsed)


def index_registry(gen_dir: str) -> Registry:
    """The registry an index generation was built with. A people file whose text is the one
    the generation's PARSED holds is not parsed again (an edited one is)."""
    import json

    try:
        with open(os.path.join(gen_dir, PARSED), encoding="utf-8") as f:
            for text, data in json.load(f):
                if isinstance(text, str) and isinstance(data, dict):
                    _parsed.setdefault(text, data)
    except (OSError, ValueError, TypeError):  # none (an older index) or unreadable: parse
        pass
    text = stored_overrides(gen_dir)
    return with_overrides([(os.path.join(gen_dir, OVERRIDES), text)] if text else [])
