"""Readers turn files into `Transcript`s: one module per format, chosen by content.

Each text format module has `looks_like(text) -> bool` and `read(text, path) -> list[Transcript]`;
XML formats read from the path, one transcript at a time. `stream_file` picks the reader and
turns every failure, even one met part-way through a volume, into a `ReadError` naming the
file, so one bad file never stops a run; `read_file` is the same, read whole.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from ..errors import ReadError
from ..model import Transcript
from . import frus, hsg, jsonl, plain, wilson
from .text import HEAD_BYTES, decode, read_bytes, read_head

#: text formats in detection order: the first whose `looks_like` says yes reads the file
#: (plain is last: it accepts any text with front matter or two speaker labels)
TEXT_READERS: dict[str, ModuleType] = {"wilson": wilson, "hsg": hsg, "jsonl": jsonl, "plain": plain}
#: formats read from the path rather than from decoded text, lazily: a volume of any size
#: is never held whole in memory
PATH_READERS: dict[str, Callable[[str], Iterator[Transcript]]] = {"frus": frus.iter_transcripts}
#: sniffers for path formats: (name, test on the first bytes)
PATH_SNIFFERS: list[tuple[str, Callable[[bytes, str], bool]]] = [("frus", frus.sniff)]
#: which copy of a document wins when two files hold the same id (higher is richer)
FORMAT_RANK = {"frus": 3, "jsonl": 2, "wilson": 1, "hsg": 1, "plain": 0}

#: file endings read when walking a folder; explicit file arguments are always read
EXTENSIONS = (".txt", ".text", ".md", ".xml", ".jsonl")
#: file names in a corpus folder that are configuration or documentation, not transcripts
NOT_TRANSCRIPTS = frozenset({"readme.md", "readme.txt", "manifest.tsv", "license", "license.txt"})


def formats() -> list[str]:
    return [*PATH_READERS, *TEXT_READERS]


@dataclass
class ReadResult:
    path: str
    format: str
    transcripts: list[Transcript]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Stream:
    """A file being read: its transcripts come one at a time, and may stop with a
    `ReadError` part-way (malformed XML near the end of a volume)."""

    path: str
    format: str
    transcripts: Iterator[Transcript]
    warnings: list[str] = field(default_factory=list)


def read_file(path: str, format: str | None = None) -> ReadResult:
    """Read one file whole; raises `ReadError` (never anything else) when it cannot be used."""
    stream = stream_file(path, format)
    return ReadResult(path, stream.format, list(stream.transcripts), stream.warnings)


def stream_file(path: str, format: str | None = None, data: bytes | None = None) -> Stream:
    """Open one file for reading transcript by transcript; raises `ReadError` (never anything
    else) when it cannot be used, now or while its transcripts are read. `data`: the file's
    bytes, when the caller has read them already (`read_bytes`: a build hashes them too)."""
    with _one_file(path):
        stream = _open(path, format, data)
    return Stream(path, stream.format, _guarded(path, stream.transcripts), stream.warnings)


@contextlib.contextmanager
def _one_file(path: str) -> Iterator[None]:
    try:
        yield
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(path, "nesting too deep to parse") from None
    except MemoryError:
        raise ReadError(path, "too large to parse in memory") from None
    except Exception as e:  # a reader bug must cost one file, not the run
        raise ReadError(path, f"could not be parsed ({type(e).__name__}: {e})") from e


def _guarded(path: str, transcripts: Iterator[Transcript]) -> Iterator[Transcript]:
    with _one_file(path):
        yield from transcripts


def _open(path: str, format: str | None, data: bytes | None = None) -> Stream:
    if format is not None and format not in formats():
        raise ReadError(path, f"unknown format {format!r} (known: {', '.join(formats())})")
    if format in PATH_READERS:
        return Stream(path, format, PATH_READERS[format](path))
    if format is None and PATH_SNIFFERS:
        head = read_head(path) if data is None else data[:HEAD_BYTES]
        for name, sniff in PATH_SNIFFERS:
            if sniff(head, path):
                return Stream(path, name, PATH_READERS[name](path))
    decoded = decode(read_bytes(path) if data is None else data, path)
    warnings = [f"{path}: {decoded.warning}"] if decoded.warning else []
    text = decoded.text
    if format is None:
        format = next((name for name, mod in TEXT_READERS.items() if mod.looks_like(text)), None)
        if format is None:
            raise ReadError(path, f"not a transcript in any known format ({', '.join(formats())})")
    transcripts = TEXT_READERS[format].read(text, path)
    if not any(t.turns for t in transcripts):
        raise ReadError(path, f"read as {format}, but no text was found in it")
    return Stream(path, format, iter(transcripts), warnings)


def read_order(items: Iterable[str | ReadError]) -> list[str | ReadError]:
    """XML files (FRUS TEI volumes) first, otherwise the order given.

    A document read twice keeps its first copy, so the richer TEI copy of a FRUS document
    must come before its history.state.gov page.
    """
    items = list(items)
    return sorted(items, key=lambda i: not (isinstance(i, str) and i.lower().endswith(".xml")))


def iter_files(paths: Iterable[str]) -> Iterator[str | ReadError]:
    """Files to read under `paths`, in a stable order; problems come back as `ReadError`s."""
    seen: set[str] = set()
    for top in paths:
        if not os.path.exists(top):
            yield ReadError(top, "no such file or directory")
            continue
        if not os.path.isdir(top):
            real = os.path.realpath(top)
            if real not in seen:
                seen.add(real)
                yield top
            continue
        yield from _walk(top, seen)


def _walk(folder: str, seen: set[str]) -> Iterator[str | ReadError]:
    """One folder's files, then its sub-folders', all sorted by name: entries of one
    `scandir` give names, paths and symlink flags without a system call per file."""
    real_folder = os.path.realpath(folder)
    if real_folder in seen:
        return  # a symlink loop or a folder already walked
    seen.add(real_folder)
    prefix = os.path.join(real_folder, "")
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as err:
        yield ReadError(str(err.filename or folder), f"folder not readable: {err.strerror or err}")
        return
    folders = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()  # follows a symlink, as os.walk(followlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            if not name.startswith("."):
                folders.append(entry.path)
            continue
        if name.startswith(".") or name.lower() in NOT_TRANSCRIPTS:
            continue
        if not name.lower().endswith(EXTENSIONS):
            continue
        real = os.path.realpath(entry.path) if entry.is_symlink() else prefix + name
        if real not in seen:
            seen.add(real)
            yield entry.path
    for sub in folders:
        yield from _walk(sub, seen)
