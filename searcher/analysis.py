"""Text analysis for the index: tokens, case and accent folding, Snowball stemming.

The classes here are pickled into every index's schema, so they must stay module-level and
keep their names. NLTK's stemmer is imported on first use only, and each process remembers
the stems it computed: opening an index or answering a query from the terminal does not pay
for `import nltk` until a word actually needs stemming.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import is_
from typing import Any, cast


def _import_whoosh_lightly() -> None:
    """Import Whoosh without modules it loads for features searcher never uses:
    `whoosh.compat` imports `urllib.request` (http, email, ssl: ~45 ms) for a download
    helper and `html` (~2.5 ms) for highlighting, `whoosh.query` compiles English morphology
    patterns (~20 ms) for term variations, and `whoosh.analysis` loads the Porter stemmer and
    Double Metaphone (~3 ms) for its own filters. While Whoosh's modules load, each stands in
    as a function that imports the real module when called; afterwards a plain
    `import urllib.request` works as ever. Term tables (`whoosh.filedb.filetables`) hash
    keys with `hashlib.md5`: `hashlib` loads OpenSSL (~3.5 ms), CPython's own `_md5` gives
    the same digests (~1 ms)."""
    import importlib
    import sys
    import types

    if "whoosh.compat" in sys.modules:
        return

    def later(module: str, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(module), name)(*args, **kwargs)

        return call

    added = []
    for module, name in (
        ("urllib.request", "urlretrieve"),
        ("html", "escape"),
        ("whoosh.lang.morph_en", "variations"),
        ("whoosh.lang.porter", "stem"),
        ("whoosh.lang.dmetaphone", "double_metaphone"),
    ):
        if module not in sys.modules:
            stand_in = types.ModuleType(module)
            setattr(stand_in, name, later(module, name))
            sys.modules[module] = stand_in
            added.append(module)
    if "hashlib" not in sys.modules:
        try:
            md5 = importlib.import_module("_md5").md5
        except ImportError:  # a Python built without it: Whoosh imports hashlib itself
            md5 = None
        if md5 is not None:
            stand_in = types.ModuleType("hashlib")
            stand_in.md5 = md5  # type: ignore[attr-defined]
            sys.modules["hashlib"] = stand_in
            added.append("hashlib")
    try:
        import whoosh.compat
        import whoosh.filedb.filetables
        import whoosh.query  # noqa: F401
    finally:
        for module in added:
            del sys.modules[module]


_import_whoosh_lightly()

from whoosh.analysis import Composable, Filter, Token, Tokenizer  # noqa: E402

# A word: letters and digits with inner apostrophes ("don't", "DPRK's"); a dotted abbreviation
# ("U.S.", "U.S.S.R."); a number with separators ("4,700", "8.0"). Hyphens split compounds.
TOKEN_PATTERN = (
    r"[^\W\d_](?:\.[^\W\d_])+\.?(?![^\W_])"
    r"|\d+(?:[.,]\d+)+"
    r"|[^\W_]+(?:['’][^\W_]+)*"
)
_TOKEN = re.compile(TOKEN_PATTERN)
#: `_TOKEN` for text that `str.isascii()`: the same matches there (Unicode `\w` and `\d` are
#: `[A-Za-z0-9_]` and `[0-9]` on ASCII), its classes as byte maps, not Unicode category
#: calls, and each alternative's shared first character tested once (`_tokens`: 0.33 s
#: instead of 0.55 on the 13,366 turns of the bench's first 6.4 MB)
_ASCII_TOKEN = re.compile(
    r"[A-Za-z](?:(?:\.[A-Za-z])+\.?(?![A-Za-z0-9])|[A-Za-z0-9]*(?:'[A-Za-z0-9]+)*)"
    r"|[0-9](?:[0-9]*(?:[.,][0-9]+)+|[A-Za-z0-9]*(?:'[A-Za-z0-9]+)*)"
)
_POSSESSIVE = re.compile(r"['’]s$")
_APOSTROPHE = re.compile(r"['’]")
#: joiners of compounds when written without spaces ("SS–20" is set with an en dash)
_HYPHENS = frozenset("-‐‑–")
#: footnote or paragraph numbers glued to a word: "Conversation1", "State2", "3Kohl"
_NOTE_AFTER = re.compile(r"([^\W\d_]{3,})\d{1,2}")
_NOTE_BEFORE = re.compile(r"\d{1,2}([^\W\d_][^\W\d_]{2,})")
_SUPERSCRIPTS = "¹²³⁰⁴⁵⁶⁷⁸⁹"
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?\.?")
#: "U.S." and "US" mean the country, never the pronoun "us"
_COUNTRY_US = "usa"


def _token_pattern(text: str) -> re.Pattern[str]:
    """`_TOKEN`, or its faster ASCII form where that gives the same matches."""
    return _ASCII_TOKEN if text.isascii() else _TOKEN


def _tokens(text: str) -> list[str]:
    """`_TOKEN.findall(text)`, faster on ASCII text."""
    return _token_pattern(text).findall(text)


def fold(word: str) -> str:
    """Lowercase without accents: "Brandt", "brandt" and "Brändt" meet."""
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKD", word)
    return "".join(c for c in word if not unicodedata.combining(c)).casefold()


def _word(raw: str, start: int) -> tuple[str, int, int]:
    """The folded form of one raw match and the span of the part that carries it."""
    bare = raw.rstrip(_SUPERSCRIPTS)
    if bare != raw and any(c.isalpha() for c in bare):  # a footnote mark set as superscript
        raw = bare
    end = start + len(raw)
    if _DOTTED.fullmatch(raw) and "." in raw:
        word = fold(raw.replace(".", ""))
        return (_COUNTRY_US if word == "us" else word), start, end
    if raw[0].isdigit() and ("," in raw or "." in raw):
        return fold(raw.replace(",", "")), start, end
    if raw[-1] in "sS" and raw[:-1].isdigit():  # "SS-20s", "the 1980s"
        return fold(raw[:-1]), start, end
    m = _NOTE_AFTER.fullmatch(raw)
    if m and not m.group(1).isupper():
        raw, end = m.group(1), start + len(m.group(1))
    else:
        m = _NOTE_BEFORE.fullmatch(raw)
        if m and m.group(1)[0].isupper() and not m.group(1).isupper():
            start += len(raw) - len(m.group(1))
            raw = m.group(1)
    if raw == "US":
        return _COUNTRY_US, start, end
    word = fold(_APOSTROPHE.sub("", _POSSESSIVE.sub("", raw)))
    return word, start, end


#: raw match -> (folded word, start and end offsets within the match): the rule chain of
#: `_word` runs once per distinct spelling, not once per token
_RAW: dict[str, tuple[str, int, int]] = {}
_RAW_MAX = 400_000


def _remember(raw: str) -> tuple[str, int, int]:
    if len(_RAW) >= _RAW_MAX:
        _RAW.clear()
    hit = _RAW[raw] = _word(raw, 0)
    return hit


#: raw match -> folded word alone (`_RAW`'s first item), for `word_of`
_RAW_WORDS: dict[str, str] = {}


def _raw_word(raw: str) -> str:
    if len(_RAW_WORDS) >= _RAW_MAX:
        _RAW_WORDS.clear()
    word = _RAW_WORDS[raw] = (_RAW.get(raw) or _remember(raw))[0]
    return word


def _found(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) of each non-empty word, in one pass of the token regex."""
    cache = _RAW
    found: list[tuple[str, int, int]] = []
    append = found.append
    for m in _token_pattern(text).finditer(text):
        raw = m[0]
        hit = cache.get(raw) or _remember(raw)
        if hit[0]:
            s = m.start()
            append((hit[0], s + hit[1], s + hit[2]))
    return found


