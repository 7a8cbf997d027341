"""The analyzer on the shapes real transcripts have, and its invariants under any text."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.analysis import (
    SnowballFilter,
    WordTokenizer,
    analyze,
    fold,
    scan,
    stem,
    text_analyzer,
    words,
)

from .conftest import fresh_python, shared_path


def folded(text: str) -> list[str]:
    return [w for w, _, _ in words(text)]


def test_possessives_and_curly_apostrophes() -> None:
    assert folded("the DPRK's interests, the USSR’s role") == [
        "the", "dprk", "interests", "the", "ussr", "role",
    ]  # fmt: skip
    assert folded("we don’t doubt it") == ["we", "dont", "doubt", "it"]


def test_hyphenated_names_are_found_whole_by_parts_and_joined() -> None:
    found = list(scan("Kim Yong-nam and Sino-Soviet talks"))
    assert [w for w, *_ in found] == ["kim", "yong", "nam", "and", "sino", "soviet", "talks"]
    assert [j for *_, j in found if j] == ["yongnam", "sinosoviet"]
    tokens = [(t.text, t.pos) for t in text_analyzer()("Yong-nam spoke", positions=True)]
    # the joined form shares the first part's position, so phrases over the parts still match
    assert tokens == [("yongnam", 0), ("yong", 0), ("nam", 1), ("spoke", 2)]


def test_acronyms_abbreviations_and_designations() -> None:
    assert folded("U.S. and USSR, U.S.S.R., INF") == ["usa", "and", "ussr", "ussr", "inf"]
    assert folded("the US position; let us go") == ["the", "usa", "position", "let", "us", "go"]
    assert [(w, j) for w, _, _, j in scan("SS-20 and SS–20s")] == [
        ("ss", "ss20"), ("20", None), ("and", None), ("ss", "ss20"), ("20", None),
    ]  # fmt: skip


def test_numbers() -> None:
    assert folded("In 1985, 4,700 troops; 8.0 on the scale; the 1980s") == [
        "in", "1985", "4700", "troops", "8.0", "on", "the", "scale", "the", "1980",
    ]  # fmt: skip


def test_footnote_and_paragraph_digits_glued_to_words() -> None:
    text = "Memorandum of Conversation1 to State.2 3Kohl: in Zhongnanhai[1]"
    found = list(words(text))
    assert [w for w, _, _ in found] == [
        "memorandum", "of", "conversation", "to", "state", "2", "kohl", "in", "zhongnanhai", "1",
    ]  # fmt: skip
    assert [text[s:e] for w, s, e in found if w in ("conversation", "kohl")] == [
        "Conversation",
        "Kohl",
    ]
    assert folded("SR71 and B52") == ["sr71", "and", "b52"]  # designations keep their digits


def test_quotes_dashes_accents_and_other_scripts() -> None:
    assert folded("“Cold War”—the «détente»") == ["cold", "war", "the", "detente"]
    text = "Brändt met Горбачёв"
    spans = list(words(text))
    assert [w for w, _, _ in spans] == ["brandt", "met", "горбачев"]
    assert text[spans[2][1] : spans[2][2]] == "Горбачёв"  # shown as written
    # Cyrillic words are stemmed with the Russian Snowball, Latin ones with the English
    assert stem("горбачева") == stem("горбачеву") != "горбачева"
    assert stem("negotiations") == stem("negotiating")


def test_analyzer_pickles_without_its_cache() -> None:
    analyzer = text_analyzer()
    stem("warming")  # fill the per-process cache
    again = pickle.loads(pickle.dumps(analyzer))
    assert again == analyzer
    assert [t.text for t in again("Koreans")] == ["korean"]
    assert WordTokenizer() == WordTokenizer() and SnowballFilter() == SnowballFilter()


def test_real_transcript_spans_index_the_original() -> None:
    text = shared_path("wilson", "176345.txt").read_text(encoding="utf-8")
    found = list(words(text))
    assert ("dprk", "DPRK") in {(w, text[s:e]) for w, s, e in found}
    for w, s, e in found:
        assert fold(text[s:e]).replace(".", "").replace(",", "").startswith(w[:1])
    assert "korean" in analyze(text) and "yongnam" in {j for *_, j in scan(text) if j}


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_tokenizes_with_ordered_spans(text: str) -> None:
    last_end = 0
    for word, start, end, joined in scan(text):
        assert word and 0 <= start < end <= len(text)
        assert start >= last_end
        last_end = end
        assert joined is None or joined.startswith(word)
    tokens = list(text_analyzer()(text, positions=True, chars=True))
    positions = [t.pos for t in tokens]
    assert positions == sorted(positions)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_folding_is_idempotent_and_words_are_folded(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    for word in folded(text):
        assert fold(word) == word


@given(st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=20))
def test_stemming_is_deterministic_and_never_empty(word: str) -> None:
    w = fold(word)
    assert stem(w) == stem(w)
    assert stem(w) or not w


def test_superscript_footnote_marks() -> None:
    assert folded("the Department of State¹ and Conversation²³") == [
        "the", "department", "of", "state", "and", "conversation",
    ]  # fmt: skip


def test_stemming_does_not_import_scipy() -> None:
    """NLTK would pull in SciPy (~1 s) when it is installed; stemming must not."""
    import importlib.util

    if importlib.util.find_spec("scipy") is None:
        pytest.skip("SciPy is not installed: nothing to keep out")
    code = (
        "import sys; from searcher.analysis import stem; "
        "print(stem('negotiations'), 'scipy' in sys.modules); "
        "import scipy.stats; print('scipy still imports')"
    )
    out = fresh_python(code).split("\n")
    assert out[0] == "negoti False"
    assert out[1] == "scipy still imports"


def test_stemming_loads_only_nltks_stemmer_and_nltk_imports_as_ever_afterwards() -> None:
    """`import nltk` costs an index update ~300 ms; its Snowball stemmer alone ~30 ms."""
    code = (
        "import sys; from searcher.analysis import stem\n"
        "print(stem('negotiations'), stem('переговоры'))\n"
        "print('nltk' in sys.modules, 'nltk.corpus' in sys.modules, 'numpy' in sys.modules,"
        " 'nltk.stem.snowball' in sys.modules)\n"
        "import nltk; from nltk.stem import SnowballStemmer; from nltk.corpus import stopwords\n"
        "snowball = sys.modules['nltk.stem.snowball']\n"
        "def outcome(get):\n"
        "    try:\n"
        "        return type(get()).__name__\n"
        "    except Exception as e:\n"
        "        return type(e).__name__\n"
        "print(nltk.FreqDist('abca')['a'], SnowballStemmer('english').stem('running'),"
        " outcome(lambda: snowball.stopwords.words) == outcome(lambda: stopwords.words))"
    )
    out = fresh_python(code).split("\n")
    assert out[0] == "negoti переговор"
    assert out[1] == "False False False True"
    assert out[2] == "2 run True"


def test_term_tables_hash_as_hashlib_does_without_loading_it() -> None:
    """Whoosh's term tables get CPython's own md5 instead of OpenSSL's (`hashlib` costs a
    cold search ~3.5 ms): the same digests, and `import hashlib` works as ever afterwards."""
    import importlib.util

    if importlib.util.find_spec("_md5") is None:
        pytest.skip("this Python has no md5 of its own: Whoosh imports hashlib")
    code = (
        "import sys; import searcher.analysis; from whoosh.filedb import filetables\n"
        "print('hashlib' in sys.modules, '_hashlib' in sys.modules)\n"
        "import hashlib\n"
        "keys = [b'', b'treaty', 'Gorbatschow ü'.encode(), bytes(range(256))]\n"
        "print(all(filetables.md5_hash(k) == int(hashlib.md5(k).hexdigest(), 16) & 0xFFFFFFFF"
        " for k in keys), hashlib.sha256(b'').hexdigest()[:8])"
    )
    out = fresh_python(code).split("\n")
    assert out[0] == "False False"
    assert out[1] == "True e3b0c442"
