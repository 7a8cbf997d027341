"""history.state.gov document pages (FRUS documents as web page text).

A numbered title line (footnote digits stuck to it), bullets for the subject and the
participants (grouped under `US`/`USSR` headings or not), `PLACE:` / `DATE & TIME:` /
`Date:` lines, then labelled dialogue or numbered paragraphs of reported speech.
"""

from __future__ import annotations

import os
import re

from ..dates import find_date
from ..model import DateRange, Participant, Transcript
from . import reported
from .apparatus import clean_title, remove_marks, remove_page_markers
from .text import Paragraph, paragraphs
from .turns import match_label, split_turns

FORMAT = "hsg"
URL = "https://history.state.gov/historicaldocuments/{volume}/{doc}"

_TITLE = re.compile(r"^(?P<n>\d{1,4})\.\s+(?P<title>\S.*)$")
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[•·▪◦*]\s+(?P<text>.*\S)\s*$")
_FIELD = re.compile(
    r"^(?P<key>PLACE|DATE\s*&\s*TIME|DATE|TIME|SUBJECT|PARTICIPANTS|Place|Date|Time|Subject|"
    r"Participants|Date and Time)\s*:\s*(?P<value>.*)$"
)
_SIDE_NAMES = "us|u.s.|usa|ussr|prc|china|united states|soviet union|gdr|frg|american side|soviet side|chinese side|us side|u.s. side"
SIDES = frozenset(_SIDE_NAMES.split("|"))
_TITLE_WORDS = (
    r"(?:Memorandum|Telegram|Letter|Conversation|Minutes|Paper|Message|Note|Editorial|Transcript|"
    r"Record|Report|Summary|Talking Points|Backchannel|Airgram|Intelligence)"
)
_ROLE_PREFIX = re.compile(
    r"^(?P<role>(?:Acting\s+)?(?:Secretary of State|Secretary of Defense|Foreign Minister|"
    r"Prime Minister|General Secretary(?: of the (?:[A-Z]{2,}\s+)*[A-Z]{2,})?|Chairman|Ambassador|"
    r"Premier|"
    r"Vice President|President|Senator|Secretary))\s+(?=[A-Z])"
)
_FILE = re.compile(r"^(?P<volume>frus[\w\-]+?)_(?P<doc>(?:d|ch|comp)\w+)$")


def looks_like(text: str) -> bool:
    head = text.lstrip()[:3000]
    first = head.split("\n", 1)[0]
    if not _TITLE.match(first):
        return False
    return bool(
        re.search(r"\[Page \d+\]|^\s*(?:PLACE|DATE & TIME|Date|Place)\s*:|^\s*•", head, re.M)
        or re.search(_TITLE_WORDS, first)
        or re.search(r"\bmemcon\b|\bBegin text\b", head, re.I)
    )


