"""Topics: archive tags as filter keys, and topics derived for every turn from a taxonomy.

Archive metadata tags records coarsely or not at all, so each turn also gets the subjects its
own text points to (`derive`), matched on the same folded, stemmed words as searches. The
taxonomy ships as searcher/data/topics.toml; a corpus folder may extend or replace it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from .errors import SearcherError
from .model import Transcript, Turn
from .speakers import fold

#: a reply this short (in words) with no topic of its own takes the topics of the turn it answers
SHORT_REPLY_WORDS = 30
#: the taxonomy a generation was built with, kept beside it (slug -> name and keys)
TAXONOMY_FILE = "topics.json"
CORPUS_FILE = "topics.toml"
#: words whose pattern entries a `Matcher` remembers (a bound: cleared when reached)
_BEGINS_MAX = 200_000


def key(name: str) -> str:
    """ "Korean War", "korean-war" and "KOREAN_WAR" all become "korean war"."""
    return re.sub(r"[\s_\-/,]+", " ", fold(name)).strip(" .;:")


def keys(names: Iterable[str]) -> list[str]:
    return sorted({k for k in map(key, names) if k})


def volume_subject(title: str) -> str:
    """The subject of a FRUS volume title, as a coarse archive topic.

    "Foreign Relations of the United States, 1981–1988, Volume V, Soviet Union, March
    1985–October 1986" gives "Soviet Union".
    """
    parts = [p.strip() for p in title.split(",")]
    kept = [
        p
        for p in parts
        if p
        and not re.match(r"(?i)foreign relations of the united states$", p)
        and not re.match(r"(?i)(volume|vol\.)\s+[\w-]+$", p)
        and not re.search(r"\d{4}", p)
    ]
    return ", ".join(kept)


# -- the taxonomy --------------------------------------------------------------------------

#: one word of a pattern: ("=", stem) matches that stem, ("*", prefix) any folded word so begun
Token = tuple[str, str]
Pattern = tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Topic:
    """One subject: how users name it and what in a turn's text points to it."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    #: one of these is enough
    strong: tuple[Pattern, ...] = ()
    #: two different ones are needed
    weak: tuple[Pattern, ...] = ()
    #: groups that must all match ("Chinese" and "Soviet" for Sino-Soviet relations)
    together: tuple[tuple[Pattern, ...], ...] = ()

    def filter_keys(self) -> list[str]:
        """Every key a --topic value may fold to for this topic."""
        return keys((self.slug, self.name, *self.aliases))


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: tuple[Topic, ...]

    def names(self) -> dict[str, str]:
        return {t.slug: t.name for t in self.topics}

    def save(self, folder: str) -> None:
        """Written beside an index generation, so queries and counts know its topic names."""
        data = {t.slug: {"name": t.name, "keys": t.filter_keys()} for t in self.topics}
        from .index import replace_file

        replace_file(
            os.path.join(folder, TAXONOMY_FILE), json.dumps(data, ensure_ascii=False, indent=1)
        )


@dataclass(frozen=True, slots=True)
class TopicNames:
    """The names of the derived topics an index generation was built with."""

    #: slug -> name
    names: dict[str, str]
    #: every name, alias and slug key -> slug
    slugs: dict[str, str]

    @classmethod
    def load(cls, folder: str) -> TopicNames:
        """From the generation folder; the bundled taxonomy when it holds none."""
        try:
            with open(os.path.join(folder, TAXONOMY_FILE), encoding="utf-8") as f:
                data = json.load(f)
            names = {slug: str(v["name"]) for slug, v in data.items()}
            slugs = {k: slug for slug, v in data.items() for k in v["keys"]}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            topics = bundled_taxonomy().topics
            names = {t.slug: t.name for t in topics}
            slugs = {k: t.slug for t in topics for k in t.filter_keys()}
        return cls(names, slugs)

    def expand(self, values: Sequence[str]) -> tuple[str, ...]:
        """`--topic` values plus the slugs their names and aliases stand for."""
        extra = [self.slugs[k] for k in map(key, values) if k in self.slugs]
        return tuple(dict.fromkeys((*values, *extra)))


@dataclass(frozen=True, slots=True)
class TopicCount:
    """How many selected turns and records carry one topic."""

    #: "archive" (the record's own tags) or "derived" (from the turn's text)
    kind: str
    #: the filter key: a slug for derived topics, the folded tag for archive ones
    key: str
    name: str
    turns: int
    documents: int
    #: derived only: short replies that took the topic from the turn they answer
    inherited: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "turns": self.turns,
            "documents": self.documents,
            "inherited": self.inherited,
        }


