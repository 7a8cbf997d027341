"""Plain transcripts (`.txt`, `.md`): optional front matter, then `Speaker: text` turns.

For users' own transcriptions. Front matter is a block between `---` lines of `key: value`
lines (title, date, participants, topics, places, source); lists are comma-separated. A file
with neither front matter nor speaker labels is not a transcript.
"""

from __future__ import annotations

import os
import re

from ..dates import find_date, parse_user_date
from ..errors import DateError, ReadError
from ..model import DateRange, Participant, Transcript
from . import reported
from .text import paragraphs
from .turns import match_label, split_turns

FORMAT = "plain"
KEYS = frozenset({"title", "date", "participants", "topics", "places", "source", "id", "summary"})
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(?P<block>.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_LINE = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*)$")


def looks_like(text: str) -> bool:
    if _front(text) is not None:
        return True
    paras = paragraphs(text[:20000])
    return sum(1 for p in paras if match_label(p.text)) >= 2


def _front(text: str) -> dict[str, str] | None:
    m = _FRONT.match(text)
    if not m:
        return None
    out: dict[str, str] = {}
    for line in m["block"].splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lm = _LINE.match(line.strip())
        if not lm or lm["key"].lower() not in KEYS:
            return None
        out[lm["key"].lower()] = lm["value"].strip().strip("\"'")
    return out


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def read(text: str, path: str) -> list[Transcript]:
    meta = _front(text) or {}
    body_start = 0
    if (m := _FRONT.match(text)) and meta:
        body_start = m.end()
    first_line = text[:body_start].count("\n") + 1
    stem = os.path.splitext(os.path.basename(path))[0]
    doc_id = meta.get("id") or stem
    date = DateRange()
    if meta.get("date"):
        try:
            date = parse_user_date(meta["date"])
        except DateError:
            date = find_date(meta["date"]) or DateRange()
        if not date.known:
            raise ReadError(path, f"front matter date {meta['date']!r} is not a date", 2)
    title = meta.get("title") or stem
    participants = tuple(Participant(name=n) for n in _list(meta.get("participants", "")))
    author = reported.author_from_title(title)
    body = text[body_start:]
    turns = reported.apply(
        split_turns(doc_id, paragraphs(body, first_line=first_line)),
        doc_id,
        author,
        [p.name for p in participants],
    )
    return [
        Transcript(
            id=doc_id,
            title=title,
            turns=tuple(turns),
            date_text=meta.get("date", ""),
            date=date,
            places=_list(meta.get("places", "")),
            topics=_list(meta.get("topics", "")),
            summary=meta.get("summary", ""),
            source=meta.get("source", ""),
            path=path,
            participants=participants,
            format=FORMAT,
            author=author,
        )
    ]
