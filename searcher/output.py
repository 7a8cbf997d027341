"""How the command line shows things: aligned tables, json, jsonl, csv, RIS; colors; the pager.

This is the CLI's side of the line (it may use click); the library never imports it.
Any command can print any list of rows (dataclasses with or without `to_dict()`, or dicts)::

    @main.command(context_settings=CONTEXT)
    @output.format_option("table", "json", "jsonl", "csv")
    @output.color_option
    def speakers(fmt: str) -> None:
        rows = archive.speakers()
        columns = [Column("name", style="speaker"), Column("turns", align=">")]
        output.emit(output.render(rows, fmt, columns))

- `render(rows, fmt, columns)`: "table" (aligned; sized to the terminal; the last column
  wraps; on a pipe one line per row), "json" (a list), "jsonl", "csv" (header row; lists
  joined with "; "). `columns` picks and orders table and csv columns (default: all keys).
- A cell may be a `Marked` string (text plus matched-word offsets): matched words are
  highlighted on a terminal and plain otherwise. `Marked.parse("a [[word]]")` reads the
  `[[…]]` convention of the JSON snippets.
- `use_color()` is True only when stdout is a terminal, `NO_COLOR` is unset or empty and
  `--no-color` (`color_option`) was not given. `emit(text, pager=True)` pages long text
  through `$PAGER` when stdout is a terminal, and prints it otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

import click

from .model import HIT_COLUMNS, Hit, SearchResults, Transcript, to_jsonable

if TYPE_CHECKING:
    from .cite import Citation

F = TypeVar("F", bound=Callable[..., Any])
Style = Literal["speaker", "date", "id", "header", "match", "dim"]
STYLES: dict[str, dict[str, Any]] = {
    "speaker": {"bold": True},
    "date": {"fg": "cyan"},
    "id": {"dim": True},
    "header": {"bold": True, "underline": True},
    "match": {"fg": "red", "bold": True},
    "dim": {"dim": True},
}
#: tables never grow wider than this, even on a very wide terminal
MAX_WIDTH = 160
MIN_WRAP = 24


class Marked(NamedTuple):
    """Text with (start, end) offsets of matched words, highlighted in a table cell."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    @classmethod
    def parse(cls, marked: str) -> Marked:
        """Read `a [[word]] b` (the JSON snippet convention) into text and offsets."""
        out: list[str] = []
        marks: list[tuple[int, int]] = []
        pos = length = 0
        for m in re.finditer(r"\[\[(.*?)\]\]", marked):
            out.append(marked[pos : m.start()])
            length += m.start() - pos
            marks.append((length, length + len(m.group(1))))
            out.append(m.group(1))
            length += len(m.group(1))
            pos = m.end()
        out.append(marked[pos:])
        return cls("".join(out), tuple(marks))


class Column(NamedTuple):
    """One table/csv column: the row key, its header, how it looks. (A NamedTuple: every
    command creates the class at import, ~1 ms less than a dataclass.)"""

    key: str
    header: str = ""
    style: Style | None = None
    align: Literal["<", ">"] = "<"
    #: cells longer than this are cut with "…" (the last column wraps instead)
    max_width: int | None = None

    @property
    def title(self) -> str:
        return self.header or self.key.upper()


# -- options ---------------------------------------------------------------------------


def _no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["no_color"] = True


color_option = click.option(
    "--no-color",
    is_flag=True,
    expose_value=False,
    callback=_no_color,
    help="Plain text even on a terminal (NO_COLOR does the same).",
)


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    """`--format` with these choices; the first is the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )


def use_color() -> bool:
    """Colors only on a terminal, unless NO_COLOR or --no-color says otherwise."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().meta.get("no_color"):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return stdout_is_terminal()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def terminal_width() -> int | None:
    """The terminal's width, or None when stdout is not a terminal (then nothing wraps)."""
    if not stdout_is_terminal():
        return None
    return min(shutil.get_terminal_size((100, 24)).columns, MAX_WIDTH)


