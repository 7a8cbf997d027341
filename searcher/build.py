"""From files on disk to a new index generation: read, resolve speakers, store every turn."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import index as store
from .errors import ReadError
from .model import Transcript
from .readers import iter_files, read_order, stream_file
from .speakers import (
    Registry,
    document_keys,
    overrides_text,
    registry_for,
    resolve,
    save_overrides,
    stored_overrides,
)
from .topics import Matcher, derive, taxonomy_for

#: parser processes; Whoosh writing stays in the calling process
WORKERS = 2
#: fewer files than this are parsed in-process: a pool costs more than it saves
PARALLEL_MIN = 32
CHUNK = 8
#: files this large are read in the writer's process a transcript at a time, not whole in a
#: parser process and sent back: a TEI volume of any size then costs bounded memory
STREAM_MIN = 4 << 20


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
    #: files this run reads (unchanged files of an update are not counted)
    files_total: int = 0


@dataclass
class BuildReport:
    """What a build did; on an update, `files`, `documents` and `turns` count what was re-read."""

    files: int = 0
    documents: int = 0
    turns: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    unchanged: int = 0
    removed: int = 0
    commit_seconds: float = 0.0

    def summary(self) -> str:
        """One line for the user: files and turns indexed, unchanged, removed, skipped."""
        s = f"{self.files} files indexed ({self.turns} turns)"
        if self.unchanged or self.removed:
            s += f", {self.unchanged} unchanged, {self.removed} removed"
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
    rebuild: bool = False,
    workers: int = WORKERS,
) -> BuildReport:
    """Index `paths` into a new generation of `index_dir`, then switch to it atomically.

    An existing index is updated: only new and changed files are read, turns of files gone
    from `paths` are deleted, the rest is carried over. `rebuild` starts from nothing.
    """
    started = time.monotonic()
    report = BuildReport()
    paths = list(paths)
    registry = registry or registry_for(paths)
    matcher = Matcher(taxonomy_for(paths))
    store.check_index_dir(index_dir)  # before the lock file is created in someone's folder
    with store.writer_lock(index_dir, wait):
        store.check_index_dir(index_dir)
        current = _current_generation(index_dir)
        store.remove_stale_generations(index_dir, keep=current)  # left by an interrupted run
        old_dir = os.path.join(index_dir, current) if current and not rebuild else None
        if old_dir and stored_overrides(old_dir) != overrides_text(registry):
            old_dir = None  # corrected people apply to every record: read them all again
        manifest = _manifest(old_dir) if old_dir else None
        plan = _plan(read_order(iter_files(paths)), manifest, report)
        if plan.incremental and not plan.changes():
            report.seconds = time.monotonic() - started
            return report
        gen = store.new_generation(index_dir)
        gen_dir = os.path.join(index_dir, gen)
        try:
            if plan.incremental and old_dir:
                _copy_generation(old_dir, gen_dir)
            matcher.taxonomy.save(gen_dir)
            save_overrides(registry, gen_dir)
            stats = _write(plan, gen_dir, format, registry, report, progress, workers, matcher)
            report.seconds = time.monotonic() - started
            store.switch_generation(index_dir, gen, stats)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
    return report


def optimize(index_dir: str, *, wait: float = 0.0) -> int:
    """Merge the index into one segment (updates add segments); returns the segments before."""
    with store.writer_lock(index_dir, wait):
        current = str(store.read_meta(index_dir)["current"])
        old_dir = os.path.join(index_dir, current)
        store.remove_stale_generations(index_dir, keep=current)
        gen = store.new_generation(index_dir)
        gen_dir = os.path.join(index_dir, gen)
        try:
            _copy_generation(old_dir, gen_dir)
            ix = store.open_whoosh(gen_dir)
            before = len(ix._segments())
            ix.writer(limitmb=256).commit(optimize=True)
            _fsync_tree(gen_dir)
            meta = store.read_meta(index_dir)
            stats: dict[str, Any] = {
                k: meta[k] for k in ("files", "documents", "turns") if k in meta
            }
            store.switch_generation(index_dir, gen, stats)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
    return before


def _current_generation(index_dir: str) -> str | None:
    try:
        return str(store.read_meta(index_dir)["current"])
    except Exception:  # no index yet, or one of another version: it is replaced whole
        return None


def _manifest(gen_dir: str) -> dict[str, store.FileRecord] | None:
    """The files the current generation was built from; None when it cannot be updated."""
    try:
        con = store.open_store(gen_dir)
        try:
            return store.load_files(con)
        finally:
            con.close()
    except Exception:  # damaged or older layout: rebuild from scratch
        return None


@dataclass
class _Plan:
    """What an index run does: files to read, records to keep, documents to delete."""

    incremental: bool
    read: list[str] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    keep: dict[str, store.FileRecord] = field(default_factory=dict)
    touched: list[store.FileRecord] = field(default_factory=list)
    drop: list[store.FileRecord] = field(default_factory=list)

    def changes(self) -> bool:
        return bool(self.read or self.touched or self.drop)


def _plan(
    items: list[str | ReadError], old: dict[str, store.FileRecord] | None, report: BuildReport
) -> _Plan:
    """Compare files on disk with the manifest: size and mtime first, content hash if they moved."""
    plan = _Plan(incremental=old is not None)
    old = old or {}
    listed = set()
    for item in items:
        if isinstance(item, ReadError):
            plan.errors.append(item)
            continue
        listed.add(item)
        rec = old.get(item)
        try:
            st = os.stat(item)
        except OSError:
            st = None
        if rec is not None and st is not None and st.st_size == rec.size:
            if st.st_mtime == rec.mtime:
                plan.keep[item] = rec
                continue
            if file_digest(item) == rec.sha1:  # touched, not changed
                plan.keep[item] = rec
                plan.touched.append(
                    store.FileRecord(item, rec.size, st.st_mtime, rec.sha1, rec.docs)
                )
                continue
        plan.read.append(item)
        if rec is not None:
            plan.drop.append(rec)
    plan.drop += [rec for path, rec in old.items() if path not in listed]
    report.unchanged = len(plan.keep)
    report.removed = sum(1 for path in old if path not in listed)
    return plan


def _copy_generation(src: str, dst: str) -> None:
    """Carry the current generation over: immutable segment files are hard-linked, the TOC
    and the document store (both rewritten by an update) are copied."""
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if not os.path.isfile(s) or name.endswith("WRITELOCK"):
            continue
        if name == store.DOCS or name.endswith(".toc"):
            shutil.copy2(s, d)
            continue
        try:
            os.link(s, d)
        except OSError:  # a file system without hard links
            shutil.copy2(s, d)


@dataclass(slots=True)
class _Parsed:
    """One file for the writer: its transcripts read whole by a parser process, or streamed
    in this one. `skipped` is set when reading failed, possibly part-way (after some)."""

    path: str
    record: store.FileRecord | None
    transcripts: Iterable[Transcript] = ()
    warnings: tuple[str, ...] = ()
    skipped: Skipped | None = None


def _stream(path: str, format: str | None, registry: Registry | None, matcher: Matcher) -> _Parsed:
    """Open one file; its transcripts are read, resolved and given topics as they are used."""
    try:
        st = os.stat(path)
        digest = file_digest(path)
        stream = stream_file(path, format)
    except ReadError as e:
        return _Parsed(path, None, skipped=Skipped(e.path, e.reason, e.line))
    except OSError as e:
        return _Parsed(path, None, skipped=Skipped(path, e.strerror or str(e)))
    rec = store.FileRecord(path, st.st_size, st.st_mtime, digest, ())
    parsed = _Parsed(path, rec, warnings=tuple(stream.warnings))
    parsed.transcripts = _resolved(stream.transcripts, parsed, registry, matcher)
    return parsed


def _resolved(
    docs: Iterable[Transcript], parsed: _Parsed, registry: Registry | None, matcher: Matcher
) -> Iterator[Transcript]:
    try:
        for doc in docs:
            yield derive(resolve(doc, registry), matcher)
    except ReadError as e:  # malformed XML near the end of a volume: stop there
        parsed.skipped = Skipped(e.path, e.reason, e.line)


def _parse(path: str, format: str | None, registry: Registry | None, matcher: Matcher) -> _Parsed:
    """Read one file whole, resolve speakers, derive topics: the part that parallelizes."""
    parsed = _stream(path, format, registry, matcher)
    parsed.transcripts = tuple(parsed.transcripts)
    return parsed


_WORKER: dict[str, Any] = {}


def _init_worker(format: str | None, registry: Registry | None, matcher: Matcher) -> None:
    _WORKER.update(format=format, registry=registry, matcher=matcher)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A writer killed with SIGKILL cannot stop its parsers: they notice and leave."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _parse_chunk(paths: list[str]) -> list[_Parsed]:
    return [_parse(p, _WORKER["format"], _WORKER["registry"], _WORKER["matcher"]) for p in paths]


def _jobs(paths: list[str]) -> Iterator[str | list[str]]:
    """Chunks of small files for the parser processes; a large file alone, to be streamed."""
    chunk: list[str] = []
    for path in paths:
        try:
            large = os.path.getsize(path) >= STREAM_MIN
        except OSError:
            large = False  # reported when it is read
        if large:
            if chunk:
                yield chunk
                chunk = []
            yield path
            continue
        chunk.append(path)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse_all(
    paths: list[str],
    format: str | None,
    registry: Registry | None,
    matcher: Matcher,
    workers: int,
) -> Iterator[_Parsed]:
    """Parsed files in order; a few chunks ahead in `workers` processes, so memory stays flat.

    Large files are streamed here while the parsers work on the chunks after them.
    """
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        for p in paths:
            yield _stream(p, format, registry, matcher)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = _jobs(paths)
    pool = ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(format, registry, matcher)
    )

    def submit(job: str | list[str]) -> str | Future[list[_Parsed]]:
        if isinstance(job, str):
            return job
        with _sigint_deferred():  # the first submit forks the workers and their manager
            return pool.submit(_parse_chunk, job)

    try:
        pending = deque(submit(job) for job in itertools.islice(jobs, workers * 4))
        while pending:
            head = pending.popleft()
            nxt = next(jobs, None)
            if nxt is not None:
                pending.append(submit(nxt))
            if isinstance(head, str):
                yield _stream(head, format, registry, matcher)
            else:
                yield from head.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Ctrl-C while the pool forks its workers would leave them waiting for a manager that
    never started, and the exiting writer waiting for them forever: SIGINT waits until then."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _write(
    plan: _Plan,
    gen_dir: str,
    format: str | None,
    registry: Registry | None,
    report: BuildReport,
    progress: Callable[[Progress], None] | None,
    workers: int,
    matcher: Matcher,
) -> dict[str, int]:
    """Write the plan into `gen_dir` (a fresh folder, or a copy of the current generation)."""
    from whoosh.filedb.filestore import FileStorage

    from .analysis import load_stems, save_stems, stem
    from .places import gazetteer

    _cache_missing_columns()
    storage = FileStorage(gen_dir, supports_mmap=False)
    ix = storage.open_index() if plan.incremental else storage.create_index(store.schema())
    if plan.incremental:
        load_stems(gen_dir)  # the carried-over words keep their stems in the saved map
    writer = ix.writer(limitmb=256)
    con = store.open_store(gen_dir, create=True)
    seen: dict[str, str] = {d: path for path, rec in plan.keep.items() for d in rec.docs}
    total = len(plan.read)
    try:
        for rec in plan.drop:
            for doc_id in rec.docs:
                writer.delete_by_term("doc_id", doc_id)
                con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            con.execute("DELETE FROM files WHERE path = ?", (rec.path,))
        for rec in plan.touched:
            store.store_file(con, rec)
        for error in plan.errors:
            unread = Skipped(error.path, error.reason, error.line)
            report.skipped.append(unread)
            if progress:
                progress(Progress(error.path, report.files, report.turns, unread, (), total))
        for parsed in _parse_all(plan.read, format, registry, matcher, workers):
            item, warnings = parsed.path, parsed.warnings
            ids = []
            for doc in parsed.transcripts:  # a large file is read as this loop goes
                if doc.id in seen:
                    warnings += (
                        f"{item}: document {doc.id} was already read from {seen[doc.id]}; "
                        "this copy is skipped",
                    )
                    continue
                seen[doc.id] = item
                _add(writer, con, doc, registry)
                ids.append(doc.id)
                report.documents += 1
                report.turns += len(doc.turns)
            record, skipped = parsed.record, parsed.skipped
            if record is not None and (skipped is None or ids):
                size = record.size
                if skipped is not None:
                    # stopped part-way: what was read stays indexed; size -1 makes the next
                    # update read the file again (and report it again)
                    docs = (
                        f"{len(ids)} documents before it are"
                        if ids[1:]
                        else "document before it is"
                    )
                    why = f"{skipped.reason}; the {docs} indexed"
                    skipped, size = Skipped(skipped.path, why, skipped.line), -1
                store.store_file(
                    con, store.FileRecord(item, size, record.mtime, record.sha1, tuple(ids))
                )
                report.files += 1
            if skipped:
                report.skipped.append(skipped)
            report.warnings.extend(warnings)
            if progress:
                progress(Progress(item, report.files, report.turns, skipped, warnings, total))
        con.commit()
        committing = time.monotonic()
        # a fresh build is one segment; an update adds one and merges only small ones
        writer.commit(merge=plan.incremental)
        report.commit_seconds = time.monotonic() - committing
        for word in gazetteer().words():  # place-name expansion then never imports NLTK
            stem(word)
        save_stems(gen_dir)
        stats = {
            "files": con.execute("SELECT count(*) FROM files").fetchone()[0],
            "documents": con.execute("SELECT count(*) FROM documents").fetchone()[0],
            "turns": storage.open_index().doc_count(),
        }
    except BaseException:
        if not writer.is_closed:  # an interrupt after the commit must not become a traceback
            writer.cancel()
        raise
    finally:
        con.close()
    _fsync_tree(gen_dir)
    return stats


def _cache_missing_columns() -> None:
    """Whoosh 2.7.4 re-checks a missing length column with `os.stat` for every posting of
    every ID, KEYWORD and NUMERIC field (about a fifth of a build): remember the miss too.
    Segment files never change once written, so the answer cannot go stale."""
    from whoosh.codec.whoosh3 import W3PerDocReader

    if getattr(W3PerDocReader, "_searcher_patched", False):
        return

    def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
        if fieldname not in self._readers:
            found = self.has_column(fieldname)
            self._readers[fieldname] = self.column_reader(fieldname, column) if found else None
        return self._readers[fieldname]

    W3PerDocReader._cached_reader = cached_reader
    W3PerDocReader._searcher_patched = True


def _add(writer: object, con: object, doc: Transcript, registry: Registry | None) -> None:
    taking_part = ",".join(document_keys(doc, registry))  # for `--with`
    for turn in doc.turns:
        fields = store.turn_fields(doc, turn)
        fields["speaker_keys"] = ",".join(k for k in (fields.get("speaker_keys"), taking_part) if k)
        writer.add_document(**fields)  # type: ignore[attr-defined]
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
