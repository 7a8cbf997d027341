"""Who is speaking: labels as written ("M.S. [Gorbachev]", "PM Chou") resolved to one `Speaker`.

Resolution works per transcript: first the record's own participants and title, then the
registry of people shipped in `searcher/data/people.toml`. Nothing is ever dropped: a label
that cannot be resolved becomes a speaker of its own, named as written.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources

from .model import Speaker, Transcript, Turn

HONORIFICS = frozenset(
    ["mr", "mrs", "ms", "miss", "dr", "comrade", "comrades", "cde", "cdes", "com", "tov", "herr", "frau", "monsieur", "madame", "mme", "sir", "lord", "general", "premier", "chairman", "ambassador", "secretary", "minister", "prime", "foreign", "vice", "party", "first", "deputy", "acting", "state", "senator", "admiral", "marshal", "professor", "prof"]
)
_STOP = frozenset({"the", "of", "and", "de", "van", "von", "der", "la", "le"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for every comparison of names."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def name_tokens(text: str) -> list[str]:
    """A name as comparable tokens: no brackets, initials, honorifics or punctuation."""
    s = fold(text)
    s = re.sub(r"^\d+\.?\s*", "", s)
    s = re.sub(r"['’`ʼ]", "", s)
    s = re.sub(r"[^\w]+", " ", s)
    tokens = s.split()
    long_tokens = [t for t in tokens if len(t) > 1]
    if long_tokens:
        tokens = long_tokens
    while len(tokens) > 1 and tokens[0] in HONORIFICS:
        tokens = tokens[1:]
    return tokens


def normalize(text: str) -> str:
    return " ".join(name_tokens(text))


def slug(text: str) -> str:
    return "-".join(name_tokens(text)) or "unknown"


def display_name(label: str) -> str:
    """A label as a name to show: brackets, glued numbers and initials of ALL CAPS fixed."""
    s = re.sub(r"^\d+\.?\s*", "", label.strip())
    s = re.sub(r"[\[\]]", "", s).strip(" .:")
    if s.isupper() and len(s) > 2:
        s = " ".join(w if re.fullmatch(r"(?:[A-Z]\.)+", w) else w.capitalize() for w in s.split())
        s = re.sub(r"-([a-z])", lambda m: "-" + m[1], s)
    return re.sub(r"\s+", " ", s)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    offices: tuple[dict[str, str], ...] = ()

    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Registry:
    """Known people by every normalized spelling; an ambiguous spelling maps to several."""

    people: dict[str, Person] = field(default_factory=dict)
    by_form: dict[str, set[str]] = field(default_factory=dict)

    def add(self, person: Person) -> None:
        self.people[person.id] = person
        for form in person.forms():
            key = normalize(form)
            if key:
                self.by_form.setdefault(key, set()).add(person.id)

    def lookup(self, text: str) -> list[Person]:
        return [self.people[i] for i in sorted(self.by_form.get(normalize(text), ()))]

    @classmethod
    def from_toml(cls, sources: Iterable[str]) -> Registry:
        reg = cls()
        for text in sources:
            for entry in tomllib.loads(text).get("person", []):
                reg.add(
                    Person(
                        id=str(entry["id"]),
                        name=str(entry["name"]),
                        aliases=tuple(str(a) for a in entry.get("aliases", ())),
                        offices=tuple(entry.get("office", ())),
                    )
                )
        return reg


@lru_cache(maxsize=1)
def bundled_registry() -> Registry:
    text = resources.files("searcher").joinpath("data/people.toml").read_text(encoding="utf-8")
    return Registry.from_toml([text])


def speaker_for(person: Person, label: str | None = None) -> Speaker:
    aliases = tuple(dict.fromkeys(a for a in (*person.aliases, label) if a and a != person.name))
    return Speaker(id=person.id, name=person.name, aliases=aliases)


def resolve_label(label: str, transcript: Transcript, registry: Registry) -> Speaker:
    """One label in one transcript: participants first, then the registry, else as written."""
    key = normalize(label)
    shown = display_name(label)
    if key:
        people = registry.lookup(label)
        if len(people) == 1:
            return speaker_for(people[0], label)
        # A bare surname or given name resolves only through a participant named in full.
        toks = set(key.split())
        if len(toks) == 1:
            matches = {
                p.name
                for p in _context_names(transcript)
                if toks & set(name_tokens(p.name)) and len(name_tokens(p.name)) > 1
            }
            if len(matches) == 1:
                full = matches.pop()
                found = registry.lookup(full)
                if len(found) == 1:
                    return speaker_for(found[0], label)
                return Speaker(id=slug(full), name=display_name(full), aliases=(label,))
    return Speaker(id=slug(label), name=shown, aliases=(label,) if label != shown else ())


@dataclass(frozen=True, slots=True)
class _Named:
    name: str


def _context_names(transcript: Transcript) -> list[_Named]:
    names = [_Named(p.name) for p in transcript.participants]
    names += [
        _Named(n) for n in re.findall(r"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)+", transcript.title)
    ]
    return names


def resolve(transcript: Transcript, registry: Registry | None = None) -> Transcript:
    """Fill in the speaker of every labelled turn; turns keep their label as written."""
    registry = registry or bundled_registry()
    cache: dict[str, Speaker] = {}
    turns: list[Turn] = []
    for turn in transcript.turns:
        if turn.label and turn.speaker is None:
            if turn.label not in cache:
                cache[turn.label] = resolve_label(turn.label, transcript, registry)
            turn = replace(turn, speaker=cache[turn.label])
        turns.append(turn)
    return transcript.with_turns(turns)


def speaker_keys(speaker: Speaker) -> list[str]:
    """Every form a user may type to name this speaker, normalized (indexed per turn)."""
    keys = {f"id:{speaker.id}"}
    for form in (speaker.name, *speaker.aliases):
        toks = name_tokens(form)
        if toks:
            keys.add(" ".join(toks))
            keys.update(t for t in toks if t not in _STOP and len(t) > 1)
    return sorted(keys)


def query_keys(text: str, registry: Registry | None = None) -> list[str]:
    """What a `--speaker` value matches: registry ids for a known spelling, else the name."""
    registry = registry or bundled_registry()
    keys = [f"id:{p.id}" for p in registry.lookup(text)]
    norm = normalize(text)
    if norm:
        keys.append(norm)
    return keys
