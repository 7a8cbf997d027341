"""The `searcher` command: parses options, calls the library, formats what comes back.

Data goes to stdout, messages and progress to stderr. Library errors become one-line
messages (exit 1; exit 2 for usage and query mistakes); `--traceback` shows the full story.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import output

if TYPE_CHECKING:
    from .archive import Archive
    from .build import Progress
    from .counts import Count, Period
    from .model import SearchResults

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_CORPUS = "corpus"


def default_index() -> str:
    return os.environ.get("SEARCHER_INDEX") or "index"


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"searcher: {message}", err=True)
    sys.exit(code)


class _LostInterrupts:
    """A Ctrl-C that lands in a finalizer (`__del__`) is printed by Python as an ignored
    exception and lost; kept here instead, to be raised at the next progress report."""

    def __init__(self) -> None:
        self.pending = False

    def hook(self, unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            self.pending = True
        else:
            sys.__unraisablehook__(unraisable)

    def raise_pending(self) -> None:
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


_lost_interrupts = _LostInterrupts()


class Group(click.Group):
    """Maps the library's exceptions to one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import DateError, QuerySyntaxError, SearcherError

        previous_hook, sys.unraisablehook = sys.unraisablehook, _lost_interrupts.hook
        try:
            return super().invoke(ctx)
        except (QuerySyntaxError, DateError) as e:
            if ctx.meta.get("traceback"):
                raise
            fail(str(e), 2)
        except SearcherError as e:
            if ctx.meta.get("traceback"):
                raise
            fail(str(e), 1)
        except KeyboardInterrupt:
            fail("interrupted; the previous index is unchanged", 130)
        finally:
            sys.unraisablehook = previous_hook
            _lost_interrupts.pending = False


