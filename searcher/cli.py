"""The `searcher` command: parses options, calls the library, formats what comes back.

Data goes to stdout, messages and progress to stderr. Library errors become one-line
messages (exit 1; exit 2 for usage and query mistakes); `--traceback` shows the full story.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from .archive import Archive
    from .build import Progress
    from .model import Hit, SearchResults, Transcript

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_CORPUS = "corpus"


def default_index() -> str:
    return os.environ.get("SEARCHER_INDEX") or "index"


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"searcher: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """Maps the library's exceptions to one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import DateError, QuerySyntaxError, SearcherError

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


def _traceback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["traceback"] = value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("searcher")
    except PackageNotFoundError:
        return "0+unknown"


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(version=_version(), prog_name="searcher", message="%(prog)s %(version)s")
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


def _progress_printer() -> Callable[[Progress], None]:
    def report(p: Progress) -> None:
        for w in p.warnings:
            click.echo(f"warning: {w}", err=True)
        if p.skipped:
            click.echo(f"skipped: {p.skipped}", err=True)

    return report


def _build(paths: list[str], index_dir: str, fmt: str | None = None, wait: float = 0.0) -> Archive:
    from .archive import Archive

    archive = Archive.build(paths, index_dir, format=fmt, wait=wait, progress=_progress_printer())
    assert archive.report is not None
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
    _build(list(paths) or [DEFAULT_CORPUS], index_dir, fmt, wait)


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
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
)
@index_option
def search(
    query: str,
    speaker: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    topic: tuple[str, ...],
    place: tuple[str, ...],
    limit: int,
    offset: int,
    fmt: str,
    index_dir: str,
) -> None:
    """Find turns matching QUERY (phrases in quotes, AND/OR/NOT, wildcards).

    \b
    Example:
      searcher search "South Korea" --speaker Gorbachev
      searcher search Geneva --from 1985 --to 1986-06 --format json
    """
    if not query.strip() and not (speaker or date_from or date_to or topic or place):
        raise click.UsageError("give a QUERY, or a filter such as --speaker or --topic")
    with _open(index_dir) as archive:
        results = archive.search(
            query,
            speaker=speaker,
            date_from=date_from,
            date_to=date_to,
            topic=topic,
            place=place,
            limit=limit,
            offset=offset,
        )
    for note in results.notes:
        click.echo(note, err=True)
    if fmt == "json":
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for hit in results.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    else:
        _print_table(results)


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _print_table(results: SearchResults) -> None:
    color = _color()
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    for hit in results.hits:
        who = hit.speaker or "(narrative)"
        head = f"{hit.id}  {hit.date or '----------'}  {who}"
        if hit.label and hit.speaker and hit.label != hit.speaker:
            head += f"  [{hit.label}]"
        click.echo(click.style(head, bold=True) if color else head)
        click.echo("  " + _truncate(hit.title, width - 2))
        click.echo("  " + _marked(hit, color))
        click.echo()
    shown = len(results.hits)
    first = results.offset + 1 if shown else 0
    click.echo(
        f"{results.total} matching turn{'s' if results.total != 1 else ''}"
        + (
            f"; showing {first}–{results.offset + shown}" if shown and shown < results.total else ""
        ),
        err=True,
    )


def _marked(hit: Hit, color: bool) -> str:
    if not color:
        return hit.snippet
    return hit.marked_snippet("\x1b[1;31m", "\x1b[0m")


def _truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


@main.command(context_settings=CONTEXT)
@click.argument("doc_id")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@index_option
def show(doc_id: str, fmt: str, index_dir: str) -> None:
    """Print one transcript with its metadata and numbered turns.

    \b
    Example:
      searcher show 176345
    """
    with _open(index_dir) as archive:
        doc = archive.document(doc_id)
    if fmt == "json":
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(_render_document(doc))


def _render_document(doc: Transcript) -> str:
    lines = [doc.title, ""]
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
    ]
    lines += [f"{k}: {v}" for k, v in meta if v]
    lines.append("")
    for turn in doc.turns:
        if turn.speaker is not None:
            who = turn.speaker.name
            if turn.label and turn.label != who:
                who += f" [{turn.label}]"
            if turn.kind != "labelled":
                who += f" ({turn.kind})"
        else:
            who = f"({turn.kind})"
        lines.append(f"{turn.n:>3}  {who}")
        lines += ["     " + para for para in turn.text.split("\n\n")]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