def _pattern(entry: str, where: str) -> Pattern:
    from .analysis import stem, words

    out: list[Token] = []
    for piece in entry.split():
        prefix = piece.endswith("*")
        ws = [w for w, _, _ in words(piece.rstrip("*"))]
        for i, w in enumerate(ws):
            if prefix and i == len(ws) - 1:
                if len(w) < 3:
                    raise SearcherError(f"{where}: {entry!r}: a prefix needs 3 letters or more")
                out.append(("*", w))
            else:
                out.append(("=", stem(w)))
    if not out:
        raise SearcherError(f"{where}: {entry!r} has no words")
    return tuple(out)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SearcherError(f"{where}: expected a list of strings")
    return value


def _topic(data: Any, where: str) -> Topic:
    if not isinstance(data, dict) or not isinstance(data.get("slug"), str) or not data["slug"]:
        raise SearcherError(f"{where}: each [[topic]] needs a slug")
    slug = key(data["slug"]).replace(" ", "-")
    where = f"{where}: topic {slug}"
    unknown = set(data) - {"slug", "name", "aliases", "strong", "weak", "places", "together"}
    if unknown:
        raise SearcherError(f"{where}: unknown field {sorted(unknown)[0]!r}")

    def patterns(field: str) -> tuple[Pattern, ...]:
        return tuple(_pattern(e, where) for e in _strings(data.get(field, []), where))

    together = data.get("together", [])
    if not isinstance(together, list):
        raise SearcherError(f"{where}: `together` is a list of lists of words")
    topic = Topic(
        slug=slug,
        name=str(data.get("name") or slug),
        aliases=tuple(_strings(data.get("aliases", []), where)),
        strong=patterns("strong") + patterns("places"),
        weak=patterns("weak"),
        together=tuple(
            tuple(_pattern(e, where) for e in _strings(group, where)) for group in together
        ),
    )
    if not (topic.strong or topic.weak or topic.together):
        raise SearcherError(f"{where}: give strong, weak, places or together words")
    return topic


