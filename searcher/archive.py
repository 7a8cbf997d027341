"""The library's front door: build an index from transcripts, open it, search it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import index as store
from .build import BuildReport, Progress, build
from .errors import NotFoundError
from .model import SearchResults, Transcript
from .search import Filters, TurnSearcher, as_tuple
from .speakers import Registry


class Archive:
    """An open index. Keep one per process and reuse it: its searcher and caches are warm.

    >>> archive = Archive.open("index")                       # doctest: +SKIP
    >>> archive.search("South Korea", speaker="Gorbachev")    # doctest: +SKIP
    """

    def __init__(self, index_dir: str, *, registry: Registry | None = None) -> None:
        meta = store.read_meta(index_dir)
        self.index_dir = index_dir
        self.meta = meta
        self.registry = registry
        self.gen_dir = os.path.join(index_dir, str(meta["current"]))
        self._searcher: TurnSearcher | None = None
        self._docs: Any = None
        #: what the last `build` did (set by `Archive.build`)
        self.report: BuildReport | None = None

    @classmethod
    def open(cls, index_dir: str = "index", *, registry: Registry | None = None) -> Archive:
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
    ) -> Archive:
        """Index `corpus_paths` (files or folders) into `index_dir` and open the result."""
        paths = [corpus_paths] if isinstance(corpus_paths, str) else list(corpus_paths)
        report = build(
            paths, index_dir, format=format, wait=wait, registry=registry, progress=progress
        )
        archive = cls(index_dir, registry=registry)
        archive.report = report
        return archive

    @property
    def searcher(self) -> TurnSearcher:
        if self._searcher is None:
            self._searcher = TurnSearcher(store.open_whoosh(self.gen_dir), self.registry)
        return self._searcher

    def search(
        self,
        text: str = "",
        *,
        speaker: str | Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        topic: str | Sequence[str] | None = None,
        place: str | Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResults:
        """Turns matching `text` (Whoosh query syntax) within the filters, best first.

        Dates are `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; a record matches when its date range
        overlaps the period asked for. `speaker`, `topic` and `place` take one value or several
        (any of them).
        """
        filters = Filters(
            speakers=as_tuple(speaker),
            date_from=date_from,
            date_to=date_to,
            topics=as_tuple(topic),
            places=as_tuple(place),
        )
        return self.searcher.search(text, filters, limit=limit, offset=offset)

    def document(self, doc_id: str) -> Transcript:
        """The whole transcript, turns numbered and speakers resolved."""
        if self._docs is None:
            self._docs = store.open_store(self.gen_dir)
        doc = store.load_document(self._docs, doc_id)
        if doc is None:
            raise NotFoundError(f"No document {doc_id!r} in {self.index_dir}")
        return doc

    def close(self) -> None:
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
