"""The query language: words, "phrases", AND/OR/NOT, -word, "a b"~5, word~, wild*cards, fields.

`parse` is strict: a mistake raises `QuerySyntaxError` with its position, because a silently
changed meaning is worse than an error in a script. `parse_lenient` repairs what it can (closes
a quote or parenthesis, drops a dangling operator) and says what it did, for people typing at a
terminal. An unknown field prefix is an error in both: `spaeker:Gorbachev` must not quietly
become a search for the word "spaeker". The result is a small tree of project types; turning it
into an engine query is `search.py`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, Union

from .errors import QuerySyntaxError

if TYPE_CHECKING:
    from .places import Gazetteer

MAX_QUERY_CHARS = 10_000
FIELDS = ("speaker", "date", "topic", "place", "doc")
OPERATORS = ("AND", "OR", "NOT")
DEFAULT_SLOP = 0
DEFAULT_FUZZ = 1

_T = TypeVar("_T")


def _equal(self: tuple[Any, ...], other: object) -> bool:
    return type(other) is type(self) and tuple.__eq__(self, other)


def _unequal(self: tuple[Any, ...], other: object) -> bool:
    return not _equal(self, other)


def _hash(self: tuple[Any, ...]) -> int:
    return hash((type(self).__name__, tuple.__hash__(self)))


def _distinct(cls: type[_T]) -> type[_T]:
    """A NamedTuple that compares like a frozen dataclass: equal only to one of its own
    class, so `Word("a") != Wildcard("a")` and `And(x) != Or(x)`, as tests rely on. The
    nodes are NamedTuples because every search creates these classes at import: ~1.2 ms a
    dataclass (it compiles its methods), ~0.2 ms a NamedTuple."""
    c: Any = cls
    c.__eq__, c.__ne__, c.__hash__ = _equal, _unequal, _hash
    return cls


@_distinct
class Word(NamedTuple):
    text: str


@_distinct
class Phrase(NamedTuple):
    text: str
    #: words allowed between the phrase's words ("a b"~5)
    slop: int = DEFAULT_SLOP


@_distinct
class Fuzzy(NamedTuple):
    text: str
    distance: int = DEFAULT_FUZZ


@_distinct
class Wildcard(NamedTuple):
    pattern: str


@_distinct
class Field(NamedTuple):
    name: str
    value: str


@_distinct
class Not(NamedTuple):
    child: Node


@_distinct
class And(NamedTuple):
    children: tuple[Node, ...]


@_distinct
class Or(NamedTuple):
    children: tuple[Node, ...]


@_distinct
class Place(NamedTuple):
    """Words that name a gazetteer place, standing for all of the place's forms."""

    text: str
    name: str
    forms: tuple[str, ...]


Node = Union[Word, Phrase, Fuzzy, Wildcard, Field, Not, And, Or, Place]  # noqa: UP007


@_distinct
class Parsed(NamedTuple):
    """A parsed query (None: nothing to search for) and the repairs the lenient parser made."""

    node: Node | None
    warnings: tuple[str, ...] = ()


# -- lexing ------------------------------------------------------------------------------

