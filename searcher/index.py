"""Where turns are stored: the Whoosh schema, the document store, and atomic index updates.

An index directory holds `searcher.json` (format version and the current generation) and one
`gen-NNNNNN/` folder per generation: the Whoosh segment files, `docs-NNNN.sqlite` (whole
transcripts, in parts: `DocStore`) and `files.marshal` (the manifest of indexed files). An
update writes a new generation and then switches `searcher.json` with one atomic rename, so a
crash at any moment leaves the previous index intact and searchable.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import json
import marshal
import os
import pickle
import re
import shutil
import sqlite3
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .dates import day_number
from .errors import (
    CorruptIndexError,
    IndexLockedError,
    IndexVersionError,
    NoIndexError,
    NotAnIndexError,
)
from .model import Transcript, Turn, transcript_from_dict

FORMAT_VERSION = 6
META = "searcher.json"
#: generation folder names: only these are ever created or removed in an index directory
GENERATION = re.compile(r"gen-\d{6}")
LOCK = ".searcher.lock"
#: files an empty folder may hold and still become an index (the repo's index/README.md)
HARMLESS = frozenset({"README.md", ".gitkeep", ".gitignore", LOCK})
#: a day number for "date unknown": such turns never match a date filter (NUMERIC with
#: signed=False answers ranges wrongly in Whoosh 2.7.4, so fields stay signed)
NO_DAY_START, NO_DAY_END = 0, 0


def schema() -> Any:
    from whoosh import fields
    from whoosh.analysis import IDTokenizer

    from .analysis import text_analyzer
    from .postings import CompactPositions

    # the text, title, path and date of a hit come from the document store (`Documents`)
    text = fields.TEXT(analyzer=text_analyzer(), phrase=True)
    text.format = CompactPositions(field_boost=text.format.field_boost)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doc_id=fields.ID(stored=True),
        turn=fields.STORED(),
        text=text,
        # hidden: the postings of a common word that can rank in its best 100 (postings.py)
        text_top=fields.ID(),
        # hidden: where two common words stand side by side, for phrases (postings.py)
        text_pair=fields.FieldType(CompactPositions(), IDTokenizer()),
        speaker=fields.STORED(),
        speaker_id=fields.ID(stored=True),
        speaker_keys=fields.KEYWORD(commas=True, scorable=False),
        label=fields.STORED(),
        kind=fields.ID(stored=True),
        # columns answer date filters (search.py); 8-bit tiers halve the postings of the
        # default 4 and keep `date:` ranges to a few hundred terms
        day_start=fields.NUMERIC(int, bits=32, shift_step=8, sortable=True),
        day_end=fields.NUMERIC(int, bits=32, shift_step=8, sortable=True),
        # `topics` (the filter) covers all three kinds; the others keep them apart for counts
        topics=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
        archive_topics=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
        derived_topics=fields.KEYWORD(commas=True, scorable=False),
        inherited_topics=fields.KEYWORD(commas=True, scorable=False),
        places=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
    )


def codec() -> Any:
    """The codec every writer of an index passes to Whoosh (`ix.writer(codec=codec())`):
    posting blocks packed as arrays, a third of Whoosh's pickled blocks (postings.py)."""
    from .postings import CompactCodec

    return CompactCodec()


@functools.lru_cache(maxsize=8192)
def _topic_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    """Topic and place keys: the same few lists recur in every turn of a build."""
    from .topics import keys

    return tuple(keys(names))


@functools.lru_cache(maxsize=4096)
def _speaker_keys(speaker: Any) -> str:
    from .speakers import speaker_keys  # here: opening an index for a search needs no names

    return ",".join(speaker_keys(speaker))


class RecordFields(NamedTuple):
    """What every turn of one record carries of it, worked out once per record."""

    day_start: int
    day_end: int
    topics: tuple[str, ...]
    places: str


def record_fields(doc: Transcript) -> RecordFields:
    return RecordFields(
        day_number(doc.date.start) if doc.date.start else NO_DAY_START,
        day_number(doc.date.end) if doc.date.end else NO_DAY_END,
        _topic_keys(doc.topics),
        ",".join(_topic_keys(doc.places)),
    )


def shared_fields(doc: Transcript, record: RecordFields) -> dict[str, Any]:
    """What every Whoosh document of `doc`'s turns carries with the same value
    (`SegmentBuilder.add_record` indexes it once for all of them)."""
    fields: dict[str, Any] = {
        "doc_id": doc.id,
        "day_start": record.day_start,
        "day_end": record.day_end,
    }
    if record.topics:
        fields["archive_topics"] = ",".join(record.topics)
    if record.places:
        fields["places"] = record.places
    return fields


