"""The project's own types: what readers produce, what the index stores, what searches return.

Readers build `Transcript`s of `Turn`s; `speakers.resolve` fills in each turn's `Speaker`.
Nothing here depends on Whoosh or NLTK, so these types are safe in the public API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

TurnKind = Literal["labelled", "continuation", "narrative", "reported"]
Precision = Literal["day", "month", "year", "unknown"]
TURN_KINDS: tuple[TurnKind, ...] = ("labelled", "continuation", "narrative", "reported")
#: the keys of `Hit.to_dict()`, in order: JSON, csv and data frame columns
HIT_COLUMNS = (
    "id",
    "doc_id",
    "path",
    "title",
    "date",
    "speaker",
    "label",
    "turn",
    "kind",
    "text",
    "snippet",
    "score",
    "citation",
)


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved speaker: one id per person, however the archives spell the name."""

    id: str
    name: str
    #: other forms that name this speaker (spellings, label as written, surname)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateRange:
    """When a transcript happened; partial dates cover their whole period."""

    start: dt.date | None = None
    end: dt.date | None = None
    precision: Precision = "unknown"

    @property
    def known(self) -> bool:
        """False when the record gives no usable date."""
        return self.start is not None

    def iso(self) -> str | None:
        """The first day as `YYYY-MM-DD` (what JSON output and `Hit.date` carry)."""
        return self.start.isoformat() if self.start else None


@dataclass(frozen=True, slots=True)
class Participant:
    """A person listed as present, as written in the record (name, role, side)."""

    name: str
    role: str = ""
    side: str = ""


@dataclass(frozen=True, slots=True)
class Turn:
    """One dialogue turn: the unit that is indexed and returned as a hit."""

    doc_id: str
    n: int
    text: str
    kind: TurnKind
    speaker: Speaker | None = None
    #: the speaker label as written in the record ("M.S. [Gorbachev]"), if any
    label: str | None = None
    #: derived topics (slugs) the turn's own text supports
    topics: tuple[str, ...] = ()
    #: derived topics a short reply takes from the turn it answers (it has none of its own)
    inherited_topics: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The turn's anchor, `doc_id#n`: how hits and citations point at it."""
        return f"{self.doc_id}#{self.n}"

    def derived(
        self, speaker: Speaker | None, topics: tuple[str, ...], inherited_topics: tuple[str, ...]
    ) -> Turn:
        """This turn with what resolving speakers and deriving topics fill in. The
        constructor, not `dataclasses.replace`: ~8x the cost, paid per turn of a build."""
        t = self
        return Turn(t.doc_id, t.n, t.text, t.kind, speaker, t.label, topics, inherited_topics)


