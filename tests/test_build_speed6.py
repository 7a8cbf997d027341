"""The build's faster paths give what the plain ones give: the tokenizer's ASCII pattern
finds exactly the raw matches of TOKEN_PATTERN, on generated text and on the real corpus's
turns, and the topic matcher's hits are those of a pattern-by-pattern scan."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import analysis
from searcher.analysis import TOKEN_PATTERN, raw_stems, stem, word_of
from searcher.readers import iter_files, read_file
from searcher.topics import Matcher, bundled_taxonomy

from .conftest import shared_path

#: what the token pattern's alternatives turn on: letters (ASCII and not), digits, dots,
#: commas, apostrophes (straight and curly), hyphens, underscores, superscripts, spaces
RICH = "aAbUSszZ09157.,.'’-–_ \n¹²éÄßЖж"
ASCII = "aAbUSszZ09157.,.'-_ \n"


def _same(text: str) -> None:
    assert analysis._tokens(text) == re.findall(TOKEN_PATTERN, text)
    if text.isascii():  # the spans `words` gives, too
        spans = [m.span() for m in analysis._ASCII_TOKEN.finditer(text)]
        assert spans == [m.span() for m in re.finditer(TOKEN_PATTERN, text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ASCII, max_size=60))
def test_ascii_pattern_finds_the_token_patterns_matches(text: str) -> None:
    assert text.isascii()
    _same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=RICH, max_size=60))
def test_tokens_match_the_token_pattern_on_any_text(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "U.S.",
                "U.S.S.R",
                "a.b.c",
                "4,700",
                "8.0",
                "1.2.3",
                "don't",
                "x'y'z",
                "A.5",
                "5.a",
                "1980s",
                "B.",
                "_a",
                "a_",
                ".",
                ",",
                "'",
                " ",
                "-",
                "SS-20",
                "Ivan",
                "x.y_",
            ]
        ),
        max_size=12,
    )
)
def test_tokens_match_on_joined_tricky_pieces(pieces: list[str]) -> None:
    _same("".join(pieces))
    _same(" ".join(pieces))


def test_tokens_match_on_real_turns() -> None:
    folder = shared_path()
    checked = ascii_turns = 0
    for path in iter_files([str(folder)]):
        if not isinstance(path, str) or path.endswith((".md", ".tsv", ".toml")):
            continue
        for doc in read_file(path).transcripts:
            for turn in doc.turns:
                _same(turn.text)
                checked += 1
                ascii_turns += turn.text.isascii()
    assert checked > 100 and ascii_turns > 0


def _hits_slowly(matcher: Matcher, text: str) -> list[tuple[int, str, tuple[tuple[str, str], ...]]]:
    raws, stems = raw_stems(text)
    words = [word_of(r) for r in raws]
    out = []
    for i, topic in enumerate(matcher.taxonomy.topics):
        entries = [(p, "s") for p in topic.strong] + [(p, "w") for p in topic.weak]
        entries += [(p, str(g)) for g, group in enumerate(topic.together) for p in group]
        for p, kind in entries:
            for pos in range(len(raws) - len(p) + 1):
                if all(
                    stems[pos + j] == v if op == "=" else words[pos + j].startswith(v)
                    for j, (op, v) in enumerate(p)
                ):
                    out.append((i, kind, p))
    return sorted(out)


def test_matcher_hits_equal_a_plain_scan_on_real_turns() -> None:
    matcher = Matcher(bundled_taxonomy())
    texts = [
        t.text
        for path in iter_files([str(shared_path("hsg"))])
        if isinstance(path, str)
        for doc in read_file(path).transcripts
        for t in doc.turns
    ]
    texts += ["", "Ivan Petrov said nothing.", texts[0].upper() if texts else "X"]
    for _ in range(2):  # the second time, every spelling is remembered
        for text in texts:
            assert sorted(matcher.hits(text)) == _hits_slowly(matcher, text)
    assert stem("nuclear") == raw_stems("nuclear")[1][0]