def _traceback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["traceback"] = value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("searcher")
    except PackageNotFoundError:
        return "0+unknown"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Looked up only when asked: `importlib.metadata` costs every start ~30 ms."""
    if value and not ctx.resilient_parsing:
        click.echo(f"searcher {_version()}")
        ctx.exit()


@click.group(cls=Group, context_settings=CONTEXT)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "--traceback",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_traceback,
    help="Show the full traceback of an error.",
)
def main() -> None:
    """Search Cold War transcripts by speaker, date and topic.

    \b
    Example:
      searcher index corpus/
      searcher search "South Korea" --speaker Gorbachev
    """


index_option = click.option(
    "--index",
    "index_dir",
    default=default_index,
    show_default="index/ or $SEARCHER_INDEX",
    type=click.Path(file_okay=False),
    help="Index directory.",
)


def _progress_printer(bar: bool) -> Callable[[Progress], None]:
    """Warnings and skipped files as lines; on a terminal also a bar with files and turns/s."""
    import time

    started = time.monotonic()
    shown = [0.0]

    def report(p: Progress) -> None:
        _lost_interrupts.raise_pending()
        if bar and (p.warnings or p.skipped):
            click.echo("\r\x1b[K", nl=False, err=True)
        for w in p.warnings:
            click.echo(f"warning: {w}", err=True)
        if p.skipped:
            click.echo(f"skipped: {p.skipped}", err=True)
        now = time.monotonic()
        if bar and (now - shown[0] > 0.2 or p.files_done == p.files_total):
            shown[0] = now
            secs = max(now - started, 1e-6)
            total = max(p.files_total, 1)
            filled = int(24 * min(p.files_done, total) / total)
            click.echo(
                f"\r[{'#' * filled}{'.' * (24 - filled)}] {p.files_done}/{p.files_total} files"
                f"  {p.files_done / secs:,.0f} files/s  {p.turns_done / secs:,.0f} turns/s\x1b[K",
                nl=False,
                err=True,
            )

    return report


def _build(
    paths: list[str],
    index_dir: str,
    fmt: str | None = None,
    wait: float = 0.0,
    rebuild: bool = False,
) -> Archive:
    from .archive import Archive

    bar = sys.stderr.isatty()
    archive = Archive.build(
        paths,
        index_dir,
        format=fmt,
        wait=wait,
        progress=_progress_printer(bar),
        rebuild=rebuild,
    )
    assert archive.report is not None
    if bar:
        click.echo("\r\x1b[K", nl=False, err=True)
    click.echo(archive.report.summary(), err=True)
    return archive


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Start over instead of updating the index.")
@click.option(
    "--format",
    "fmt",
    default=None,
    help="Read every file as this format (default: detected per file).",
)
@click.option(
    "--wait",
    default=0.0,
    type=float,
    show_default=True,
    help="Seconds to wait for another indexer.",
)
def index(
    paths: tuple[str, ...], index_dir: str, rebuild: bool, fmt: str | None, wait: float
) -> None:
    """Index transcripts (files or folders; default: corpus/).

    \b
    Example:
      searcher index ../shared/corpus --index /tmp/idx
    """
    from .readers import formats

    if fmt is not None and fmt not in formats():
        raise click.BadParameter(
            f"{fmt!r}: choose from {', '.join(formats())}", param_hint="--format"
        )
    _build(list(paths) or [DEFAULT_CORPUS], index_dir, fmt, wait, rebuild)


@main.command(context_settings=CONTEXT)
@index_option
@click.option(
    "--wait",
    default=0.0,
    type=float,
    show_default=True,
    help="Seconds to wait for another indexer.",
)
def optimize(index_dir: str, wait: float) -> None:
    """Merge the index into one segment: a build writes several.

    The merged segment keeps no word pairs or top lists, so phrases and very common words
    are then slower to search; `searcher index --rebuild` writes them again.

    \b
    Example:
      searcher optimize --index /tmp/idx
    """
    from .build import optimize as merge

    before = merge(index_dir, wait=wait)
    click.echo(f"merged {before} segment{'s' if before != 1 else ''} into one", err=True)


def _open(index_dir: str) -> Archive:
    """Open the index, building it from corpus/ first when there is none yet."""
    from .archive import Archive
    from .errors import NoIndexError

    try:
        return Archive.open(index_dir)
    except NoIndexError:
        if index_dir == default_index() and os.path.isdir(DEFAULT_CORPUS):
            click.echo(f"No index in {index_dir}/ yet: indexing {DEFAULT_CORPUS}/ first", err=True)
            return _build([DEFAULT_CORPUS], index_dir)
        raise


@main.command(context_settings=CONTEXT)
@click.argument("query", required=False, default="")
@click.option(
    "--speaker", "-s", multiple=True, help="Only turns by this speaker (any spelling; repeatable)."
)
@click.option(
    "--not-speaker",
    multiple=True,
    metavar="NAME",
    help="Leave out this speaker's turns (repeatable).",
)
@click.option(
    "--with",
    "with_",
    multiple=True,
    metavar="NAME",
    help="Only records in which NAME takes part (repeatable: all of them).",
)
@click.option(
    "--from", "date_from", metavar="DATE", help="From this date: YYYY, YYYY-MM or YYYY-MM-DD."
)
@click.option(
    "--to",
    "date_to",
    metavar="DATE",
    help="Up to this date (a partial date includes its whole period).",
)
@click.option("--topic", "-t", multiple=True, help="Only turns on this topic (repeatable).")
@click.option("--place", "-p", multiple=True, help="Only records about this place (repeatable).")
@click.option(
    "--limit",
    "-n",
    default=10,
    show_default=True,
    type=click.IntRange(0, 10_000),
    help="Hits to show.",
)
@click.option(
    "--offset", default=0, show_default=True, type=click.IntRange(0), help="Hits to skip (paging)."
)
@click.option(
    "--context",
    "context",
    default=0,
    type=click.IntRange(0, 50),
    metavar="N",
    help="Show N turns before and after each hit.",
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best match first, or oldest record first.",
)
@click.option(
    "--count",
    "count_by",
    type=click.Choice(["speaker", "year", "topic", "place", "document"]),
    help="Print counts of matching turns instead of hits.",
)
@click.option("--explain", is_flag=True, help="Print the query as the engine runs it (stderr).")
@click.option("--exact", is_flag=True, help="Do not expand place names to their other forms.")
@output.format_option("table", "json", "jsonl", "csv", "ris")
@output.color_option
@index_option
def search(
    query: str,
    speaker: tuple[str, ...],
    not_speaker: tuple[str, ...],
    with_: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    topic: tuple[str, ...],
    place: tuple[str, ...],
    limit: int,
    offset: int,
    context: int,
    sort: str,
    count_by: str | None,
    explain: bool,
    exact: bool,
    fmt: str,
    index_dir: str,
) -> None:
    """Find turns matching QUERY (phrases in quotes, AND/OR/NOT, wildcards).

    \b
    Example:
      searcher search "South Korea" --speaker Gorbachev
      searcher search Geneva --from 1985 --to 1986-06 --format json
      searcher search "South Korea" --format csv > hits.csv
      searcher search Korea --format ris > hits.ris     # import into Zotero
      searcher search 'speaker:Gorbachev date:1985..1991 "South Korea"' --context 1
      searcher search Korea --count speaker
      searcher search Germany --speaker Gorbachev --with Kohl --not-speaker Kohl
    """
    if not query.strip() and not (
        speaker or date_from or date_to or topic or place or not_speaker or with_
    ):
        raise click.UsageError("give a QUERY, or a filter such as --speaker or --topic")
    if count_by and (not_speaker or with_):
        raise click.UsageError(
            "--not-speaker and --with select hits; they do not work with --count"
        )
    if count_by and fmt in ("jsonl", "ris"):
        raise click.UsageError("--count prints table, json or csv")
    filters: dict[str, Any] = {
        "speaker": speaker,
        "date_from": date_from,
        "date_to": date_to,
        "topic": topic,
        "place": place,
    }
    with _open(index_dir) as archive:
        if explain and query.strip():
            click.echo(archive.explain(query, exact=exact, strict=False), err=True)
        if count_by:
            _warn_lenient(query)
            by: Any = count_by
            counts = archive.count(query, by, exact=exact, strict=False, **filters)
            _print_counts(counts, count_by, fmt)
            return
        results = archive.search(
            query,
            limit=limit,
            offset=offset,
            sort=sort,
            context=context,
            exact=exact,
            strict=False,
            not_speaker=not_speaker,
            participant=with_,
            **filters,
        )
        citations = {h.doc_id: archive.citation(h.doc_id) for h in results.hits}
    for note in results.notes:
        click.echo(note, err=True)
    if context and fmt == "table":
        output.emit(_context_table(results))
        _print_count(results)
    elif fmt == "json":
        output.emit(output.render_json(results.to_dict()))
    elif fmt == "jsonl":
        output.emit(output.render_jsonl(results.to_records()))
    elif fmt == "csv":
        output.emit(output.hits_csv(results))
    elif fmt == "ris":
        output.emit(output.hits_ris(results.hits, citations))
    else:
        output.emit(output.hits_table(results))
        _print_count(results)


def _warn_lenient(query: str) -> None:
    """The repairs the lenient parser makes to `query`, as warnings on stderr."""
    from .query import parse_lenient

    for warning in parse_lenient(query).warnings:
        click.echo(f"warning: {warning}", err=True)


def _context_table(results: SearchResults) -> str:
    """Hits with their neighbouring turns: context rows indented, the hit's row as usual."""
    from .model import Turn
    from .output import HIT_TABLE, Marked, render_table

    def row(t: Turn) -> dict[str, Any]:
        text = t.text.replace("\n", " ")
        text = text if len(text) <= 200 else text[:199] + "…"
        who = t.speaker.name if t.speaker else t.label or f"({t.kind})"
        return {"id": f"  {t.id}", "date": "", "speaker": who, "snippet": Marked(text, ())}

    rows: list[dict[str, Any]] = []
    for h in results.hits:
        rows += [row(t) for t in h.context_before or ()]
        who = h.speaker or h.label or f"({h.kind})"
        rows.append(
            {
                "id": h.id,
                "date": h.date or "",
                "speaker": who,
                "snippet": Marked(h.snippet, h.marks),
            }
        )
        rows += [row(t) for t in h.context_after or ()]
    return render_table(rows, HIT_TABLE)


