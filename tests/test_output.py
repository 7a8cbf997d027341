"""Output formats: csv and RIS that other tools open, color only on a terminal, the pager."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import re
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from searcher import Archive, output
from searcher.cli import main
from searcher.model import HIT_COLUMNS
from searcher.output import Column, Marked, render, render_table

from .conftest import REPO
from .test_cite import parse_ris

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(index: str, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [*args, "--index", index], env=env)


def test_csv_has_a_citation_column(sample_index: str) -> None:
    r = run(sample_index, "search", "South Korea", "--speaker", "Gorbachev", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    hits = json.loads(
        run(
            sample_index, "search", "South Korea", "--speaker", "Gorbachev", "--format", "json"
        ).stdout
    )["hits"]
    assert rows and len(rows) == len(hits)
    assert list(rows[0]) == list(HIT_COLUMNS)
    for row, hit in zip(rows, hits, strict=True):
        assert row["id"] == hit["id"] and row["citation"] == hit["citation"]
        assert row["citation"].endswith(" https://digitalarchive.wilsoncenter.org/document/176345")
        assert row["speaker"] == "Mikhail Gorbachev"


def test_ris_imports_one_record_per_document(sample_index: str) -> None:
    r = run(sample_index, "search", "Korea OR support", "--format", "ris")
    assert r.exit_code == 0, r.stderr
    records = parse_ris(r.stdout)
    hits = json.loads(run(sample_index, "search", "Korea OR support", "--format", "json").stdout)
    assert len(records) == len({h["doc_id"] for h in hits["hits"]}) == 1
    (rec,) = records
    assert {"TY", "TI", "DA", "UR"} <= set(rec)
    assert rec["DA"] == ["1988/05/04/"]
    assert [n.split(" ", 1)[0] for n in rec["N1"] if "#" in n.split(" ", 1)[0]] == [
        h["id"] for h in hits["hits"]
    ]


def test_piped_output_has_no_color(sample_index: str) -> None:
    for fmt in ("table", "json", "csv"):
        r = run(sample_index, "search", "Korea", "--format", fmt)
        assert r.exit_code == 0 and "Korea" in r.stdout and "\x1b" not in r.stdout
    r = run(sample_index, "show", "176345")
    assert "\x1b" not in r.stdout and "\nCite: " in r.stdout


def _in_pty(*args: str, env: dict[str, str]) -> str:
    """Run `python -m searcher ARGS` with stdout on a pseudo-terminal 100 columns wide."""
    primary, secondary = os.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "searcher", *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    return b"".join(chunks).decode()


def test_terminal_highlights_matched_words(sample_index: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    env.update(TERM="xterm-256color", PAGER="cat")
    text = _in_pty("search", "Korea", "--index", sample_index, env=env)
    highlighted = re.findall(r"\x1b\[[0-9;]*m(\w+)\x1b\[0m", text)
    assert any(w.lower().startswith("korea") for w in highlighted), text
    assert all(len(ANSI.sub("", line)) <= 100 for line in text.splitlines())


def test_no_color_and_NO_COLOR_win_over_a_terminal(
    sample_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[" in run(sample_index, "search", "Korea").stdout
    assert "\x1b" not in run(sample_index, "search", "Korea", "--no-color").stdout
    r = run(sample_index, "search", "Korea", env={"NO_COLOR": "1"})
    assert r.exit_code == 0 and "Korea" in r.stdout and "\x1b" not in r.stdout


@dataclass
class Row:
    name: str
    turns: int
    aliases: tuple[str, ...] = ()


ROWS = [Row("Ivan Petrov", 12, ("Petrov",)), Row("Anna Smirnova", 3)]


def test_generic_rows_in_every_format() -> None:
    assert json.loads(render(ROWS, "json"))[1] == {
        "name": "Anna Smirnova",
        "turns": 3,
        "aliases": [],
    }
    assert [json.loads(x)["name"] for x in render(ROWS, "jsonl").splitlines()] == [
        "Ivan Petrov",
        "Anna Smirnova",
    ]
    rows = list(csv.DictReader(io.StringIO(render(ROWS, "csv"))))
    assert rows[0] == {"name": "Ivan Petrov", "turns": "12", "aliases": "Petrov"}
    columns = [Column("name", style="speaker"), Column("turns", align=">")]
    table = render_table([r.__dict__ for r in ROWS], columns, width=None, color=False)
    assert table.splitlines() == [
        "NAME           TURNS",
        "Ivan Petrov       12",
        "Anna Smirnova      3",
    ]
    assert "\x1b[1m" in render_table([r.__dict__ for r in ROWS], columns, width=None, color=True)


words = st.text(alphabet="abcdefghij", min_size=1, max_size=14)


@given(st.lists(words, min_size=1, max_size=40), st.integers(31, 90), st.data())
def test_wrapped_column_keeps_words_and_marks(tokens: list[str], width: int, data) -> None:
    text = " ".join(tokens)
    marked = data.draw(st.sets(st.integers(0, len(tokens) - 1)))
    marks, pos = [], 0
    for i, tok in enumerate(tokens):
        if i in marked:
            marks.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    rows = [{"id": "doc#1", "text": Marked(text, tuple(marks))}]
    columns = [Column("id"), Column("text")]
    plain = render_table(rows, columns, width=width, color=False)
    colored = render_table(rows, columns, width=width, color=True)
    assert ANSI.sub("", colored) == plain
    body = plain.splitlines()[1:]
    assert all(len(line) <= width for line in body)
    assert " ".join(line[len("doc#1  ") :].strip() for line in body).split() == text.split()
    found = re.findall(r"\x1b\[31m\x1b\[1m([a-j]+)\x1b\[0m", colored)
    assert sorted(found) == sorted(text[s:e] for s, e in marks)


def test_marked_parses_the_json_snippet_convention() -> None:
    m = Marked.parse("ties with [[South]] [[Korea]].")
    assert m.text == "ties with South Korea." and [m.text[s:e] for s, e in m.marks] == [
        "South",
        "Korea",
    ]


def test_long_show_goes_through_the_pager_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    paged: list[str] = []
    monkeypatch.setattr(output.click, "echo_via_pager", lambda text, color=None: paged.append(text))
    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    output.emit("line\n" * 500, pager=True)
    assert paged == ["line\n" * 500]
    monkeypatch.setattr(output, "stdout_is_terminal", lambda: False)
    output.emit("line\n" * 500, pager=True)
    assert len(paged) == 1


def test_show_json_has_citation(sample_index: str) -> None:
    doc = json.loads(run(sample_index, "show", "176345", "--format", "json").stdout)
    assert doc["citation"].startswith('"Excerpt from a Conversation')
    assert doc["turns"][0]["n"] == 1


def test_records_and_dataframe(sample_index: str) -> None:
    with Archive.open(sample_index) as archive:
        results = archive.search("Korea")
    recs = results.to_records()
    assert [r["id"] for r in recs] == [h.id for h in results.hits]
    assert all(list(r) == list(HIT_COLUMNS) for r in recs)
    pd = pytest.importorskip("pandas")
    frame = results.to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(HIT_COLUMNS) and len(frame) == len(results.hits)
