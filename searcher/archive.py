"""The library's front door: build an index from transcripts, open it, search it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import index as store
from .errors import CorruptIndexError, NotFoundError, QuerySyntaxError
from .model import SearchResults, Transcript
from .search import Filters, TurnSearcher, as_tuple

if TYPE_CHECKING:  # the rest is imported where used: a plain search from the terminal
    # never counts, names nobody and filters by no topic, and pays for none of it
    from .build import BuildReport, Progress
    from .cite import Citation
    from .counts import Count, CountBy, PeriodBy, Timeline
    from .phrases import Phrase
    from .speakers import Registry, SpeakerSummary
    from .topics import TopicCount, TopicNames


class Archive:
    """An open index. Keep one per process and reuse it: its searcher and caches are warm.

    >>> archive = Archive.open("index")                       # doctest: +SKIP
    >>> archive.search("South Korea", speaker="Gorbachev")    # doctest: +SKIP
    """

    def __init__(self, index_dir: str, *, registry: Registry | None = None) -> None:
        meta = store.read_meta(index_dir)
        self.index_dir = index_dir
        self.meta = meta
        self.gen_dir = os.path.join(index_dir, str(meta["current"]))
        #: how names are read: the registry the index was built with, unless one is given
        self._registry = registry
        self._searcher: TurnSearcher | None = None
        self._docs: Any = None
        #: what the last `build` did (set by `Archive.build`)
        self.report: BuildReport | None = None
        self._citations: dict[str, Citation] = {}
        self._names: tuple[str, TopicNames] | None = None

    @property
    def registry(self) -> Registry:
        """Read on first use: a search without names never parses people.toml (~0.1 s)."""
        if self._registry is None:
            from .speakers import index_registry

            self._registry = index_registry(self.gen_dir)
        return self._registry

    @classmethod
    def open(cls, index_dir: str = "index", *, registry: Registry | None = None) -> Archive:
        """Open an existing index (`NoIndexError` when there is none)."""
        return cls(index_dir, registry=registry)

    @classmethod
    def build(
        cls,
        corpus_paths: str | Iterable[str] = ("corpus",),
        index_dir: str = "index",
        *,
        format: str | None = None,
        wait: float = 0.0,
        registry: Registry | None = None,
        progress: Callable[[Progress], None] | None = None,
        rebuild: bool = False,
    ) -> Archive:
        """Index `corpus_paths` (files or folders) into `index_dir` and open the result.

        An existing index is updated (only new and changed files are read); `rebuild`
        starts over.
        """
        from .build import build  # readers and the writer: only an index run needs them

        paths = [corpus_paths] if isinstance(corpus_paths, str) else list(corpus_paths)
        report = build(
            paths,
            index_dir,
            format=format,
            wait=wait,
            registry=registry,
            progress=progress,
            rebuild=rebuild,
        )
        archive = cls(index_dir, registry=registry)
        archive.report = report
        return archive

    @property
    def searcher(self) -> TurnSearcher:
        """The open Whoosh searcher with its warm filter caches (opened on first use)."""
        if self._searcher is None:
            try:
                self._searcher = self._open_searcher()
            except CorruptIndexError:
                # an update switched generations and removed ours between `open` and now
                if not self._follow_switch():
                    raise
                self._searcher = self._open_searcher()
        return self._searcher

    def _open_searcher(self) -> TurnSearcher:
        documents = store.Documents(store.open_store(self.gen_dir))  # hits' texts: same generation
        try:
            ix = store.open_whoosh(self.gen_dir)
            with store.reading(self.index_dir):
                return TurnSearcher(ix, lambda: self.registry, documents=documents)
        except BaseException:
            documents.close()
            raise

    @property
    def docs(self) -> Any:
        """The document store, opened on first use (following a switch made since `open`)."""
        if self._docs is None:
            try:
                self._docs = store.open_store(self.gen_dir)
            except CorruptIndexError:
                if not self._follow_switch():
                    raise
                self._docs = store.open_store(self.gen_dir)
        return self._docs

    def _follow_switch(self) -> bool:
        """True when an update switched generations (and removed ours) since `open`."""
        meta = store.read_meta(self.index_dir)
        if meta["current"] == self.meta["current"]:
            return False
        self.meta, self.gen_dir = meta, os.path.join(self.index_dir, str(meta["current"]))
        return True

    def search(
        self,
        text: str = "",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
        not_speaker: str | Sequence[str] | None = None,
        participant: str | Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        context: int = 0,
        exact: bool = False,
        strict: bool = True,
    ) -> SearchResults:
        """Turns matching `text` within the filters, best first (or oldest first: `sort="date"`).

        `text` is the query language of `searcher.query` (fields, phrases, AND/OR/NOT…);
        place names also find their other forms ("South Korea": "South Korean", "ROK") unless
        `exact`. `strict=False` repairs syntax mistakes and reports them in `notes`.
        Dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a record matches when its date range
        overlaps the period asked for. `speaker`, `topic` and `place` take one value or several
        (any of them). `context=N` attaches the N turns before and after each hit.
        Speakers are named in any known spelling ("Chou En-lai", "PM Chou", "Zhou Enlai").
        `not_speaker` drops the turns of these speakers; `participant` keeps only records in
        which each of these people takes part, as a speaker or a listed participant.
        """
        filters = self._filters(speaker, date_from, date_to, topic, place)._replace(
            not_speakers=as_tuple(not_speaker),
            participants=as_tuple(participant),
        )
        searcher = self.searcher
        with store.reading(self.index_dir):
            results = searcher.search(
                text, filters, limit=limit, offset=offset, sort=sort, exact=exact, strict=strict
            )
        results = self._cited(results)
        return self._with_context(results, context) if context > 0 else results

    def _filters(
        self,
        speaker: str | Sequence[str] | None,
        date_from: str | None,
        date_to: str | None,
        topic: str | Sequence[str] | None,
        place: str | Sequence[str] | None,
    ) -> Filters:
        return Filters(
            speakers=as_tuple(speaker),
            date_from=date_from,
            date_to=date_to,
            topics=self._topics(topic),
            places=as_tuple(place),
        )

    def _with_context(self, results: SearchResults, n: int) -> SearchResults:
        """Each hit with the `n` turns before and after it in its record."""
        hits = []
        for hit in results.hits:
            with store.reading(self.index_dir):
                doc = self.searcher.documents.get(hit.doc_id)
            if doc is None:
                raise NotFoundError(f"No document {hit.doc_id!r} in {self.index_dir}")
            at = next((i for i, t in enumerate(doc.turns) if t.n == hit.turn), None)
            if at is None:
                hits.append(replace(hit, context_before=(), context_after=()))
                continue
            before, after = doc.turns[max(0, at - n) : at], doc.turns[at + 1 : at + 1 + n]
            hits.append(replace(hit, context_before=before, context_after=after))
        return replace(results, hits=tuple(hits))

    def explain(self, text: str, *, exact: bool = False, strict: bool = True) -> str:
        """The query as the engine runs it: parsed, place names expanded, as a Whoosh query."""
        return self.searcher.compile(text.strip(), exact=exact, strict=strict).explain()

    def count(
        self,
        text: str = "",
        by: CountBy = "speaker",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
        exact: bool = False,
        strict: bool = True,
    ) -> list[Count]:
        """Matching turns counted by speaker (with a rate per 10,000 words that speaker spoke),
        year, topic, place (named in the turn, or the record's places) or document."""
        from .counts import COUNT_BY

        if by not in COUNT_BY:
            raise QuerySyntaxError(f"cannot count by {by!r}: choose {', '.join(COUNT_BY)}")
        docs = self._matching(text, speaker, date_from, date_to, topic, place, exact, strict)
        with store.reading(self.index_dir):
            return self.searcher.count(docs, by)

    def timeline(
        self,
        text: str = "",
        by: PeriodBy = "year",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
        exact: bool = False,
        strict: bool = True,
    ) -> Timeline:
        """Matching turns per year or month, from the first to the last, gaps included."""
        if by not in ("year", "month"):
            raise QuerySyntaxError(f"cannot make a timeline by {by!r}: choose year or month")
        docs = self._matching(text, speaker, date_from, date_to, topic, place, exact, strict)
        with store.reading(self.index_dir):
            dated = self.searcher.dates(docs)
        precision: dict[str, str] = {}
        if by == "month":
            for doc_id in {d for d, _ in dated}:
                precision[doc_id] = self.document(doc_id).date.precision
        rows = (
            (d, dt.date.fromisoformat(iso) if iso else None, precision.get(d, "day"))
            for d, iso in dated
        )
        from .counts import timeline as make_timeline

        return make_timeline(rows, by)

    def _matching(
        self,
        text: str,
        speaker: str | Sequence[str] | None,
        date_from: str | None,
        date_to: str | None,
        topic: str | Sequence[str] | None,
        place: str | Sequence[str] | None,
        exact: bool,
        strict: bool,
    ) -> set[int] | None:
        filters = self._filters(speaker, date_from, date_to, topic, place)
        if not text.strip() and not filters.any():
            raise QuerySyntaxError("empty query: give words to search for, or a filter")
        with store.reading(self.index_dir):
            docs, _ = self.searcher.select(text, filters, exact=exact, strict=strict)
        return docs

    def _topics(self, topic: str | Sequence[str] | None) -> tuple[str, ...]:
        """`topic` with the slugs its names stand for; the names are read only when asked."""
        topics = as_tuple(topic)
        return self._topic_names().expand(topics) if topics else ()

    def _topic_names(self) -> TopicNames:
        from .topics import TopicNames

        if self._names is None or self._names[0] != self.gen_dir:
            self._names = (self.gen_dir, TopicNames.load(self.gen_dir))
        return self._names[1]

    def _select(
        self,
        text: str,
        speaker: str | Sequence[str] | None,
        date_from: str | None,
        date_to: str | None,
        topic: str | Sequence[str] | None,
        place: str | Sequence[str] | None,
    ) -> tuple[TurnSearcher, set[int] | None]:
        f = Filters(
            speakers=as_tuple(speaker),
            date_from=date_from,
            date_to=date_to,
            topics=self._topics(topic),
            places=as_tuple(place),
        )
        searcher = self.searcher
        with store.reading(self.index_dir):
            docs, _ = searcher.select(text, f)
        return searcher, docs

    def topics(
        self,
        text: str = "",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
    ) -> list[TopicCount]:
        """Topics of the turns matching `text` within the filters (those of `search`), with
        turn and record counts: derived topics first, then the archives' own tags."""
        from .topics import TopicCount

        searcher, docs = self._select(text, speaker, date_from, date_to, topic, place)
        names = self._topic_names().names
        with store.reading(self.index_dir):
            own = searcher.term_counts("derived_topics", docs)
            inherited = searcher.term_counts("inherited_topics", docs)
            tags = searcher.term_counts("archive_topics", docs)
        out = [
            TopicCount(
                "derived",
                slug,
                names.get(slug, slug),
                own.get(slug, (0, 0))[0],
                own.get(slug, inherited.get(slug, (0, 0)))[1],
                inherited.get(slug, (0, 0))[0],
            )
            for slug in own.keys() | inherited.keys()
        ]
        out += [TopicCount("archive", k, k, n, d) for k, (n, d) in tags.items()]
        out.sort(key=lambda c: (c.kind != "derived", -c.turns, -c.inherited, c.key))
        return out

    def phrases(
        self,
        text: str = "",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
        limit: int = 20,
        min_count: int | None = None,
    ) -> list[Phrase]:
        """The two- and three-word phrases most particular to the turns matching `text`
        within the filters, against the whole index. `min_count` defaults to 2 (1 when the
        selection is small)."""
        from .phrases import distinctive

        searcher, docs = self._select(text, speaker, date_from, date_to, topic, place)
        if docs is not None and not docs:
            return []
        with store.reading(self.index_dir):
            selected = searcher.texts(docs)
            corpus = selected if docs is None else searcher.texts(None)
        return distinctive(selected, corpus, limit=limit, min_count=min_count)

    def document(self, doc_id: str) -> Transcript:
        """The whole transcript, turns numbered and speakers resolved."""
        with store.reading(self.index_dir):
            if self._searcher is not None:  # its cache holds the records of recent hits
                doc = self._searcher.documents.get(doc_id)
            else:
                doc = store.load_document(self.docs, doc_id)
        if doc is None:
            raise NotFoundError(f"No document {doc_id!r} in {self.index_dir}")
        return doc

    def speakers(self, query: str | None = None) -> list[SpeakerSummary]:
        """Canonical speakers (those matching `query`, any spelling) with their turn and
        record counts, dates and the labels resolved to each, so a wrong merge shows."""
        with store.reading(self.index_dir):
            docs = [d for d in (store.load_document(self.docs, i) for i in self.docs.ids()) if d]
        from .speakers import summarize

        return summarize(docs, query, self.registry)

    def citation(self, doc_id: str) -> Citation:
        """How to cite a record (Chicago, RIS, BibTeX); cached, as hits share their record's."""
        if doc_id not in self._citations:
            from .cite import cite  # imported when citations are asked for, not by every search

            self._citations[doc_id] = cite(self.document(doc_id))
        return self._citations[doc_id]

    def _cited(self, results: SearchResults) -> SearchResults:
        hits = tuple(replace(h, citation=self.citation(h.doc_id).chicago()) for h in results.hits)
        return replace(results, hits=hits)

    def close(self) -> None:
        """Release the index files; `with Archive.open(...)` does it for you."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._docs is not None:
            self._docs.close()
            self._docs = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