def own_fields(turn: Turn, record: RecordFields) -> dict[str, Any]:
    """The rest of one turn's Whoosh document: `shared_fields | own_fields`."""
    fields: dict[str, Any] = {
        "id": turn.id,
        "turn": turn.n,
        "text": turn.text,
        "kind": turn.kind,
    }
    own = (*turn.topics, *turn.inherited_topics)
    # the keys of a union are the union of the keys: each part is remembered on its own
    topics = _topic_keys(own) if own else ()
    if record.topics:
        topics = tuple(sorted({*record.topics, *topics})) if topics else record.topics
    if topics:
        fields["topics"] = ",".join(topics)
    if turn.topics:
        fields["derived_topics"] = ",".join(turn.topics)
    if turn.inherited_topics:
        fields["inherited_topics"] = ",".join(turn.inherited_topics)
    if turn.speaker is not None:
        fields["speaker"] = turn.speaker.name
        fields["speaker_id"] = turn.speaker.id
        fields["speaker_keys"] = _speaker_keys(turn.speaker)
    if turn.label:
        fields["label"] = turn.label
    return fields


def turn_fields(doc: Transcript, turn: Turn, record: RecordFields | None = None) -> dict[str, Any]:
    """One Whoosh document for one turn, carrying its transcript's metadata (`record`: its
    `record_fields`, when the caller adds many of its turns)."""
    r = record or record_fields(doc)
    return shared_fields(doc, r) | own_fields(turn, r)


# -- the index directory ---------------------------------------------------------------


def read_meta(index_dir: str) -> dict[str, Any]:
    path = os.path.join(index_dir, META)
    if not os.path.isdir(index_dir) or not os.path.exists(path):
        raise NoIndexError(index_dir)
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise damaged(index_dir, f"{META}: {e}") from None
    if not isinstance(meta, dict):
        raise damaged(index_dir, f"{META} holds no settings")
    if meta.get("format") != FORMAT_VERSION:
        raise IndexVersionError(index_dir, meta.get("format"), FORMAT_VERSION)
    current = meta.get("current")
    if not isinstance(current, str) or not GENERATION.fullmatch(current):
        raise damaged(index_dir, f"{META} names no generation")
    if not os.path.isdir(os.path.join(index_dir, current)):
        raise damaged(index_dir, f"its current generation {current}/ is missing")
    return meta


def damaged(index_dir: str, what: str) -> CorruptIndexError:
    """The one message for every kind of damage: what is wrong, and the command that fixes it."""
    return CorruptIndexError(
        f"The index in {index_dir} is damaged ({what}) — run: "
        f"searcher index --rebuild --index {index_dir}"
    )


@contextlib.contextmanager
def reading(index_dir: str) -> Iterator[None]:
    """Turn what a damaged file makes Whoosh or SQLite raise into a `CorruptIndexError`.

    Whoosh reads segment files lazily, so truncation can surface at search time as any of
    these; the original exception stays chained for `--traceback`.
    """
    try:
        yield
    except (
        OSError,
        EOFError,
        ValueError,
        IndexError,
        KeyError,
        struct.error,
        zlib.error,
        pickle.UnpicklingError,
        sqlite3.DatabaseError,
    ) as e:
        name = type(e).__name__
        if name == "error":  # struct.error, zlib.error
            name = f"{type(e).__module__}.error"
        raise damaged(index_dir, f"{name}: {e}") from e
    except Exception as e:
        # whoosh.index.EmptyIndexError, named so that this module does not import Whoosh:
        # the generation's table of contents is gone (removed by an update, or damaged)
        if type(e).__name__ != "EmptyIndexError":
            raise
        raise damaged(index_dir, f"{type(e).__name__}: {e}") from e


def check_index_dir(index_dir: str) -> bool:
    """True when `index_dir` is already an index; raises when it holds something else."""
    if not os.path.exists(index_dir):
        return False
    if not os.path.isdir(index_dir):
        raise NotAnIndexError(f"{index_dir} is a file, not an index directory")
    if os.path.exists(os.path.join(index_dir, META)):
        return True
    others = [n for n in os.listdir(index_dir) if n not in HARMLESS and not _is_generation(n)]
    if others:
        raise NotAnIndexError(
            f"{index_dir} is not a searcher index and is not empty ({others[0]} …): "
            "choose another --index directory"
        )
    return False


