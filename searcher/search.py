"""Where a turn is matched: query parsing, cheap cached filters, ranking, snippets.

Filters (speaker, date, topic, place) become sets of Whoosh document numbers, computed once
per open searcher and cached, then passed as `filter=`: restrictions cost a set lookup per
candidate instead of a range query per search.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .dates import day_number, parse_user_date
from .errors import QuerySyntaxError
from .model import Hit, SearchResults
from .speakers import Registry, query_keys
from .topics import key as topic_key

SNIPPET_CHARS = 240
MAX_LIMIT = 10_000
MAX_QUERY_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class Filters:
    """What a search is restricted to; every field is optional."""

    speakers: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    def any(self) -> bool:
        return bool(self.speakers or self.date_from or self.date_to or self.topics or self.places)


def as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(v for v in value if v and v.strip())


def check_syntax(text: str) -> None:
    """Whoosh's parser never fails; these mistakes would silently change the meaning."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_CHARS} characters")
    if text.count('"') % 2:
        raise QuerySyntaxError("unbalanced double quote", text.rfind('"'))
    depth = 0
    in_quote = False
    for i, c in enumerate(text):
        if c == '"':
            in_quote = not in_quote
        elif not in_quote and c == "(":
            depth += 1
        elif not in_quote and c == ")":
            depth -= 1
            if depth < 0:
                raise QuerySyntaxError("closing parenthesis without an opening one", i)
    if depth > 0:
        raise QuerySyntaxError("unclosed parenthesis", text.rfind("("))
    tokens = re.findall(r'"[^"]*"|\S+', text)
    if tokens and tokens[-1] in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
        raise QuerySyntaxError(
            f"{tokens[-1]} at the end of the query has nothing to apply to", len(text)
        )
    if tokens and tokens[0] in ("AND", "OR", "ANDNOT", "ANDMAYBE"):
        raise QuerySyntaxError(f"{tokens[0]} at the start of the query has nothing before it", 0)


