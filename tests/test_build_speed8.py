"""Session 19's reader fast paths give what the plain code gave.

`match_label` remembers its verdict per label, `split_turns` cleans a one-paragraph turn
without joining, `reported.apply` keeps a turn that is already the one it would build, and
`read_bytes` reads what `fstat` reports rather than the 64 MB limit. The reference functions
below are the code before (kept here as the specification).
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.errors import ReadError
from searcher.model import Speaker, Turn
from searcher.readers import reported, text, turns
from searcher.readers.text import Paragraph, clean_turn_text
from searcher.readers.turns import (
    _COLON_LABEL,
    _INITIALS,
    _NUMBER,
    _PERIOD_LABEL,
    FIELD_WORDS,
    MAX_LABEL_CHARS,
    NOT_PEOPLE,
    Label,
    match_label,
    split_turns,
)
from searcher.speakers import Person, Registry, _Entry, display_name, fold, with_overrides


def old_match_label(text: str) -> Label | None:
    for pattern, caps in ((_COLON_LABEL, False), (_PERIOD_LABEL, True)):
        m = pattern.match(text)
        if not m:
            continue
        label = m["label"].strip()
        words = label.replace("[", "").replace("]", "").split()
        if not words or len(label) > MAX_LABEL_CHARS:
            continue
        first = words[0].lower().rstrip(".")
        if not caps and (first in FIELD_WORDS or label.lower().rstrip(".") in FIELD_WORDS):
            continue
        if caps:
            bare = [w.strip(".") for w in words if not _INITIALS.fullmatch(w)]
            if not bare or any(w in NOT_PEOPLE for w in bare):
                continue
            if bare[0].lower() in FIELD_WORDS:
                continue
        if _NUMBER.fullmatch(label):
            continue
        return Label(label, (m["dir"] or "").strip() or None, text[m.end() :].strip())
    return None


def old_split_turns(doc_id: str, paras: list[Paragraph], start: int = 1) -> list[Turn]:
    out: list[Turn] = []
    current: list[str] = []
    label: str | None = None
    kind = "narrative"

    def flush() -> None:
        text = "\n\n".join(filter(None, (clean_turn_text(p) for p in current)))
        if text:
            out.append(Turn(doc_id=doc_id, n=start + len(out), text=text, kind=kind, label=label))  # type: ignore[arg-type]
        current.clear()

    for para in paras:
        lab = old_match_label(para.text)
        if lab is not None:
            flush()
            if lab.direction:
                label, kind = None, "narrative"
                current.append(f"({lab.direction})")
                flush()
            label, kind = lab.label, "labelled"
            current.append(lab.rest)
        elif turns.is_editorial(para.text):
            flush()
            resume = label
            label, kind = None, "narrative"
            current.append(para.text)
            flush()
            label, kind = resume, "continuation" if resume else "narrative"
        else:
            current.append(para.text)
    flush()
    return out


# Invented people only; field words, acronyms, numbers and brackets that must not be labels.
_LEADS = [
    "Ivan Petrov",
    "IVAN PETROV",
    "PETROV",
    "A.S. SMIRNOVA",
    "Anna Smirnova",
    "[Petrov]",
    "P[etrov]",
    "Mr. Kowalski",
    "Date",
    "Subject",
    "Memorandum",
    "NATO",
    "KGB PETROV",
    "A.B.",
    "USSR",
    "US SIDE",
    "II",
    "12",
    "NOTE",
    "Q",
    "Von Holt",
    "Dr. Ivan de la Cruz",
    "X" * 70,
    "ANNA SMIRNOVA (reads a letter)",
    "Ivan Petrov (laughing)",
    "3. PETROV",
    "",
]
_ENDS = [": ", ". ", ":", ".", " ", ":  ", ". [...] "]
_SPEECH = ["we agree.", "", "[…] the talks", "no  doubt\tat all", "(laughter)", "[Note]", "yes"]
_PARA = st.builds(
    lambda lead, end, speech: f"{lead}{end}{speech}",
    st.sampled_from(_LEADS),
    st.sampled_from(_ENDS),
    st.sampled_from(_SPEECH) | st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_PARA)
def test_match_label_as_before(para: str) -> None:
    # twice: the second answer comes from the remembered verdict
    assert match_label(para) == old_match_label(para)
    assert match_label(para) == old_match_label(para)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARA, max_size=12), st.integers(1, 5))
def test_split_turns_as_before(texts: list[str], start: int) -> None:
    paras = [Paragraph(t, k + 1) for k, t in enumerate(texts)]
    assert split_turns("doc", paras, start) == old_split_turns("doc", paras, start)


def _fresh(doc_id: str, turns_: list[Turn]) -> list[Turn]:
    """What `apply` built before: every turn anew, numbered from 1, without a speaker."""
    return [Turn(doc_id, i, t.text, t.kind, None, t.label) for i, t in enumerate(turns_, 1)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_PARA, max_size=10), st.sampled_from(["", "Petrov"]))
def test_apply_keeps_only_what_it_would_build(texts: list[str], author: str) -> None:
    paras = [Paragraph(t, k + 1) for k, t in enumerate(texts)]
    made = reported.apply(split_turns("doc", paras), "doc", author, ["Ivan Petrov"])
    assert made == _fresh("doc", made)
    assert [t.n for t in made] == list(range(1, len(made) + 1))


def test_apply_builds_anew_what_differs() -> None:
    """A turn given with a speaker, topics, another number or record is not kept as it is."""
    sp = Speaker(id="ivan-petrov", name="Ivan Petrov")
    given_turns = [
        Turn("doc", 1, "We agree.", "labelled", sp, "PETROV"),
        Turn("doc", 2, "We agree.", "labelled", None, "PETROV", ("trade",)),
        Turn("doc", 5, "So do we.", "labelled", None, "SMIRNOVA"),
        Turn("other", 4, "The talks ended.", "narrative"),
        Turn("doc", 5, "Good.", "labelled", None, "PETROV", (), ("trade",)),
    ]
    made = reported.apply(given_turns, "doc")
    assert made == _fresh("doc", given_turns)
    assert all(m is not g for m, g in zip(made, given_turns, strict=True))


def test_apply_keeps_an_unchanged_turn() -> None:
    made = split_turns("doc", [Paragraph("PETROV: We agree.", 1)])
    assert reported.apply(made, "doc")[0] is made[0]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000])
def test_read_bytes_reads_the_whole_file(tmp_path: Path, size: int) -> None:
    path = str(tmp_path / "f.txt")
    data = os.urandom(size)
    with open(path, "wb") as f:
        f.write(data)
    assert text.read_bytes(path) == data


def test_read_bytes_reads_on_when_the_file_grew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fstat` said less than the file holds (it grew meanwhile): all of it is read, and it
    is refused when that passes the limit."""
    path = str(tmp_path / "f.txt")
    data = b"Ivan Petrov: yes.\n" * 500
    with open(path, "wb") as f:
        f.write(data)
    real = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        st_ = real(fd)
        return os.stat_result((*st_[:6], 10, *st_[7:]))  # st_size: 10 bytes

    monkeypatch.setattr(text.os, "fstat", shrunk)
    assert text.read_bytes(path) == data
    monkeypatch.setattr(text, "MAX_TEXT_BYTES", len(data) - 1)
    with pytest.raises(ReadError, match="grew while being read"):
        text.read_bytes(path)


