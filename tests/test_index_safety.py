"""A damaged, foreign or future index gets a one-line message naming the fix, never a traceback."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import Archive
from searcher.cli import main
from searcher.errors import QuerySyntaxError
from tests.conftest import SAMPLE


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_line_error(r, code: int = 1) -> str:
    assert r.exit_code == code, (r.exit_code, r.stderr, r.exception)
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("searcher: "), r.stderr
    assert "Traceback" not in r.stderr
    return r.stderr


@pytest.fixture
def index_copy(sample_index: str, tmp_path: Path) -> str:
    d = str(tmp_path / "ix")
    shutil.copytree(sample_index, d)
    return d


def _gen(d: str) -> Path:
    return next(p for p in Path(d).iterdir() if p.name.startswith("gen-"))


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


def _seg(d: str) -> Path:
    return next(_gen(d).glob("*.seg"))


DAMAGE: dict[str, Callable[[str], object]] = {
    "segment-truncated": lambda d: _truncate(_seg(d), _seg(d).stat().st_size // 2),
    "segment-emptied": lambda d: _truncate(_seg(d), 0),
    "segment-missing": lambda d: _seg(d).unlink(),
    "toc-missing": lambda d: next(_gen(d).glob("*.toc")).unlink(),
    "toc-truncated": lambda d: _truncate(next(_gen(d).glob("*.toc")), 50),
    "docs-missing": lambda d: next(_gen(d).glob("docs-*.sqlite")).unlink(),
    "docs-truncated": lambda d: _truncate(next(_gen(d).glob("docs-*.sqlite")), 1000),
    "generation-missing": lambda d: shutil.rmtree(_gen(d)),
    "json-garbage": lambda d: Path(d, "searcher.json").write_bytes(b"\x00{garbage"),
    "json-list": lambda d: Path(d, "searcher.json").write_text("[1, 2]"),
    "json-no-generation": lambda d: Path(d, "searcher.json").write_text('{"format": 2}'),
    "json-escaping": lambda d: Path(d, "searcher.json").write_text(
        json.dumps({**json.loads(Path(d, "searcher.json").read_text()), "current": "../.."})
    ),
}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # Whoosh's files
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_gives_one_line_naming_the_fix(index_copy: str, damage: str) -> None:
    DAMAGE[damage](index_copy)
    for args in (["search", "Korea"], ["show", "176345"]):
        r = run(*args, "--index", index_copy)
        if r.exit_code == 0:  # show never touches the segments
            assert damage.startswith(("docs", "segment", "toc"))
            continue
        msg = _one_line_error(r)
        assert f"searcher index --rebuild --index {index_copy}" in msg, msg
    r = run("index", str(SAMPLE), "--index", index_copy, "--rebuild")
    assert r.exit_code == 0, r.stderr
    r = run("search", "Korea", "--index", index_copy)
    assert r.exit_code == 0 and "176345#" in r.stdout


def test_index_of_another_format_version(index_copy: str) -> None:
    meta = Path(index_copy, "searcher.json")
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": 99}))
    msg = _one_line_error(run("search", "Korea", "--index", index_copy))
    assert "version 99" in msg and "--rebuild" in msg


def test_a_folder_that_is_not_an_index_is_never_touched(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    (folder / "gen-notes").mkdir(parents=True)
    (folder / "gen-notes" / "keep.txt").write_text("mine")
    (folder / "thesis.md").write_text("mine")
    before = sorted(p.name for p in folder.rglob("*"))
    msg = _one_line_error(run("search", "Korea", "--index", str(folder)))
    assert "No index" in msg
    for extra in ([], ["--rebuild"]):
        msg = _one_line_error(run("index", str(SAMPLE), "--index", str(folder), *extra))
        assert "not a searcher index" in msg
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_user_folders_named_like_generations_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "ix"
    (folder / "gen-notes").mkdir(parents=True)
    _one_line_error(run("index", str(SAMPLE), "--index", str(folder)))
    assert (folder / "gen-notes").is_dir()


def test_index_pointing_at_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    r = run("index", str(SAMPLE), "--index", str(f))
    assert r.exit_code in (1, 2) and "is a file" in r.stderr and "Traceback" not in r.stderr
    assert f.read_text() == "x"


# -- queries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ['"unbalanced', "(open", "close)", "AND", "Korea AND", "a:b", "*", "\x00"]
)
def test_odd_queries_run_or_are_one_line_usage_errors(sample_index: str, query: str) -> None:
    r = run("search", query, "--index", sample_index)
    if r.exit_code != 0:  # the CLI repairs what it can, with a warning
        _one_line_error(r, 2)
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "query",
    ["x" * 1_000_000, "(" * 5000 + "a" + ")" * 5000, "a " * 4900, "NOT " * 2400 + "a"],
    ids=["1MB", "nested", "many-terms", "many-nots"],
)
def test_absurd_queries_are_refused(sample_index: str, query: str) -> None:
    msg = _one_line_error(run("search", query, "--index", sample_index), 2)
    assert len(msg) < 300


def test_deeply_nested_balanced_query(sample_index: str) -> None:
    r = run("search", "(" * 3000 + "Korea" + ")" * 3000, "--index", sample_index)
    if r.exit_code:
        _one_line_error(r, 2)


def test_absurd_limits_are_bounded(sample_index: str) -> None:
    r = run("search", "Korea", "--limit", "10000000", "--index", sample_index)
    assert r.exit_code == 2 and "--limit" in r.stderr
    with Archive.open(sample_index) as archive:
        assert archive.search("Korea", limit=10**9, offset=10**12).hits == ()
        assert archive.search("Korea", limit=10**9).total == len(
            archive.search("Korea", limit=10**9).hits
        )


QUERY_PIECES = [*"ab Korea\"()*?~^:[]{}-+!\\/<>='", "AND", " OR ", "NOT ", " TO ", "\x00", "é"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(QUERY_PIECES), max_size=30).map("".join) | st.text(max_size=40))
def test_any_query_runs_or_is_a_syntax_error(sample_index: str, query: str) -> None:
    with Archive.open(sample_index) as archive, contextlib.suppress(QuerySyntaxError):
        archive.search(query, limit=5)