def scan(text: str) -> Iterator[tuple[str, int, int, str | None]]:
    """(folded word, start, end, joined compound or None) for each word of `text`.

    The spans index the original text. A hyphenated compound ("Yong-nam", "Sino-Soviet",
    "SS-20") yields its parts, and its first part also carries the parts joined ("yongnam"),
    so the compound is found whole, by its parts, and written without the hyphen.
    """
    found = _found(text)
    if not any(h in text for h in _HYPHENS):  # no compound possible: the common case
        for word, start, end in found:
            yield word, start, end, None
        return
    i = 0
    while i < len(found):
        j = i
        while (
            j + 1 < len(found)
            and found[j + 1][1] == found[j][2] + 1
            and text[found[j][2]] in _HYPHENS
        ):
            j += 1
        joined = "".join(w for w, _, _ in found[i : j + 1]) if j > i else None
        for k in range(i, j + 1):
            yield (*found[k], joined if k == i else None)
        i = j + 1


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) for each word of `text`; the spans index the original text."""
    return iter(_found(text))


class WordTokenizer(Tokenizer):
    """Whoosh tokenizer over `words`: folded words with positions and character spans."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        if not (chars or keeporiginal or any(h in value for h in _HYPHENS)):
            # indexing: words and positions only, and no compound to join
            cache = _RAW
            for raw in _tokens(value):
                word = (cache.get(raw) or _remember(raw))[0]
                if word:
                    pos += 1
                    t.text, t.boost, t.stopped = word, 1.0, False
                    if positions:
                        t.pos = pos
                    yield t
            return
        for word, start, end, joined in scan(value):
            pos += 1
            if joined is not None:
                # the joined compound first, at the position of its first part
                t.text, t.boost, t.stopped = joined, 1.0, False
                if keeporiginal:
                    t.original = value[start:end]
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + start, start_char + end
                yield t
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


