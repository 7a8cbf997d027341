"""Whoosh segments written directly through the codec: the build's fast path.

Whoosh's `SegmentWriter` sends every posting through Token objects, a posting pool that is
sorted and spilled to disk, and a commit that looks each document's field length up again:
about 1 µs of Python per step, for ~75 postings a turn. Here a batch of turns is inverted in
memory and written in sorted order with the same codec calls (`field_writer` /
`per_document_writer`), so the files are the ones `SegmentWriter` writes. Any process can
write a segment; the caller puts the finished `Segment` objects in the TOC.

Fields are handled generically through the schema (`index`, `stored`, `scorable`,
`column_type`), with one shortcut: a field analysed by `text_analyzer()` with
`CompactPositions` takes its terms from `analysis.index_terms` and is inverted in arrays
(inverter.py). The other fields' postings are kept per term and gathered into the same arrays
when the segment is written, so every field's blocks are packed by `_inverted_records`.
"""

from __future__ import annotations

import itertools
import struct
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from .inverter import Inverted, TextTurns, gathered, pairs

#: a value of an ID/KEYWORD/NUMERIC field recurs in every turn of a record: its postings are
#: computed once per segment (cleared when it grows past this many values, and by `finish`:
#: kept for the whole build it grew with the corpus, ~15 MB a segment on M)
_CACHE_MAX = 4_096
#: values longer than this are not remembered: they seldom recur and take kilobytes each
_CACHE_VALUE_MAX = 256