def _print_counts(counts: list[Count], by: str, fmt: str) -> None:
    from .output import Column

    if not counts:
        click.echo("No turn matches", err=True)
        return
    columns = [Column("label", by.upper(), style="speaker")]
    columns += [Column("turns", align=">"), Column("records", align=">")]
    if by == "speaker":
        columns += [Column("words", align=">"), Column("per_10k_words", "PER 10K WORDS", align=">")]
    output.emit(output.render(counts, fmt, columns))


def _print_count(results: SearchResults) -> None:
    shown = len(results.hits)
    first = results.offset + 1 if shown else 0
    click.echo(
        f"{results.total} matching turn{'s' if results.total != 1 else ''}"
        + (
            f"; showing {first}–{results.offset + shown}" if shown and shown < results.total else ""
        ),
        err=True,
    )


@main.command(context_settings=CONTEXT)
@click.argument("doc_id")
@output.format_option("text", "json")
@output.color_option
@index_option
def show(doc_id: str, fmt: str, index_dir: str) -> None:
    """Print one transcript with its metadata, citation and numbered turns.

    On a terminal, a transcript longer than the screen opens in $PAGER (less).

    \b
    Example:
      searcher show 176345
      searcher show 176345 --format json | jq .citation
    """
    with _open(index_dir) as archive:
        doc = archive.document(doc_id)
        citation = archive.citation(doc_id)
    if fmt == "json":
        output.emit(output.render_json({**doc.to_dict(), "citation": citation.chicago()}))
    else:
        output.emit(output.document_text(doc, citation, color=output.use_color()), pager=True)


