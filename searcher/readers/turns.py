"""Where a turn is born: speaker labels found at paragraph starts, paragraphs grouped into turns.

Shared by every reader of labelled text (Wilson pages, history.state.gov pages, plain files).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Turn, TurnKind
from .text import Paragraph, clean_turn_text

# A word of a label: a capitalized word, initials ("M.S."), a bracketed name ("[Gorbachev]"),
# or a name with a bracketed completion ("G[ennadii]").
_WORD = r"(?:\[?(?:[A-Z][\w'’\-]*\.?|(?:[A-Z]\.){1,3})\]?(?:\[[\w'’\-]+\])?)"
_PARTICLE = r"(?:de|van|von|der|da|del|la|le|al|bin|ibn)"
_COLON_LABEL = re.compile(
    rf"^(?P<num>\d{{1,3}}\.?\s?)?(?P<label>{_WORD}(?:\s+(?:{_WORD}|{_PARTICLE})){{0,4}})"
    r"(?:\s*\((?P<dir>[^()]{1,200})\))?\s*:(?:\s+|$)"
)
_CAPS_WORD = r"(?:[A-Z][A-Z'’\-]+)"
_PERIOD_LABEL = re.compile(
    rf"^(?P<num>\d{{1,3}}\.?\s?)?(?P<label>(?:(?:[A-Z]\.\s?){{1,3}})?{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{0,3}})"
    r"(?:\s*\((?P<dir>[^()]{1,200})\))?\.(?:\s+|$)"
)

#: words that open a field line ("Date: …"), never a speaker label
FIELD_WORDS = frozenset(
    [
        "subject",
        "date",
        "time",
        "place",
        "places",
        "participants",
        "participant",
        "present",
        "source",
        "note",
        "notes",
        "copy",
        "attachment",
        "attachments",
        "enclosure",
        "enclosures",
        "cc",
        "to",
        "from",
        "re",
        "summary",
        "drafted",
        "cleared",
        "approved",
        "classification",
        "distribution",
        "ps",
        "p.s.",
        "memorandum",
        "memcon",
        "telegram",
        "tel",
        "topic",
        "topics",
        "location",
        "agenda",
        "also",
        "attending",
        "chairing",
        "chaired",
        "us",
        "u.s.",
        "ussr",
        "soviet",
        "side",
        "american",
        "side",
        "chinese",
        "side",
        "begin",
        "end",
        "text",
        "translation",
        "translated",
        "remarks",
        "document",
        "documents",
        "file",
        "record",
        "reference",
        "footnote",
        "page",
        "question",
        "answer",
        "q",
        "a",
        "item",
        "items",
        "comment",
        "comments",
        "recommendation",
        "recommendations",
        "inr",
        "addendum",
        "annex",
        "appendix",
        "conclusion",
        "introduction",
        "background",
        "purpose",
        "result",
        "results",
        "title",
        "sender",
        "recipient",
        "addressee",
        "secret",
        "confidential",
        "unclassified",
        "top",
    ]
)
#: capitalized acronyms that start sentences but are not people
NOT_PEOPLE = frozenset(
    [
        "USSR",
        "USA",
        "US",
        "UN",
        "NATO",
        "CPSU",
        "PRC",
        "DPRK",
        "ROK",
        "GDR",
        "FRG",
        "KGB",
        "CIA",
        "NSC",
        "CC",
        "KWP",
        "CCP",
        "PLA",
        "SALT",
        "START",
        "INF",
        "ABM",
        "SDI",
        "TASS",
        "OK",
        "NO",
        "YES",
        "END",
        "BEGIN",
        "NOTE",
        "TEXT",
    ]
)
MAX_LABEL_CHARS = 60
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
#: a paragraph or section number ("II."), not a speaker
_NUMBER = re.compile(r"\d+|[IVXL]+")


@dataclass(frozen=True, slots=True)
class Label:
    label: str
    direction: str | None
    rest: str


def match_label(text: str) -> Label | None:
    """The speaker label opening a paragraph, with its stage direction and the speech after it."""
    for pattern, verdicts in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        raw = m["label"]
        try:
            label = verdicts[raw]
        except KeyError:
            if len(verdicts) >= _VERDICTS_MAX:
                verdicts.clear()
            label = verdicts[raw] = _checked(raw, pattern is _PERIOD_LABEL)
        if label is None:
            continue
        return Label(label, (m["dir"] or "").strip() or None, text[m.end() :].strip())
    return None


#: (pattern, verdicts): a label as matched -> the label, or None when it is not a speaker's.
#: Remembered: a record's speakers are named again at every turn.
_PATTERNS: tuple[tuple[re.Pattern[str], dict[str, str | None]], ...] = (
    (_COLON_LABEL, {}),
    (_PERIOD_LABEL, {}),
)
_VERDICTS_MAX = 1 << 16


def _checked(raw: str, caps: bool) -> str | None:
    """`raw` stripped, if it names a speaker: not a field word, acronym or section number."""
    label = raw.strip()
    words = label.replace("[", "").replace("]", "").split()
    if not words or len(label) > MAX_LABEL_CHARS:
        return None
    first = words[0].lower().rstrip(".")
    if not caps and (first in FIELD_WORDS or label.lower().rstrip(".") in FIELD_WORDS):
        return None
    if caps:
        bare = [w.strip(".") for w in words if not _INITIALS.fullmatch(w)]
        if not bare or any(w in NOT_PEOPLE for w in bare):
            return None
        if bare[0].lower() in FIELD_WORDS:
            return None
    if _NUMBER.fullmatch(label):
        return None
    return label


def is_editorial(text: str) -> bool:
    """A paragraph wholly inside brackets or parentheses: an editor's, not a speaker's."""
    t = text.strip()
    return len(t) > 1 and (
        (t[0] == "[" and t[-1] == "]" and t.count("[") == t.count("]"))
        or (t[0] == "(" and t[-1] == ")" and t.count("(") == t.count(")"))
    )


def split_turns(doc_id: str, paras: Iterable[Paragraph], start: int = 1) -> list[Turn]:
    """Group paragraphs into turns.

    A label opens a `labelled` turn that runs over the following paragraphs until the next
    label (a label alone on its line takes the paragraphs after it as its speech).
    Paragraphs before the first label, editorial paragraphs and stage directions attached to
    a label are `narrative`; speech
    that resumes after an editorial paragraph is a `continuation` turn of the same label.
    """
    turns: list[Turn] = []
    current: list[str] = []
    label: str | None = None
    kind: TurnKind = "narrative"

    def flush() -> None:
        if len(current) == 1:  # most turns: one paragraph
            text = clean_turn_text(current[0])
        else:
            text = "\n\n".join(filter(None, (clean_turn_text(p) for p in current)))
        if text:
            turns.append(
                Turn(doc_id=doc_id, n=start + len(turns), text=text, kind=kind, label=label)
            )
        current.clear()

    for para in paras:
        lab = match_label(para.text)
        if lab is not None:
            flush()
            if lab.direction:  # "GORBACHEV (reads a memorandum)." — a direction, not speech
                label, kind = None, "narrative"
                current.append(f"({lab.direction})")
                flush()
            label, kind = lab.label, "labelled"
            current.append(lab.rest)
        elif is_editorial(para.text):
            flush()
            resume = label
            label, kind = None, "narrative"
            current.append(para.text)
            flush()
            label, kind = resume, "continuation" if resume else "narrative"
        else:
            current.append(para.text)
    flush()
    return turns