class SegmentBuilder:
    """Turns added one at a time, written as one new segment by `finish`."""

    def __init__(self, storage: Any, schema: Any, codec: Any) -> None:
        from .analysis import index_terms, text_analyzer
        from .postings import CompactCodec, CompactPositions

        if not isinstance(codec, CompactCodec):  # `finish` packs the codec's blocks itself
            raise TypeError(f"segments are written with CompactCodec, not {type(codec).__name__}")
        self.storage = storage
        #: bound here: an import statement in `_add_text` cost 1.5 µs a turn
        self._index_terms = index_terms
        self.schema = schema
        self.codec = codec
        analyzer = text_analyzer()
        self._fast = {
            name
            for name, field in schema.items()
            if getattr(field, "analyzer", None) == analyzer
            # inverter.py writes this format's values, and frequencies as weights
            and type(field.format) is CompactPositions
            and field.format.field_boost == 1.0
        }
        #: fields whose terms `_plain_items` finds without Whoosh's analyzer: ID fields, and
        #: comma-separated keywords (name -> lowercased?)
        self._ids, self._keywords = _plain_fields(schema)
        self._cache: dict[tuple[str, Any], tuple[list[tuple[bytes, float, bytes]], int]] = {}
        self.segment: Any = None
        #: characters of text added since the segment was started (to decide when to flush)
        self.chars = 0

    @property
    def doc_count(self) -> int:
        return self._docnum if self.segment is not None else 0

    def _start(self) -> None:
        self.segment = self.codec.new_segment(self.storage, "MAIN")
        self._perdoc = self.codec.per_document_writer(self.storage, self.segment)
        self._columns = _DocColumns(self._perdoc, self.schema)
        #: field -> term bytes -> [docnum, weight, value, docnum, …]
        self._postings: dict[str, dict[bytes, list[Any]]] = {}
        #: text field -> its turns' terms, inverted by `finish`
        self._texts: dict[str, TextTurns] = {}
        #: field -> docnum -> length, for scorable fields
        self._lengths: dict[str, dict[int, int]] = {}
        self._docnum = 0
        self.chars = 0

    def add(self, fields: dict[str, Any]) -> tuple[Any, int]:
        """Add one Whoosh document; returns its segment and document number there."""
        return self.add_record({}, [fields])

    def add_record(
        self, shared: dict[str, Any], turns: Sequence[dict[str, Any]]
    ) -> tuple[Any, int]:
        """Add a record's turns as documents, each `shared | turn`; returns their segment
        and the first's number. `shared` holds what every turn carries of its record (its id,
        days, archive topics, places: a third of a turn's fields), handled once for all.
        A record without turns adds nothing: (None, 0)."""
        if not turns:
            return None, 0
        if self.segment is None:
            self._start()
        first = self._docnum
        perdoc = self._perdoc
        if perdoc._doccount != first or perdoc._indoc:
            raise RuntimeError(f"per-document writer at {perdoc._doccount}, not {first}")
        # one int object per turn, shared by all its postings (a range made one per posting)
        docnums = list(range(first, first + len(turns)))
        kept = self._add_shared(shared, docnums)
        columns = self._columns
        for docnum, fields in zip(docnums, turns, strict=True):
            stored = self._add_own(fields, docnum)
            if kept:
                stored = dict(sorted({**kept, **stored}.items())) if stored else kept
            if stored:
                columns.stored(docnum, stored)
        perdoc._doccount = self._docnum = first + len(turns)
        return self.segment, first

    def _add_shared(self, shared: dict[str, Any], docnums: list[int]) -> dict[str, Any]:
        """The shared fields' postings, lengths and column values for each of `docnums`;
        returns the stored ones."""
        plan = self._columns.plan
        kept: dict[str, Any] = {}
        for name in sorted(shared):
            value = shared[name]
            if value is None:
                continue
            field, keep, column = plan[name]
            if field.indexed:
                if name in self._fast:  # inverted per turn: added as each turn's own
                    raise ValueError(f"text field {name!r} cannot be shared by turns")
                items, length = self._items(name, field, value)
                terms = self._postings.get(name)
                if terms is None:
                    terms = self._postings[name] = {}
                for btext, weight, vbytes in items:
                    row = [(docnum, weight, vbytes) for docnum in docnums]
                    posts = terms.get(btext)
                    if posts is None:
                        posts = terms[btext] = []
                    posts += itertools.chain.from_iterable(row)
                if length:
                    self._lengths.setdefault(name, {}).update(dict.fromkeys(docnums, length))
                    for docnum in docnums:
                        self._columns.length(name, docnum, length)
            if keep:
                kept[name] = value
            if column:
                self._columns.value(name, column, docnums, value)
        return kept

    def _add_own(self, fields: dict[str, Any], docnum: int) -> dict[str, Any]:
        """One turn's own fields; returns the stored ones."""
        columns = self._columns
        plan = columns.plan
        stored: dict[str, Any] = {}
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
                columns.value(name, column, (docnum,), value)
        return stored

    def _items(self, name: str, field: Any, value: Any) -> tuple[list[Any], int]:
        """What `SegmentWriter.add_document` adds for one value, remembered per value (but
        an ID's: one term, the value itself, that would only crowd the others out). A keyword
        field's value may also be a `Counter` of its keys (`_counted_items`)."""
        if name in self._ids and isinstance(value, str):
            return [(value.encode("utf-8"), field.format.field_boost, b"")], (
                1 if field.scorable else 0
            )
        if name in self._keywords and isinstance(value, Counter):  # a record's: not remembered
            counted = _counted_items(value, self._keywords[name], field.format)
            return counted, (sum(value.values()) if field.scorable else 0)
        key = (name, value)
        hit = self._cache.get(key)
        if hit is None:
            items: list[Any] = []
            length = 0
            if name in self._keywords and isinstance(value, str):
                items, length = _keyword_items(value, self._keywords[name], field.format)
            else:
                for btext, freq, weight, vbytes in field.index(value):
                    items.append((btext, weight, vbytes))
                    length += freq
            hit = (items, length if field.scorable else 0)
            # a long value would only crowd the others out
            if not (isinstance(value, str) and len(value) > _CACHE_VALUE_MAX):
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                self._cache[key] = hit
        return hit

    def _add_text(self, name: str, field: Any, text: str, docnum: int) -> int:
        """Add one text value's terms to the field's turns (inverted when the segment is
        written). Returns the field length."""
        turns = self._texts.get(name)
        if turns is None:
            turns = self._texts[name] = TextTurns()
        terms, places = self._index_terms(text)
        if terms:
            if places is not None and places[-1] == len(terms) - 1:  # no joined compound
                places = None
            turns.add(docnum, terms, places)
        return len(terms) if field.scorable else 0

    def abandon(self) -> None:
        """Close an unfinished segment's files when its generation is discarded (an
        interrupted build): otherwise they stay open until the garbage collector finds them."""
        if self.segment is not None:
            self.segment = None
            if self._perdoc is not None:  # (not closed yet by `finish`)
                self._perdoc.close()  # writes the columns' files, removed with the generation

    def finish(self) -> Any:
        """Write the postings and close the segment; returns it (None when nothing was added)."""
        from whoosh.util.numeric import length_to_byte

        segment = self.segment
        if segment is None:
            return None
        perdoc, self._perdoc = self._perdoc, None
        perdoc.close()
        writer = self.codec.field_writer(self.storage, segment)
        for name in sorted({*self._postings, *self._texts}):
            lengths = self._lengths.get(name, {})
            # lengths are stored as one byte each, and their order kept: the bytes are
            # compared where Whoosh compares the lengths the reader gives back
            coded = {d: length_to_byte(n) for d, n in lengths.items()}
            if name in self._texts:
                self._write_text(writer, name, coded)
            else:
                writer.start_field(name, self.schema[name])
                words = gathered(self._postings[name])
                held = self._length_bytes(coded) if coded else None
                _put_terms(writer, _inverted_records(words, held, writer._postwriter))
                writer.finish_field()
        table = writer._tindex
        table._write_hashes = partial(_write_hashes, table)
        writer.close()
        segment.set_doc_count(self._docnum)
        if segment.should_assemble():
            segment.create_compound_file(self.storage)
        self.segment = None
        self._postings, self._lengths, self._texts = {}, {}, {}
        self._cache.clear()
        self.chars = 0
        return segment

    def _length_bytes(self, coded: dict[int, int]) -> Any:
        """Each document's length byte (0: none), as `_inverted_records` takes them."""
        import numpy as np

        lengths = np.zeros(self._docnum, dtype=np.int64)
        lengths[list(coded)] = list(coded.values())
        return lengths

    def _write_text(self, writer: Any, name: str, coded: dict[int, int]) -> None:
        """A text field's words, then its top lists and word pairs (postings.py) when the
        schema has their hidden fields."""
        from . import postings as codec

        schema = self.schema
        field = schema[name]
        words, tokens = self._texts[name].invert()
        lengths = self._length_bytes(coded)
        paired = name + codec.PAIR_SUFFIX
        found_pairs = None  # found first: the tokens are freed before the words are written
        if paired in schema and type(schema[paired].format) is codec.CompactPositions:
            found_pairs = pairs(words, tokens, codec.PAIR_MIN)
        del tokens
        writer.start_field(name, field)
        _put_terms(writer, _inverted_records(words, lengths, writer._postwriter))
        writer.finish_field()
        top = name + codec.TOP_SUFFIX
        if top in schema:
            found, totals = _top_lists(words, lengths)
            if found:  # after `name`: a field's number, its terms' key prefix, grows
                writer.start_field(top, schema[top])
                records = _inverted_records(gathered(found), None, writer._postwriter, totals)
                _put_terms(writer, records)
                writer.finish_field()
        if found_pairs:  # else no two common words: the segment's phrases have few candidates
            mark = codec.PAIR_MARK.encode("utf-8")  # sorts before every pair
            marker = {mark: [0, 1.0, schema[paired].format.encode([0])]}
            totals = {mark: -float(codec.PAIR_MIN)}
            writer.start_field(paired, schema[paired])
            records = _inverted_records(gathered(marker), None, writer._postwriter, totals)
            more = _inverted_records(found_pairs, None, writer._postwriter)
            _put_terms(writer, itertools.chain(records, more))
            writer.finish_field()


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
    """What `Frequency.word_values` gives for a comma-separated keyword value, without
    Whoosh's analyzer chain taking its tokens one by one. (term, weight, value), length."""
    pieces = list(map(str.strip, filter(None, value.split(","))))  # mapped in C
    if lower:
        pieces = list(map(str.lower, pieces))
    if len(set(pieces)) == len(pieces):  # the usual value: each key once
        boost = format.field_boost
        return [(w.encode("utf-8"), boost, _ONCE) for w in pieces], len(pieces)
    return _counted_items(Counter(pieces), False, format), len(pieces)