def emit(text: str, *, pager: bool = False) -> None:
    """Print `text`; with `pager`, text taller than the terminal goes through the pager."""
    if not text:
        return
    if pager and stdout_is_terminal():
        height = shutil.get_terminal_size((100, 24)).lines
        if text.count("\n") >= height - 1:
            click.echo_via_pager(text, color=use_color())
            return
    click.echo(text, nl=not text.endswith("\n"), color=use_color())


# -- generic rendering -----------------------------------------------------------------


def records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows as plain dicts: `to_dict()` when a row has one, dataclass fields otherwise."""
    out = []
    for row in rows:
        if hasattr(row, "to_dict"):
            out.append(row.to_dict())
        elif isinstance(row, Mapping):
            out.append(dict(row))
        else:
            out.append(to_jsonable(row))
    return out


def render(rows: Iterable[Any], fmt: str, columns: Sequence[Column] | None = None) -> str:
    """Rows in one of the generic formats: table, json, jsonl or csv."""
    recs = records(rows)
    if fmt == "json":
        return render_json(recs)
    if fmt == "jsonl":
        return render_jsonl(recs)
    if fmt == "csv":
        return render_csv(recs, [c.key for c in columns] if columns else None)
    if fmt == "table":
        return render_table(recs, columns or [Column(k) for k in _keys(recs)])
    raise ValueError(f"unknown format {fmt!r}")


def render_json(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n"


def render_jsonl(recs: Iterable[Any]) -> str:
    return "".join(json.dumps(to_jsonable(r), ensure_ascii=False) + "\n" for r in recs)


def render_csv(recs: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None) -> str:
    """RFC 4180 CSV with a header row; lists joined with "; ", nested values as JSON."""
    keys = list(keys or _keys(recs))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys)
    for rec in recs:
        writer.writerow([_csv_cell(rec.get(k)) for k in keys])
    return buf.getvalue()


def render_table(
    recs: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    width: int | Literal["auto"] | None = "auto",
    color: bool | None = None,
) -> str:
    """An aligned table; the last column wraps to `width` (None: no wrapping, one line a row)."""
    if not recs or not columns:
        return ""
    if width == "auto":
        width = terminal_width()
    if color is None:
        color = use_color()
    cells = [[_as_marked(rec.get(c.key)) for c in columns] for rec in recs]
    widths = []
    for i, col in enumerate(columns[:-1]):
        w = max([len(col.title)] + [len(row[i].text) for row in cells])
        widths.append(min(w, col.max_width) if col.max_width else w)
    natural = max([len(columns[-1].title)] + [len(row[-1].text) for row in cells])
    last = natural
    if width is not None:
        last = min(natural, max(MIN_WRAP, width - sum(widths) - 2 * (len(columns) - 1)))
    lines = [_row([Marked(c.title) for c in columns], columns, widths, last, color, header=True)]
    lines += [_row(row, columns, widths, last, color) for row in cells]
    return "".join(lines)


def _row(
    row: Sequence[Marked],
    columns: Sequence[Column],
    widths: Sequence[int],
    last: int,
    color: bool,
    header: bool = False,
) -> str:
    parts = []
    for cell, col, w in zip(row, columns, widths, strict=False):
        text = cell.text if len(cell.text) <= w else cell.text[: max(0, w - 1)] + "…"
        pad = " " * (w - len(text))
        styled = _style(Marked(text, cell.marks), "header" if header else col.style, color)
        parts.append(pad + styled if col.align == ">" else styled + pad)
    tail = row[-1]
    flat = Marked(tail.text.replace("\n", " "), tail.marks)
    style = "header" if header else columns[-1].style
    spans = _wrap(flat.text, last)
    indent = " " * (sum(widths) + 2 * len(widths))
    out = []
    for i, (start, end) in enumerate(spans):
        piece = _slice(flat, start, end)
        text = _style(piece, style, color)
        if columns[-1].align == ">":
            text = " " * (last - len(piece.text)) + text
        out.append(("  ".join([*parts, text]) if i == 0 else indent + text).rstrip() + "\n")
    return "".join(out)


def _wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap as (start, end) offsets into `text`, so marks can follow the lines."""
    spans: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        while start < n and text[start] == " ":
            start += 1
        if start >= n:
            break
        if n - start <= width:
            spans.append((start, n))
            break
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = start + width
        spans.append((start, cut))
        start = cut
    return spans or [(0, 0)]