#: Snowball stemmers by script: the text's own language where the script tells it. Latin
#: script could be English, German or French; the archives translate into English, so it is
#: stemmed as English (a per-document language would need one text field per language).
_SCRIPT_LANGUAGES = {"CYRILLIC": "russian", "ARABIC": "arabic", "LATIN": "english"}


def script(word: str) -> str:
    """The Unicode script of a word's first letter ("LATIN", "CYRILLIC", …; "" for digits)."""
    for c in word:
        if c.isalpha():
            if c.isascii():
                return "LATIN"
            return unicodedata.name(c, "").split(" ")[0]
    return ""


def import_nltk() -> None:
    """Import NLTK without SciPy: `import nltk` loads `nltk.metrics`, which imports
    `scipy.stats` when it is installed (~1 s here) for a Fisher test searcher never uses;
    NLTK falls back on its own when the import fails. A SciPy already loaded is left alone."""
    import sys

    blocked = "nltk" not in sys.modules and "scipy" not in sys.modules
    if blocked:
        sys.modules["scipy"] = None  # type: ignore[assignment]
    try:
        import nltk  # noqa: F401
    finally:
        if blocked:
            del sys.modules["scipy"]


class _Stopwords:
    """NLTK's stopword lists, looked up only when a stemmer is asked to skip stopwords."""

    def __getattr__(self, name: str) -> Any:
        import importlib

        return getattr(importlib.import_module("nltk.corpus").stopwords, name)


def _snowball() -> Any:
    """NLTK's `SnowballStemmer` without `import nltk`, which loads corpus readers, numpy
    and the rest (~300 ms here; the stemmer's own modules take ~30 ms): an index update
    stems new words in a fresh process. While the stemmer's module loads, `nltk` and
    `nltk.stem` stand in as bare packages and `nltk.corpus` as the one name it takes;
    afterwards the stand-ins go, and a plain `import nltk` loads NLTK as ever (reusing the
    stemmer's modules, whose `stopwords` then reaches the real corpus)."""
    import importlib.util
    import sys
    import types

    stand_ins: dict[str, Any] = {}
    if "nltk" not in sys.modules:
        spec = importlib.util.find_spec("nltk")
        folders = list(spec.submodule_search_locations or []) if spec else []
        stand_ins = {name: types.ModuleType(name) for name in ("nltk", "nltk.stem", "nltk.corpus")}
        stand_ins["nltk"].__path__ = folders
        stand_ins["nltk.stem"].__path__ = [os.path.join(f, "stem") for f in folders]
        stand_ins["nltk.corpus"].stopwords = _Stopwords()
        sys.modules.update(stand_ins)
    try:
        from nltk.stem.snowball import SnowballStemmer
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return SnowballStemmer


class _Stems:
    """Snowball stems by script, remembered per process (NLTK loaded on the first miss)."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self._stemmers: dict[str, Any] = {}
        #: raw match -> the stem of its folded word (`_NO_WORD` when it folds to none): one
        #: look-up per token gives what the index and the topic matcher need
        self._raw: dict[str, str] = {}
        self._raw_from = self.cache

    def raw(self) -> dict[str, str]:
        """The raw matches' stems, drawn from `cache`: a new cache (a test's) starts them
        afresh, so every word indexed still passes through `cache` (and is saved)."""
        if self._raw_from is not self.cache:
            self._raw, self._raw_from = {}, self.cache
        return self._raw

    def _stemmer(self, language: str) -> Any:
        stemmer = self._stemmers.get(language)
        if stemmer is None:
            stemmer = self._stemmers[language] = _snowball()(language).stem
        return stemmer

    def __call__(self, word: str) -> str:
        stem = self.cache.get(word)
        if stem is None:
            language = _SCRIPT_LANGUAGES.get(script(word))
            short = language is None or len(word) <= 2
            stem = word if short else self._stemmer(language or "")(word)
            self.cache[word] = stem
        return stem


STEMS = _Stems()


def stem(word: str) -> str:
    return STEMS(word)


#: word<TAB>stem for every word an index holds, saved beside it at build time
STEM_MAP = "stems.tsv"


def load_stems(folder: str) -> int:
    """Preload the stems an index saved: queries on known words then never import NLTK."""
    try:
        with open(os.path.join(folder, STEM_MAP), encoding="utf-8") as f:
            # word, stem, word, stem…: split in C (2x faster than line by line)
            parts = f.read().replace("\n", "\t").split("\t")
    except OSError:
        return 0
    pairs = dict(zip(parts[0:-1:2], parts[1::2], strict=True))
    pairs.update(STEMS.cache)  # stems this process already knows stay as they are
    STEMS.cache.update(pairs)
    return len(pairs)


def save_stems(folder: str) -> None:
    """Every stem this process knows (the words just indexed, and those preloaded)."""
    tmp = os.path.join(folder, STEM_MAP + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(f"{w}\t{s}\n" for w, s in STEMS.cache.items() if "\t" not in w + s)
    os.replace(tmp, os.path.join(folder, STEM_MAP))


class SnowballFilter(Filter):
    """Stems with NLTK's Snowball in the word's script's language; pickles without its cache."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        cache, stems = STEMS.cache, STEMS
        for t in tokens:
            if not t.stopped:
                t.text = cache.get(t.text) or stems(t.text)
            yield t