# -- speaker resolution ----------------------------------------------------------------------


def old_find_in(registry: Registry, text: str) -> list[Person]:
    toks = [t for t in re.findall(r"[^\W_]+", re.sub(r"['’`ʼ‘]", "", fold(text))) if len(t) > 1]
    found: dict[str, Person] = {}
    i = 0
    while i < len(toks):
        for n in (4, 3, 2, 1):
            ids = registry.by_key.get("".join(toks[i : i + n])) if i + n <= len(toks) else None
            if ids:
                if len(ids) == 1:
                    p = registry.people[next(iter(ids))]
                    found[p.id] = p
                i += n
                break
        else:
            i += 1
    return list(found.values())


_REGISTRY = with_overrides([])
#: spellings the registry knows, cut into pieces (prefixes of keys), and other title words
_FORMS = sorted({f for p in _REGISTRY.people.values() for f in p.forms()})
_WORDS = st.sampled_from(_FORMS) | st.sampled_from(
    ["Memorandum of Conversation", "between", "and", "Ivan", "Petrov", "Kim", "Il", "de", "’s"]
)
_PIECES = _WORDS | _WORDS.map(lambda w: w[: len(w) // 2]) | st.text(max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=8), st.sampled_from([" ", ", ", "-", ""]))
def test_find_in_as_before(pieces: list[str], sep: str) -> None:
    title = sep.join(pieces)
    assert _REGISTRY.find_in(title) == old_find_in(_REGISTRY, title)


def test_find_in_sees_people_added_later() -> None:
    """The prefixes `find_in` skips by are made again when someone is added."""
    reg = Registry()
    reg.add(Person("ivan-petrov", "Ivan Petrov"))
    assert reg.find_in("Talks with Anna Smirnova") == []
    anna = Person("anna-smirnova", "Anna Smirnova", ("A. Smirnova",))
    reg.add(anna)
    assert reg.find_in("Talks with Anna Smirnova") == [anna]
    assert reg.find_in("Talks with Anna Smirnova") == old_find_in(reg, "Talks with Anna Smirnova")


def test_entry_copy_is_copy_copy() -> None:
    entry = _Entry("Ivan Petrov", None, "Minister", "SU")
    mine, ref = entry.copy(), copy.copy(entry)
    assert mine == ref and mine is not entry
    assert mine.tokens is entry.tokens  # shallow, as before
    mine.role = "Ambassador"
    assert entry.role == "Minister"


def old_display_name(label: str) -> str:
    s = re.sub(r"^\d+\.?\s*", "", label.strip())
    s = re.sub(r"\s*\([^)]*\)", "", s)
    s = re.sub(r"[\[\]]", "", s).strip(" .:")
    if s.isupper() and len(s) > 2:
        s = " ".join(w if re.fullmatch(r"(?:[A-Z]\.)+", w) else w.capitalize() for w in s.split())
        s = re.sub(r"-([a-z])", lambda m: "-" + m[1], s)
    return re.sub(r"\s+", " ", s)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["3.", "IVAN", "PETROV-SMIRNOV", "A.S.", "[Petrov]", "(reads)", "  ", "\t"])
        | st.text(max_size=6),
        max_size=6,
    )
)
def test_display_name_as_before(parts: list[str]) -> None:
    label = " ".join(parts)
    assert display_name(label) == old_display_name(label)