_LEX = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<phrase>"[^"]*"(?:~\d*)?)
  | (?P<quote>")
  | (?P<word>[^\s()"]+(?:"[^"]*")?)
    """,
    re.VERBOSE,
)
_FIELD = re.compile(r"([A-Za-z_]+):(.*)", re.S)
_DATE = re.compile(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")


class _Tok(NamedTuple):
    kind: str
    text: str
    pos: int


def _lex(text: str) -> list[_Tok]:
    return [_Tok(m.lastgroup or "", m.group(), m.start()) for m in _LEX.finditer(text)]


# -- parsing -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, strict: bool) -> None:
        self.toks = [t for t in _lex(text) if t.kind != "space"]
        self.i = 0
        self.strict = strict
        self.warnings: list[str] = []
        self.end = len(text)

    def problem(self, message: str, pos: int) -> None:
        if self.strict:
            raise QuerySyntaxError(message, pos)
        self.warnings.append(f"{message} at position {pos}: ignored")

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def is_op(self, tok: _Tok | None, *ops: str) -> bool:
        return tok is not None and tok.kind == "word" and tok.text in ops

    def parse(self) -> Node | None:
        node = self.or_expr()
        while self.peek() is not None:  # only a stray ")" stops or_expr early
            tok = self.toks[self.i]
            self.problem("closing parenthesis without an opening one", tok.pos)
            self.i += 1
            more = self.or_expr()
            node = _join(And, [n for n in (node, more) if n is not None])
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while self.is_op(self.peek(), "OR"):
            tok = self.toks[self.i]
            self.i += 1
            right = self.and_expr()
            if right is None or parts[-1] is None:
                self.problem("OR needs something on both sides", tok.pos)
            parts.append(right)
        return _join(Or, [p for p in parts if p is not None])

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "close" or self.is_op(tok, "OR"):
                break
            if self.is_op(tok, "AND"):
                self.i += 1
                nxt = self.peek()
                if not parts or nxt is None or nxt.kind == "close" or self.is_op(nxt, "OR", "AND"):
                    self.problem("AND needs something on both sides", tok.pos)
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        return _join(And, parts)

    def unary(self) -> Node | None:
        tok = self.toks[self.i]
        if self.is_op(tok, "NOT"):
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind == "close" or self.is_op(nxt, "AND", "OR"):
                self.problem("NOT has nothing to apply to", tok.pos)
                return None
            child = self.unary()
            return Not(child) if child is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        tok = self.toks[self.i]
        self.i += 1
        if tok.kind == "open":
            inner = self.or_expr()
            nxt = self.peek()
            if nxt is None:
                self.problem("unclosed parenthesis", tok.pos)
            else:
                self.i += 1
            return inner
        if tok.kind == "close":
            self.problem("closing parenthesis without an opening one", tok.pos)
            return None
        if tok.kind == "quote":
            self.problem("unbalanced double quote", tok.pos)
            rest = self.toks[self.i :]
            self.i = len(self.toks)
            words = " ".join(t.text for t in rest if t.kind != "quote")
            return Phrase(words) if words.strip() else None
        if tok.kind == "phrase":
            return _phrase(tok.text)
        return self.word(tok)

    def word(self, tok: _Tok) -> Node | None:
        text = tok.text
        if text[0] in "-+" and len(text) > 1:
            inner = self.word(_Tok("word", text[1:], tok.pos + 1))
            if inner is None:
                return None
            return Not(inner) if text[0] == "-" else inner
        if text[0] == "-" and len(text) == 1:  # a dash standing alone, as in "a - b"
            return None
        m = _FIELD.fullmatch(text)
        if m and not text.startswith("http"):
            name, value = m.group(1).lower(), m.group(2)
            if name not in FIELDS:
                raise QuerySyntaxError(
                    f"unknown field {m.group(1)!r}: the fields are "
                    + ", ".join(f"{f}:" for f in FIELDS),
                    tok.pos,
                )
            if not value:
                nxt = self.peek()
                if nxt is not None and nxt.kind in ("word", "phrase"):
                    self.i += 1
                    value = nxt.text
            value = value.strip('"').strip()
            if not value:
                self.problem(f"{name}: has no value", tok.pos)
                return None
            if name == "date":
                self.check_date(value, tok.pos)
            return Field(name, value)
        fuzzy = re.fullmatch(r"(.+?)~(\d*)", text)
        if fuzzy:
            return Fuzzy(fuzzy.group(1), int(fuzzy.group(2) or DEFAULT_FUZZ))
        if "*" in text or "?" in text:
            if not text.strip("*?"):
                self.problem("a wildcard needs at least one letter", tok.pos)
                return None
            return Wildcard(text)
        return Word(text)

    def check_date(self, value: str, pos: int) -> None:
        first, dots, last = value.partition("..")
        for part in (first, last) if dots else (first,):
            if part and not _DATE.fullmatch(part):
                raise QuerySyntaxError(
                    f"date:{value} — use date:1988, date:1988-05 or date:1985..1991", pos
                )
        if dots and not (first or last):
            raise QuerySyntaxError("date:.. needs a year on at least one side", pos)


def _phrase(text: str) -> Phrase:
    body, _, slop = text[1:].rpartition('"')
    return Phrase(body, int(slop[1:] or 0) if slop.startswith("~") else DEFAULT_SLOP)


def _join(kind: type[And] | type[Or], parts: list[Node]) -> Node | None:
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return kind(tuple(parts))


def _check_length(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_CHARS} characters")


def parse(text: str) -> Node | None:
    """The query tree of `text`; raises `QuerySyntaxError` (with the position) on a mistake."""
    _check_length(text)
    return _Parser(text, strict=True).parse()


def parse_lenient(text: str) -> Parsed:
    """Like `parse`, but repairs mistakes and reports them; unknown fields still raise."""
    _check_length(text)
    parser = _Parser(text, strict=False)
    node = parser.parse()
    return Parsed(node, tuple(parser.warnings))


def date_bounds(value: str) -> tuple[str | None, str | None]:
    """`1988` → (1988, 1988); `1985..1991` → (1985, 1991); open ends are None."""
    first, dots, last = value.partition("..")
    if not dots:
        return first, first
    return first or None, last or None


def expand_places(node: Node | None) -> Node | None:
    """Replace runs of words (and whole phrases) that name a place with all its forms."""
    from .places import gazetteer_for

    if node is None:
        return None
    places = gazetteer_for(_texts(node))

    def walk(n: Node) -> Node:
        if isinstance(n, Word):
            found = places.find(n.text)
            return Place(n.text, found.name, found.forms) if found else n
        if isinstance(n, Phrase) and n.slop == DEFAULT_SLOP:
            found = places.find(n.text)
            return Place(n.text, found.name, found.forms) if found else n
        if isinstance(n, Not):
            return Not(walk(n.child))
        if isinstance(n, Or):
            return Or(tuple(walk(c) for c in n.children))
        if isinstance(n, And):
            return _join(And, _expand_run(list(n.children), walk, places)) or n
        return n

    return walk(node)


def _texts(node: Node) -> list[str]:
    """The words and phrases `expand_places` looks up (a run of words is looked up only
    when each of its words could be part of a place name)."""
    if isinstance(node, Word | Phrase):
        return [node.text]
    if isinstance(node, Not):
        return _texts(node.child)
    if isinstance(node, And | Or):
        return [t for c in node.children for t in _texts(c)]
    return []


def _expand_run(
    children: list[Node], walk: Callable[[Node], Node], places: Gazetteer
) -> list[Node]:
    """Adjacent plain words of an AND are matched against place names, longest first."""
    out: list[Node] = []
    i = 0
    while i < len(children):
        hit = None
        for j in range(min(len(children), i + places.longest), i + 1, -1):
            run = children[i:j]
            run_words = [c for c in run if isinstance(c, Word)]
            if len(run_words) == len(run):
                text = " ".join(c.text for c in run_words)
                found = places.find(text)
                if found:
                    hit = (j, Place(text, found.name, found.forms))
                    break
        if hit:
            i, node = hit
            out.append(node)
        else:
            out.append(walk(children[i]))
            i += 1
    return out


def describe(node: Node | None) -> str:
    """The tree as text, with place expansions spelled out (for --explain)."""
    if node is None:
        return "(all turns)"
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"' + (f"~{node.slop}" if node.slop else "")
    if isinstance(node, Fuzzy):
        return f"{node.text}~{node.distance}"
    if isinstance(node, Wildcard):
        return node.pattern
    if isinstance(node, Field):
        return f"{node.name}:{node.value!r}"
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    if isinstance(node, Place):
        forms = " OR ".join(f'"{f}"' if " " in f else f for f in node.forms)
        return f"{node.text} → [{node.name}: {forms}]"
    sep = " AND " if isinstance(node, And) else " OR "
    return "(" + sep.join(describe(c) for c in node.children) + ")"
