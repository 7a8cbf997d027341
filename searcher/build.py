"""From files on disk to a new index generation: read, resolve speakers, store every turn."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import index as store
from .errors import ReadError
from .model import Transcript
from .readers import iter_files, read_file
from .speakers import Registry, resolve


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported after each file: for progress bars and per-file messages."""

    path: str
    files_done: int
    turns_done: int
    skipped: Skipped | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class BuildReport:
    files: int = 0
    documents: int = 0
    turns: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        s = f"{self.files} files indexed ({self.turns} turns)"
        return s + (f", {len(self.skipped)} skipped" if self.skipped else "")


def file_digest(path: str) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build(
    paths: Iterable[str],
    index_dir: str,
    *,
    format: str | None = None,
    wait: float = 0.0,
    registry: Registry | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> BuildReport:
    """Index `paths` into a new generation of `index_dir`, then switch to it atomically."""
    started = time.monotonic()
    report = BuildReport()
    with store.writer_lock(index_dir, wait):
        store.check_index_dir(index_dir)
        current = _current_generation(index_dir)
        store.remove_stale_generations(index_dir, keep=current)  # left by an interrupted run
        gen = store.new_generation(index_dir)
        gen_dir = os.path.join(index_dir, gen)
        try:
            _write(paths, gen_dir, format, registry, report, progress)
            report.seconds = time.monotonic() - started
            store.switch_generation(
                index_dir,
                gen,
                {"files": report.files, "documents": report.documents, "turns": report.turns},
            )
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
    return report


def _current_generation(index_dir: str) -> str | None:
    try:
        return str(store.read_meta(index_dir)["current"])
    except Exception:  # no index yet, or one of another version: it is replaced whole
        return None


def _write(
    paths: Iterable[str],
    gen_dir: str,
    format: str | None,
    registry: Registry | None,
    report: BuildReport,
    progress: Callable[[Progress], None] | None,
) -> None:
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(gen_dir, supports_mmap=False).create_index(store.schema())
    writer = ix.writer(limitmb=256)
    con = store.open_store(gen_dir, create=True)
    seen: dict[str, str] = {}
    try:
        for item in iter_files(paths):
            skipped: Skipped | None = None
            warnings: tuple[str, ...] = ()
            if isinstance(item, ReadError):
                skipped = Skipped(item.path, item.reason, item.line)
            else:
                try:
                    st = os.stat(item)
                    result = read_file(item, format)
                    digest = file_digest(item)
                except ReadError as e:
                    skipped = Skipped(e.path, e.reason, e.line)
                except OSError as e:
                    skipped = Skipped(item, e.strerror or str(e))
                else:
                    warnings = tuple(result.warnings)
                    ids = []
                    for doc in result.transcripts:
                        if doc.id in seen:
                            warnings += (
                                f"{item}: document {doc.id} was already read from {seen[doc.id]}; "
                                "this copy is skipped",
                            )
                            continue
                        seen[doc.id] = item
                        doc = resolve(doc, registry)
                        _add(writer, con, doc)
                        ids.append(doc.id)
                        report.documents += 1
                        report.turns += len(doc.turns)
                    store.store_file(
                        con, store.FileRecord(item, st.st_size, st.st_mtime, digest, tuple(ids))
                    )
                    report.files += 1
            if skipped:
                report.skipped.append(skipped)
            report.warnings.extend(warnings)
            if progress:
                path = item.path if isinstance(item, ReadError) else item
                progress(Progress(path, report.files, report.turns, skipped, warnings))
        con.commit()
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        con.close()
    _fsync_tree(gen_dir)


def _add(writer: object, con: object, doc: Transcript) -> None:
    for turn in doc.turns:
        writer.add_document(**store.turn_fields(doc, turn))  # type: ignore[attr-defined]
    store.store_document(con, doc)  # type: ignore[arg-type]


def _fsync_tree(path: str) -> None:
    """The new generation must be on disk before `searcher.json` points at it."""
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isfile(full):
            fd = os.open(full, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
