"""Citations: how a researcher cites a record, built from the record's own metadata.

A hit without a citable reference makes the researcher redo the archive's work, so every hit
and every shown document carries one. `cite(doc)` recognizes the archive a record came from
and returns a `Citation` that renders as Chicago (`chicago()`), RIS for Zotero (`ris()`) or
BibTeX (`bibtex()`). Turns are cited by anchor: `anchor("176345", 5) == "176345#5"`.

- Wilson Center: ``"Title," May 4, 1988, History and Public Policy Program Digital Archive,
  <source>. <url>`` (the archive's own recommended form).
- FRUS (ids such as ``frus1981-88v05/d5`` or ``frus1981-88v05_d5``, or a history.state.gov
  address): ``Foreign Relations of the United States, 1981–1988, Volume V, Soviet Union,
  March 1985–October 1986, Document 5. https://history.state.gov/...``.
- Anything else: ``"Title," date, source. <url or file>``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .model import Transcript

WILSON_ARCHIVE = "History and Public Policy Program Digital Archive"
FRUS_SERIES = "Foreign Relations of the United States"
HSG_DOCUMENTS = "https://history.state.gov/historicaldocuments/"

#: titles of the FRUS volumes in the shared corpus; other volumes are cited without a title
FRUS_VOLUME_TITLES = {
    "frus1969-76v18": "China, 1973–1976",
    "frus1969-76ve13": "Documents on China, 1969–1972",
    "frus1981-88v04": "Soviet Union, January 1983–March 1985",
    "frus1981-88v05": "Soviet Union, March 1985–October 1986",
    "frus1981-88v06": "Soviet Union, October 1986–January 1989",
}

_FRUS_DOC = re.compile(r"(frus\d{4}[-\w]*?)[/_]d(\d+)$")
_FRUS_VOLUME = re.compile(
    r"frus(?P<y1>\d{4})(?:-(?P<y2>\d{2,4}))?v(?P<e>e?)(?P<n>\d+)(?:p(?P<part>\d+))?$"
)
_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]

Kind = Literal["wilson", "frus", "generic"]


@dataclass(frozen=True, slots=True)
class Citation:
    """The bibliographic facts of one record, enough for Chicago, RIS and BibTeX."""

    doc_id: str
    kind: Kind
    title: str
    #: the date as a reader writes it: "May 4, 1988", "May 1988", "1988" or as printed
    date: str
    #: the record's (first) day, when known
    day: dt.date | None
    #: "day", "month", "year" or "unknown": how much of `day` is meaningful
    precision: str
    url: str
    #: where the archive got the record (Wilson's "Source" field)
    source: str = ""
    #: the FRUS volume in full ("Foreign Relations of the United States, 1981–1988, Volume V, …")
    volume: str = ""
    #: the FRUS document number
    number: str = ""
    #: a local file, for records with no address
    path: str = ""

    def chicago(self) -> str:
        """Chicago-style note, as the archive recommends."""
        if self.kind == "frus":
            return _sentence([f"{self.volume}, Document {self.number}"], self.url)
        parts = [_quoted(self.title), self.date]
        if self.kind == "wilson":
            parts.append(WILSON_ARCHIVE)
        parts.append(self.source)
        return _sentence(parts, self.url or self.path)

    def ris(self, notes: Sequence[str] = ()) -> str:
        """One RIS record (Zotero, EndNote, Mendeley); `notes` become N1 lines."""
        ty = {"wilson": "MANSCPT", "frus": "GOVDOC", "generic": "GEN"}[self.kind]
        lines = [("TY", ty), ("TI", self.title or self.doc_id)]
        if self.kind == "frus":
            lines += [("T2", self.volume), ("M1", f"Document {self.number}")]
        elif self.kind == "wilson":
            lines += [("DB", WILSON_ARCHIVE)]
        if self.day is not None and self.precision != "unknown":
            lines.append(("PY", str(self.day.year)))
            lines.append(("DA", _ris_date(self.day, self.precision)))
        elif self.date:
            lines.append(("DA", self.date))
        if self.source:
            lines.append(("N1", f"Source: {self.source}"))
        lines += [("N1", n) for n in notes]
        lines += [("ID", self.doc_id), ("UR", self.url or self.path)]
        lines.append(("ER", ""))
        return "".join(f"{tag}  - {value}\n" for tag, value in lines if value or tag == "ER")

    def bibtex(self) -> str:
        """A BibTeX `@misc` entry keyed on the record id."""
        fields = [("title", "{" + _tex(self.title or self.doc_id) + "}")]
        if self.kind == "frus":
            fields.append(("howpublished", _tex(f"{self.volume}, Document {self.number}")))
        elif self.kind == "wilson":
            fields.append(("howpublished", WILSON_ARCHIVE))
        if self.day is not None and self.precision != "unknown":
            fields.append(("year", str(self.day.year)))
            if self.precision in ("day", "month"):
                fields.append(("month", self.day.strftime("%b").lower()))
        elif self.date:
            fields.append(("note", _tex(self.date)))
        if self.source:
            fields.append(("addendum", _tex(self.source)))
        if self.url:
            fields.append(("url", self.url))
        body = ",\n".join(
            f"  {name} = {value if name == 'month' else '{' + value + '}'}"
            for name, value in fields
        )
        return f"@misc{{{_bib_key(self.doc_id)},\n{body}\n}}\n"


def cite(doc: Transcript) -> Citation:
    """The citation of a record, recognizing Wilson Center and FRUS records by their metadata."""
    day = doc.date.start
    precision = doc.date.precision if day is not None else "unknown"
    kind: Kind = "wilson" if doc.format == "wilson" or "wilsoncenter.org" in doc.url else "generic"
    url, volume, number = doc.url, "", ""
    frus = frus_document(doc)
    if frus is not None:
        kind, (volume_id, number) = "frus", frus
        volume = frus_volume(volume_id)
        if "history.state.gov" not in url:
            url = f"{HSG_DOCUMENTS}{volume_id}/d{number}"
    return Citation(
        doc_id=doc.id,
        kind=kind,
        title=doc.title.strip(),
        date=_display_date(day, precision) or doc.date_text.strip(),
        day=day,
        precision=precision,
        url=url,
        source=doc.source.strip() if kind != "frus" else "",
        volume=volume,
        number=number,
        path=doc.path,
    )


def anchor(doc_id: str, turn: int) -> str:
    """The stable address of one turn, as `searcher show`/`search` print it."""
    return f"{doc_id}#{turn}"


def frus_document(doc: Transcript) -> tuple[str, str] | None:
    """(volume id, document number) when `doc` is a FRUS document, from its address or id."""
    m = re.search(r"historicaldocuments/(frus[^/]+)/d(\d+)", doc.url)
    if m:
        return m.group(1), m.group(2)
    for candidate in (doc.id, re.sub(r"\.\w+$", "", doc.path.rsplit("/", 1)[-1])):
        m = _FRUS_DOC.search(candidate)
        if m:
            return m.group(1), m.group(2)
    return None


def frus_volume(volume_id: str) -> str:
    """'frus1981-88v05' -> 'Foreign Relations of the United States, 1981–1988, Volume V, …'."""
    m = _FRUS_VOLUME.fullmatch(volume_id)
    if m is None:
        return f"{FRUS_SERIES}, {volume_id}"
    years = m["y1"]
    if m["y2"]:
        end = m["y2"] if len(m["y2"]) == 4 else m["y1"][: 4 - len(m["y2"])] + m["y2"]
        years += f"–{end}"
    number = int(m["n"])
    volume = f"Volume E–{number}" if m["e"] else f"Volume {_roman(number)}"
    parts = [FRUS_SERIES, years, volume]
    if m["part"]:
        parts.append(f"Part {int(m['part'])}")
    title = FRUS_VOLUME_TITLES.get(volume_id)
    if title:
        parts.append(title)
    return ", ".join(parts)


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _display_date(day: dt.date | None, precision: str) -> str:
    if day is None:
        return ""
    if precision == "day":
        return f"{day:%B} {day.day}, {day.year}"
    if precision == "month":
        return f"{day:%B %Y}"
    if precision == "year":
        return str(day.year)
    return ""


def _ris_date(day: dt.date, precision: str) -> str:
    if precision == "day":
        return f"{day:%Y/%m/%d}/"
    if precision == "month":
        return f"{day:%Y/%m}//"
    return f"{day.year}///"


def _quoted(title: str) -> str:
    """Chicago puts the comma inside the quotes, unless the title ends in ? or !."""
    if not title:
        return ""
    return f'"{title}"' if title[-1] in "?!" else f'"{title},"'


def _sentence(parts: Sequence[str], address: str) -> str:
    text = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not text:
            text = part
        elif text.endswith('"'):
            text += " " + part
        else:
            text += ", " + part
    if text.endswith(',"'):
        text = text[:-2] + '."'
    elif text and not text.endswith((".", "?", "!", '"')):
        text += "."
    return f"{text} {address}".strip() if address else text


def _tex(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def _bib_key(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9:-]+", "-", doc_id).strip("-") or "record"