def text_analyzer() -> Composable:
    """The analyzer of the `text` field (and of queries against it)."""
    return WordTokenizer() | SnowballFilter()


def analyze(text: str) -> list[str]:
    """The terms `text` is indexed under (used for highlighting and topic matching)."""
    cache, stems = STEMS.cache, STEMS
    return [cache.get(w) or stems(w) for w, _, _ in _found(text)]


#: the "stem" of a raw match that folds to no word: no stem holds a NUL (no token does)
_NO_WORD = "\0"


def word_of(raw: str) -> str:
    """The folded word of a raw match that carries one (as `raw_stems` gives them)."""
    return _RAW_WORDS.get(raw) or _raw_word(raw)


def _raw_stem(table: dict[str, str], raw: str) -> str:
    if len(table) >= _RAW_MAX:
        table.clear()
    word = word_of(raw)
    got = table[raw] = STEMS(word) if word else _NO_WORD
    return got


#: text -> (raw matches, stems) of the turns whose topics were just derived, until
#: `index_terms` takes them: a build derives a record's topics right before indexing its
#: turns, so each turn is tokenized and stemmed once (a bound, should the index never ask)
_KEPT: dict[str, tuple[list[str], list[str]]] = {}
_KEPT_MAX = 20_000


def raw_stems(text: str) -> tuple[list[str], list[str]]:
    """The raw matches of `text` that carry a word (`word_of` folds them as `words` does)
    and their words' stems; kept for `index_terms(text)`."""
    kept = _KEPT.get(text)
    if kept is None:
        # dictionary look-ups mapped in C; the rare misses filled in after
        raws = _tokens(text)
        table = STEMS.raw()
        got: list[str | None] = list(map(table.get, raws))
        if None in got:  # only the misses are visited, found in C
            for i in _misses(got):
                got[i] = _raw_stem(table, raws[i])
        if _NO_WORD in got:
            raws = [raw for raw, s in zip(raws, got, strict=True) if s != _NO_WORD]
            got = [s for s in got if s != _NO_WORD]
        kept = (raws, cast("list[str]", got))
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[text] = kept
    return kept


def _misses(found: list[Any]) -> list[int]:
    """The indices of `found` that hold None."""
    return list(compress(range(len(found)), map(is_, found, repeat(None))))


def index_terms(text: str) -> tuple[list[str], list[int] | None]:
    """The terms `text_analyzer()` yields when indexing `text` and their positions (None
    for 0, 1, 2, …), without Token objects: a joined compound comes first, at the position
    of its first part."""
    cache, stems = STEMS.cache, STEMS
    kept = _KEPT.pop(text, None)
    if not any(h in text for h in _HYPHENS):  # the tokenizer's indexing path
        if kept is not None:
            return kept[1], None
        raw_cache = _RAW
        found = [(raw_cache.get(raw) or _remember(raw))[0] for raw in _tokens(text)]
        return [cache.get(w) or stems(w) for w in found if w], None
    terms: list[str] = []
    positions: list[int] = []
    for pos, (word, _, _, joined) in enumerate(scan(text)):
        if joined is not None:
            terms.append(cache.get(joined) or stems(joined))
            positions.append(pos)
        terms.append(cache.get(word) or stems(word))
        positions.append(pos)
    return terms, positions
