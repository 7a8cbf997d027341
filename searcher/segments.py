"""Whoosh segments written directly through the codec: the build's fast path.

Whoosh's `SegmentWriter` sends every posting through Token objects, a posting pool that is
sorted and spilled to disk, and a commit that looks each document's field length up again:
about 1 µs of Python per step, for ~75 postings a turn. Here a batch of turns is inverted in
memory (term -> postings per field) and written in sorted order with the same codec calls
(`field_writer` / `per_document_writer`), so the files are the ones `SegmentWriter` writes.
Any process can write a segment; the caller puts the finished `Segment` objects in the TOC.

Fields are handled generically through the schema (`index`, `stored`, `scorable`,
`column_type`), with one shortcut: a field analysed by `text_analyzer()` whose format keeps
positions takes its terms from `analysis.index_terms` and its posting values from
`format.encode(positions)`.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable
from functools import partial
from operator import itemgetter
from typing import Any

#: a value of an ID/KEYWORD/NUMERIC field recurs in every turn of a record: its postings are
#: computed once per segment (cleared when it grows past this many values, and by `finish`:
#: kept for the whole build it grew with the corpus, ~15 MB a segment on M)
_CACHE_MAX = 4_096
#: values longer than this are not remembered: a record's participants (`--with`, on its first
#: turn only, repeated per turn) never recur and take kilobytes each
_CACHE_VALUE_MAX = 256
_first, _second = itemgetter(0), itemgetter(1)


class SegmentBuilder:
    """Turns added one at a time, written as one new segment by `finish`."""

    def __init__(self, storage: Any, schema: Any, codec: Any) -> None:
        from .analysis import text_analyzer
        from .postings import CompactCodec

        if not isinstance(codec, CompactCodec):  # `finish` packs the codec's blocks itself
            raise TypeError(f"segments are written with CompactCodec, not {type(codec).__name__}")
        self.storage = storage
        self.schema = schema
        self.codec = codec
        analyzer = text_analyzer()
        self._fast = {
            name
            for name, field in schema.items()
            if getattr(field, "analyzer", None) == analyzer
            and field.format is not None
            and field.format.supports("positions")
        }
        #: fields whose terms `_plain_items` finds without Whoosh's analyzer: ID fields, and
        #: comma-separated keywords (name -> lowercased?)
        self._ids, self._keywords = _plain_fields(schema)
        self._cache: dict[tuple[str, Any], tuple[list[tuple[bytes, float, bytes]], int]] = {}
        #: field -> position -> the encoded value of a word found once, at that position
        self._single: dict[str, dict[int, bytes]] = {}
        self.segment: Any = None
        #: characters of text added since the segment was started (to decide when to flush)
        self.chars = 0

    @property
    def doc_count(self) -> int:
        return self._docnum if self.segment is not None else 0

    def _start(self) -> None:
        from .postings import PAIR_SUFFIX

        self.segment = self.codec.new_segment(self.storage, "MAIN")
        self._perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self._columns = _DocColumns(self._perdoc, self.schema)
        #: field -> term bytes (str for a text field) -> [docnum, weight, value, docnum, …]
        self._postings: dict[str, dict[Any, list[Any]]] = {}
        #: fields whose terms are keyed by str
        self._text: set[str] = set()
        #: field -> docnum -> length, for scorable fields
        self._lengths: dict[str, dict[int, int]] = {}
        #: text field with a pair field -> (docnum, its terms, their positions or None when
        #: they are 0, 1, 2, …) of each turn, for `_pairs`
        self._turns: dict[str, list[tuple[int, list[str], list[int] | None]]] = {
            name: [] for name in self._fast if name + PAIR_SUFFIX in self.schema
        }
        self._docnum = 0
        self.chars = 0

    def add(self, fields: dict[str, Any]) -> tuple[Any, int]:
        """Add one Whoosh document; returns its segment and document number there."""
        if self.segment is None:
            self._start()
        docnum = self._docnum
        perdoc = self._perdoc
        columns = self._columns
        plan = columns.plan
        stored: dict[str, Any] = {}
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field, keep, column = plan[name]
            if field.indexed:
                if name in self._fast:
                    length = self._add_text(name, field, value, docnum)
                    self.chars += len(value)
                else:
                    items, length = self._items(name, field, value)
                    terms = self._postings.get(name)
                    if terms is None:
                        terms = self._postings[name] = {}
                    for btext, weight, vbytes in items:
                        posts = terms.get(btext)
                        if posts is None:
                            terms[btext] = [docnum, weight, vbytes]
                        else:
                            posts += (docnum, weight, vbytes)
                if length:
                    lengths = self._lengths.get(name)
                    if lengths is None:
                        lengths = self._lengths[name] = {}
                    lengths[docnum] = length
                    columns.length(name, docnum, length)
            if keep:
                stored[name] = value
            if column:
                columns.value(name, column, docnum, value)
        if stored:
            columns.stored(docnum, stored)
        perdoc.finish_doc()
        self._docnum += 1
        return self.segment, docnum

    def _items(self, name: str, field: Any, value: Any) -> tuple[list[Any], int]:
        """What `SegmentWriter.add_document` adds for one value, remembered per value."""
        key = (name, value)
        hit = self._cache.get(key)
        if hit is None:
            items = []
            length = 0
            if name in self._ids and isinstance(value, str):  # nearly all: unique turn ids
                items.append((value.encode("utf-8"), field.format.field_boost, b""))
                length = 1
            elif name in self._keywords and isinstance(value, str):
                items, length = _keyword_items(value, self._keywords[name], field.format)
            else:
                for btext, freq, weight, vbytes in field.index(value):
                    items.append((btext, weight, vbytes))
                    length += freq
            hit = (items, length if field.scorable else 0)
            # a turn's own id, or a long value, would only crowd the others out
            if not field.unique and not (isinstance(value, str) and len(value) > _CACHE_VALUE_MAX):
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                self._cache[key] = hit
        return hit

    def _add_text(self, name: str, field: Any, text: str, docnum: int) -> int:
        """Add the postings of one text value (what `Positions.word_values` yields, without
        Tokens) straight to the field's words, keyed by the word itself: it is encoded once
        per segment, in `finish` (str and UTF-8 orders agree). Returns the field length."""
        from .analysis import index_terms

        positions: dict[str, list[int]] = {}
        get = positions.get
        terms = index_terms(text)
        turns = self._turns.get(name)
        if turns is not None and terms:
            words = list(map(_first, terms))
            plain = terms[-1][1] == len(terms) - 1  # no joined compound: positions 0, 1, …
            turns.append((docnum, words, None if plain else list(map(_second, terms))))
        for term, pos in terms:
            found = get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        encode: Callable[[list[int]], bytes] = field.format.encode
        boost = field.format.field_boost
        single = self._single.setdefault(name, {})
        postings = self._postings.get(name)
        if postings is None:
            postings = self._postings[name] = {}
            self._text.add(name)
        posting = postings.get
        for term, poses in positions.items():
            if len(poses) == 1:  # most words of a turn: their value is remembered
                value = single.get(poses[0])
                if value is None:
                    value = single[poses[0]] = encode(poses)
                weight = boost
            else:
                value, weight = encode(poses), float(len(poses)) * boost
            posts = posting(term)
            if posts is None:
                postings[term] = [docnum, weight, value]
            else:
                posts += (docnum, weight, value)
        return len(terms) if field.scorable else 0

    def abandon(self) -> None:
        """Close an unfinished segment's files when its generation is discarded (an
        interrupted build): otherwise they stay open until the garbage collector finds them."""
        if self.segment is not None:
            self.segment = None
            self._perdoc.close()  # writes the columns' files, removed with the generation

    def finish(self) -> Any:
        """Write the postings and close the segment; returns it (None when nothing was added)."""
        from whoosh.util.numeric import length_to_byte

        from . import postings as codec

        segment = self.segment
        if segment is None:
            return None
        self._perdoc.close()
        writer = self.codec.field_writer(self.storage, segment)
        schema = self.schema
        for name in sorted(self._postings):
            terms = by_word = self._postings[name]
            if name in self._text:
                terms = {term.encode("utf-8"): posts for term, posts in terms.items()}
            lengths = self._lengths.get(name, {})
            # lengths are stored as one byte each, and their order kept: the bytes are
            # compared where Whoosh compares the lengths the reader gives back
            coded = {d: length_to_byte(n) for d, n in lengths.items()}
            writer.start_field(name, schema[name])
            _write_terms(writer, terms, coded)
            writer.finish_field()
            top = name + codec.TOP_SUFFIX
            if name in self._fast and top in schema:
                found, totals = _top_lists(terms, coded)
                if found:  # after `name`: a field's number, its terms' key prefix, grows
                    writer.start_field(top, schema[top])
                    _write_terms(writer, found, {}, totals)
                    writer.finish_field()
            turns = self._turns.get(name)
            if turns:
                field = schema[name + codec.PAIR_SUFFIX]
                pairs = _pairs(by_word, turns, codec.PAIR_MIN, field.format.encode)
                if pairs:  # else no two common words: the segment's phrases have few candidates
                    mark = codec.PAIR_MARK.encode("utf-8")
                    pairs[mark] = [0, 1.0, field.format.encode([0])]
                    writer.start_field(name + codec.PAIR_SUFFIX, field)
                    _write_terms(writer, pairs, {}, {mark: -float(codec.PAIR_MIN)})
                    writer.finish_field()
        table = writer._tindex
        table._write_hashes = partial(_write_hashes, table)
        writer.close()
        segment.set_doc_count(self._docnum)
        if segment.should_assemble():
            segment.create_compound_file(self.storage)
        self.segment = None
        self._postings, self._lengths, self._text = {}, {}, set()
        self._turns = {name: [] for name in self._turns}
        self._cache.clear()
        self.chars = 0
        return segment


def _plain_fields(schema: Any) -> tuple[set[str], dict[str, bool]]:
    """The schema's ID fields (one term: the value) and comma-separated keyword fields
    (name -> lowercased), recognised by what Whoosh would do with their values: its own
    `index`, with exactly `IDTokenizer` or `KeywordAnalyzer(commas=True)`."""
    from whoosh.analysis import IDTokenizer, KeywordAnalyzer
    from whoosh.fields import FieldType
    from whoosh.formats import Existence, Frequency

    ids: set[str] = set()
    keywords: dict[str, bool] = {}
    for name, field in schema.items():
        if type(field).index is not FieldType.index or not field.format:
            continue
        analyzer = getattr(field, "analyzer", None)
        if type(field.format) is Existence and analyzer == IDTokenizer():
            ids.add(name)
        elif type(field.format) is Frequency:
            for lower in (False, True):
                if analyzer == KeywordAnalyzer(lowercase=lower, commas=True):
                    keywords[name] = lower
    return ids, keywords


def _keyword_items(value: str, lower: bool, format: Any) -> tuple[list[Any], int]:
    """What `Frequency.word_values` gives for a comma-separated keyword value, counted in C:
    a record's participants repeat each key once per turn (`build._add`), hundreds of
    tokens that Whoosh's analyzer chain took one by one. (term, weight, value), length."""
    from collections import Counter

    from whoosh.system import pack_uint

    pieces = list(map(str.strip, filter(None, value.split(","))))  # mapped in C
    counts = Counter(map(str.lower, pieces) if lower else pieces)
    boost = format.field_boost
    items = [(w.encode("utf-8"), n * boost, pack_uint(n)) for w, n in counts.items()]
    return items, len(pieces)


