"""Compact postings: word positions of the `text` field, and posting blocks on disk.

Whoosh's `Positions` format stores each posting as a 4-byte count plus a pickled list of
position gaps (~13 bytes for a word seen once) and decodes it with `pickle` and a Python
loop. Here a posting is its gaps as raw bytes when every gap is below 254 (nearly always: a
word seen once at position 37 is the single byte 37), else a marker byte and the gaps as
little-endian 16- or 32-bit integers. Decoding is `itertools.accumulate` over the bytes or
an `array`: C loops, no pickle. `CompactCodec` (below) packs whole posting blocks.

The format object is pickled into every index's schema and the codec into every segment:
this module's path and the class names must not change.
"""

from __future__ import annotations

import pickle
import sys
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, compress, pairwise
from operator import sub
from typing import Any

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.formats import Format, tokens
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte

#: first byte of a posting whose gaps are 16-bit (WIDE) or 32-bit (HUGE) integers; a
#: byte-per-gap posting never starts with these, as all its gaps are below WIDE
WIDE, HUGE = 0xFE, 0xFF
_SWAP = sys.byteorder != "little"


def encode_positions(positions: Sequence[int]) -> bytes:
    """Increasing, non-negative positions as bytes (see the module docstring)."""
    gaps = [b - a for a, b in zip((0, *positions), positions, strict=False)]
    top = max(gaps)
    if top < WIDE:
        return bytes(gaps)
    marker = WIDE if top < 1 << 16 else HUGE
    wide = array("H" if marker == WIDE else "I", gaps)
    if _SWAP:
        wide.byteswap()
    return bytes((marker,)) + wide.tobytes()


def decode_positions(value: bytes) -> list[int]:
    """The positions `encode_positions` stored in `value`."""
    marker = value[0]
    if marker < WIDE:
        return list(accumulate(value))
    gaps = array("H" if marker == WIDE else "I")
    gaps.frombytes(value[1:])
    if _SWAP:
        gaps.byteswap()
    return list(accumulate(gaps))


def position_count(value: bytes) -> int:
    marker = value[0]
    if marker < WIDE:
        return len(value)
    return (len(value) - 1) // (2 if marker == WIDE else 4)


class CompactPositions(Format):
    """Whoosh's `Positions` (frequency, weight, positions) with the encoding above."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        fb = self.field_boost
        poses: defaultdict[str, list[int]] = defaultdict(list)
        weights: defaultdict[str, float] = defaultdict(float)
        kwargs["positions"] = True
        kwargs["boosts"] = True
        for t in tokens(value, analyzer, kwargs):
            poses[t.text].append(t.pos)
            weights[t.text] += t.boost
        for w, poslist in poses.items():
            yield (w, len(poslist), weights[w] * fb, encode_positions(poslist))

    def encode(self, poslist: Sequence[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        return position_count(valuestring)

    def decode_weight(self, valuestring: bytes) -> float:
        return position_count(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(pos, 1) for pos in decode_positions(valuestring)]

    def combine(self, vs: Iterable[bytes]) -> bytes:
        found: set[int] = set()
        for v in vs:
            found.update(decode_positions(v))
        return encode_positions(sorted(found))


# -- posting blocks ------------------------------------------------------------------------
#
# Whoosh 2.7's codec pickles each block of up to 128 postings as a tuple: a document-number
# gap costs 2-5 bytes, a non-unit weight 9 (a pickled float), and a posting value ~20 (a
# `bytes` object under pickle protocol 2 is a `_codecs.encode` call). `CompactCodec` writes
# the same block as packed arrays: one type byte each for the gaps, the weights and the value
# lengths, then the three arrays and the values end to end, zlib-compressed as before unless short.

_NONE = ord("N")


def _smallest(values: Sequence[int]) -> str:
    top = max(values)
    return "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"


def _packed(code: str, values: Iterable[int] | Iterable[float]) -> bytes:
    if code == "B":  # bytes below 256: as `array("B")` packs them, without the array
        return bytes(values)  # type: ignore[arg-type]
    arr = array(code, values)
    if _SWAP:
        arr.byteswap()
    return arr.tobytes()


def _unpacked(code: str, data: bytes, start: int, count: int) -> tuple[array[Any], int]:
    arr = array(code)
    end = start + count * arr.itemsize
    arr.frombytes(data[start:end])
    if _SWAP:
        arr.byteswap()
    return arr, end


def pack_block(ids: Sequence[int], weights: Sequence[float], values: Sequence[bytes]) -> bytes:
    """One block's document numbers (increasing), weights and values (possibly none)."""
    gaps = [ids[0], *map(sub, ids[1:], ids)]
    id_code = _smallest(gaps)
    out = [b"", _packed(id_code, gaps)]
    if weights.count(1.0) == len(weights):
        weight_code = _NONE
    else:
        whole = _whole(weights)
        if whole is not None:
            weight_code = ord("B")
            out.append(whole)
        else:
            weight_code = ord("f")
            out.append(_packed("f", weights))
    if values:
        lengths = list(map(len, values))
        length_code = _smallest(lengths)
        out += [_packed(length_code, lengths), b"".join(values)]
    else:
        length_code = "N"
    out[0] = bytes((ord(id_code), weight_code, ord(length_code)))
    return b"".join(out)


