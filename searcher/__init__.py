"""searcher: full-text search over Cold War transcripts, by speaker, date and topic.

from searcher import Archive
archive = Archive.build(["corpus"], "index")
for hit in archive.search("South Korea", speaker="Gorbachev").hits:
    print(hit.speaker, hit.date, hit.snippet)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    DateError,
    IndexVersionError,
    NoIndexError,
    NotFoundError,
    QuerySyntaxError,
    ReadError,
    SearcherError,
)
from .model import DateRange, Hit, Participant, SearchResults, Speaker, Transcript, Turn

if TYPE_CHECKING:
    from .archive import Archive
    from .build import BuildReport, Progress, Skipped

    __version__: str


def __getattr__(name: str) -> Any:
    """Loaded on first use, so a search from the terminal does not import the indexing side
    (readers, writer) or `importlib.metadata`, and `searcher --help` not even the searching
    side."""
    if name == "Archive":
        from .archive import Archive

        return Archive
    if name in ("BuildReport", "Progress", "Skipped"):
        from . import build

        return getattr(build, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("searcher")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Archive",
    "BuildReport",
    "DateError",
    "DateRange",
    "Hit",
    "IndexVersionError",
    "NoIndexError",
    "NotFoundError",
    "Participant",
    "Progress",
    "QuerySyntaxError",
    "ReadError",
    "SearchResults",
    "SearcherError",
    "Skipped",
    "Speaker",
    "Transcript",
    "Turn",
    "__version__",
]
