"""Topics: archive tags as filter keys, and topics derived for every turn from a taxonomy.

Archive metadata tags records coarsely or not at all, so each turn also gets the subjects its
own text points to (`derive`), matched on the same folded, stemmed words as searches. The
taxonomy ships as searcher/data/topics.toml; a corpus folder may extend or replace it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from itertools import compress
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
#: sets of a turn's pattern tags whose topics a `Matcher` remembers (a bound, likewise)
_DECIDED_MAX = 50_000


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


#: what a raw match begins, as `Matcher._scan` checks it: (tags of the one-token patterns it
#: makes whole; second stem -> (stems after the second, pattern length, tag) of the patterns
#: whose rest is all stems; the next word's first 3 letters -> (its prefix, the tokens after,
#: pattern length, tag) of those with a "*" second; (pattern, tag) of the others)
_Plan = tuple[
    tuple[int, ...],
    dict[str, tuple[tuple[list[str], int, int], ...]],
    dict[str, tuple[tuple[str, Pattern, int, int], ...]],
    tuple[tuple[Pattern, int], ...],
]


class Matcher:
    """Finds a taxonomy's patterns in text; built once per taxonomy, reused for every turn."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        # bound once here, not imported per turn (an import statement costs ~1% of a build's
        # worker); the module itself loads Whoosh, so it waits until a matcher is needed
        from .analysis import raw_stems, word_of

        self._raw_stems = raw_stems
        self._word_of = word_of
        self.taxonomy = taxonomy
        #: tag -> (topic index, kind, pattern), kind "s", "w" or a group number: a small int,
        #: cheap to hash, stands for each distinct one (an entry listed twice shares its tag)
        self._tagged: list[tuple[int, str, Pattern]] = []
        tags: dict[tuple[int, str, Pattern], int] = {}
        #: first token -> (pattern, tag) of the patterns it begins
        self._exact: dict[str, list[tuple[Pattern, int]]] = {}
        self._prefix: dict[str, list[tuple[Pattern, int]]] = {}
        #: raw match -> `_Plan` of the patterns whose first token it matches, () for none
        #: (most): remembered per spelling (its word and stem follow from it), looked up in C
        self._begins: dict[str, _Plan | tuple[()]] = {}
        #: a turn's distinct tags -> its topics (the same few sets recur)
        self._decided: dict[frozenset[int], tuple[str, ...]] = {}
        for i, topic in enumerate(taxonomy.topics):
            entries = [(p, "s") for p in topic.strong] + [(p, "w") for p in topic.weak]
            entries += [(p, str(g)) for g, group in enumerate(topic.together) for p in group]
            for p, kind in entries:
                tag = tags.setdefault((i, kind, p), len(tags))
                if tag == len(self._tagged):
                    self._tagged.append((i, kind, p))
                (op, value) = p[0]
                table = self._exact if op == "=" else self._prefix
                table.setdefault(value if op == "=" else value[:3], []).append((p, tag))

    def _plan(self, raw: str, stem: str) -> _Plan | tuple[()]:
        """How to check the patterns a raw match (of that stem) begins."""
        w = self._word_of(raw)
        begun = self._exact.get(stem, []) + [
            e for e in self._prefix.get(w[:3], ()) if w.startswith(e[0][0][1])
        ]
        if not begun:
            return ()
        singles = tuple(tag for p, tag in begun if len(p) == 1)
        seconds: dict[str, list[tuple[list[str], int, int]]] = {}
        nexts: dict[str, list[tuple[str, Pattern, int, int]]] = {}
        others: list[tuple[Pattern, int]] = []
        for p, tag in begun:
            if len(p) == 1:
                continue
            if all(op == "=" for op, _ in p[1:]):
                seconds.setdefault(p[1][1], []).append(([v for _, v in p[2:]], len(p), tag))
            elif p[1][0] == "*":
                nexts.setdefault(p[1][1][:3], []).append((p[1][1], p[2:], len(p), tag))
            else:
                others.append((p, tag))
        return (
            singles,
            {s: tuple(found) for s, found in seconds.items()},
            {w: tuple(found) for w, found in nexts.items()},
            tuple(others),
        )

    def _scan(self, raws: list[str], stems: list[str]) -> list[int]:
        """The tag of each pattern occurrence."""
        begins = self._begins
        plans = list(map(begins.get, raws))
        if None in plans:
            if len(begins) >= _BEGINS_MAX:
                begins.clear()
            for pos in [pos for pos, e in enumerate(plans) if e is None]:
                plans[pos] = begins[raws[pos]] = self._plan(raws[pos], stems[pos])
        found: list[int] = []
        put, last, word_of = found.append, len(raws) - 1, self._word_of
        for pos in compress(range(len(raws)), plans):
            singles, seconds, nexts, others = plans[pos]  # type: ignore[misc]
            if singles:
                found += singles
            if seconds and pos < last:
                for rest, n, tag in seconds.get(stems[pos + 1], ()):
                    # a slice past the end is shorter: unequal, as a pattern cut off is
                    if not rest or stems[pos + 2 : pos + n] == rest:
                        put(tag)
            if nexts and pos < last:
                w = word_of(raws[pos + 1])
                for prefix, after, n, tag in nexts.get(w[:3], ()):
                    if w.startswith(prefix) and (
                        not after
                        or (pos + n <= len(raws) and self._at(raws, stems, pos + 2, after))
                    ):
                        put(tag)
            for p, tag in others:  # a "*" token after the second: rare
                if pos + len(p) <= len(raws) and self._at(raws, stems, pos + 1, p[1:]):
                    put(tag)
        return found

    def _at(self, raws: list[str], stems: list[str], start: int, tokens: Pattern) -> bool:
        """Whether the text has `tokens` from `start` on (they fit: the caller checked)."""
        word_of = self._word_of
        return all(
            (stems[j] == v) if op == "=" else word_of(raws[j]).startswith(v)
            for j, (op, v) in enumerate(tokens, start)
        )

    def hits(self, text: str) -> Iterator[tuple[int, str, Pattern]]:
        """(topic index, kind, pattern) for each pattern occurrence in `text`."""
        return map(self._tagged.__getitem__, self._scan(*self._raw_stems(text)))

    def topics(self, text: str) -> tuple[str, ...]:
        """Slugs the text supports: one strong hit, two different weak ones, or all groups."""
        # tokenized once: the index takes the raw matches and stems over
        found = self._scan(*self._raw_stems(text))
        if not found:
            return ()
        key = frozenset(found)
        got = self._decided.get(key)
        if got is None:
            if len(self._decided) >= _DECIDED_MAX:
                self._decided.clear()
            got = self._decided[key] = self._decide(key)
        return got

    def _decide(self, found: frozenset[int]) -> tuple[str, ...]:
        strong: set[int] = set()
        weak: dict[int, int] = {}
        groups: dict[int, set[str]] = {}
        for i, kind, _ in map(self._tagged.__getitem__, found):
            if kind == "s":
                strong.add(i)
            elif kind == "w":
                weak[i] = weak.get(i, 0) + 1  # each tag a different pattern
            else:
                groups.setdefault(i, set()).add(kind)
        topics = self.taxonomy.topics
        strong.update(i for i, n in weak.items() if n >= 2)
        strong.update(i for i, gs in groups.items() if len(gs) == len(topics[i].together))
        return tuple(topics[i].slug for i in sorted(strong))


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