@main.command(context_settings=CONTEXT)
@click.argument("doc_id")
@output.format_option("chicago", "ris", "bibtex")
@index_option
def cite(doc_id: str, fmt: str, index_dir: str) -> None:
    """Print the citation of a record (DOC_ID, or a turn's anchor DOC_ID#N).

    \b
    Example:
      searcher cite 176345
      searcher cite 176345#5 --format ris >> library.ris
      searcher cite frus1981-88v05/d5 --format bibtex
    """
    record, _, turn = doc_id.partition("#")
    with _open(index_dir) as archive:
        citation = archive.citation(record)
    notes = [f"Turn {turn} ({doc_id})"] if turn else []
    if fmt == "ris":
        output.emit(citation.ris(notes))
    elif fmt == "bibtex":
        output.emit(citation.bibtex())
    else:
        output.emit(citation.chicago() + (f" [{doc_id}]" if turn else "") + "\n")


@main.command(context_settings=CONTEXT)
@click.argument("query", required=False)
@output.format_option("table", "json", "csv")
@output.color_option
@index_option
def speakers(query: str | None, fmt: str, index_dir: str) -> None:
    """List who speaks: one line per person, with turns, records, first and last date, and
    the labels as written that were resolved to them (QUERY: any spelling or part of a name).

    \b
    Example:
      searcher speakers
      searcher speakers "Chou En-lai" --format json
    """
    from .output import Column

    with _open(index_dir) as archive:
        found = archive.speakers(query)
    if not found:
        click.echo("No speaker matches" if query else "No turn has a speaker", err=True)
        return
    if fmt == "json":
        output.emit(output.render_json([s.to_dict() for s in found]))
        return
    rows = [
        {
            **s.to_dict(),
            "labels": "; ".join(f"{label} ({n})" for label, n in s.labels),
        }
        for s in found
    ]
    columns = [
        Column("name", "SPEAKER", style="speaker"),
        Column("id", style="dim"),
        Column("turns", align=">"),
        Column("documents", "DOCS", align=">"),
        Column("first"),
        Column("last"),
        Column("labels", "LABELS AS WRITTEN"),
    ]
    output.emit(output.render(rows, fmt, columns))