def doc_id_for(path: str) -> tuple[str, str]:
    """`frus1981-88v05_d5.txt` → (`frus1981-88v05/d5`, its history.state.gov address)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    m = _FILE.match(stem)
    if not m:
        return stem, ""
    return f"{m['volume']}/{m['doc']}", URL.format(volume=m["volume"], doc=m["doc"])


def read(text: str, path: str) -> list[Transcript]:
    text = remove_page_markers(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    doc_id, url = doc_id_for(path)

    title = ""
    first = next((k for k, line in enumerate(lines) if line.strip()), None)
    if first is not None and (m := _TITLE.match(lines[first].strip())):
        candidate = clean_title(m["title"])
        if not _is_sentence(candidate):
            title = candidate
            lines[first] = ""

    participants, subjects = _bullets(lines)
    fields: dict[str, str] = {}
    body: list[Paragraph] = []
    after_fields = False
    for para in paragraphs("\n".join(lines)):
        s = remove_marks(para.text)
        if f := _FIELD.match(s):
            key = re.sub(r"\s+", " ", f["key"].upper())
            fields.setdefault(key, f["value"].strip())
            after_fields = True
            continue
        if after_fields and _is_listed_person(s):
            side = s.strip() if s.strip().casefold() in SIDES else ""
            if side:
                continue
            participants += _participants(s)
            continue
        after_fields = False
        if s:
            body.append(Paragraph(s, para.line))

    if not title:
        title = fields.get("SUBJECT") or subjects[0] if (fields.get("SUBJECT") or subjects) else ""
    date_text, date = _date(title, fields)
    author = reported.author_from_title(title)
    participants += _title_participants(title)
    people = [p.name for p in participants]
    turns = reported.apply(split_turns(doc_id, body), doc_id, author, people)
    place = fields.get("PLACE") or _title_place(title)
    return [
        Transcript(
            id=doc_id,
            title=title or doc_id,
            turns=tuple(turns),
            date_text=date_text,
            date=date,
            places=(place,) if place else (),
            summary=fields.get("SUBJECT") or "; ".join(subjects),
            url=url,
            path=path,
            participants=tuple(participants),
            format=FORMAT,
            author=author,
        )
    ]


def _is_sentence(s: str) -> bool:
    """Body text, not a title: the excerpt may start in the middle of a document."""
    return bool(re.search(r"\b[a-z]{3,}[.!?]$", s) or re.search(r"[a-z]{3,}\.\s+[A-Z]", s))


def _bullets(lines: list[str]) -> tuple[list[Participant], list[str]]:
    """Bullet blocks: one item is a subject line, several are the participants list.

    Items under a less indented side heading (`US`, `USSR`) get that side. Bullet lines are
    blanked in `lines` so they do not become paragraphs.
    """
    blocks: list[list[tuple[int, str]]] = []
    gap = 99
    for k, line in enumerate(lines):
        m = _BULLET.match(line)
        if m:
            item = (len(m["indent"].expandtabs(4)), remove_marks(m["text"]).strip())
            if blocks and gap <= 1:
                blocks[-1].append(item)
            else:
                blocks.append([item])
            lines[k] = ""
            gap = 0
        elif line.strip():
            gap = 99
        else:
            gap += 1
    participants: list[Participant] = []
    subjects: list[str] = []
    for block in blocks:
        if len(block) == 1:
            subjects.append(block[0][1])
            continue
        top = min(i for i, _ in block)
        nested = any(i > top for i, _ in block)
        side = ""
        for indent, text in block:
            if nested and indent == top:
                side = text
                continue
            participants += _participants(text, side)
    return participants, subjects


def _is_listed_person(s: str) -> bool:
    s = s.strip()
    return (
        0 < len(s) <= 90
        and not re.match(r"^\d", s)
        and not re.search(r"[.!?:;]$", s.rstrip(")"))
        and match_label(s) is None
        and bool(re.match(r"^[A-Z]", s))
    )


def _participants(item: str, side: str = "") -> list[Participant]:
    """ "Chou En-lai, Premier, State Council" → name and role; "(Interpreter)" is a role;
    "Tang Wen-sheng and Chi Chao-chu, Chinese Interpreters" is two people."""
    s = re.sub(r"\s+", " ", item).strip()
    role = ""
    if m := re.search(r"\s*\(([^()]+)\)$", s):
        role, s = m[1], s[: m.start()]
    s = re.sub(r",\s*(Jr|Sr|II|III|IV)\.?(?=,|$)", r" \1.", s)
    if "," in s:
        s, rest = s.split(",", 1)
        role = ", ".join(filter(None, (rest.strip(), role)))
    if not role and (r := _ROLE_PREFIX.match(s)) and len(s) > r.end():
        role, s = r["role"], s[r.end() :]
    return [
        Participant(name=name.strip(), role=role, side=side)
        for name in re.split(r"\s+and\s+", s)
        if name.strip()
    ]


def _title_participants(title: str) -> list[Participant]:
    """Parties named in a conversation title: "… (Kissinger) and the Soviet Ambassador (Dobrynin)"."""
    if not re.search(r"Conversation|Meeting", title):
        return []
    out = []
    for m in re.finditer(
        r"(?:^|\b(?:Between|and|with|With)\s+)(?P<role>[^()]*?)\s*\((?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?)\)",
        title,
    ):
        out.append(Participant(name=m["name"], role=re.sub(r"^the\s+", "", m["role"].strip())))
    return out


def _title_place(title: str) -> str:
    m = re.search(
        r"^[^,]*" + _TITLE_WORDS + r"[^,]*,\s+(?P<place>[A-Z][\w .’'\-]+?),\s+\w+\s+\d", title
    )
    return m["place"].strip() if m else ""


def _date(title: str, fields: dict[str, str]) -> tuple[str, DateRange]:
    for text in (
        title,
        fields.get("DATE & TIME", ""),
        fields.get("DATE", ""),
        fields.get("DATE AND TIME", ""),
    ):
        if text and (rng := find_date(text)):
            return text, rng
    return "", DateRange()