def _slice(cell: Marked, start: int, end: int) -> Marked:
    marks = tuple(
        (max(s, start) - start, min(e, end) - start) for s, e in cell.marks if s < end and e > start
    )
    return Marked(cell.text[start:end], marks)


def _style(cell: Marked, style: str | None, color: bool) -> str:
    if not color:
        return cell.text
    base = STYLES.get(style or "", {})
    out, pos = [], 0
    for s, e in cell.marks:
        out.append(click.style(cell.text[pos:s], **base) if base else cell.text[pos:s])
        out.append(click.style(cell.text[s:e], **STYLES["match"]))
        pos = e
    rest = cell.text[pos:]
    out.append(click.style(rest, **base) if base and rest else rest)
    return "".join(out)


def _as_marked(value: Any) -> Marked:
    if isinstance(value, Marked):
        return value
    if value is None:
        return Marked("")
    if isinstance(value, float):
        return Marked(f"{value:g}")
    if isinstance(value, list | tuple):
        return Marked(", ".join(str(v) for v in value))
    return Marked(str(value))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _keys(recs: Iterable[Mapping[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for rec in recs:
        keys.update(dict.fromkeys(rec))
    return list(keys)


# -- hits and documents -----------------------------------------------------------------

HIT_TABLE = (
    Column("id", style="id"),
    Column("date", style="date"),
    Column("speaker", style="speaker", max_width=28),
    Column("snippet", header="TEXT"),
)


def hits_table(results: SearchResults, **kwargs: Any) -> str:
    """Search hits as an aligned table: anchor, date, speaker, snippet with matches marked."""
    rows = [
        {
            "id": h.id,
            "date": h.date or "",
            "speaker": h.speaker or h.label or f"({h.kind})",
            "snippet": Marked(h.snippet, h.marks),
        }
        for h in results.hits
    ]
    return render_table(rows, HIT_TABLE, **kwargs)


def hits_csv(results: SearchResults) -> str:
    """One row per hit, every JSON field including its citation."""
    return render_csv(results.to_records(), HIT_COLUMNS)


def hits_ris(hits: Iterable[Hit], citations: Mapping[str, Citation]) -> str:
    """One RIS record per document (Zotero de-duplicates nothing), matched turns as notes."""
    by_doc: dict[str, list[Hit]] = {}
    for h in hits:
        by_doc.setdefault(h.doc_id, []).append(h)
    out = []
    for doc_id, doc_hits in by_doc.items():
        notes = [
            f"{h.id} ({h.speaker or h.label or h.kind}): {' '.join(h.snippet.split())}"
            for h in doc_hits
        ]
        out.append(citations[doc_id].ris(notes))
    return "\n".join(out)


def document_text(doc: Transcript, citation: Citation, *, color: bool = False) -> str:
    """A transcript for reading: metadata, its citation, then numbered turns (anchor doc#n)."""

    def st(text: str, style: str) -> str:
        return click.style(text, **STYLES[style]) if color else text

    lines = [st(doc.title, "speaker"), ""]
    meta = [
        ("Id", doc.id),
        ("Date", doc.date_text or (doc.date.iso() or "")),
        ("Places", ", ".join(doc.places)),
        ("Topics", ", ".join(doc.topics)),
        ("Type", doc.type),
        ("Source", doc.source),
        ("URL", doc.url),
        ("File", doc.path),
        ("Summary", doc.summary),
        ("Cite", citation.chicago()),
    ]
    lines += [f"{st(k + ':', 'dim')} {v}" for k, v in meta if v]
    if doc.turns:
        lines.append(st(f"Turns: {doc.id}#1 … {doc.id}#{doc.turns[-1].n}", "dim"))
    lines.append("")
    for turn in doc.turns:
        if turn.speaker is not None:
            who = st(turn.speaker.name, "speaker")
            if turn.label and turn.label != turn.speaker.name:
                who += f" [{turn.label}]"
            if turn.kind != "labelled":
                who += f" ({turn.kind})"
        else:
            who = f"({turn.kind})"
        lines.append(f"{turn.n:>3}  {who}")
        lines += ["     " + para for para in turn.text.split("\n\n")]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