@dataclass(frozen=True, slots=True)
class Transcript:
    """One record: a memorandum of conversation, a meeting transcript, a telephone call."""

    id: str
    title: str
    turns: tuple[Turn, ...] = ()
    date_text: str = ""
    date: DateRange = field(default_factory=DateRange)
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    summary: str = ""
    source: str = ""
    type: str = ""
    language: str = ""
    record_id: str = ""
    url: str = ""
    path: str = ""
    participants: tuple[Participant, ...] = ()
    #: the reader that produced it ("wilson", "hsg", "frus", "plain", "jsonl")
    format: str = ""
    #: the author when the record is written in the first person ("I told Dobrynin…")
    author: str = ""
    #: footnotes and other apparatus: searchable with the document, never part of a turn
    notes: tuple[str, ...] = ()

    def with_turns(self, turns: list[Turn] | tuple[Turn, ...]) -> Transcript:
        """A copy with other turns (readers and speaker resolution build transcripts in steps)."""
        return replace(self, turns=tuple(turns))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values; `transcript_from_dict` reads them back. Written out field by
        field: the store encodes every record a build reads, and `to_jsonable`'s generic
        `asdict` walk was most of that (the same dict, keys in field order)."""
        date = self.date
        return {
            "id": self.id,
            "title": self.title,
            "turns": [_turn_dict(t) for t in self.turns],
            "date_text": self.date_text,
            "date": {
                "start": date.start.isoformat() if date.start is not None else None,
                "end": date.end.isoformat() if date.end is not None else None,
                "precision": date.precision,
            },
            "places": list(self.places),
            "topics": list(self.topics),
            "summary": self.summary,
            "source": self.source,
            "type": self.type,
            "language": self.language,
            "record_id": self.record_id,
            "url": self.url,
            "path": self.path,
            "participants": [
                {"name": p.name, "role": p.role, "side": p.side} for p in self.participants
            ],
            "format": self.format,
            "author": self.author,
            "notes": list(self.notes),
        }


def _turn_dict(turn: Turn) -> dict[str, Any]:
    sp = turn.speaker
    return {
        "doc_id": turn.doc_id,
        "n": turn.n,
        "text": turn.text,
        "kind": turn.kind,
        "speaker": (
            None if sp is None else {"id": sp.id, "name": sp.name, "aliases": list(sp.aliases)}
        ),
        "label": turn.label,
        "topics": list(turn.topics),
        "inherited_topics": list(turn.inherited_topics),
    }


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching turn, with what a reader needs to judge and cite it."""

    id: str
    doc_id: str
    path: str
    title: str
    date: str | None
    speaker: str | None
    speaker_id: str | None
    label: str | None
    turn: int
    kind: TurnKind
    text: str
    snippet: str
    #: (start, end) offsets of matched words inside `snippet`
    marks: tuple[tuple[int, int], ...] = ()
    score: float = 0.0
    #: Chicago-style citation of the record (see `searcher.cite`); `id` is the turn's anchor
    citation: str = ""
    #: the turns just before and after this one (None: context was not asked for)
    context_before: tuple[Turn, ...] | None = None
    context_after: tuple[Turn, ...] | None = None

    def marked_snippet(self, open_mark: str = "[[", close_mark: str = "]]") -> str:
        """The snippet with each matched word wrapped in `open_mark`/`close_mark`."""
        out, pos = [], 0
        for start, end in self.marks:
            out += [self.snippet[pos:start], open_mark, self.snippet[start:end], close_mark]
            pos = end
        out.append(self.snippet[pos:])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape scripts read (see README)."""
        return {
            "id": self.id,
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "date": self.date,
            "speaker": self.speaker,
            "label": self.label,
            "turn": self.turn,
            "kind": self.kind,
            "text": self.text,
            "snippet": self.marked_snippet(),
            "score": round(self.score, 4),
            "citation": self.citation,
            **self._context_dict(),
        }

    def _context_dict(self) -> dict[str, Any]:
        if self.context_before is None and self.context_after is None:
            return {}
        return {
            "context": {
                "before": [context_turn(t) for t in self.context_before or ()],
                "after": [context_turn(t) for t in self.context_after or ()],
            }
        }


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of hits and the number of all matching turns."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    offset: int = 0
    #: why a search found nothing, or what was adjusted (unknown speaker, empty date range…)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `searcher search --format json`."""
        return {"query": self.query, "total": self.total, "hits": [h.to_dict() for h in self.hits]}

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per hit (the JSON shape), for csv, spreadsheets and data frames."""
        return [h.to_dict() for h in self.hits]

    def to_dataframe(self) -> Any:
        """The hits as a pandas DataFrame, one row per hit (needs the `pandas` extra)."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("to_dataframe() needs pandas: pip install 'searcher[pandas]'") from e
        return pd.DataFrame.from_records(self.to_records(), columns=HIT_COLUMNS)


def context_turn(turn: Turn) -> dict[str, Any]:
    """A neighbouring turn as shown beside a hit."""
    return {
        "id": turn.id,
        "turn": turn.n,
        "speaker": turn.speaker.name if turn.speaker else None,
        "label": turn.label,
        "kind": turn.kind,
        "text": turn.text,
    }


def to_jsonable(obj: Any) -> Any:
    """Dataclasses to plain JSON values (dates as ISO strings)."""
    if hasattr(obj, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """Inverse of `Transcript.to_dict` (used by the document store and JSON Lines import)."""
    d = data.get("date") or {}
    date = DateRange(
        start=dt.date.fromisoformat(d["start"]) if d.get("start") else None,
        end=dt.date.fromisoformat(d["end"]) if d.get("end") else None,
        precision=d.get("precision", "unknown"),
    )
    doc_id = str(data["id"])
    turns = []
    for i, t in enumerate(data.get("turns") or (), start=1):
        sp = t.get("speaker")
        speaker = (
            Speaker(id=sp["id"], name=sp["name"], aliases=tuple(sp.get("aliases") or ()))
            if isinstance(sp, dict)
            else None
        )
        kind = t.get("kind") or ("labelled" if speaker or t.get("label") else "narrative")
        if kind not in TURN_KINDS:
            raise ValueError(f"unknown turn kind {kind!r}")
        turns.append(
            Turn(
                doc_id=doc_id,
                n=int(t.get("n") or i),
                text=str(t["text"]),
                kind=kind,
                speaker=speaker,
                label=t.get("label"),
                topics=tuple(t.get("topics") or ()),
                inherited_topics=tuple(t.get("inherited_topics") or ()),
            )
        )
    participants = tuple(
        Participant(**p) if isinstance(p, dict) else Participant(name=str(p))
        for p in data.get("participants") or ()
    )
    return Transcript(
        id=doc_id,
        title=str(data.get("title") or ""),
        turns=tuple(turns),
        date_text=str(data.get("date_text") or ""),
        date=date,
        places=tuple(data.get("places") or ()),
        topics=tuple(data.get("topics") or ()),
        summary=str(data.get("summary") or ""),
        source=str(data.get("source") or ""),
        type=str(data.get("type") or ""),
        language=str(data.get("language") or ""),
        record_id=str(data.get("record_id") or ""),
        url=str(data.get("url") or ""),
        path=str(data.get("path") or ""),
        participants=participants,
        format=str(data.get("format") or ""),
        author=str(data.get("author") or ""),
        notes=tuple(data.get("notes") or ()),
    )
