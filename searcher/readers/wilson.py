"""Wilson Center Digital Archive page text: furniture, date line, title, body, summary, metadata."""

from __future__ import annotations

import os
import re

from ..dates import parse_date_line
from ..model import DateRange, Participant, Transcript
from . import reported
from .text import Paragraph, paragraphs
from .turns import split_turns

FORMAT = "wilson"

FURNITURE = frozenset(
    {
        "skip to content",
        "search in",
        "digital archive international history declassified",
        "digital archive",
        "english html",
        "original scan",
        "share document",
        "get citation",
        "citation",
    }
)
#: headers that open the metadata block at the end of a page
BLOCK_HEADERS = (
    "Associated Places",
    "Associated Topics",
    "Associated People & Organizations",
    "Document Information",
)
META_LABELS = (
    *BLOCK_HEADERS,
    "Source",
    "Rights",
    "Original Uploaded Date",
    "Type",
    "Language",
    "Record ID",
    "Original Archive",
    "Original Language",
)
_SPONSOR = re.compile(r"^This document was made possible with support from", re.I)
_LANG_VIEW = re.compile(r"^[A-Z][a-z]+ (?:HTML|PDF|Transcript|Translation)$")
_CITATION = re.compile(r'^[“"](?P<title>.+?),?[”"],?\s+(?P<rest>.*)$')
_RIGHTS = re.compile(r"^(?:The History and Public Policy Program welcomes|To enquire about)", re.I)
_PRESENT = re.compile(
    r"^(?:Present|Participants|Attending|Participating)\b[^:]{0,40}:\s*(?P<rest>.*)$", re.I
)


def looks_like(text: str) -> bool:
    head = text[:3000].lower()
    return (
        "digital archive" in head
        or "skip to content" in head[:200]
        or "history and public policy program" in text.lower()
        or any(
            f"\n{h}\n" in text for h in ("Associated Places", "Document Information", "Record ID")
        )
    )


def read(text: str, path: str) -> list[Transcript]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i, n = 0, len(lines)

    def strip_bullet(s: str) -> str:
        return s.strip().lstrip("•·*").strip()

    while i < n and (not lines[i].strip() or strip_bullet(lines[i]).lower() in FURNITURE):
        i += 1
    date_text, date = "", DateRange()
    if i < n and (rng := parse_date_line(lines[i])):
        date_text, date = lines[i].strip(), rng
        i += 1

    title, summary, source = "", "", ""
    # Header: title, sponsor line, citation block, language views; then the body.
    while i < n:
        s = strip_bullet(lines[i])
        low = s.lower()
        if low == "citation":
            # "• Citation / get citation / summary / citation line / • share document"
            i += 1
            block: list[str] = []
            while i < n and not lines[i].strip().startswith("•"):
                if lines[i].strip() and lines[i].strip().lower() not in FURNITURE:
                    block.append(lines[i].strip())
                i += 1
            for entry in block:
                if m := _CITATION.match(entry):
                    title = title or m["title"].strip()
                    source = source or _citation_source(m["rest"])
                elif not summary:
                    summary = entry
        elif not s or low in FURNITURE or _SPONSOR.match(s) or _LANG_VIEW.match(s):
            i += 1
        elif not title:
            title = s
            i += 1
        else:
            break

    body_lines = lines[i:]
    end = len(body_lines)
    block_start = None
    for j, line in enumerate(body_lines):
        if line.strip() in BLOCK_HEADERS:
            block_start = j
            break
    meta: dict[str, list[str]] = {}
    if block_start is not None:
        end = block_start
        meta = _metadata(body_lines[block_start:])
    paras = paragraphs("\n".join(body_lines[:end]), first_line=i + 1)
    if (
        block_start is not None
        and body_lines[block_start].strip().startswith("Associated")
        and paras
    ):
        last = paras[-1].text
        if len(last) < 600 and not last.startswith(("[", "(")):
            summary = summary or last
            paras = paras[:-1]

    stem = os.path.splitext(os.path.basename(path))[0]
    record_id = " ".join(meta.get("Record ID", [])).strip()
    doc_id = record_id if re.fullmatch(r"\d+", record_id) else stem
    url = (
        f"https://digitalarchive.wilsoncenter.org/document/{record_id}"
        if record_id.isdigit()
        else ""
    )
    participants = _participants(paras)
    author = reported.author_from_title(title)
    turns = reported.apply(
        split_turns(doc_id, paras), doc_id, author, [p.name for p in participants]
    )
    return [
        Transcript(
            id=doc_id,
            title=title or stem,
            turns=tuple(turns),
            date_text=date_text,
            date=date,
            places=tuple(meta.get("Associated Places", [])),
            topics=tuple(meta.get("Associated Topics", [])),
            summary=summary,
            source=" ".join(meta.get("Source", [])) or source,
            type=" ".join(meta.get("Type", [])),
            language=", ".join(meta.get("Language", [])),
            record_id=record_id,
            url=url,
            path=path,
            participants=participants,
            format=FORMAT,
            author=author,
        )
    ]


def _citation_source(rest: str) -> str:
    marker = "Digital Archive,"
    return rest.split(marker, 1)[1].strip() if marker in rest else ""


def _metadata(lines: list[str]) -> dict[str, list[str]]:
    """Labels on their own lines, values below; cope with missing labels and empty values."""
    meta: dict[str, list[str]] = {}
    label = ""
    for raw in lines:
        s = raw.strip()
        if not s:
            continue
        if s in META_LABELS:
            label = s
            meta.setdefault(label, [])
            continue
        if _RIGHTS.match(s):
            meta.setdefault("Rights", []).append(s)
        elif label == "Document Information":
            meta.setdefault("Source", []).append(s)
        elif label == "Original Uploaded Date" and not re.match(r"\d{4}-\d\d-\d\d", s):
            meta.setdefault("Type", []).append(s)
        elif label:
            meta[label].append(s)
    return meta


def _participants(paras: list[Paragraph]) -> tuple[Participant, ...]:
    """Names from a `Present:` list: they help resolve bare surnames in labels."""
    out: list[Participant] = []
    for k, para in enumerate(paras[:20]):
        m = _PRESENT.match(para.text)
        if not m:
            continue
        chunks = [m["rest"]] if m["rest"] else []
        chunks += [
            p.text for p in paras[k + 1 : k + 4] if re.match(r"^(?:Cdes?\.|Comrades?)\s", p.text)
        ]
        for chunk in chunks:
            chunk = re.sub(r"^(?:Cdes?\.|Comrades?)\s+", "", chunk).rstrip(". ")
            for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", chunk):
                if name.strip():
                    out.append(Participant(name=name.strip()))
    return tuple(out)