def _counted_items(counts: Counter[str], lower: bool, format: Any) -> list[Any]:
    """`_keyword_items` of the value that holds each key of `counts` as often as it counts
    (a record's participants, once per turn: `build._add` gives them so, not written out)."""
    if lower:
        folded: Counter[str] = Counter()
        for key, n in counts.items():
            folded[key.lower()] += n
        counts = folded
    boost = format.field_boost
    return [(w.encode("utf-8"), n * boost, _pack_uint(n)) for w, n in counts.items() if n > 0]


#: `whoosh.system.pack_uint`, and its value for 1
_pack_uint = struct.Struct("!I").pack
_ONCE = _pack_uint(1)


#: what `_put_terms` writes of a word: (its bytes, its blocks as the postings file holds
#: them, total weight, postings, min and max length byte, max weight, first and last document)
_Record = tuple[bytes, bytes, float, int, int, int, float, int, int]


def _put_terms(writer: Any, records: Iterable[_Record]) -> None:
    """A field's words (increasing), their postings going out in large writes and their term
    infos as `W3FieldWriter.finish_term` writes them. A lone posting is not inlined, as with
    Whoosh's `inlinelimit=1`."""
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.system import pack_int, pack_long, pack_ushort

    postfile = writer._postfile
    keys: list[bytes] = []
    infos: list[bytes] = []
    prefix = pack_ushort(writer._fieldid)
    pack_info = W3TermInfo._struct.pack
    offset = postfile.tell()
    out: list[bytes] = []
    pending = 0
    for btext, data, total, n, low, high, maxweight, first, last in records:
        info = pack_info(0, total, n, low, high, maxweight, first, last)
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


