"""searcher: full-text search over Cold War transcripts, by speaker, date and topic.

from searcher import Archive
archive = Archive.build(["corpus"], "index")
for hit in archive.search("South Korea", speaker="Gorbachev").hits:
    print(hit.speaker, hit.date, hit.snippet)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .archive import Archive
from .build import BuildReport, Progress, Skipped
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

try:
    __version__ = version("searcher")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