def _write_terms(
    writer: Any,
    terms: dict[bytes, list[Any]],
    lengths: dict[int, int],
    totals: dict[bytes, float] | None = None,
) -> None:
    """The field's words in order, the same bytes as `W3FieldWriter.start_term`, `add` per
    posting and `finish_term` with `CompactCodec` write, at a fraction of the cost (~80 µs
    of Python a word there, most words having 1-3 postings): a word's blocks and term info
    are built here, its postings go out with the field's in large writes. A lone posting is
    not inlined, as with Whoosh's `inlinelimit=1`. `lengths`: document -> length byte;
    `totals`: a total weight to write instead of the postings', for the words it holds (see
    `_top_lists`, `PAIR_MARK`)."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
    from whoosh.system import pack_int, pack_long, pack_ushort

    from .postings import block_record, pack_block, pack_single

    postwriter = writer._postwriter
    step = 3 * postwriter._blocklimit
    compression = postwriter._compression
    postfile = writer._postfile
    keys: list[bytes] = []
    infos: list[bytes] = []
    prefix = pack_ushort(writer._fieldid)
    pack_info = W3TermInfo._struct.pack
    get_length = lengths.get
    offset = postfile.tell()
    out: list[bytes] = []
    pending = 0
    for btext in sorted(terms):
        posts = terms[btext]
        n = len(posts)
        if n == 3:  # one posting (every turn's id): the branch below without its lists
            docnum, weight, value = posts
            low = high = (get_length(docnum) or 0) if lengths else 0
            maxweight = max(0, weight)
            data = pack_single(docnum, weight, value)
            stats = (1, docnum, maxweight, low, high)
            data = WHOOSH3_HEADER_MAGIC + block_record(data, stats, compression, True)
            total: float = 1.0 if weight == 1.0 else sum(array("f", (weight,)))
        elif n <= step:  # one block: nearly every other word
            ids = posts[0::3]
            weights = posts[1::3]
            maxweight = max(0, *weights)
            sizes = list(filter(None, map(get_length, ids))) if lengths else None
            low = min(sizes) if sizes else 0
            high = max(sizes) if sizes else 0
            data = pack_block(ids, weights, list(filter(None, posts[2::3])))
            stats = (n // 3, posts[-3], maxweight, low, high)
            data = WHOOSH3_HEADER_MAGIC + block_record(data, stats, compression, True)
            total = sum(array("f", weights))
        else:
            data, total, low, high, maxweight = _blocks(posts, step, get_length, compression)
        if totals is not None:
            total = totals.get(btext, total)
        info = pack_info(0, total, n // 3, low, high, maxweight, posts[0], posts[-3])
        keys.append(prefix + btext)
        infos.append(info + pack_long(offset) + pack_int(len(data)))
        offset += len(data)
        out.append(data)
        pending += len(data)
        if pending >= 1 << 20:
            postfile.write(b"".join(out))
            out.clear()
            pending = 0
    postfile.write(b"".join(out))
    if keys:
        _add_terms(writer._tindex, keys, infos)


def _top_lists(
    terms: dict[bytes, list[Any]], lengths: dict[int, int]
) -> tuple[dict[bytes, list[Any]], dict[bytes, float]]:
    """The top lists (postings.py) of a text field's words of `TOP_MIN` postings or more,
    all of whole frequencies below 256, as postings without values (word -> [docnum,
    frequency, b"", …]), and each one's total weight: minus the word's postings in the
    segment, which no posting list Whoosh writes has (its total is the sum of positive
    weights). A reader trusts a top list only when its total is minus the word's document
    frequency there: a Whoosh merge copies top lists (turns deleted, segments joined) and
    the copy is ignored. `lengths`: document -> length byte."""
    from . import postings as codec

    found: dict[bytes, list[Any]] = {}
    totals: dict[bytes, float] = {}
    least, k = codec.TOP_MIN, codec.TOP_K
    for btext, posts in terms.items():
        n = len(posts) // 3
        if n < least:
            continue
        weights = posts[1::3]
        freqs = bytes(map(int, weights)) if max(weights) < 256 else None
        if freqs is None or list(freqs) != weights:
            continue
        ids = posts[0::3]
        kept = codec.top_list(freqs, [lengths.get(d, 0) for d in ids], k)
        found[btext] = [x for j in kept for x in (ids[j], weights[j], b"")]
        totals[btext] = -float(n)
    return found, totals


def _pairs(
    postings: dict[str, list[Any]],
    turns: list[tuple[int, list[str], list[int] | None]],
    least: int,
    encode: Callable[[list[int]], bytes],
) -> dict[bytes, list[Any]]:
    """The pair terms (postings.py) of a segment's text field, whose words' postings are
    `postings`, from its `turns` (docnum, terms, their positions or None for 0, 1, …):
    "a b" -> [docnum, weight, positions of a, …], for each a at p and b at p + 1 where a
    and b each have `least` postings or more. The weight packs the pair's frequency in the
    turn and its words' (`postings.pair_weight`)."""
    from collections import Counter
    from itertools import compress

    from .postings import pair_weight

    frequent = {w for w, posts in postings.items() if len(posts) >= 3 * least}
    found: dict[str, list[Any]] = {}
    if not frequent:
        return {}
    single: dict[int, bytes] = {}  # the value of a pair seen once, at that position
    weights: dict[tuple[int, int, int], float] = {}  # one float object per weight
    is_frequent = frequent.__contains__
    for j, (docnum, words, places) in enumerate(turns):
        turns[j] = None  # type: ignore[call-overload]  # each turn's terms freed once used
        flags = bytes(map(is_frequent, words))
        here: dict[tuple[str, str], list[int]] = {}
        if places is None:
            # flags[i] & flags[i + 1] for each i, as one integer's bytes (each 0 or 1)
            both = int.from_bytes(flags, "big")
            paired = (both & both >> 8).to_bytes(len(flags), "big")[1:]
            for i in compress(range(len(words) - 1), paired):
                pair = (words[i], words[i + 1])
                at = here.get(pair)
                if at is None:
                    here[pair] = [i]
                else:
                    at.append(i)
        else:  # joined compounds share their first part's position
            by_place: dict[int, list[str]] = {}
            for word, q, flag in zip(words, places, flags, strict=True):
                if flag:
                    by_place.setdefault(q, []).append(word)
            for q, firsts in by_place.items():  # in increasing order
                for b in dict.fromkeys(by_place.get(q + 1, ())):
                    for a in dict.fromkeys(firsts):
                        here.setdefault((a, b), []).append(q)
        if not here:
            continue
        counts = Counter(words)
        for (a, b), poses in here.items():
            if len(poses) == 1:
                value = single.get(poses[0])
                if value is None:
                    value = single[poses[0]] = encode(poses)
            else:
                value = encode(poses)
            n = (len(poses), counts[a], counts[b])
            weight = weights.get(n)
            if weight is None:
                weight = weights[n] = pair_weight(*n)
            key = a + " " + b
            posts = found.get(key)
            if posts is None:
                found[key] = [docnum, weight, value]
            else:
                posts += (docnum, weight, value)
    return {key.encode("utf-8"): posts for key, posts in found.items()}


