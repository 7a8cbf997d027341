"""Text analysis for the index: tokens, case and accent folding, Snowball stemming.

The classes here are pickled into every index's schema, so they must stay module-level and
keep their names. NLTK's stemmer is imported on first use only, and each process remembers
the stems it computed: opening an index or answering a query from the terminal does not pay
for `import nltk` until a word actually needs stemming.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Composable, Filter, Token, Tokenizer

# Words: letters and digits, with inner apostrophes ("don't", "DPRK's") kept together.
TOKEN_PATTERN = r"[^\W_]+(?:['’][^\W_]+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
_POSSESSIVE = re.compile(r"['’]s$")
_APOSTROPHE = re.compile(r"['’]")


def fold(word: str) -> str:
    """Lowercase without accents: "Brandt", "brandt" and "Brändt" meet."""
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKD", word)
    return "".join(c for c in word if not unicodedata.combining(c)).casefold()


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """(folded word, start, end) for each word of `text`; the spans index the original text."""
    for m in _TOKEN.finditer(text):
        word = _POSSESSIVE.sub("", m.group())
        word = fold(_APOSTROPHE.sub("", word))
        if word:
            yield word, m.start(), m.end()


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
        for pos, (word, start, end) in enumerate(words(value)):
            t.text = word
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[start:end]
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class _Stems:
    """English Snowball stems, remembered per process (NLTK loaded on the first miss)."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self._stem: Any = None

    def __call__(self, word: str) -> str:
        stem = self.cache.get(word)
        if stem is None:
            if self._stem is None:
                from nltk.stem.snowball import SnowballStemmer

                self._stem = SnowballStemmer("english").stem
            stem = self.cache[word] = self._stem(word) if len(word) > 2 else word
        return stem


STEMS = _Stems()


def stem(word: str) -> str:
    return STEMS(word)


class SnowballFilter(Filter):
    """Stems with NLTK's English Snowball; pickles without its cache."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = STEMS(t.text)
            yield t


def text_analyzer() -> Composable:
    """The analyzer of the `text` field (and of queries against it)."""
    return WordTokenizer() | SnowballFilter()


def analyze(text: str) -> list[str]:
    """The terms `text` is indexed under (used for highlighting and topic matching)."""
    return [STEMS(w) for w, _, _ in words(text)]
