"""Editorial apparatus of printed documents: page markers, classification marks, footnote numbers.

What FRUS pages carry besides the words spoken; removed without joining or splitting words.
"""

from __future__ import annotations

import re

_PAGE_LINE = re.compile(r"(?m)^[ \t]*\[Page [\dA-Za-z]+\][ \t]*$")
_PAGE = re.compile(r"(\S?)([ \t]*)\[Page [\dA-Za-z]+\]([ \t]*)(\S?)")
_CLASSIFICATION = re.compile(
    r"[ \t]*\((?:S|C|U|TS|LOU|NF|S/S|S/NF|C/NF|TS/SCI|U/FOUO|S/NODIS|TS/NODIS)\)(?=[\s.,;]|$)"
)
#: a footnote number stuck after a word and its punctuation: "State.2", "p.m.1 2"
_FOOTNOTE = re.compile(r"(?<=[A-Za-z][.,;:!?”’\")])\d{1,2}(?:[ \t]\d{1,2})*(?=\s|$)")
_TITLE_FOOTNOTE = re.compile(r"(?<=[^\s\d])\d{1,2}(?:\s+\d{1,2})*\s*$")


def _page(m: re.Match[str]) -> str:
    left, right = m[1], m[4]
    if not left or not right:
        return left + right
    if left.isalpha() and right.islower() and not (m[2] or m[3]):
        return left + right  # the marker fell inside a word
    return f"{left} {right}"


def remove_page_markers(text: str) -> str:
    """`[Page 12]` alone, mid-sentence or glued to a word: gone, words intact."""
    return _PAGE.sub(_page, _PAGE_LINE.sub("", text))


def remove_marks(text: str) -> str:
    """Classification marks and footnote numbers stuck to words."""
    return _FOOTNOTE.sub("", _CLASSIFICATION.sub("", text))


def clean_title(title: str) -> str:
    """A title line without its document number's footnote digits ("Conversation1")."""
    return _TITLE_FOOTNOTE.sub("", title.strip()).strip()