class TurnSearcher:
    """One open Whoosh searcher with its filter caches; reused across queries."""

    def __init__(self, ix: Any, registry: Registry | None = None) -> None:
        self.ix = ix
        self.searcher = ix.searcher()
        self.registry = registry
        self._sets: OrderedDict[tuple[str, ...], set[int]] = OrderedDict()
        self._parser: Any = None

    def close(self) -> None:
        self.searcher.close()

    # -- filters -------------------------------------------------------------------------

    def _cached(self, key: tuple[str, ...], compute: Callable[[], Iterable[int]]) -> set[int]:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = set(compute())
            if len(self._sets) > 256:
                self._sets.popitem(last=False)
        else:
            self._sets.move_to_end(key)
        return found

    def _term_docs(self, field: str, value: str) -> set[int]:
        from whoosh.query import Term

        return self._cached(
            (field, value), lambda: self.searcher.docs_for_query(Term(field, value))
        )

    def _union(self, field: str, values: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for v in values:
            out = out | self._term_docs(field, v)
        return out

    def _date_docs(self, first: int, last: int) -> set[int]:
        from whoosh.query import And, NumericRange

        q = And([NumericRange("day_start", 1, last), NumericRange("day_end", first, None)])
        return self._cached(
            ("date", str(first), str(last)), lambda: self.searcher.docs_for_query(q)
        )

    def filter_set(self, f: Filters, notes: list[str]) -> set[int] | None:
        """Documents allowed by the filters (None: no restriction); explains empty results."""
        sets: list[set[int]] = []
        if f.speakers:
            keys = [k for s in f.speakers for k in query_keys(s, self.registry)]
            docs = self._union("speaker_keys", keys)
            if not docs:
                notes.append(f"No speaker matches {' or '.join(map(repr, f.speakers))}")
            sets.append(docs)
        if f.date_from or f.date_to:
            first = parse_user_date(f.date_from).start if f.date_from else None
            last = parse_user_date(f.date_to).end if f.date_to else None
            lo = day_number(first) if first else 1
            hi = day_number(last) if last else 10**7
            if lo > hi:
                notes.append(f"The date range {f.date_from} to {f.date_to} is empty")
                sets.append(set())
            else:
                sets.append(self._date_docs(lo, hi))
        if f.topics:
            docs = self._union("topics", (topic_key(t) for t in f.topics))
            if not docs:
                notes.append(f"No turn has the topic {' or '.join(map(repr, f.topics))}")
            sets.append(docs)
        if f.places:
            docs = self._union("places", (topic_key(p) for p in f.places))
            if not docs:
                notes.append(f"No record is about the place {' or '.join(map(repr, f.places))}")
            sets.append(docs)
        if not sets:
            return None
        sets.sort(key=len)
        out = sets[0]
        for s in sets[1:]:
            out = out & s
        return out

    # -- queries -------------------------------------------------------------------------

    def parse(self, text: str) -> Any:
        from whoosh import qparser

        check_syntax(text)
        if self._parser is None:
            self._parser = qparser.QueryParser("text", self.ix.schema, group=qparser.AndGroup)
            self._parser.remove_plugin_class(qparser.FieldsPlugin)
        return self._parser.parse(text)

    def search(
        self, text: str, filters: Filters, limit: int = 10, offset: int = 0
    ) -> SearchResults:
        from whoosh.query import Every, NullQuery

        limit = max(0, min(int(limit), MAX_LIMIT))
        offset = max(0, int(offset))
        text = text.strip()
        if not text and not filters.any():
            raise QuerySyntaxError("empty query: give words to search for, or a filter")
        notes: list[str] = []
        allowed = self.filter_set(filters, notes)
        q = self.parse(text) if text else Every()
        if (allowed is not None and not allowed) or q is NullQuery:
            if not notes:
                notes.append("No turn matches the filters")
            return SearchResults(text, 0, (), offset, tuple(notes))
        results = self.searcher.search(q, filter=allowed, limit=offset + limit if limit else 1)
        total = len(results)
        terms = self._highlight_terms(q)
        hits = tuple(
            self._hit(results[i], results.score(i), terms)
            for i in range(offset, min(offset + limit, results.scored_length()))
        )
        if not total and filters.any() and not notes:
            notes.append("No turn matches the query within the filters")
        return SearchResults(text, total, hits, offset, tuple(notes))

    def _highlight_terms(self, q: Any) -> frozenset[str]:
        terms = q.existing_terms(self.searcher.reader(), expand=True)
        return frozenset(
            t.decode("utf-8") if isinstance(t, bytes) else t for f, t in terms if f == "text"
        )

    def _hit(self, fields: Any, score: float, terms: frozenset[str]) -> Hit:
        text = fields["text"]
        snip, marks = snippet(text, terms)
        return Hit(
            id=fields["id"],
            doc_id=fields["doc_id"],
            path=fields.get("path", ""),
            title=fields.get("title", ""),
            date=fields.get("date"),
            speaker=fields.get("speaker"),
            speaker_id=fields.get("speaker_id"),
            label=fields.get("label"),
            turn=int(fields["turn"]),
            kind=fields["kind"],
            text=text,
            snippet=snip,
            marks=marks,
            score=float(score or 0.0),
        )


def snippet(
    text: str, terms: frozenset[str], width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The passage of `text` with the most matched words, and where they are in it."""
    from .analysis import stem, words

    flat = text.replace("\n", " ")
    matches = [(s, e) for w, s, e in words(flat) if stem(w) in terms] if terms else []
    if len(flat) <= width:
        start, end = 0, len(flat)
    else:
        best, start = -1, 0
        for s, _ in matches:
            count = sum(1 for s2, _ in matches if s <= s2 < s + width * 3 // 4)
            if count > best:
                best, start = count, s
        start = max(0, start - width // 4) if matches else 0
        if start:
            space = flat.find(" ", start)
            start = space + 1 if 0 <= space < start + 20 else start
        end = min(len(flat), start + width)
        if end < len(flat):
            space = flat.rfind(" ", start, end)
            end = space if space > start + width // 2 else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - start
    marks = tuple((s + shift, e + shift) for s, e in matches if s >= start and e <= end)
    return prefix + flat[start:end] + suffix, marks
