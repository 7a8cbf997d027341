"""Domain exceptions: each says what went wrong and, where there is one, the fix."""

from __future__ import annotations


class SearcherError(Exception):
    """Base of every error the library raises on purpose."""


class NoIndexError(SearcherError):
    """No index in the directory yet; the message says how to build one."""

    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"No index in {index_dir} — run: searcher index corpus/ --index {index_dir}"
        )
        self.index_dir = index_dir


class IndexVersionError(SearcherError):
    """The index was written by another version of searcher; rebuilding fixes it."""

    def __init__(self, index_dir: str, found: object, expected: int) -> None:
        super().__init__(
            f"The index in {index_dir} has format version {found}, this searcher reads version "
            f"{expected} — run: searcher index --rebuild --index {index_dir}"
        )


class NotAnIndexError(SearcherError):
    """A directory that holds something other than a searcher index (never deleted)."""


class CorruptIndexError(SearcherError):
    pass


class IndexLockedError(SearcherError):
    pass


class QuerySyntaxError(SearcherError):
    """A query that would silently mean something else (unbalanced quote, dangling AND…)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"Query syntax error{where}: {message}")
        self.position = position


class DateError(SearcherError):
    """A date the user gave that is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""


class ReadError(SearcherError):
    """A file that cannot be read as a transcript; it is skipped, never fatal to a run."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")
        self.path, self.reason, self.line = path, reason, line


class NotFoundError(SearcherError):
    """No record with the id asked for."""
