"""FRUS volumes as TEI P5 XML (HistoryAtState/frus): one transcript per `div[@type="document"]`.

Parsed streaming with defusedxml (no DTDs fetched, no external entities, entity expansion
refused): each document is turned into a `Transcript` when its closing tag is read, then
cleared and detached, so memory stays bounded whatever the size of the volume.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..errors import ReadError
from ..model import DateRange, Participant, Transcript
from . import reported
from .hsg import SIDES, URL, _is_listed_person, _participants
from .text import Paragraph
from .turns import split_turns

FORMAT = "frus"
TEI = "{http://www.tei-c.org/ns/1.0}"
FRUS = "{http://history.state.gov/frus/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_FIELD = re.compile(r"^(?P<key>Subject|Date|Time|Place|Participants)\s*:\s*(?P<value>.*)$", re.I)
#: elements whose text is apparatus, never part of a paragraph's words
_SKIP = frozenset({f"{TEI}note", f"{TEI}pb", f"{TEI}fw"})


def sniff(head: bytes, path: str) -> bool:
    """A TEI document: the TEI namespace on an early root element."""
    return b"http://www.tei-c.org/ns/1.0" in head and b"<TEI" in head


def iter_transcripts(path: str) -> Iterator[Transcript]:
    """Transcripts one at a time; `ReadError` (with line and column) on malformed XML."""
    volume = ""
    persons: dict[str, str] = {}
    stack: list[Element] = []
    in_doc = 0
    found = 0
    try:
        for event, elem in iterparse(path, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                stack.append(elem)
                if elem.tag == f"{TEI}TEI" and not volume:
                    volume = elem.get(XML_ID, "")
                if _is_document(elem):
                    in_doc += 1
                continue
            stack.pop()
            if elem.tag == f"{TEI}idno" and elem.get("type") == "frus" and elem.text:
                volume = elem.text.strip()
            elif elem.tag == f"{TEI}persName" and elem.get(XML_ID) and not in_doc:
                persons[elem.get(XML_ID, "")] = display_name(_text(elem))
            if _is_document(elem):
                in_doc -= 1
                found += 1
                yield _document(elem, volume, persons, path)
            if not in_doc and stack:
                elem.clear()
                stack[-1].remove(elem)  # detach: nothing read so far stays in memory
    except ParseError as e:
        line, col = e.position
        raise ReadError(
            path, f"not well-formed XML at line {line}, column {col + 1}", line
        ) from None
    except DefusedXmlException as e:
        raise ReadError(path, f"refused unsafe XML ({type(e).__name__})") from None
    except LookupError as e:  # raised by the parser for the declaration's encoding name
        raise ReadError(path, f"cannot be decoded: the XML declaration names an {e}") from None
    if not found:
        raise ReadError(path, 'TEI file without any div[@type="document"]: nothing to index')


def _is_document(elem: Element) -> bool:
    return elem.tag == f"{TEI}div" and elem.get("type") == "document"


def display_name(text: str) -> str:
    """Persons list form "Gorbachev, Mikhail S." → "Mikhail S. Gorbachev"."""
    s = re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", "", text)).strip(" ,")
    parts = [p.strip() for p in s.split(",") if p.strip()]
    if len(parts) < 2:
        return s
    suffix = [p for p in parts[2:] if re.fullmatch(r"(?:Jr|Sr|II|III|IV)\.?", p)]
    return " ".join([parts[1], parts[0], *suffix])


def _text(elem: Element, notes: list[str] | None = None) -> str:
    """The words of an element: notes set aside, page breaks dropped without splitting words."""
    out: list[str] = []

    def walk(e: Element) -> None:
        if e.text:
            out.append(e.text)
        for child in e:
            if child.tag in _SKIP:
                if child.tag == f"{TEI}note" and notes is not None:
                    note = _text(child)
                    if note:
                        notes.append(note)
            elif child.tag == f"{TEI}lb":
                out.append(" ")
            else:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(elem)
    return " ".join("".join(out).split())  # whitespace runs made one space, ends stripped


def _iso_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _document(div: Element, volume: str, persons: dict[str, str], path: str) -> Transcript:
    doc = div.get(XML_ID, div.get("n", ""))
    doc_id = f"{volume}/{doc}" if volume else doc
    notes: list[str] = []
    source = ""
    head = div.find(f"{TEI}head")
    title = ""
    if head is not None:
        for note in head.iter(f"{TEI}note"):
            if note.get("type") == "source":
                source = _text(note)
        title = re.sub(r"^\d+\.\s+", "", _text(head, notes))
        notes = [n for n in notes if n != source]
    start, end = (
        _iso_day(div.get(f"{FRUS}doc-dateTime-min")),
        _iso_day(div.get(f"{FRUS}doc-dateTime-max")),
    )
    date = DateRange(start, end or start, "day") if start else DateRange()
    places, date_text = [], ""
    for dateline in div.iter(f"{TEI}dateline"):
        places += [_text(p) for p in dateline.iter(f"{TEI}placeName") if _text(p)]
        date_text = date_text or " ".join(_text(d) for d in dateline.iter(f"{TEI}date"))
    subjects = [
        _text(item)
        for lst in div.iter(f"{TEI}list")
        if lst.get("type") == "subject"
        for item in lst.iter(f"{TEI}item")
    ]
    author = reported.author_from_title(title) or _signer(div)
    paras, participants, fields = _body(div, notes)
    people = [p.name for p in participants] + _mentioned(div, persons)
    turns = reported.apply(split_turns(doc_id, paras), doc_id, author, people)
    vol, _, d = doc_id.partition("/")
    return Transcript(
        id=doc_id,
        title=title or doc_id,
        turns=tuple(turns),
        date_text=date_text,
        date=date,
        places=tuple(dict.fromkeys(places or ([fields["PLACE"]] if "PLACE" in fields else []))),
        summary=fields.get("SUBJECT") or "; ".join(subjects),
        source=source,
        url=URL.format(volume=vol, doc=d) if vol.startswith("frus") and d else "",
        path=path,
        participants=tuple(participants),
        format=FORMAT,
        author=author,
        notes=tuple(notes),
    )


def _body(
    div: Element, notes: list[str]
) -> tuple[list[Paragraph], list[Participant], dict[str, str]]:
    """Paragraphs of the document; `Subject:`/`Date:` lines and the participants list aside."""
    paras: list[Paragraph] = []
    participants: list[Participant] = []
    fields: dict[str, str] = {}
    side, in_list = "", False
    for p in div.iter(f"{TEI}p"):
        text = _text(p, notes)
        if not text:
            continue
        if f := _FIELD.match(text):
            key = f["key"].upper()
            fields.setdefault(key, f["value"].strip())
            in_list = key in ("PARTICIPANTS", "PLACE", "TIME", "DATE")
            continue
        if in_list and text.casefold() in SIDES:
            side = text
            continue
        if in_list and _is_listed_person(text):
            participants += _participants(text, side)
            continue
        in_list = False
        paras.append(Paragraph(text, int(p.get("n") or 0) or len(paras) + 1))
    return paras, participants, fields


def _signer(div: Element) -> str:
    """Who signed a telegram (`closer/signed`): the "I" of its paragraphs."""
    for signed in div.iter(f"{TEI}signed"):
        name = _text(signed)
        if name:
            return name
    return ""


def _mentioned(div: Element, persons: dict[str, str]) -> list[str]:
    """Names of people tagged in the document: they are persons, not places."""
    names: list[str] = []
    for pn in div.iter(f"{TEI}persName"):
        text = _text(pn)
        ref = (pn.get("corresp") or "").lstrip("#")
        names += [n for n in (text, persons.get(ref, "")) if n]
    return list(dict.fromkeys(names))