def _filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The selection options of `topics` and `phrases` (the filters of `search`)."""
    for option in reversed(
        (
            click.argument("query", required=False, default=""),
            click.option("--speaker", "-s", multiple=True, help="Only turns by this speaker."),
            click.option("--from", "date_from", metavar="DATE", help="From this date."),
            click.option("--to", "date_to", metavar="DATE", help="Up to this date."),
            click.option("--topic", "-t", multiple=True, help="Only turns on this topic."),
            click.option("--place", "-p", multiple=True, help="Only records about this place."),
        )
    ):
        f = option(f)
    return f


@main.command(context_settings=CONTEXT)
@_filter_options
@output.format_option("table", "json", "csv")
@output.color_option
@index_option
def topics(
    query: str,
    speaker: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    topic: tuple[str, ...],
    place: tuple[str, ...],
    fmt: str,
    index_dir: str,
) -> None:
    """List the topics of the turns matching QUERY and the filters (default: all turns).

    Derived topics come from each turn's own words (INHERITED: short replies that took the
    topic of the turn they answer); archive topics are the records' own tags. Use KEY or
    NAME with --topic.

    \b
    Example:
      searcher topics
      searcher topics --speaker Gorbachev --format json
    """
    from .output import Column

    with _open(index_dir) as archive:
        counts = archive.topics(
            query, speaker=speaker, date_from=date_from, date_to=date_to, topic=topic, place=place
        )
    if not counts:
        click.echo("No topics: no turn matches, or none carries a topic", err=True)
        return
    columns = [
        Column("kind", style="dim"),
        Column("key", style="speaker"),
        Column("turns", align=">"),
        Column("inherited", align=">"),
        Column("documents", "DOCS", align=">"),
        Column("name"),
    ]
    output.emit(output.render(counts, fmt, columns))


@main.command(context_settings=CONTEXT)
@_filter_options
@click.option(
    "--limit", "-n", default=20, show_default=True, type=click.IntRange(1, 1000), help="Phrases."
)
@click.option(
    "--min-count",
    type=click.IntRange(1),
    default=None,
    help="Least uses in the selection [default: 2; 1 for small selections].",
)
@output.format_option("table", "json", "csv")
@output.color_option
@index_option
def phrases(
    query: str,
    speaker: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    topic: tuple[str, ...],
    place: tuple[str, ...],
    limit: int,
    min_count: int | None,
    fmt: str,
    index_dir: str,
) -> None:
    """The two- and three-word phrases most particular to the turns matching QUERY and the
    filters, against the whole index: a quick way to find what to search for.

    COUNT is uses in the selected turns, CORPUS uses in all turns.

    \b
    Example:
      searcher phrases --speaker Gorbachev
      searcher phrases --from 1985 --to 1985 --topic "arms control"
    """
    from .output import Column

    with _open(index_dir) as archive:
        found = archive.phrases(
            query,
            speaker=speaker,
            date_from=date_from,
            date_to=date_to,
            topic=topic,
            place=place,
            limit=limit,
            min_count=min_count,
        )
    if not found:
        click.echo("No phrases: no turn matches, or no phrase recurs", err=True)
        return
    columns = [
        Column("phrase", style="speaker"),
        Column("count", align=">"),
        Column("corpus_count", "CORPUS", align=">"),
        Column("score", align=">"),
    ]
    output.emit(output.render(found, fmt, columns))


@main.command(context_settings=CONTEXT)
@_filter_options
@click.option(
    "--by",
    type=click.Choice(["year", "month"]),
    default="year",
    show_default=True,
    help="One bar per year or per month.",
)
@click.option("--exact", is_flag=True, help="Do not expand place names to their other forms.")
@output.format_option("table", "json", "csv")
@output.color_option
@index_option
def timeline(
    query: str,
    speaker: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    topic: tuple[str, ...],
    place: tuple[str, ...],
    by: str,
    exact: bool,
    fmt: str,
    index_dir: str,
) -> None:
    """Matching turns per year (or month) as a bar chart, gaps included.

    \b
    Example:
      searcher timeline Afghanistan
      searcher timeline Korea --speaker Gorbachev --by month --format csv
    """
    if not query.strip() and not (speaker or date_from or date_to or topic or place):
        raise click.UsageError("give a QUERY, or a filter such as --speaker or --topic")
    _warn_lenient(query)
    period: Any = by
    with _open(index_dir) as archive:
        line = archive.timeline(
            query,
            period,
            speaker=speaker,
            date_from=date_from,
            date_to=date_to,
            topic=topic,
            place=place,
            exact=exact,
            strict=False,
        )
    if line.undated:
        why = "no date" if by == "year" else "no month"
        click.echo(f"{line.undated} matching turns left out: their records have {why}", err=True)
    if fmt == "json":
        output.emit(output.render_json(line.to_dict()))
    elif fmt == "csv":
        output.emit(output.render(line.periods, "csv"))
    elif not line.periods:
        click.echo("No dated turn matches", err=True)
    else:
        output.emit(_bars(line.periods))


def _bars(periods: Sequence[Period]) -> str:
    """One line per period: label, a bar scaled to the largest count, the count."""
    top = max(p.turns for p in periods) or 1
    room = max(10, min(60, (output.terminal_width() or 80) - 20))
    lines = []
    for p in periods:
        bar = "█" * round(p.turns * room / top) if p.turns else ""
        if p.turns and not bar:
            bar = "▏"
        lines.append(f"{p.period:<8} {bar + ' ' if bar else ''}{p.turns}")
    return "\n".join(lines) + "\n"