@contextlib.contextmanager
def writer_lock(index_dir: str, wait: float = 0.0) -> Iterator[None]:
    """One writer at a time; the OS drops the lock when a writer dies, so no stale locks.

    A POSIX record lock (`lockf`), not `flock`: it belongs to this process alone, so parser
    processes forked while it is held (and orphaned if the writer is killed) never keep it.
    """
    os.makedirs(index_dir, exist_ok=True)
    fd = os.open(os.path.join(index_dir, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"Another `searcher index` is updating {index_dir}; waited {wait:g} s — "
                        "try again later or pass --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_generation(index_dir: str, gen: str, stats: dict[str, Any]) -> None:
    """Make `gen` current with one atomic rename, then remove the generations left behind."""
    meta = {"format": FORMAT_VERSION, "current": gen, "updated": time.time(), **stats}
    tmp = os.path.join(index_dir, META + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(index_dir, META))
    _fsync_dir(index_dir)
    remove_stale_generations(index_dir, keep=gen)


def remove_stale_generations(index_dir: str, keep: str | None) -> None:
    for name in os.listdir(index_dir):
        if _is_generation(name) and name != keep:
            shutil.rmtree(os.path.join(index_dir, name), ignore_errors=True)


def _is_generation(name: str) -> bool:
    """Only names this module writes: a user's `gen-notes/` is never taken for one."""
    return GENERATION.fullmatch(name) is not None


def new_generation(index_dir: str) -> str:
    existing = [int(n[4:]) for n in os.listdir(index_dir) if _is_generation(n)]
    gen = f"gen-{max(existing, default=0) + 1:06d}"
    os.makedirs(os.path.join(index_dir, gen))
    return gen


# -- the document store ----------------------------------------------------------------

#: a generation's transcripts, in parts named `docs-NNNN.sqlite` (oldest first)
DOCS_PART = re.compile(r"^docs-(\d{4,})\.sqlite$")

#: zlib level of the stored transcripts: 0.385 of the JSON's size (level 6: 0.371) in 60% of
#: level 6's time (a build's workers compress every record); any level reads back the same
DOC_COMPRESSION = 3


def store_parts(gen_dir: str) -> list[str]:
    """The parts of a generation's store, oldest first."""
    names = [name for name in os.listdir(gen_dir) if DOCS_PART.match(name)]
    return sorted((os.path.join(gen_dir, name) for name in names), key=_part_number)


def _part_number(path: str) -> int:
    return int(os.path.basename(path)[5:].split(".")[0])


def _connect(path: str, create: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}" + ("" if create else "?mode=ro")
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    if create:
        con.executescript(
            """
            PRAGMA journal_mode=OFF;
            PRAGMA synchronous=OFF;
            CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT, body BLOB);
            CREATE TABLE removed (id TEXT PRIMARY KEY);
            """
        )
    return con


class DocStore:
    """Whole transcripts of one generation, read-only.

    The store is a chain of parts: an update writes what it adds and removes into a part of
    its own and hard-links the earlier ones (copying L's 222 MB store was most of a one-file
    update). The newest part that names a record decides: its copy, or its removal.
    """

    def __init__(self, gen_dir: str) -> None:
        #: newest first, the order a lookup asks them in
        self._parts: list[sqlite3.Connection] = []
        try:  # the generation may have been replaced (and removed) since it was chosen
            for path in reversed(store_parts(gen_dir)):
                self._parts.append(_connect(path))
        except (FileNotFoundError, sqlite3.OperationalError):
            self.close()
            self._parts = []
        if not self._parts:
            raise damaged(os.path.dirname(gen_dir), "the document store is missing")

    def body(self, doc_id: str) -> bytes | None:
        for con in self._parts:
            row = con.execute("SELECT body FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row:
                return bytes(row[0])
            if con.execute("SELECT 1 FROM removed WHERE id = ?", (doc_id,)).fetchone():
                return None
        return None

    def bodies(self) -> Iterator[tuple[str, bytes]]:
        """Every live record's id and body (`decode`)."""
        return self._live("id, body")

    def ids(self) -> list[str]:
        return sorted(doc_id for (doc_id,) in self._live("id"))

    def _live(self, columns: str) -> Iterator[Any]:
        """Rows of the live records, newest part first: a part's copies and removals hide
        the same ids in older parts."""
        hidden: set[str] = set()
        for con in self._parts:
            ids = []
            for row in con.execute(f"SELECT {columns} FROM documents"):
                ids.append(row[0])
                if row[0] not in hidden:
                    yield row
            hidden.update(ids)
            hidden.update(r for (r,) in con.execute("SELECT id FROM removed"))

    def close(self) -> None:
        for con in self._parts:
            con.close()


def open_store(gen_dir: str) -> DocStore:
    return DocStore(gen_dir)


def _encode(doc: Transcript) -> bytes:
    """The transcript's plain values pickled: a third faster than as JSON (~1.5% of a build's
    worker), for a store ~3% larger."""
    return zlib.compress(pickle.dumps(doc.to_dict(), 5), DOC_COMPRESSION)


def decode(body: bytes) -> dict[str, Any]:
    """A stored body's plain values (`Transcript.to_dict`'s); stores written before bodies
    were pickled hold JSON, which begins with "{"."""
    data = zlib.decompress(body)
    value = json.loads(data) if data[:1] == b"{" else pickle.loads(data)
    if not isinstance(value, dict):
        raise ValueError("a stored transcript is not a mapping")
    return value


class Stored(NamedTuple):
    """A transcript as the store keeps it. A build's workers encode what they read and send
    back this, a few compressed bytes, not the transcript: the writing process then neither
    unpickles a segment's worth of turns nor spends its one core on JSON."""

    id: str
    path: str
    body: bytes
    turns: int


def stored(doc: Transcript) -> Stored:
    return Stored(doc.id, doc.path, _encode(doc), len(doc.turns))


def load_document(docs: DocStore, doc_id: str) -> Transcript | None:
    body = docs.body(doc_id)
    return transcript_from_dict(decode(body)) if body else None


def all_documents(docs: DocStore) -> Iterator[Transcript]:
    for _, body in docs.bodies():
        yield transcript_from_dict(decode(body))


class StoreWriter:
    """The part an update (or a build) adds to the store carried over from the previous
    generation; small parts are folded together at `close`, so a chain stays short."""

    #: a part is folded into the newer ones when it is at most this many times their size
    FOLD = 2

    def __init__(self, gen_dir: str) -> None:
        self.gen_dir = gen_dir
        self._carried = store_parts(gen_dir)
        last = _part_number(self._carried[-1]) if self._carried else 0
        self.path = os.path.join(gen_dir, f"docs-{last + 1:04d}.sqlite")
        self._con = _connect(self.path, create=True)

    def add(self, doc: Stored) -> None:
        self._con.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?)", (doc.id, doc.path, doc.body)
        )

    def remove(self, doc_id: str) -> None:
        self._con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if self._carried:
            self._con.execute("INSERT OR IGNORE INTO removed VALUES (?)", (doc_id,))

    def finish(self) -> None:
        self._con.commit()
        self._con.close()
        self._fold()

    def close(self) -> None:
        """Without `finish`: the part is left unfinished, with the generation it was for."""
        self._con.close()

    def _fold(self) -> None:
        """Merge the newest parts with each older part not much larger than them together;
        sizes then grow geometrically and a chain holds O(log updates) parts."""
        parts = [*self._carried, self.path]
        size = os.path.getsize(self.path)
        fold = [self.path]
        for path in reversed(self._carried):
            if os.path.getsize(path) > self.FOLD * size:
                break
            fold.insert(0, path)
            size += os.path.getsize(path)
        if len(fold) == 1:
            return
        whole = fold[0] == parts[0]  # nothing older left to hide records from
        merged = self.path + ".fold"
        con = _connect(merged, create=True)
        with contextlib.closing(con):
            hidden: set[str] = set()
            for path in reversed(fold):
                with contextlib.closing(_connect(path)) as part:
                    rows = part.execute("SELECT id, path, body FROM documents").fetchall()
                    gone = [r for (r,) in part.execute("SELECT id FROM removed")]
                con.executemany(
                    "INSERT INTO documents VALUES (?, ?, ?)",
                    (r for r in rows if r[0] not in hidden),
                )
                hidden.update(r[0] for r in rows)
                if not whole:
                    con.executemany(
                        "INSERT OR IGNORE INTO removed VALUES (?)",
                        ((r,) for r in gone if r not in hidden),
                    )
                hidden.update(gone)
            con.commit()
        for path in fold:
            os.unlink(path)
        os.rename(merged, self.path)


class Documents:
    """Transcripts read from the document store for hits, snippets and context; the last
    few are kept, as the hits of one page (and a record's consecutive turns) share them.

    Turn texts and record metadata are not stored in the Whoosh index a second time.
    """

    def __init__(self, docs: DocStore, size: int = 64) -> None:
        #: the store of the same generation as the Whoosh index it serves
        self._docs = docs
        self._size = size
        self._cache: OrderedDict[str, tuple[Transcript, dict[int, Turn]] | None] = OrderedDict()

    def _entry(self, doc_id: str) -> tuple[Transcript, dict[int, Turn]] | None:
        cache = self._cache
        if doc_id in cache:
            cache.move_to_end(doc_id)
            return cache[doc_id]
        doc = load_document(self._docs, doc_id)
        entry = cache[doc_id] = (doc, {t.n: t for t in doc.turns}) if doc else None
        if len(cache) > self._size:
            cache.popitem(last=False)
        return entry

    def get(self, doc_id: str) -> Transcript | None:
        entry = self._entry(doc_id)
        return entry[0] if entry else None

    def turn(self, doc_id: str, n: int) -> Turn | None:
        entry = self._entry(doc_id)
        return entry[1].get(n) if entry else None

    def texts(self) -> Iterator[str]:
        """The text of every stored turn (no transcript objects are built)."""
        for _, body in self._docs.bodies():
            for turn in decode(body)["turns"]:
                yield turn["text"]

    def close(self) -> None:
        self._docs.close()


class FileRecord(NamedTuple):
    """One indexed file as the manifest remembers it: an update compares size and mtime,
    then the hash, and deletes `docs` when the file changed or went away. `path` is the
    file's key (`manifest_key`), not necessarily the path it was read by."""

    path: str
    size: int
    mtime: float
    sha1: str
    docs: tuple[str, ...]


#: the manifest of a generation, written with `marshal` in two parts: what an update that
#: changes nothing reads (path -> size, mtime: 50,000 files in ~50 ms; ~250 ms as SQLite rows
#: with a JSON list each), then the hashes and documents, read only when something changed
MANIFEST = "files.marshal"
_PART = struct.Struct("<Q")


class Manifest:
    """The files a generation was built from."""

    def __init__(self, gen_dir: str) -> None:
        with open(os.path.join(gen_dir, MANIFEST), "rb") as f:
            data = f.read()  # marshal.load(f) would read it object by object
        (size,) = _PART.unpack_from(data)
        version, stats = marshal.loads(memoryview(data)[_PART.size : _PART.size + size])
        if version != FORMAT_VERSION:
            raise ValueError(f"{MANIFEST} of format {version}")
        #: path -> (size, mtime), in the order the records were saved
        self.stats: dict[str, tuple[int, float]] = stats
        self._rest = memoryview(data)[_PART.size + size :]
        self._records: dict[str, FileRecord] | None = None

    def records(self) -> dict[str, FileRecord]:
        if self._records is None:
            sha1s, docs = marshal.loads(self._rest)
            self._records = {
                path: FileRecord(path, size, mtime, sha1, d)
                for (path, (size, mtime)), sha1, d in zip(
                    self.stats.items(), sha1s, docs, strict=True
                )
            }
        return self._records


def manifest_key(path: str, folders: dict[str, str]) -> str:
    """The manifest's name for a file: absolute, through its folder's real path. `corpus/x`,
    `./corpus/x`, `/abs/corpus/x` and the same file seen through a symlinked folder are one
    file; the index folder can move (keys do not depend on it), a moved corpus is read again.
    `folders` caches each folder's real path (one `realpath` per folder, not per file)."""
    folder, sep, name = path.rpartition(os.sep)
    folder = folder or sep  # "/x.txt": the root; "x.txt": the current folder
    real = folders.get(folder)
    if real is None:
        real = folders[folder] = os.path.join(os.path.realpath(folder or os.curdir), "")
    return real + name


def save_files(gen_dir: str, records: Iterable[FileRecord]) -> None:
    rows = list(records)
    stats = marshal.dumps((FORMAT_VERSION, {r.path: (r.size, r.mtime) for r in rows}))
    rest = marshal.dumps(([r.sha1 for r in rows], [r.docs for r in rows]))
    replace_file(os.path.join(gen_dir, MANIFEST), _PART.pack(len(stats)) + stats + rest)


def replace_file(path: str, data: str | bytes) -> None:
    """Write a file of a generation as a new file renamed into place: a generation starts
    as hard links to the last one's files, and writing into one would change both."""
    with open(path + ".tmp", "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(path + ".tmp", path)


def open_whoosh(gen_dir: str) -> Any:
    """Open without memory-mapping copies: segment files are read in place (see notes)."""
    from .analysis import load_stems  # first: it imports Whoosh without what we never use

    index_dir = os.path.dirname(gen_dir)
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    _offsets_in_c()
    _directories_in_one_read()
    try:
        with reading(index_dir):
            ix = FileStorage(gen_dir, supports_mmap=False).open_index()
    except EmptyIndexError:
        raise damaged(index_dir, f"{os.path.basename(gen_dir)}/ holds no Whoosh index") from None
    load_stems(gen_dir)  # query words the index knows are stemmed without importing NLTK
    return ix


class _SummedOffsets:
    """A stored-fields column's offsets, summed from its lengths when asked: a search reads
    only its hits' turns from a segment (summing all ~17,000 lengths up front cost ~0.75 ms
    a segment, ~4 ms of a cold search on M); after `EAGER_AFTER` reads, the whole table."""

    EAGER_AFTER = 32

    def __init__(self, lengths: Any) -> None:
        self._lengths = lengths
        self._table: Any = None
        self._asked = 0

    def __getitem__(self, docnum: int) -> int:
        if self._table is None:
            self._asked += 1
            if self._asked <= self.EAGER_AFTER:
                return sum(self._lengths[:docnum])
            from array import array
            from itertools import accumulate

            self._table = array("L", accumulate(self._lengths, initial=0))
            self._table.pop()  # the end of the last value
        return int(self._table[docnum])


def _offsets_in_c() -> None:
    """Whoosh 2.7.4 opens a stored-fields column by summing its lengths into offsets in a
    Python loop, per segment: ~30 ms of a cold search on M (135,000 turns), more on L. The
    same offsets, summed in C when needed (`_SummedOffsets`); the rest of
    `_read_offsets_and_lengths` as Whoosh has it."""
    from whoosh.columns import VarBytesColumn

    reader: Any = VarBytesColumn.Reader
    if getattr(reader, "_searcher_patched", False):
        return

    def read_offsets_and_lengths(self: Any) -> None:
        dbfile, count = self._dbfile, self._doccount
        last = self._basepos + self._length - 1
        lens_code = chr(dbfile.get_byte(last))
        offsets = None
        if lens_code == "X":  # the offsets were written
            self.had_stored_offsets = True
            lens_code = chr(dbfile.get_byte(last - 2))
            offsets_code = chr(dbfile.get_byte(last - 1))
            start = (last - 2) - count * struct.calcsize(offsets_code)
            offsets = dbfile.get_array(start, offsets_code, count)
            last = start
        lengths = dbfile.get_array(last - struct.calcsize(lens_code) * count, lens_code, count)
        self._offsets = offsets if offsets is not None else _SummedOffsets(lengths)
        self._lengths = lengths

    reader._read_offsets_and_lengths = read_offsets_and_lengths
    reader._searcher_patched = True


def _directories_in_one_read() -> None:
    """Whoosh 2.7.4 opens each segment's term table by reading its directory of 256 hash
    tables one 12-byte entry at a time, each a seek and a read through the compound file:
    ~10,000 reads for L's 41 segments, ~30 ms of a cold search. The same entries from one
    read; the rest of `HashReader.__init__` as Whoosh has it."""
    from whoosh.filedb import filetables

    cls: Any = filetables.HashReader
    if getattr(cls, "_searcher_patched", False):
        return

    def init(
        self: Any,
        dbfile: Any,
        length: int | None = None,
        magic: bytes = b"HSH3",
        startoffset: int = 0,
    ) -> None:
        self.dbfile = dbfile
        self.startoffset = startoffset
        self.is_closed = False
        if length is None:
            dbfile.seek(0, os.SEEK_END)
            length = dbfile.tell() - startoffset
        dbfile.seek(startoffset)
        filemagic = dbfile.read(4)
        if filemagic != magic:
            raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
        self.hashtype = dbfile.read_byte()
        self.hashfn = filetables._hash_functions[self.hashtype]
        dbfile.read_int()  # two ints reserved for future use
        dbfile.read_int()
        self.startofdata = dbfile.tell()
        exptr = startoffset + length - filetables._INT_SIZE
        expos = exptr - dbfile.get_int(exptr)
        dbfile.seek(expos)
        self._read_extras()
        dbfile.seek(expos - filetables._directory_size)
        directory = dbfile.read(filetables._directory_size)
        self.tables = list(filetables._dir_entry.iter_unpack(directory))  # (position, slots)
        self.endofdata = self.tables[0][0]

    cls.__init__ = init
    cls._searcher_patched = True