def _whole(weights: Sequence[float]) -> bytes | None:
    """The weights as one byte each when all are whole numbers below 256 (else None)."""
    try:
        whole = bytes(map(int, weights))
    except (OverflowError, ValueError):  # below 0 or above 255, infinite, not a number
        return None
    return whole if list(whole) == list(weights) else None


def unpack_head(data: bytes, count: int) -> tuple[array[Any], bytes | array[Any] | None, int]:
    """A `pack_block` block's document-number gaps, its weights (None: all 1.0; bytes: whole
    numbers below 256, one byte each; else an array of floats) and where its values start."""
    gaps, at = _unpacked(chr(data[0]), data, 3, count)
    weight_code = data[1]
    if weight_code == _NONE:
        return gaps, None, at
    if weight_code == ord("B"):
        return gaps, data[at : at + count], at + count
    weights, at = _unpacked(chr(weight_code), data, at, count)
    return gaps, weights, at


def value_bounds(data: bytes, count: int, at: int) -> list[int] | None:
    """Where each posting value of a `pack_block` block whose values start at `at` begins,
    then where the last ends (None: the block has no values)."""
    length_code = chr(data[2])
    if length_code == "N":
        return None
    lengths, at = _unpacked(length_code, data, at, count)
    return list(accumulate(lengths, initial=at))


def unpack_values(data: bytes, count: int, at: int) -> list[bytes] | None:
    """The posting values of a `pack_block` block whose values start at `at` (None: none)."""
    ends = value_bounds(data, count, at)
    return None if ends is None else [data[a:b] for a, b in pairwise(ends)]


def unpack_block(data: bytes, count: int) -> tuple[list[int], array[Any], list[bytes] | None]:
    """(document numbers, weights as floats, values or None) of a `pack_block` block."""
    gaps, raw, at = unpack_head(data, count)
    if raw is None:
        weights = array("f", [1.0]) * count
    elif isinstance(raw, bytes):
        weights = array("f", array("B", raw))
    else:
        weights = raw
    return list(accumulate(gaps)), weights, unpack_values(data, count, at)


#: postings per block of a long posting list, once `long_after` postings are written in
#: blocks of Whoosh's 128: each block read costs Python steps and a zlib set-up (reading
#: "the", 127k postings on M: 25.7 -> 19.2 ms CPU). Readers take any block length from its
#: statistics (old indexes read as before); block-quality skipping never paid for such
#: words, and a word of at most `long_after` postings keeps Whoosh's blocks.
LONG_BLOCK = 1024


