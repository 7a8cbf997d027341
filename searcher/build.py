"""From files on disk to a new index generation: read, resolve speakers, store every turn."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import multiprocessing
import os
import shutil
import signal
import stat
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from . import index as store
from .analysis import load_stems
from .errors import ReadError
from .model import Transcript
from .readers import iter_files, read_order, stream_file
from .readers.text import MAX_TEXT_BYTES, read_bytes
from .segments import SegmentBuilder
from .speakers import (
    Registry,
    document_keys,
    override_files,
    overrides_text,
    resolve,
    save_overrides,
    stored_overrides,
    with_overrides,
)
from .topics import Matcher, derive, taxonomy_for

#: worker processes: each reads, resolves and writes its own Whoosh segments
WORKERS = 2
#: fewer files than this are indexed in-process: a pool costs more than it saves
PARALLEL_MIN = 32
#: the bytes of files (or characters of text, for a streamed file) in one new segment: a
#: bound on the memory of inverting it, and a floor so a small corpus is not cut in crumbs.
#: Every segment holds its own entry for most words: at 8 MB, M built in 53.4 s (2 workers
#: peaking at 118 MB) against 41.6 s (177 MB) at 32 MB, and L's 40 segments made a search
#: look each new word up 40 times
SEGMENT_MAX = 32 << 20
SEGMENT_MIN = 1 << 20
#: an update merges the segments earlier updates left (fewer turns than this) into its own;
#: a build's segments (~68,000 turns each at SEGMENT_MAX) are left to `searcher optimize`
SMALL_SEGMENT = 2_000
#: files this large are read in the calling process a transcript at a time, not whole in a
#: worker and sent back: a TEI volume of any size then costs bounded memory
STREAM_MIN = 4 << 20
#: such a file starts a new segment every this many characters: a 32 MB segment inverted in
#: this process cost it ~250 MB on a 100 MB TEI volume (tests/test_frus.py)
STREAM_SEGMENT = 8 << 20


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
    # the bundled people are parsed only if something is read (~60 ms of an update that
    # changes nothing); user corrections are read now, and errors in them reported now
    texts = override_files(paths) if registry is None else []
    overrides = "\n".join(t for _, t in texts) if registry is None else overrides_text(registry)
    current = None if rebuild else _current_generation(index_dir)
    if current:  # stems are the same in every generation: known words (the taxonomy's too)
        load_stems(os.path.join(index_dir, current))  # then never import NLTK
    matcher = Matcher(taxonomy_for(paths))
    store.check_index_dir(index_dir)  # before the lock file is created in someone's folder
    with store.writer_lock(index_dir, wait):
        store.check_index_dir(index_dir)
        current = _current_generation(index_dir)
        store.remove_stale_generations(index_dir, keep=current)  # left by an interrupted run
        old_dir = os.path.join(index_dir, current) if current and not rebuild else None
        if old_dir and stored_overrides(old_dir) != overrides:
            old_dir = None  # corrected people apply to every record: read them all again
        manifest = _manifest(old_dir) if old_dir else None
        plan = _plan(read_order(iter_files(paths)), manifest, report)
        if plan.incremental and not plan.changes():
            report.seconds = time.monotonic() - started
            return report
        registry = registry or with_overrides(texts)
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
            _discard(index_dir, gen)
            raise
    return report


def _discard(index_dir: str, gen: str) -> None:
    """Remove an unfinished generation, unless `searcher.json` already names it: a Ctrl-C
    landing after the switch (while the old generation is being removed) must not take the
    new current one with it."""
    if _current_generation(index_dir) != gen:
        shutil.rmtree(os.path.join(index_dir, gen), ignore_errors=True)


def optimize(index_dir: str, *, wait: float = 0.0) -> int:
    """Merge the index into one segment (builds and updates write several); returns the
    segments before."""
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
            ix.writer(limitmb=256, codec=store.codec()).commit(optimize=True)
            _fsync_tree(gen_dir)
            meta = store.read_meta(index_dir)
            stats: dict[str, Any] = {
                k: meta[k] for k in ("files", "documents", "turns") if k in meta
            }
            store.switch_generation(index_dir, gen, stats)
        except BaseException:
            _discard(index_dir, gen)
            raise
    return before


def _current_generation(index_dir: str) -> str | None:
    try:
        return str(store.read_meta(index_dir)["current"])
    except Exception:  # no index yet, or one of another version: it is replaced whole
        return None


def _manifest(gen_dir: str) -> store.Manifest | None:
    """The files the current generation was built from; None when it cannot be updated."""
    try:
        return store.Manifest(gen_dir)
    except Exception:  # damaged or older layout: rebuild from scratch
        return None


@dataclass
class _Plan:
    """What an index run does: files to read, records to keep, documents to delete.
    Records are keyed by `store.manifest_key`; `keys` names the files to read that way."""

    manifest: store.Manifest | None
    read: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    errors: list[ReadError] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    touched: list[store.FileRecord] = field(default_factory=list)
    drop: list[store.FileRecord] = field(default_factory=list)

    @property
    def incremental(self) -> bool:
        return self.manifest is not None

    def changes(self) -> bool:
        return bool(self.read or self.touched or self.drop)

    def kept(self) -> dict[str, store.FileRecord]:
        """The records of the files kept, touched ones with their new mtime."""
        records = self.manifest.records() if self.manifest else {}
        kept = {key: records[key] for key in self.keep}
        kept.update((rec.path, rec) for rec in self.touched)
        return kept


def _plan(
    items: list[str | ReadError], manifest: store.Manifest | None, report: BuildReport
) -> _Plan:
    """Compare files on disk with the manifest: size and mtime first, content hash if they
    moved. Hashes and document lists are loaded only when a file changed or went away."""
    plan = _Plan(manifest)
    old = manifest.stats if manifest else {}
    listed = set()
    folders: dict[str, str] = {}
    for item in items:
        if isinstance(item, ReadError):
            plan.errors.append(item)
            continue
        key = store.manifest_key(item, folders)
        listed.add(key)
        known = old.get(key)
        try:
            st = os.stat(item)
        except OSError:
            st = None
        if known is not None and st is not None and st.st_size == known[0]:
            if st.st_mtime == known[1]:
                plan.keep.append(key)
                continue
            rec = manifest.records()[key] if manifest else None
            if rec and file_digest(item) == rec.sha1:  # touched, not changed
                plan.touched.append(rec._replace(mtime=st.st_mtime))
                continue
        plan.read.append(item)
        plan.keys[item] = key
        if known is not None and manifest:
            plan.drop.append(manifest.records()[key])
    removed = [path for path in old if path not in listed]
    if removed and manifest:
        plan.drop += [manifest.records()[path] for path in removed]
    report.unchanged = len(plan.keep) + len(plan.touched)
    report.removed = len(removed)
    return plan


def _copy_generation(src: str, dst: str) -> None:
    """Carry the current generation over: immutable segment files and document store parts
    are hard-linked, the TOC (rewritten by an update) is copied."""
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if not os.path.isfile(s) or name.endswith("WRITELOCK"):
            continue
        if name.endswith(".toc"):
            shutil.copy2(s, d)
            continue
        try:
            os.link(s, d)
        except OSError:  # a file system without hard links
            shutil.copy2(s, d)


@dataclass(slots=True)
class _Parsed:
    """One file: its transcripts read whole, or streamed as they are used. `skipped` is set
    when reading failed, possibly part-way (after some)."""

    path: str
    record: store.FileRecord | None
    transcripts: Iterable[Transcript] = ()
    warnings: tuple[str, ...] = ()
    skipped: Skipped | None = None


@dataclass(slots=True)
class _Indexed:
    """One file after indexing: each transcript with the segment and first document number
    its turns were written at (so that a duplicate can be deleted again), for the document
    store and the report. Small: this is what a worker sends back (each transcript already
    encoded for the store)."""

    path: str
    record: store.FileRecord | None
    docs: Iterable[tuple[store.Stored, Any, int]] = ()
    warnings: tuple[str, ...] = ()
    skipped: Skipped | None = None


def _stream(path: str, format: str | None, registry: Registry | None, matcher: Matcher) -> _Parsed:
    """Open one file; its transcripts are read, resolved and given topics as they are used."""
    try:
        st = os.stat(path)
        if st.st_size <= MAX_TEXT_BYTES:  # read once: hashed, then parsed
            data = read_bytes(path)
            digest = hashlib.sha1(data).hexdigest()
            stream = stream_file(path, format, data)
        else:  # an XML volume, parsed from its path
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


def _indexed(
    parsed: _Parsed, builder: SegmentBuilder, registry: Registry | None, split: int | None = None
) -> _Indexed:
    """`parsed` with its transcripts written into `builder` as they are read; a long file
    starts a new segment every `split` (default SEGMENT_MAX) characters, so memory stays
    bounded."""
    indexed = _Indexed(parsed.path, parsed.record, warnings=parsed.warnings)
    limit = SEGMENT_MAX if split is None else split

    def docs() -> Iterator[tuple[store.Stored, Any, int]]:
        for doc in parsed.transcripts:
            if builder.chars >= limit:
                builder.finish()
            yield (store.stored(doc), *_add(builder, doc, registry))
        indexed.skipped = parsed.skipped

    indexed.docs = docs()
    indexed.skipped = parsed.skipped  # a file that could not be opened at all
    return indexed


def _index_files(
    paths: list[str],
    builder: SegmentBuilder,
    format: str | None,
    registry: Registry | None,
    matcher: Matcher,
) -> Iterator[_Indexed]:
    """Read small files whole, one after the other, and write them as one segment: a job,
    here or in a worker."""
    for path in paths:
        indexed = _indexed(_stream(path, format, registry, matcher), builder, registry)
        indexed.docs = list(indexed.docs)
        yield indexed
    builder.finish()


_WORKER: dict[str, Any] = {}


def _init_worker(
    gen_dir: str,
    schema: Any,
    format: str | None,
    registry: Registry | None,
    matcher: Matcher,
    parent: int,
) -> None:
    from whoosh.filedb.filestore import FileStorage

    from .analysis import STEMS

    builder = SegmentBuilder(FileStorage(gen_dir, supports_mmap=False), schema, store.codec())
    # a job holds up to 32 MB of postings live, with few cycles to collect: the default
    # thresholds spent ~5% of a worker in collections (0.84 s of 25.9 on 16 MB, RSS unchanged
    # at 184 MB without them), traversing what was inherited from the parent as well
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    _WORKER.update(format=format, registry=registry, matcher=matcher, builder=builder)
    _WORKER["stems"] = len(STEMS.cache)
    # the writer's pid as it gave it: killed before this ran, this worker's parent is already
    # another (init), and waiting for that one to change would keep the worker forever
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A writer killed with SIGKILL cannot stop its parsers: they notice and leave."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _index_chunk(paths: list[str]) -> tuple[list[_Indexed], list[tuple[str, str]]]:
    """A worker's job: the files indexed into one segment, and the stems learned meanwhile
    (the parent saves them with the index)."""
    from .analysis import STEMS

    w = _WORKER
    done = list(_index_files(paths, w["builder"], w["format"], w["registry"], w["matcher"]))
    stems = list(itertools.islice(STEMS.cache.items(), w["stems"], None))
    w["stems"] = len(STEMS.cache)
    return done, stems


def _jobs(paths: list[str], workers: int) -> Iterator[str | list[str]]:
    """Groups of small files, one segment each; a large file alone, to be streamed.

    A group holds up to SEGMENT_MAX bytes, less on a small corpus so that every worker gets
    a few (fewer segments make faster searches; more keep both cores busy). Groups are cut
    at even shares of the bytes, as many as a multiple of `workers` where each stays at least
    SEGMENT_MIN, so the cores finish together: L's ten groups were nine of 32 MB and one of
    25, one core idle ~10 s at the end.
    """
    sizes = []
    for path in paths:
        try:
            sizes.append(os.path.getsize(path))
        except OSError:
            sizes.append(0)  # reported when it is read
    small = sum(s for s in sizes if s < STREAM_MIN)
    workers = max(workers, 1)
    limit = max(SEGMENT_MIN, min(SEGMENT_MAX, small // (2 * workers) + 1))
    groups = -(-small // limit)
    even = -(-groups // workers) * workers
    if small and small / even >= SEGMENT_MIN:  # not on a few MB: one or two small segments
        groups = even
    share = small / groups if small else limit
    chunk: list[str] = []
    done = 0  # bytes of small files so far
    cut = share  # the next group ends where `done` reaches this
    for path, size in zip(paths, sizes, strict=True):
        if size >= STREAM_MIN:
            if chunk:
                yield chunk
                chunk = []
            yield path
            continue
        chunk.append(path)
        done += size
        if done >= cut:
            yield chunk
            chunk = []
            cut = (done // share + 1) * share
    if chunk:
        yield chunk


def _index_all(
    paths: list[str],
    builder: SegmentBuilder,
    format: str | None,
    registry: Registry | None,
    matcher: Matcher,
    workers: int,
) -> Iterator[_Indexed]:
    """Files indexed in order; groups of small files a few jobs ahead in `workers`
    processes (each writes its own segments), so memory stays flat.

    Large files are streamed here, into `builder`, while the workers index the groups after
    them; stems the workers learn are added to this process's stems.
    """
    if workers <= 1 or len(paths) < PARALLEL_MIN:
        for job in _jobs(paths, 1):
            if isinstance(job, str):
                parsed = _stream(job, format, registry, matcher)
                yield _indexed(parsed, builder, registry, STREAM_SEGMENT)
                builder.finish()
            else:
                yield from _index_files(job, builder, format, registry, matcher)
        return
    from .analysis import STEMS

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = _jobs(paths, workers)
    initargs = (builder.storage.folder, builder.schema, format, registry, matcher, os.getpid())
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=initargs)

    def submit(job: str | list[str]) -> str | Future[Any]:
        if isinstance(job, str):
            return job
        with _sigint_deferred():  # the first submit forks the workers and their manager
            return pool.submit(_index_chunk, job)

    try:
        pending = deque(submit(job) for job in itertools.islice(jobs, workers * 2))
        while pending:
            head = pending.popleft()
            nxt = next(jobs, None)
            if nxt is not None:
                pending.append(submit(nxt))
            if isinstance(head, str):
                parsed = _stream(head, format, registry, matcher)
                yield _indexed(parsed, builder, registry, STREAM_SEGMENT)
                builder.finish()
            else:
                done, stems = head.result()
                for word, stemmed in stems:
                    STEMS.cache.setdefault(word, stemmed)
                yield from done
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
    from whoosh.writing import NO_MERGE

    from .analysis import load_stems, save_stems, stem
    from .places import gazetteer

    _cache_missing_columns()
    storage = FileStorage(gen_dir, supports_mmap=False)
    ix = storage.open_index() if plan.incremental else storage.create_index(store.schema())
    if plan.incremental:
        load_stems(gen_dir)  # the carried-over words keep their stems in the saved map
    writer = ix.writer(limitmb=256, codec=store.codec())
    builder = SegmentBuilder(storage, ix.schema, store.codec())
    segments: dict[str, Any] = {}  # new segments by id, in plan order
    part = store.StoreWriter(gen_dir)  # the document store's part for this generation
    files = plan.kept()  # the new manifest, once the files read are added
    seen: dict[str, str] = {d: path for path, rec in files.items() for d in rec.docs}
    total = len(plan.read)
    try:
        _delete(writer, [doc_id for rec in plan.drop for doc_id in rec.docs])
        for rec in plan.drop:
            for doc_id in rec.docs:
                part.remove(doc_id)
        for error in plan.errors:
            unread = Skipped(error.path, error.reason, error.line)
            report.skipped.append(unread)
            if progress:
                progress(Progress(error.path, report.files, report.turns, unread, (), total))
        for parsed in _index_all(plan.read, builder, format, registry, matcher, workers):
            item, warnings = parsed.path, parsed.warnings
            ids = []
            for doc, segment, first in parsed.docs:  # a large file is read as this loop goes
                if segment is not None:
                    segments.setdefault(segment.segment_id(), segment)
                if doc.id in seen:
                    warnings += (
                        f"{item}: document {doc.id} was already read from {seen[doc.id]}; "
                        "this copy is skipped",
                    )
                    for docnum in range(first, first + doc.turns):
                        segment.delete_document(docnum)
                    continue
                seen[doc.id] = item
                part.add(doc)
                ids.append(doc.id)
                report.documents += 1
                report.turns += doc.turns
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
                key = plan.keys[item]
                files[key] = store.FileRecord(key, size, record.mtime, record.sha1, tuple(ids))
                report.files += 1
            if skipped:
                report.skipped.append(skipped)
            report.warnings.extend(warnings)
            if progress:
                progress(Progress(item, report.files, report.turns, skipped, warnings, total))
        part.finish()
        store.save_files(gen_dir, files.values())
        committing = time.monotonic()
        # the new segments are added as written; an update merges only small old ones
        added = [seg for seg in segments.values() if seg.doc_count() > 0]
        policy = _merge_small if plan.incremental else NO_MERGE
        writer.commit(mergetype=lambda w, old: policy(w, old) + added)
        report.commit_seconds = time.monotonic() - committing
        for word in gazetteer().words():  # place-name expansion then never imports NLTK
            stem(word)
        save_stems(gen_dir)
        stats = {
            "files": len(files),
            "documents": len(seen),
            "turns": storage.open_index().doc_count(),
        }
    except BaseException:
        builder.abandon()  # first: the writer's cancel removes the temp folder they share
        if not writer.is_closed:  # an interrupt after the commit must not become a traceback
            writer.cancel()
        raise
    finally:
        part.close()
    _fsync_tree(gen_dir)
    return stats


def _delete(writer: Any, doc_ids: list[str]) -> None:
    """Delete the turns of `doc_ids` through one searcher: Whoosh's `delete_by_term` opens
    a reader of every segment per call (50,000 calls on L's 40 segments: hours)."""
    if not doc_ids:
        return
    from whoosh.query import Term

    with writer.searcher() as searcher:
        for doc_id in doc_ids:
            for docnum in searcher.docs_for_query(Term("doc_id", doc_id)):
                writer.delete_document(docnum)


def _merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """Merge policy of an update: only segments under SMALL_SEGMENT turns, and only when
    there are two. Whoosh's MERGE_SMALL also takes a build's segments: on L (40 segments)
    it merged 26 of them, turn by turn in Python, for over ten minutes."""
    from whoosh.reading import SegmentReader

    small = [seg for seg in segments if seg.doc_count_all() < SMALL_SEGMENT]
    if len(small) < 2:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg.doc_count_all() >= SMALL_SEGMENT]


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


def _add(builder: SegmentBuilder, doc: Transcript, registry: Registry | None) -> tuple[Any, int]:
    """Write one transcript's turns; returns their segment and first document number.

    Everyone taking part (`--with`) is indexed once, on the first turn, each key as often as
    the record has turns: the posting's frequency is the record's extent (a fifth of all
    postings when every turn carried them), and search.py expands it to the turns."""
    record = store.record_fields(doc)
    turns = [store.own_fields(turn, record) for turn in doc.turns]
    taking_part = document_keys(doc, registry)
    if turns and taking_part:
        own = turns[0].get("speaker_keys")
        keys = Counter(own.split(",") if own else ())  # each key once (`_speaker_keys`)
        keys.update(dict.fromkeys(taking_part, len(turns)))
        turns[0]["speaker_keys"] = keys
    return builder.add_record(store.shared_fields(doc, record), turns)


def _fsync_tree(path: str) -> None:
    """The new generation must be on disk before `searcher.json` points at it.

    Files hard-linked from the previous generation (`_copy_generation`) were synced when
    that one was written: only the new ones are (an update's are a few small files).
    """
    for name in os.listdir(path):
        full = os.path.join(path, name)
        st = os.lstat(full)
        if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
            fd = os.open(full, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