#: a block's type codes (postings.pack_block) by the largest value it packs
_B, _H, _I, _N, _F = (ord(c) for c in "BHINf")


def _inverted_records(
    words: Inverted, lengths: Any, postwriter: Any, totals: dict[bytes, float] | None = None
) -> Iterator[_Record]:
    """`_put_terms`' records of a field's words, their blocks packed as `pack_block` packs
    them (the same bytes as `W3FieldWriter.start_term`, `add` per posting and `finish_term`
    with `CompactCodec` write, without ~80 µs of Python a word), with each block's codes and
    statistics found for all blocks at once. `lengths`: each document's length byte (0:
    none), None for a field without lengths; `totals`: a total weight to write instead of
    the postings', for the words it holds (see `_top_lists`, `PAIR_MARK`)."""
    import numpy as np
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    from .postings import block_record, block_starts

    limit, compression = postwriter._blocklimit, postwriter._compression
    starts, docs, weights = words.starts, words.docs, words.weights
    counts = np.diff(starts)
    cuts = [starts[:-1]]  # every word's first block; the long words' others below
    for t in np.flatnonzero(counts > limit).tolist():
        more = block_starts(int(counts[t]), limit)[1:]
        cuts.append(np.array(more, dtype=np.int64) + int(starts[t]))
    firsts = np.sort(np.concatenate(cuts)) if len(cuts) > 1 else cuts[0]
    if not len(firsts):
        return
    ends = np.append(firsts[1:], starts[-1])
    gaps = docs.copy()
    gaps[1:] -= docs[:-1]
    gaps[firsts] = docs[firsts]
    sizes = np.diff(words.bounds)
    most_weight = np.maximum.reduceat(weights, firsts)
    least_weight = np.minimum.reduceat(weights, firsts)
    gap_code = _codes(np.maximum.reduceat(gaps, firsts))
    largest = np.maximum.reduceat(sizes, firsts)
    size_code = np.where(largest == 0, _N, _codes(largest))  # no values: an ID's, a number's
    weight_code = np.where(
        (least_weight == 1) & (most_weight == 1),
        _N,
        np.where((least_weight >= 0) & (most_weight < 256), _B, _F),
    )
    if lengths is None:
        low = high = np.zeros(len(firsts), dtype=np.int64)
        t_low = t_high = np.zeros(len(counts), dtype=np.int64)
    else:
        held = lengths[docs]
        some = np.where(held == 0, 256, held)
        low, high = np.minimum.reduceat(some, firsts), np.maximum.reduceat(held, firsts)
        low[low == 256] = 0
        t_low = np.minimum.reduceat(some, starts[:-1])
        t_high = np.maximum.reduceat(held, starts[:-1])
        t_low[t_low == 256] = 0
    packed = _packed(gaps, gap_code)
    packed_sizes = _packed(sizes, size_code)
    packed_weights = _packed(weights, weight_code)
    del gaps, sizes
    values, bounds = words.values, words.bounds
    blocks = zip(
        firsts.tolist(),
        ends.tolist(),
        bounds[firsts].tolist(),
        bounds[ends].tolist(),
        gap_code.tolist(),
        weight_code.tolist(),
        size_code.tolist(),
        docs[ends - 1].tolist(),
        most_weight.tolist(),
        low.tolist(),
        high.tolist(),
        strict=True,
    )
    sums = np.add.reduceat(weights, starts[:-1]).tolist()
    term_most = np.maximum.reduceat(weights, starts[:-1]).tolist()
    first_docs = docs[starts[:-1]].tolist()
    term_ends = starts[1:].tolist()
    for key, end, total, n, t_lo, t_hi, most, first in zip(
        words.keys,
        term_ends,
        sums,
        counts.tolist(),
        t_low.tolist(),
        t_high.tolist(),
        term_most,
        first_docs,
        strict=True,
    ):
        record = [WHOOSH3_HEADER_MAGIC]
        while True:
            a, z, start, stop, g, w, s, last_doc, top, lo, hi = next(blocks)
            gap_bytes, g_size = packed[g]
            weight_bytes, w_size = packed_weights[w]
            size_bytes, s_size = packed_sizes[s]
            data = b"".join(
                (
                    bytes((g, w, s)),
                    gap_bytes[a * g_size : z * g_size],
                    weight_bytes[a * w_size : z * w_size],
                    size_bytes[a * s_size : z * s_size],
                    values[start:stop],
                )
            )
            stats = (z - a, last_doc, float(top) if top > 0 else 0, lo, hi)
            record.append(block_record(data, stats, compression, z >= end))
            if z >= end:
                break
        if totals is not None:
            total = totals.get(key, total)
        yield (
            key,
            b"".join(record),
            float(total),
            n,
            t_lo,
            t_hi,
            float(max(most, 0)),
            first,
            last_doc,
        )


