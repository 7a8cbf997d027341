"""Where a turn is matched: query parsing, cheap cached filters, ranking, snippets.

Filters (speaker, date, topic, place) become sets of Whoosh document numbers, computed once
per open searcher and cached, then passed as `filter=`: restrictions cost a set lookup per
candidate instead of a range query per search.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import query as ql
from .errors import QuerySyntaxError
from .index import Documents
from .model import Hit, SearchResults
from .ranking import TextRanker, Unsupported, deleted_docs

if TYPE_CHECKING:  # counts, dates, speakers, topics: imported where a filter or count needs them
    from .counts import Count, CountBy
    from .speakers import Registry

SNIPPET_CHARS = 240
MAX_LIMIT = 10_000
#: a date filter checks up to this many turns chosen by other filters one by one
DATE_CHECK_MAX = 20_000
#: records spanning more days than this are kept apart from the sorted runs of `DayIndex`
WIDE_DAYS = 400
#: filter sets whose turns `DayIndex.among` keeps sorted by day
SORTED_SETS = 16


class Filters(NamedTuple):
    """What a search is restricted to; every field is optional."""

    speakers: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    topics: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    #: turns by none of these speakers
    not_speakers: tuple[str, ...] = ()
    #: only records in which each of these people takes part (speaks or is a participant)
    participants: tuple[str, ...] = ()

    def any(self) -> bool:
        return bool(
            self.speakers
            or self.date_from
            or self.date_to
            or self.topics
            or self.places
            or self.not_speakers
            or self.participants
        )


def as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(v for v in value if v and v.strip())


class TurnSearcher:
    """One open Whoosh searcher with its filter caches; reused across queries."""

    def __init__(
        self,
        ix: Any,
        registry: Registry | Callable[[], Registry] | None = None,
        *,
        documents: Documents,
    ) -> None:
        self.ix = ix
        self.searcher = ix.searcher()
        #: turn texts and record metadata (not stored in the Whoosh index)
        self.documents = documents
        self._ranker = TextRanker(self.searcher, _preload_lengths(self.searcher.reader(), "text"))
        #: a registry, or a function that loads it when a name is first looked up
        self._registry = registry
        self._sets: OrderedDict[tuple[str, ...], set[int]] = OrderedDict()
        self._days: DayIndex | Literal[False] | None = None
        self._words: dict[str, int] = {}

    @property
    def registry(self) -> Registry | None:
        from .speakers import Registry

        if self._registry is not None and not isinstance(self._registry, Registry):
            self._registry = self._registry()
        return self._registry

    def close(self) -> None:
        self.searcher.close()
        self.documents.close()

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
        return self._cached((field, value), lambda: self._live_docs(field, value))

    def _live_docs(self, field: str, value: str) -> Iterable[int]:
        from whoosh.query import Term

        try:  # decoded in bulk from the posting blocks (ranking.py)
            return self._ranker.term_docs(field, value)
        except Unsupported:
            return self.searcher.docs_for_query(Term(field, value))

    def _union(self, field: str, values: Iterable[str]) -> set[int]:
        """Cached as one set, so a filter asked again is the same object (`DayIndex.among`
        keeps work per set object)."""
        keys = sorted(set(values))
        if len(keys) == 1:
            return self._term_docs(field, keys[0])
        return self._cached(
            (field, *keys), lambda: set().union(*(self._term_docs(field, v) for v in keys))
        )

    def _records(self, keys: Iterable[str]) -> set[int]:
        """Every turn of the records taking part keys (`with:…`) name: build._add indexes
        them on a record's first turn only, with the record's number of turns as frequency."""
        out: set[int] = set()
        for key in keys:
            out = out | self._cached(("records", key), partial(self._extents, key))
        return out

    def _extents(self, key: str) -> Iterator[int]:
        from whoosh.query import Term

        m = Term("speaker_keys", key).matcher(self.searcher)
        while m.is_active():
            first = m.id()
            yield from range(first, first + m.value_as("frequency"))
            m.next()

    def _date_docs(self, first: int, last: int, within: set[int] | None = None) -> set[int]:
        """Turns of records overlapping days `first`..`last` (of `within`, when given)."""
        days = self._day_index()
        if days is None:  # an index written before day_end had a column
            from whoosh.query import And, NumericRange

            q = And([NumericRange("day_start", 1, last), NumericRange("day_end", first, None)])
            return self._cached(
                ("date", str(first), str(last)), lambda: self.searcher.docs_for_query(q)
            )
        if within is not None:
            return days.among(within, first, last)
        return self._cached(("date", str(first), str(last)), lambda: days.overlapping(first, last))

    def _day_index(self) -> DayIndex | None:
        if self._days is None:
            self._days = DayIndex.of(self.searcher.reader()) or False
        return self._days if isinstance(self._days, DayIndex) else None

    def filter_set(self, f: Filters, notes: list[str]) -> set[int] | None:
        """Documents allowed by the filters (None: no restriction); explains empty results."""
        if not f.any():
            return None
        from .dates import day_number, parse_user_date
        from .speakers import query_keys
        from .topics import key as topic_key

        sets: list[set[int]] = []
        if f.speakers:
            keys = [k for s in f.speakers for k in query_keys(s, self.registry)]
            docs = self._union("speaker_keys", keys)
            if not docs:
                notes.append(f"No speaker matches {' or '.join(map(repr, f.speakers))}")
            sets.append(docs)
        for name in f.participants:
            docs = self._records(["with:" + k for k in query_keys(name, self.registry)])
            if not docs:
                notes.append(f"No record has {name!r} taking part")
            sets.append(docs)
        dates: tuple[int, int] | None = None
        if f.date_from or f.date_to:
            first = parse_user_date(f.date_from).start if f.date_from else None
            last = parse_user_date(f.date_to).end if f.date_to else None
            lo = day_number(first) if first else 1
            hi = day_number(last) if last else 10**7
            if lo > hi:
                notes.append(f"The date range {f.date_from} to {f.date_to} is empty")
                sets.append(set())
            else:
                dates = (lo, hi)
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
        if f.not_speakers:
            keys = [k for s in f.not_speakers for k in query_keys(s, self.registry)]
            sets.append(self._all_docs() - self._union("speaker_keys", keys))
        if dates is not None:
            # a few turns already chosen are checked one by one; otherwise the whole range
            few = min(sets, key=len) if sets else None
            within = few if few is not None and len(few) <= DATE_CHECK_MAX else None
            sets.append(self._date_docs(*dates, within))
        if not sets:
            return None
        sets.sort(key=len)
        out = sets[0]
        for s in sets[1:]:
            out = out & s
        return out

    def _all_docs(self) -> set[int]:
        return self._cached(("all",), lambda: self.searcher.reader().all_doc_ids())

    def select(
        self, text: str, filters: Filters, *, exact: bool = False, strict: bool = True
    ) -> tuple[set[int] | None, list[str]]:
        """Document numbers of the turns matching `text` within the filters (None: all)."""
        from whoosh.query import NullQuery

        notes: list[str] = []
        allowed = self.filter_set(filters, notes)
        text = text.strip()
        if not text:
            return allowed, notes
        compiled = self.compile(text, exact=exact, strict=strict)
        notes += [f"warning: {w}" for w in compiled.warnings] + list(compiled.notes)
        q = compiled.query
        return (set() if q is NullQuery else self._matching(q, allowed)), notes

    def _matching(self, q: Any, allowed: set[int] | None) -> set[int]:
        """Every turn matching `q` within `allowed`: words, phrases and their AND from
        decoded postings (see ranking.py), anything else by Whoosh."""
        parts = self._ranker.parts(q)
        if parts is not None:
            try:
                return self._ranker.matching(parts, allowed)
            except Unsupported:
                pass
        found = set(self.searcher.docs_for_query(q))
        return found if allowed is None else found & allowed

    def term_counts(self, field: str, docs: set[int] | None) -> dict[str, tuple[int, int]]:
        """term -> (turns, records) of a keyword field, among `docs` (None: every turn)."""
        out: dict[str, tuple[int, int]] = {}
        for raw in self.searcher.reader().lexicon(field):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            found = self._term_docs(field, term)
            if docs is not None:
                found = found & docs
            if found:
                records = {self.searcher.stored_fields(n)["doc_id"] for n in found}
                out[term] = (len(found), len(records))
        return out

    def texts(self, docs: set[int] | None) -> list[str]:
        """The text of the turns `docs` (None: every turn)."""
        if docs is None:
            return list(self.documents.texts())
        return [self._text(self.searcher.stored_fields(n)) for n in sorted(docs)]

    def _text(self, fields: Any) -> str:
        turn = self.documents.turn(fields["doc_id"], int(fields["turn"]))
        return turn.text if turn else ""

    def _iso_dates(self) -> list[str | None]:
        """Each turn's record date as `Hit.date` gives it (its first day), by document number."""
        import datetime as dt

        return [dt.date.fromordinal(d).isoformat() if d >= 1 else None for d in self._starts()]

    def _starts(self) -> list[int]:
        days = self._day_index()
        return days.starts if days is not None else _column(self.searcher.reader(), "day_start")

    def count(self, docs: set[int] | None, by: CountBy) -> list[Count]:
        """Matching turns (`docs`; None: all) counted by speaker, year, topic, place or record."""
        from .counts import NO_SPEAKER, UNKNOWN, Count, tally
        from .places import gazetteer

        if by == "topic":
            counts = self.term_counts("topics", docs)
            rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
            return [Count(k, k, n, d) for k, (n, d) in rows]
        numbers = range(self.searcher.doc_count_all()) if docs is None else sorted(docs)
        reader = self.searcher.reader()
        dates = self._iso_dates() if by == "year" else []
        triples: list[tuple[str, str, str]] = []
        for n in numbers:
            if reader.is_deleted(n):
                continue
            f = self.searcher.stored_fields(n)
            doc_id = f["doc_id"]
            if by == "speaker":
                sid = f.get("speaker_id")
                triples.append((sid or "", f.get("speaker") or NO_SPEAKER, doc_id))
            elif by == "year":
                year = (dates[n] or "")[:4] or UNKNOWN
                triples.append((year, year, doc_id))
            elif by == "document":
                doc = self.documents.get(doc_id)
                triples.append((doc_id, (doc.title if doc else "") or doc_id, doc_id))
            else:
                named = gazetteer().mentioned(self._text(f))
                for place in dict.fromkeys([*named, *self._places_of(n)]):
                    triples.append((place, place, doc_id))
        out = [Count(k, label, t, r) for k, label, t, r in tally(triples)]
        if by == "speaker":
            out = [replace(c, words=self.words_spoken(c.key)) if c.key else c for c in out]
        if by == "year":
            out.sort(key=lambda c: c.key)
        return out

    def _places_of(self, docnum: int) -> list[str]:
        """The record's own "Associated Places" of a turn, as gazetteer names where known."""
        from .places import gazetteer

        found = [t for t in self._place_terms() if docnum in self._term_docs("places", t)]
        names = []
        for key in found:
            place = gazetteer().find(key)
            names.append(place.name if place else key.title())
        return names

    def _place_terms(self) -> list[str]:
        reader = self.searcher.reader()
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon("places")]

    def words_spoken(self, speaker_id: str) -> int:
        """Words (index tokens) in all turns of one speaker: the base of per-10,000 rates."""
        total = self._words.get(speaker_id)
        if total is None:
            docs = self._term_docs("speaker_id", speaker_id)
            total = self._words[speaker_id] = sum(
                self.searcher.doc_field_length(n, "text", 0) for n in docs
            )
        return total

    def dates(self, docs: set[int] | None) -> list[tuple[str, str | None]]:
        """(doc_id, record date as ISO text or None) of each matching turn."""
        reader = self.searcher.reader()
        numbers = range(self.searcher.doc_count_all()) if docs is None else sorted(docs)
        dates = self._iso_dates()
        out = []
        for n in numbers:
            if not reader.is_deleted(n):
                out.append((self.searcher.stored_fields(n)["doc_id"], dates[n]))
        return out

    # -- queries -------------------------------------------------------------------------

    def compile(self, text: str, *, exact: bool = False, strict: bool = True) -> Compiled:
        """The engine query for `text` (see `query.py`), place names expanded unless `exact`."""
        notes: list[str] = []
        positive: list[Any] = []
        try:  # parsing and compiling recurse once per nesting level and per chained term
            parsed = ql.Parsed(ql.parse(text)) if strict else ql.parse_lenient(text)
            tree = parsed.node if exact else ql.expand_places(parsed.node)
            q = self._to_whoosh(tree, notes, positive, negated=False)
        except RecursionError:
            raise QuerySyntaxError("query nested too deeply (or too many terms) to run") from None
        return Compiled(text, tree, q, positive, parsed.warnings, tuple(notes))

    def parse(self, text: str, *, exact: bool = False) -> Any:
        """The Whoosh query for `text` (strict syntax)."""
        return self.compile(text, exact=exact).query

    def _to_whoosh(
        self, node: ql.Node | None, notes: list[str], positive: list[Any], negated: bool
    ) -> Any:
        from whoosh import query as wq

        if node is None:
            return wq.Every()
        if isinstance(node, ql.And):
            pos, neg = [], []
            for child in node.children:
                if isinstance(child, ql.Not):
                    neg.append(self._to_whoosh(child.child, notes, positive, not negated))
                else:
                    pos.append(self._to_whoosh(child, notes, positive, negated))
            q = wq.And(pos) if pos else wq.Every()
            return wq.AndNot(q, wq.Or(neg)) if neg else q
        if isinstance(node, ql.Or):
            return wq.Or([self._to_whoosh(c, notes, positive, negated) for c in node.children])
        if isinstance(node, ql.Not):
            inner = self._to_whoosh(node.child, notes, positive, not negated)
            return wq.AndNot(wq.Every(), inner)
        if isinstance(node, ql.Field):
            return self._field_query(node, notes)
        q = _text_query(node)
        if not negated and q is not wq.NullQuery:
            positive.append(q)
        return q

    def _field_query(self, node: ql.Field, notes: list[str]) -> Any:
        from whoosh import query as wq

        from .dates import day_number, parse_user_date
        from .speakers import query_keys
        from .topics import key as topic_key

        if node.name == "speaker":
            keys = query_keys(node.value, self.registry)
            terms = [wq.Term("speaker_keys", k) for k in keys]
        elif node.name == "date":
            first, last = ql.date_bounds(node.value)
            start = parse_user_date(first).start if first else None
            end = parse_user_date(last).end if last else None
            lo = day_number(start) if start else 1
            hi = day_number(end) if end else 10**7
            if lo > hi:
                notes.append(f"The date range date:{node.value} is empty")
                return wq.NullQuery
            days = [wq.NumericRange("day_start", 1, hi), wq.NumericRange("day_end", lo, None)]
            return wq.ConstantScoreQuery(wq.And(days))
        elif node.name == "topic":
            terms = [wq.Term("topics", topic_key(node.value))]
        elif node.name == "place":
            from .places import gazetteer

            found = gazetteer().find(node.value)
            names = found.forms if found else (node.value,)
            terms = [wq.Term("places", topic_key(n)) for n in names]
        else:
            terms = [wq.Term("doc_id", node.value)]
        if not any(self._term_docs(t.fieldname, t.text) for t in terms):
            notes.append(f"No turn has {node.name}:{node.value}")
        return wq.ConstantScoreQuery(wq.Or(terms))

    def search(
        self,
        text: str,
        filters: Filters,
        limit: int = 10,
        offset: int = 0,
        *,
        sort: str = "relevance",
        exact: bool = False,
        strict: bool = True,
    ) -> SearchResults:
        from whoosh.query import NullQuery

        limit = max(0, min(int(limit), MAX_LIMIT))
        offset = max(0, int(offset))
        text = text.strip()
        if not text and not filters.any():
            raise QuerySyntaxError("empty query: give words to search for, or a filter")
        if sort not in SORTS:
            raise QuerySyntaxError(f"unknown sort {sort!r}: choose {' or '.join(SORTS)}")
        compiled = self.compile(text, exact=exact, strict=strict)
        notes = [f"warning: {w}" for w in compiled.warnings] + list(compiled.notes)
        allowed = self.filter_set(filters, notes)
        q = compiled.query
        if (allowed is not None and not allowed) or q is NullQuery:
            if len(notes) == len(compiled.warnings):
                notes.append("No turn matches the filters")
            return SearchResults(text, 0, (), offset, tuple(notes))
        sortedby = self._date_order() if sort == "date" else None
        terms = self._highlight_terms(compiled.positive)
        ranked = self._rank(q, allowed, offset + limit) if sortedby is None else None
        if ranked is not None:
            total, best = ranked
            hits = tuple(
                self._hit(self.searcher.stored_fields(d), score, terms)
                for d, score in best[offset:]
            )
            if not total and filters.any() and not notes:
                notes.append("No turn matches the query within the filters")
            return SearchResults(text, total, hits, offset, tuple(notes))
        try:  # Whoosh builds its matcher tree recursively: thousands of terms overflow it
            results = self._whoosh_search(q, allowed, offset + limit if limit else 1, sortedby)
            total = self._total(q, allowed, results)
        except RecursionError:
            raise QuerySyntaxError("query nested too deeply (or too many terms) to run") from None
        hits = tuple(
            self._hit(results[i], results.score(i) if sortedby is None else 0.0, terms)
            for i in range(offset, min(offset + limit, results.scored_length()))
        )
        if not total and filters.any() and not notes:
            notes.append("No turn matches the query within the filters")
        return SearchResults(text, total, hits, offset, tuple(notes))

    def _rank(
        self, q: Any, allowed: set[int] | None, k: int
    ) -> tuple[int, list[tuple[int, float]]] | None:
        """Words, phrases and their AND ranked from decoded postings (see ranking.py);
        None: a query shape Whoosh runs itself."""
        parts = self._ranker.parts(q)
        if parts is None:
            return None
        try:
            return self._ranker.run(parts, allowed, k)
        except Unsupported:
            return None

    def _whoosh_search(self, q: Any, allowed: set[int] | None, limit: int, sortedby: Any) -> Any:
        """Whoosh's own search, counting every match. Its scored collector swaps the
        matcher tree for a cheaper one as the best scores rise, turning an OR whose one side
        can no longer reach the top into "the other side, maybe this one": the first side's
        other turns are then neither scored nor counted (`"the sea" OR storm` counted 66
        of a test index's 124 turns at 10 hits). After skipping blocks Whoosh counts again
        from scratch; without skipping, the count is what was collected, so nothing may be
        swapped."""
        from whoosh.collectors import ScoredCollector

        optimize = _skips_blocks(q)
        collector = self.searcher.collector(
            limit=limit, sortedby=sortedby, optimize=optimize, filter=allowed
        )
        inner = None if optimize else collector
        while inner is not None:
            if isinstance(inner, ScoredCollector):
                inner.replace = 0
            inner = getattr(inner, "child", None)
        self.searcher.search_with_collector(q, collector)
        return collector.results()

    def _total(self, q: Any, allowed: set[int] | None, results: Any) -> int:
        """How many turns match. Whoosh counts a search that skipped blocks by running it
        again; an unfiltered word's count is its document frequency."""
        from whoosh.query import Term

        reader = self.searcher.reader()
        if allowed is None and type(q) is Term and not reader.has_deletions():
            return int(reader.doc_frequency(q.fieldname, q.text))
        return len(results)

    def _date_order(self) -> Any:
        """Oldest record first, turns in document order; undated records last."""
        from whoosh.sorting import FunctionFacet

        days = self.searcher.reader().column_reader("day_start")

        def key(_searcher: Any, docnum: int) -> tuple[int, int]:
            return (days[docnum] or 10**7, docnum)

        return FunctionFacet(key)

    def _highlight_terms(self, queries: list[Any]) -> Highlight:
        """What to mark in a hit: single terms, and phrases (marked only where they occur)."""
        from whoosh import query as wq

        reader = self.searcher.reader()
        terms: set[str] = set()
        phrases: list[tuple[str, ...]] = []

        def walk(q: Any) -> None:
            if isinstance(q, wq.Phrase) and q.slop <= 1:
                phrases.append(tuple(q.words))
            elif isinstance(q, wq.Or | wq.And):
                for sub in q.subqueries:
                    walk(sub)
            else:
                for f, t in q.existing_terms(reader, expand=True):
                    if f == "text":
                        terms.add(t.decode("utf-8") if isinstance(t, bytes) else t)

        for q in queries:
            walk(q)
        return Highlight(frozenset(terms), tuple(phrases))

    def _hit(self, fields: Any, score: float, terms: Highlight) -> Hit:
        doc = self.documents.get(fields["doc_id"])
        text = self._text(fields)
        snip, marks = snippet(text, terms.terms, phrases=terms.phrases)
        return Hit(
            id=fields["id"],
            doc_id=fields["doc_id"],
            path=doc.path if doc else "",
            title=doc.title if doc else "",
            date=doc.date.iso() if doc else None,
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


SORTS = ("relevance", "date")


def _preload_lengths(reader: Any, field: str) -> bytes | None:
    """Keep `field`'s per-turn lengths in memory: ranking reads one per candidate turn, and
    with the index opened without memory maps (index.open_whoosh) each read is a seek and a
    read call, half the time of a query on a very common word. One byte per turn.

    Returns the length bytes of every turn by document number (None: some segment's
    lengths are not in the one-byte column layout)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
    from whoosh.columns import NumericColumn

    every: list[bytes] = []
    complete = True
    for seg, _base in reader.leaf_readers():
        perdoc = getattr(seg, "_perdoc", None)
        if not isinstance(perdoc, W3PerDocReader):
            complete = False
            continue
        name = _lenfield(field)
        col = perdoc._cached_reader(name, LENGTHS_COLUMN)
        if col is None:  # no turn of the segment has the field
            every.append(bytes(perdoc._doccount))
            continue
        if isinstance(col, bytes):  # preloaded by an earlier searcher on this segment
            every.append(col)
            continue
        if type(col) is not NumericColumn.Reader or col._fixedlen != 1:
            complete = False
            continue
        data = col._dbfile.get(col._basepos, col._count)
        perdoc._readers[name] = data + bytes([col._default]) * (perdoc._doccount - col._count)
        every.append(perdoc._readers[name])
    return b"".join(every) if complete and every else None


def _column(reader: Any, field: str) -> list[int]:
    """A NUMERIC field's column, one value per document number, across segments."""
    values, shift = _raw_columns(reader, field)
    return list(map((-shift).__add__, values))


def _raw_columns(reader: Any, field: str, shift: int | None = None) -> tuple[array[int], int]:
    """A NUMERIC field's column across segments as stored (`_raw_column`), in one array, and
    the offset of its values: `shift` when given, else the stored layout's."""
    parts = [_raw_column(seg, field) for seg, _base in reader.leaf_readers()]
    if shift is None:
        shift = max((sh for _, sh in parts), default=0)
    codes = {values.typecode for values, _ in parts}
    same = len(codes) == 1 and all(sh == shift for _, sh in parts)
    code = codes.pop() if same else "q"  # as stored, unless layouts differ
    out = array(code)
    for values, sh in parts:
        if sh != shift:  # another column layout (`_raw_column`'s slow path)
            values = array("q", map((shift - sh).__add__, values))
        out.extend(values if values.typecode == code else array(code, values))
    return out, shift


def _raw_column(seg: Any, field: str) -> tuple[array[int], int]:
    """A segment's NUMERIC column as stored and the offset of its values: one block of
    bytes where the layout is Whoosh 2.7's signed integer column (a Python loop over
    `column_reader` costs ~1 s per million turns); otherwise value by value."""
    import sys

    from whoosh.columns import NumericColumn

    fieldobj = seg.schema[field]
    n = seg.doc_count_all()
    raw = seg.column_reader(field, translate=False)
    fast = (
        type(raw) is NumericColumn.Reader
        and fieldobj.numtype is int
        and fieldobj.signed
        and not fieldobj.decimal_places
    )
    if not fast:
        col = seg.column_reader(field)
        return array("q", [col[i] for i in range(n)]), 0
    values = array(raw._typecode)
    values.frombytes(raw._dbfile.get(raw._basepos, raw._count * raw._fixedlen))
    if sys.byteorder == "little":
        values.byteswap()  # the column is big-endian
    values.extend([raw._default] * (n - len(values)))
    return values, 1 << (fieldobj.bits - 1)  # signed numbers are stored offset


def day_runs(
    starts: array[int], ends: array[int], base: int = 0, shift: int = 0
) -> list[tuple[int, int, int, int]]:
    """(first day, last day, docnum, stop) of each run of turns with the same days, from
    a segment's two columns (values `shift` above the days): where a value differs from
    the one before is found by one XOR of the columns' bytes against themselves moved by
    one value, and only the runs' first values become integers."""
    from itertools import chain, compress, islice

    n = len(starts)
    if not n:
        return []
    if starts.typecode != ends.typecode:
        starts, ends = array("q", starts), array("q", ends)
    width = starts.itemsize

    def moved(column: array[int]) -> int:
        raw = column.tobytes()
        return int.from_bytes(raw[width:], "little") ^ int.from_bytes(raw[:-width], "little")

    changed = array(
        starts.typecode, (moved(starts) | moved(ends)).to_bytes(width * (n - 1), "little")
    )
    firsts = [0, *compress(range(1, n), changed)]
    below = (-shift).__add__
    return list(
        zip(
            map(below, map(starts.__getitem__, firsts)),
            map(below, map(ends.__getitem__, firsts)),
            map(base.__add__, firsts),
            map(base.__add__, chain(islice(firsts, 1, None), (n,))),
            strict=True,
        )
    )


_first = itemgetter(0)
#: a set's turns sorted by first day (`DayIndex._sort`)
_Sorted = tuple[list[int], list[int], list[int]]


class DayIndex:
    """Per-searcher day columns: any date range is answered without a range query.

    Each turn's first and last day are kept as the segments store them (`_raw_column`:
    values `shift` above the days, one array each): opening them is a read, and a filter's
    few thousand turns are checked by indexing them (a cold search with a date filter on L
    spent ~0.4 s making and comparing 1.4 million day objects). A range over all turns reads
    runs (`day_runs`), built when first asked: turns come in runs of consecutive document
    numbers with one record's dates, sorted by first day, so a range looks at the runs
    starting inside it (and up to `WIDE_DAYS` before), plus the few records spanning longer.
    """

    def __init__(self, starts: array[int], ends: array[int], shift: int, deleted: set[int]) -> None:
        #: each turn's first and last day plus `shift`, by document number
        self.raw_starts, self.raw_ends, self.shift = starts, ends, shift
        self.deleted = deleted
        self._days: tuple[list[int], list[int]] | None = None
        self._runs: tuple[list[tuple[int, int, int, int]], list[int], list[Any]] | None = None
        #: id(docs) -> (docs, `_sort(docs)` once asked twice): the sets `among` saw last
        self._sorted: dict[int, tuple[set[int], _Sorted | None]] = {}

    @classmethod
    def of(cls, reader: Any) -> DayIndex | None:
        """None when the index has no day_end column (written by an older version)."""
        if not all(f in reader.schema and reader.has_column(f) for f in ("day_start", "day_end")):
            return None
        deleted: set[int] = set()
        if reader.has_deletions():
            try:  # from each segment's deletion list: asking about every turn takes seconds
                deleted = deleted_docs(list(reader.leaf_readers()))
            except Unsupported:
                deleted = set(range(reader.doc_count_all())) - set(reader.all_doc_ids())
        starts, shift = _raw_columns(reader, "day_start")
        ends, _ = _raw_columns(reader, "day_end", shift)
        return cls(starts, ends, shift, deleted)

    @property
    def starts(self) -> list[int]:
        """Each turn's first day, by document number."""
        return self._per_doc()[0]

    @property
    def ends(self) -> list[int]:
        """Each turn's last day, by document number."""
        return self._per_doc()[1]

    def _per_doc(self) -> tuple[list[int], list[int]]:
        if self._days is None:
            below = (-self.shift).__add__
            self._days = list(map(below, self.raw_starts)), list(map(below, self.raw_ends))
        return self._days

    def _sorted_runs(self) -> tuple[list[tuple[int, int, int, int]], list[int], list[Any]]:
        """(dated runs of up to `WIDE_DAYS` sorted by first day, their first days, the
        runs of longer records)."""
        if self._runs is None:
            runs = day_runs(self.raw_starts, self.raw_ends, 0, self.shift)
            dated = [r for r in runs if r[0] >= 1]  # undated turns match no range
            narrow = [r for r in dated if 0 <= r[1] - r[0] <= WIDE_DAYS]
            narrow.sort(key=_first)  # by first day alone: ~3x faster than whole tuples
            wide = [r for r in dated if not 0 <= r[1] - r[0] <= WIDE_DAYS]
            self._runs = narrow, [r[0] for r in narrow], wide
        return self._runs

    def overlapping(self, first: int, last: int) -> set[int]:
        """Turns whose record's dates overlap `first`..`last` (day numbers)."""
        from bisect import bisect_left, bisect_right

        runs, run_starts, wide = self._sorted_runs()
        out: set[int] = set()
        lo = bisect_left(run_starts, first - WIDE_DAYS)
        hi = bisect_right(run_starts, last)
        for _start, end, a, b in runs[lo:hi]:
            if end >= first:
                out.update(range(a, b))
        for start, end, a, b in wide:
            if 1 <= start <= last and end >= first:
                out.update(range(a, b))
        return out - self.deleted if self.deleted else out

    def among(self, docs: set[int], first: int, last: int) -> set[int]:
        """The turns of `docs` whose record's dates overlap `first`..`last`. `docs` is
        never changed by its owner (the searcher's cached filter sets). A set is checked turn
        by turn the first time; asked about again, it is sorted by first day (~4 such checks
        on L), and then a range reads only the turns starting inside it (and up to
        `WIDE_DAYS` before) and those of long records."""
        from bisect import bisect_left, bisect_right

        starts, ends, shift = self.raw_starts, self.raw_ends, self.shift
        dated, first, last = 1 + shift, first + shift, last + shift  # as the columns hold them
        seen = self._sorted.pop(id(docs), None)
        if seen is None or seen[0] is not docs:
            self._remember(docs, None)
            return {d for d in docs if dated <= starts[d] <= last and ends[d] >= first}
        done = seen[1] or self._sort(docs)
        self._remember(docs, done)
        by_start, order, wide = done
        lo, hi = bisect_left(by_start, first - WIDE_DAYS), bisect_right(by_start, last)
        out = {d for d in order[lo:hi] if ends[d] >= first}
        out.update(d for d in wide if starts[d] <= last and ends[d] >= first)
        return out

    def _remember(self, docs: set[int], done: _Sorted | None) -> None:
        self._sorted[id(docs)] = (docs, done)  # holding `docs` keeps its id from being reused
        if len(self._sorted) > SORTED_SETS:
            del self._sorted[next(iter(self._sorted))]

    def _sort(self, docs: set[int]) -> _Sorted:
        """(first days plus `shift` in order, their turns, the dated turns of long records)."""
        starts, ends, dated_from = self.raw_starts, self.raw_ends, 1 + self.shift
        dated = [d for d in docs if starts[d] >= dated_from]
        order = sorted(
            (d for d in dated if 0 <= ends[d] - starts[d] <= WIDE_DAYS), key=starts.__getitem__
        )
        wide = [d for d in dated if not 0 <= ends[d] - starts[d] <= WIDE_DAYS]
        return [starts[d] for d in order], order, wide


class Compiled(NamedTuple):
    """A query as the engine runs it: the parsed tree (places expanded) and the Whoosh query.

    Compiled, Highlight and Filters are NamedTuples, not dataclasses: every search creates
    these classes at import, ~0.2 ms each instead of ~1.2 ms."""

    text: str
    tree: ql.Node | None
    query: Any
    #: the parts that must match (their words are marked in snippets)
    positive: list[Any]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def explain(self) -> str:
        return f"{ql.describe(self.tree)}\n  engine: {self.query}"


def _skips_blocks(q: Any) -> bool:
    """Whether ranking should skip low-scoring posting blocks (Whoosh's `optimize`).

    Skipping pays for words; a query with a phrase checks positions in every candidate
    anyway, and after skipping Whoosh would run it a second time to count the matches: one
    pass that scores and counts is ~2x faster.
    """
    from whoosh.query import Phrase

    return not any(isinstance(sub, Phrase) for sub in (q, *q.leaves()))


def _analyzed(text: str) -> tuple[list[str], str | None]:
    """The index terms of `text` and, for one hyphenated compound, its joined term."""
    from .analysis import scan, stem

    found = list(scan(text))
    joined = found[0][3] if found and len(found) > 1 else None
    if joined is not None and any(j for _, _, _, j in found[1:]):
        joined = None
    return [stem(w) for w, _, _, _ in found], stem(joined) if joined else None


def _words_query(text: str, slop: int = 0) -> Any:
    """A word or phrase as Whoosh sees it: a term, or a phrase when it analyzes into several."""
    from whoosh import query as wq

    terms, joined = _analyzed(text)
    if not terms:
        return wq.NullQuery
    if len(terms) == 1:
        return wq.Term("text", terms[0])
    phrase = wq.Phrase("text", terms, slop=slop + 1)
    return wq.Or([phrase, wq.Term("text", joined)]) if joined else phrase


def _text_query(node: ql.Node) -> Any:
    from whoosh import query as wq

    from .analysis import fold, stem

    if isinstance(node, ql.Word):
        return _words_query(node.text)
    if isinstance(node, ql.Phrase):
        return _words_query(node.text, node.slop)
    if isinstance(node, ql.Place):
        return wq.Or([_words_query(form) for form in node.forms])
    if isinstance(node, ql.Fuzzy):
        terms, _ = _analyzed(node.text)
        if len(terms) != 1:
            return _words_query(node.text)
        return wq.FuzzyTerm("text", terms[0], maxdist=node.distance, prefixlength=1)
    if isinstance(node, ql.Wildcard):
        pattern = fold(node.pattern)
        if pattern.endswith("*") and "*" not in pattern[:-1] and "?" not in pattern:
            # the index holds stems: "negotiat*" must reach "negoti" (from "negotiation")
            prefix = pattern[:-1]
            stemmed = stem(prefix)
            return wq.Prefix("text", stemmed if prefix.startswith(stemmed) else prefix)
        return wq.Wildcard("text", pattern)
    raise TypeError(f"not a text query: {node!r}")  # pragma: no cover


class Highlight(NamedTuple):
    terms: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()


def snippet(
    text: str,
    terms: frozenset[str],
    width: int = SNIPPET_CHARS,
    phrases: Sequence[tuple[str, ...]] = (),
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The passage of `text` with the most matched words, and where they are in it.

    `terms` are marked wherever they occur; the words of `phrases` only where the whole
    phrase does ("of" is not marked because the query held "Republic of Korea").
    """
    from .analysis import scan, stem

    flat = " ".join(text.split())  # paragraphs joined by one space; marks index `flat`
    scanned = list(scan(flat)) if terms or phrases else []
    found = [(stem(w), s, e) for w, s, e, _ in scanned]
    marked = [t in terms for t, _, _ in found]
    for i, (_, _, _, joined) in enumerate(scanned):
        if joined and stem(joined) in terms:  # "Yongnam" matched the compound "Yong-nam"
            parts, j = "", i
            while j < len(scanned) and parts != joined:
                parts += scanned[j][0]
                marked[j] = True
                j += 1
    stems = [t for t, _, _ in found]
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(stems) - n + 1):
            if tuple(stems[i : i + n]) == phrase:
                marked[i : i + n] = [True] * n
    matches = [(s, e) for (_, s, e), m in zip(found, marked, strict=True) if m]
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