def parse_taxonomy(text: str, where: str) -> tuple[bool, list[Topic]]:
    """(replace?, topics) from the text of a topics.toml."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SearcherError(f"{where}: {e}") from None
    entries = data.get("topic", [])
    if not isinstance(entries, list):
        raise SearcherError(f"{where}: topics are [[topic]] tables")
    return bool(data.get("replace", False)), [
        _topic(e, f"{where}: [[topic]] {i}") for i, e in enumerate(entries, 1)
    ]


def bundled_taxonomy() -> Taxonomy:
    text = files("searcher").joinpath("data", "topics.toml").read_text(encoding="utf-8")
    return Taxonomy(tuple(parse_taxonomy(text, "searcher/data/topics.toml")[1]))


def taxonomy_for(paths: Iterable[str]) -> Taxonomy:
    """The bundled taxonomy, extended or replaced by topics.toml in the folders indexed."""
    topics = {t.slug: t for t in bundled_taxonomy().topics}
    for path in paths:
        local = os.path.join(path, CORPUS_FILE)
        if not os.path.isfile(local):
            continue
        with open(local, encoding="utf-8") as f:
            replace_all, extra = parse_taxonomy(f.read(), local)
        if replace_all:
            topics = {}
        topics.update((t.slug, t) for t in extra)
    return Taxonomy(tuple(topics.values()))


# -- matching --------------------------------------------------------------------------------


#: a pattern a raw match begins, as `Matcher._hits` checks it: (the stems of its other
#: tokens when all are "=" tokens, else None; its other tokens; topic index; kind; pattern)
_Begun = tuple[list[str] | None, Pattern, int, str, Pattern]


def _begun(p: Pattern, i: int, kind: str) -> _Begun:
    rest = p[1:]
    exact = all(op == "=" for op, _ in rest)
    return ([v for _, v in rest] if exact else None), rest, i, kind, p


class Matcher:
    """Finds a taxonomy's patterns in text; built once per taxonomy, reused for every turn."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        # bound once here, not imported per turn (an import statement costs ~1% of a build's
        # worker); the module itself loads Whoosh, so it waits until a matcher is needed
        from .analysis import raw_stems, word_of

        self._raw_stems = raw_stems
        self._word_of = word_of
        self.taxonomy = taxonomy
        #: first token -> the patterns it begins (`_Begun`); kind: "s", "w" or a group number
        self._exact: dict[str, list[_Begun]] = {}
        self._prefix: dict[str, list[_Begun]] = {}
        #: raw match -> (stems of the rest, rest of the pattern, topic index, kind, pattern) of
        #: the patterns whose first token it matches: only the rest is checked in the text, as
        #: one list comparison in C when it is all stems (the stems are None when not)
        self._begins: dict[str, tuple[_Begun, ...]] = {}
        for i, topic in enumerate(taxonomy.topics):
            entries = [(p, "s") for p in topic.strong] + [(p, "w") for p in topic.weak]
            entries += [(p, str(g)) for g, group in enumerate(topic.together) for p in group]
            for p, kind in entries:
                (op, value) = p[0]
                table = self._exact if op == "=" else self._prefix
                table.setdefault(value if op == "=" else value[:3], []).append(_begun(p, i, kind))

    def hits(self, text: str) -> Iterator[tuple[int, str, Pattern]]:
        """(topic index, kind, pattern) for each pattern occurrence in `text`."""
        return self._hits(*self._raw_stems(text))  # tokenized once: the index takes them over

    def _hits(self, raws: list[str], stems: list[str]) -> Iterator[tuple[int, str, Pattern]]:
        # the patterns a raw match starts, remembered per spelling (its word and stem follow
        # from it) and looked up in C: most start none, and only the others are visited
        word_of = self._word_of
        begins = self._begins
        entries = list(map(begins.get, raws))
        if None in entries:
            if len(begins) >= _BEGINS_MAX:
                begins.clear()
            exact, prefix = self._exact, self._prefix
            for pos in [pos for pos, e in enumerate(entries) if e is None]:
                w = word_of(raws[pos])
                found = exact.get(stems[pos], []) + [
                    e for e in prefix.get(w[:3], ()) if w.startswith(e[4][0][1])
                ]
                entries[pos] = begins[raws[pos]] = tuple(found)
        for pos in itertools.compress(range(len(raws)), entries):
            for rest_stems, rest, i, kind, p in entries[pos]:  # type: ignore[union-attr]
                if rest_stems is not None:
                    # a slice past the end is shorter: unequal, as a pattern cut off is
                    if not rest_stems or stems[pos + 1 : pos + len(p)] == rest_stems:
                        yield i, kind, p
                elif pos + len(p) <= len(raws) and all(
                    (stems[pos + j] == v) if op == "=" else word_of(raws[pos + j]).startswith(v)
                    for j, (op, v) in enumerate(rest, 1)
                ):
                    yield i, kind, p

    def topics(self, text: str) -> tuple[str, ...]:
        """Slugs the text supports: one strong hit, two different weak ones, or all groups."""
        strong: set[int] = set()
        weak: dict[int, set[Pattern]] = {}
        groups: dict[int, set[str]] = {}
        for i, kind, p in self.hits(text):
            if kind == "s":
                strong.add(i)
            elif kind == "w":
                weak.setdefault(i, set()).add(p)
            else:
                groups.setdefault(i, set()).add(kind)
        found = strong | {i for i, ps in weak.items() if len(ps) >= 2}
        found |= {i for i, gs in groups.items() if len(gs) == len(self.taxonomy.topics[i].together)}
        return tuple(self.taxonomy.topics[i].slug for i in sorted(found))


def _answers(turn: Turn, previous: Turn) -> bool:
    """A labelled turn right after someone else's: a reply."""
    if turn.kind != "labelled" or previous.kind not in ("labelled", "continuation"):
        return False
    who = turn.speaker.id if turn.speaker else turn.label
    before = previous.speaker.id if previous.speaker else previous.label
    return who is not None and who != before


def derive(doc: Transcript, matcher: Matcher) -> Transcript:
    """The transcript with each turn's own topics and, for short replies, inherited ones."""
    raw_stems = matcher._raw_stems
    turns: list[Turn] = []
    for turn in doc.turns:
        own = matcher.topics(turn.text)
        inherited: tuple[str, ...] = ()
        if (
            not own
            and turns
            and _answers(turn, turns[-1])
            and len(raw_stems(turn.text)[0]) <= SHORT_REPLY_WORDS
        ):
            inherited = turns[-1].topics or turns[-1].inherited_topics
        if own != turn.topics or inherited != turn.inherited_topics:  # most turns: none
            turn = turn.derived(turn.speaker, own, inherited)
        turns.append(turn)
    return doc.with_turns(turns)