def _packed(values: Any, codes: Any) -> dict[int, tuple[bytes, int]]:
    """code -> (all `values` as that code packs them, bytes per value), for the codes used."""
    import numpy as np

    types = {_B: ("<u1", 1), _H: ("<u2", 2), _I: ("<u4", 4), _F: ("<f4", 4)}
    out = {_N: (b"", 0)}
    for code in np.unique(codes).tolist():
        if code != _N:
            kind, size = types[code]
            out[code] = (values.astype(kind).tobytes(), size)
    return out


def _codes(largest: Any) -> Any:
    """`postings._smallest`'s type code for each block's largest value."""
    import numpy as np

    return np.where(largest < 1 << 8, _B, np.where(largest < 1 << 16, _H, _I))


def _top_lists(words: Inverted, lengths: Any) -> tuple[dict[bytes, list[Any]], dict[bytes, float]]:
    """The top lists (postings.py) of a text field's words of `TOP_MIN` postings or more,
    all of whole frequencies below 256, as postings without values (word -> [docnum,
    frequency, b"", …]), and each one's total weight: minus the word's postings in the
    segment, which no posting list Whoosh writes has (its total is the sum of positive
    weights). A reader trusts a top list only when its total is minus the word's document
    frequency there: a Whoosh merge copies top lists (turns deleted, segments joined) and
    the copy is ignored. `lengths`: each document's length byte."""
    import numpy as np

    from . import postings as codec

    found: dict[bytes, list[Any]] = {}
    totals: dict[bytes, float] = {}
    starts = words.starts
    for t in np.flatnonzero(np.diff(starts) >= codec.TOP_MIN).tolist():
        a, z = int(starts[t]), int(starts[t + 1])
        freqs = words.weights[a:z]
        if freqs.max() >= 256:
            continue
        ids = words.docs[a:z]
        kept = codec.top_list(freqs.astype(np.uint8).tobytes(), lengths[ids].tolist(), codec.TOP_K)
        found[words.keys[t]] = [x for j in kept for x in (int(ids[j]), float(freqs[j]), b"")]
        totals[words.keys[t]] = -float(z - a)
    return found, totals


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

    def value(self, name: str, column: Any, docnums: Iterable[int], value: Any) -> None:
        """The field's column value for each of `docnums`, converted once."""
        key = (name, value)
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= _CACHE_MAX:
                self._values.clear()
            found = self._values[key] = self.plan[name][0].to_column_value(value)
        for docnum in docnums:
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