def long_after(limit: int) -> int:
    """How many postings of a word go in blocks of `limit` before blocks of `LONG_BLOCK`:
    `LONG_BLOCK` rounded up to whole blocks."""
    return -(-LONG_BLOCK // limit) * limit


def block_starts(count: int, limit: int) -> list[int]:
    """Where each block of a word's `count` postings starts, as `CompactPostingsWriter`
    cuts them: blocks of `limit` postings, then of `LONG_BLOCK` past `long_after(limit)`."""
    edge = long_after(limit)
    return [*range(0, min(count, edge), limit), *range(edge, count, LONG_BLOCK)]


#: packed blocks shorter than this are stored as they are (compression 0 in the block's
#: statistics, which every reader honours): most words have 1-3 postings, a block of ~10
#: bytes that zlib makes longer (6 bytes of header and checksum). Below 256 bytes, zlib saves
#: a fifth of a block at ~15 µs a call: on a 6.4 MB job, 28% of the blocks' compression time
#: (~1% of a worker) for 140 KB more postings (+0.02x the text) and no decompression to read
COMPRESS_MIN = 256


def block_record(
    data: bytes, stats: tuple[int, int, float, int, int], compression: int, last: bool
) -> bytes:
    """A `pack_block` block as Whoosh's postings file holds it: its length (negative: the
    last block of the word), its pickled statistics, then the data, compressed unless short.
    `stats`: (postings, last document number, max weight, min and max length byte)."""
    count, last_id, maxweight, minlength, maxlength = stats
    comp = compression if len(data) >= COMPRESS_MIN else 0
    if comp:
        data = zlib.compress(data, comp)
    info = pickle.dumps((count, last_id, maxweight, comp, minlength, maxlength), 2)
    size = len(info) + len(data)
    return pack_int(-size if last else size) + info + data


class CompactCodec(W3Codec):
    """Whoosh's codec with posting blocks packed by `pack_block` (see above).

    Each segment remembers the codec that wrote it, so indexes mixing these segments with
    Whoosh's own (written by a Whoosh merge) read correctly.
    """

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors (not used by this schema) keep Whoosh's blocks
            return super().postings_writer(dbfile, byteids)
        return CompactPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class CompactPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with blocks packed by `pack_block`, and a word's blocks
    past its first `long_after` postings of `LONG_BLOCK` postings each."""

    def __init__(self, postfile: Any, blocklimit: int, **kwargs: Any) -> None:
        super().__init__(postfile, blocklimit, **kwargs)
        self._short_limit = blocklimit

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        self._blocklimit = self._short_limit
        super().start_postings(format_, terminfo)

    def _write_block(self, last: bool = False) -> None:
        """Whoosh's `_write_block` with the block data packed instead of pickled."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        data = pack_block(ids, self._weights, self._values)
        self._postfile.write(
            block_record(
                data,
                (
                    len(ids),
                    ids[-1],
                    self._maxweight,
                    length_to_byte(self._minlength),
                    length_to_byte(self._maxlength),
                ),
                self._compression,
                last,
            )
        )
        self._blockcount += 1
        if self._blockcount * self._short_limit >= long_after(self._short_limit):
            self._blocklimit = LONG_BLOCK
        self._new_block()


class CompactLeafMatcher(W3LeafMatcher):
    def _read_data(self) -> None:
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression:
            data = zlib.decompress(data)
        self._data = unpack_block(data, self._blocklength)

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        self._ids = self._data[0]

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        self._weights = self._data[1]

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        values = self._data[2]
        self._values = values if values is not None else (None,) * self._blocklength


# -- top lists -------------------------------------------------------------------------------
#
# A single unfiltered word is ranked by BM25, whose score of a posting depends only on its
# class (frequency, length byte of its turn): strictly higher for a higher frequency and for
# a lower length byte (K1 > 0, B > 0), ties going to the lower document number. A posting
# beaten by `TOP_K` others of its segment (a class dominating its own, or its own class
# earlier) can never be among the best `TOP_K` of any index holding the segment, whatever
# the idf and average length. A segment keeps the others, per common word, as that word's
# postings in the hidden field `TOP_SUFFIX` (ranking.py reads them instead of all postings).

#: words with fewer postings in a segment get no top list there (reading them all is cheap)
TOP_MIN = 4096
#: the most hits a top list answers for
TOP_K = 100
#: the top lists of field f are the postings of field f + TOP_SUFFIX
TOP_SUFFIX = "_top"


def top_list(freqs: Sequence[int], lengths: Sequence[int], k: int) -> list[int]:
    """The places (increasing) of the postings, of frequencies `freqs` and length bytes
    `lengths` in document order, that fewer than `k` others beat: D(c), the postings in
    classes strictly dominating class c, by suffix sums over frequencies and prefix sums
    over length bytes; then the first k - D(c) postings of each class with D(c) < k."""
    keys = [f << 8 | n for f, n in zip(freqs, lengths, strict=True)]
    counts = Counter(keys)
    column = [0] * 256  # postings at each length byte with a frequency >= the current one
    room: dict[int, int] = {}
    for f in sorted({c >> 8 for c in counts}, reverse=True):
        for n in range(256):
            column[n] += counts.get(f << 8 | n, 0)
        below = 0  # postings of frequency >= f at length bytes <= n
        for n in range(256):
            below += column[n]
            here = counts.get(f << 8 | n, 0)
            if here and below - here < k:
                room[f << 8 | n] = k - (below - here)
    out = []
    for j in compress(range(len(keys)), map(room.__contains__, keys)):
        left = room[keys[j]]
        if left:
            room[keys[j]] = left - 1
            out.append(j)
    return out


# -- word pairs ------------------------------------------------------------------------------
#
# A phrase of common words has tens of thousands of candidate turns (every turn holding all
# its words), each checked by its positions. A segment also keeps, for every two words that
# stand side by side there and each have `PAIR_MIN` postings or more in the segment, the pair
# as one term of the hidden field `PAIR_SUFFIX` ("a b"), with the first word's positions:
# a two-word phrase is then one posting list, a longer one the phrase of its pairs. Whether
# a segment holds a pair follows from its words' document frequencies, so a missing pair
# means the words never stand side by side there. The segment's marker term `PAIR_MARK`
# records the `PAIR_MIN` it was written with, as its total weight negated: a Whoosh merge
# copies the pairs (turns deleted, segments joined) and its copy, whose totals are the sums
# of positive weights, is ignored. A segment without pairs has no marker (nor any phrase
# with many candidates); ranking.py checks the phrases of such segments by positions.

#: words with fewer postings in a segment form no pairs there (their phrases have few
#: candidates to check)
PAIR_MIN = 1024
#: the pairs of field f are the terms of field f + PAIR_SUFFIX
PAIR_SUFFIX = "_pair"
#: the pair field's marker term (no pair of words starts with a control character)
PAIR_MARK = "\x00"


def pair_weight(pair: int, first: int, second: int) -> float:
    """A pair posting's weight: how often the pair stands in the turn and how often each of
    its words does, less one, as bytes 0, 1 and 2 of an integer (a float holds it exactly;
    words seen once give the pair's frequency alone, and a block of such weights is not
    written at all), so that a phrase answered by pairs is ranked without reading its words'
    postings; where a word occurs 256 times or more, minus the pair's frequency."""
    if first < 256 and second < 256:
        return float(pair | (first - 1) << 8 | (second - 1) << 16)
    return -float(pair)


#: bytes b -> b + 1 (a word's frequency from its byte in `pair_weight`; never 255)
_PLUS_ONE = bytes(range(1, 256)) + b"\x00"


def pair_counts(
    weights: bytearray | array[float],
) -> tuple[bytearray | array[float], bytes | None, bytes | None]:
    """From pair postings' weights (`pair_weight`): each pair's frequency (bytes, or floats
    where one of them packs no word frequencies), and its first and second word's (None
    then)."""
    if isinstance(weights, bytearray):  # all below 256: every word seen once
        ones = b"\x01" * len(weights)
        return weights, ones, ones
    if min(weights, default=1.0) > 0:
        packed = array("I", map(int, weights))
        if _SWAP:
            packed.byteswap()
        raw = packed.tobytes()
        return bytearray(raw[0::4]), raw[1::4].translate(_PLUS_ONE), raw[2::4].translate(_PLUS_ONE)
    return array("f", (-w if w < 0 else int(w) & 255 for w in weights)), None, None