def _add_terms(table: Any, keys: list[bytes], values: list[bytes]) -> None:
    """`OrderedHashWriter.add` for each key (increasing) and value, the same bytes in one
    write: Whoosh's asks the file its position and writes three times per word, and hashes
    each key by formatting its MD5 digest in hex and parsing that back (`md5_hash`); here
    the digests' last four bytes are read as one array."""
    from hashlib import md5
    from itertools import accumulate, chain, repeat
    from operator import add, methodcaller

    from whoosh.filedb.filetables import _lengths, md5_hash

    if keys[0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
    dbfile = table.dbfile
    head, size = _lengths.pack, _lengths.size
    key_sizes = list(map(len, keys))
    value_sizes = list(map(len, values))
    records = map(add, map(add, key_sizes, value_sizes), repeat(size))
    starts = list(accumulate(records, initial=dbfile.tell()))
    del starts[-1]
    if table.hashfn is md5_hash:  # md5_hash: the digest's last 4 bytes, big-endian
        digests = array("I", b"".join(map(methodcaller("digest"), map(md5, keys))))[3::4]
        if sys.byteorder == "little":
            digests.byteswap()
        hashes: Any = digests
    else:
        hashes = map(table.hashfn, keys)
    buckets = table.buckets
    for h, pos in zip(hashes, starts, strict=True):
        buckets[h & 255].append((h, pos))
    index = table.index
    try:
        more = array(index.array.typecode, starts)  # Whoosh widens it as positions grow
    except (OverflowError, AttributeError):  # (a list once past 64-bit: never here)
        for pos in starts:
            index.append(pos)
    else:
        index.array.extend(more)
    heads = map(head, key_sizes, value_sizes)
    dbfile.write(b"".join(chain.from_iterable(zip(heads, keys, values, strict=True))))
    table.lastkey = keys[-1]


def _write_hashes(table: Any) -> None:
    """`HashWriter._write_hashes` (the term table's 256 hash tables of (hash, position)
    slots, probed linearly), each table in one write instead of one per slot."""
    from struct import Struct

    dbfile = table.dbfile
    for entries in table.buckets:
        numslots = 2 * len(entries)
        table.directory.append((dbfile.tell(), numslots))
        hashtable = [0, 0] * numslots  # hash, position of each slot; (0, 0) when empty
        for hashval, position in entries:
            slot = (hashval >> 8) % numslots
            while hashtable[2 * slot] or hashtable[2 * slot + 1]:
                slot = (slot + 1) % numslots
            hashtable[2 * slot : 2 * slot + 2] = hashval, position
        if numslots:
            dbfile.write(Struct("!" + "Iq" * numslots).pack(*hashtable))


def _blocks(
    posts: list[Any], step: int, get_length: Callable[[int], int | None], compression: int
) -> tuple[bytes, float, int, int, float]:
    """A word's postings over several blocks, and what `W3TermInfo.add_block` gathers of
    them: (the bytes, total weight, min and max length byte, max weight). Blocks hold
    `step` // 3 postings, then `LONG_BLOCK` (as `CompactPostingsWriter` cuts them)."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from .postings import LONG_BLOCK, block_record, long_after, pack_block

    record = [WHOOSH3_HEADER_MAGIC]
    total = 0.0
    minlength: int | None = None
    maxlength = 0
    maxweight = 0.0
    n = len(posts)
    edge = 3 * long_after(step // 3)
    cuts = [*range(0, min(n, edge), step), *range(edge, n, 3 * LONG_BLOCK)]
    for start, stop in zip(cuts, [*cuts[1:], n], strict=True):
        block = posts[start:stop]
        ids = block[0::3]
        weights = block[1::3]
        top = max(0, *weights)
        sizes = list(filter(None, map(get_length, ids)))
        low = min(sizes) if sizes else 0
        high = max(sizes) if sizes else 0
        data = pack_block(ids, weights, list(filter(None, block[2::3])))
        stats = (len(ids), ids[-1], top, low, high)
        record.append(block_record(data, stats, compression, stop >= n))
        total += sum(array("f", weights))
        if sizes:
            minlength = low if minlength is None else min(minlength, low)
        maxlength = max(maxlength, high)
        maxweight = max(maxweight, top)
    return b"".join(record), total, minlength or 0, maxlength, maxweight


#: a column's values kept before they are written in one go (bounded: a segment has ~50,000)
_BATCH = 4_096


class _DocColumns:
    """What `W3PerDocWriter.add_field`, `add_column_value` and `finish_doc` write for the
    documents of a segment, the same bytes with fewer Python calls: a column value (a
    record's days, the same for each of its turns) is converted once, and the columns
    Whoosh writes a value at a time through three layers of files (the stored fields, the
    days, the text lengths) are written a batch at a time (`_Batched`): ~46 µs a turn
    before, ~29 now, of which ~14 pickle and compress the stored fields."""

    def __init__(self, perdoc: Any, schema: Any) -> None:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3PerDocWriter, _lenfield
        from whoosh.util.numeric import length_to_byte

        if type(perdoc) is not W3PerDocWriter:  # its columns are taken over here
            raise TypeError(f"per-document writer {type(perdoc).__name__}, not W3PerDocWriter")
        self.perdoc = perdoc
        #: field -> (field object, stored?, column type or None)
        self.plan = {
            name: (field, field.stored, field.column_type) for name, field in schema.items()
        }
        #: column -> its writer's `add`, once created
        self._adds: dict[str, Callable[[int, Any], None]] = {}
        #: (field, value) -> the value's column value
        self._values: dict[tuple[str, Any], Any] = {}
        self._lenfields = {name: _lenfield(name) for name in schema.names()}
        self._fieldlengths = perdoc._fieldlengths
        self._length_byte = length_to_byte
        self._length_column, self._stored_column = LENGTHS_COLUMN, STORED_COLUMN

    def _add(self, name: str, column: Any, docnum: int, value: Any) -> None:
        add = self._adds.get(name)
        if add is None:
            perdoc = self.perdoc
            if not perdoc._has_column(name):  # created at its first value, as Whoosh does
                perdoc._create_column(name, column)
            writer = perdoc._get_column(name)
            flush = _flush_for(writer)
            if flush is not None:  # `close` finishes it: the batch is written then
                writer = perdoc._colwriters[name] = _Batched(writer, flush)
            add = self._adds[name] = writer.add
        add(docnum, value)

    def length(self, name: str, docnum: int, length: int) -> None:
        """`add_field`'s share for a field of this length (not 0)."""
        self._add(self._lenfields[name], self._length_column, docnum, self._length_byte(length))
        self._fieldlengths[name] += length

    def value(self, name: str, column: Any, docnum: int, value: Any) -> None:
        key = (name, value)
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= _CACHE_MAX:
                self._values.clear()
            found = self._values[key] = self.plan[name][0].to_column_value(value)
        self._add(name, column, docnum, found)

    def stored(self, docnum: int, stored: dict[str, Any]) -> None:
        """`finish_doc`'s: the document's stored fields (not empty), in the order added."""
        self._add("_stored", self._stored_column, docnum, stored)


class _Batched:
    """A column writer of Whoosh's given its values in batches: `flush(writer, rows)` writes
    (docnum, value) rows as the writer's `add` would, one row at a time."""

    def __init__(self, writer: Any, flush: Callable[[Any, list[tuple[int, Any]]], None]) -> None:
        self.writer = writer
        self._flush = flush
        self._rows: list[tuple[int, Any]] = []

    def add(self, docnum: int, value: Any) -> None:
        rows = self._rows
        rows.append((docnum, value))
        if len(rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._flush(self.writer, self._rows)
            self._rows = []

    def finish(self, doccount: int) -> None:
        self.flush()
        self.writer.finish(doccount)


def _write_numbers(writer: Any, rows: list[tuple[int, Any]]) -> None:
    """`NumericColumn.Writer.add` for each row: defaults skipped, then written as gaps."""
    pack, default, gap = writer._pack, writer._default, writer._defaultbytes
    count = writer._count
    out = []
    for docnum, value in rows:
        if value == default:
            continue
        if docnum > count:
            out.append(gap * (docnum - count))
        out.append(pack(value))
        count = docnum + 1
    writer._dbfile.write(b"".join(out))
    writer._count = count


def _write_pickled(writer: Any, rows: list[tuple[int, Any]]) -> None:
    """`PickleColumn.Writer.add` for each row, over a `CompressedBytesColumn` (the stored
    fields): pickled, compressed, and the lengths and offsets `VarBytesColumn` keeps."""
    from pickle import dumps

    child = writer._child
    compress, level = child._compress, child._level
    base, count = child._offset_base, child._count
    lengths: list[int] = []
    offsets: list[int] = []
    out = []
    for docnum, value in rows:
        data = compress(dumps(value, 2), level)
        if docnum > count:
            lengths += [0] * (docnum - count)
            offsets += [base] * (docnum - count)
        out.append(data)
        lengths.append(len(data))
        offsets.append(base)
        base += len(data)
        count = docnum + 1
    child._dbfile.write(b"".join(out))
    child._lengths.extend(lengths)
    child._offsets.extend(offsets)
    child._offset_base, child._count = base, count


def _flush_for(writer: Any) -> Callable[[Any, list[tuple[int, Any]]], None] | None:
    """How to write a batch of rows for this column writer, if known here."""
    from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn

    if type(writer) is NumericColumn.Writer:
        return _write_numbers
    if type(writer) is PickleColumn.Writer and type(writer._child) is CompressedBytesColumn.Writer:
        return _write_pickled
    return None
