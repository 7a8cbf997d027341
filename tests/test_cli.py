"""The command line: exit codes, stdout and stderr kept apart, formats."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_flagship_query_builds_index_first(in_tmp: Path) -> None:
    r = run("search", "South Korea", "--speaker", "Gorbachev")
    assert r.exit_code == 0
    assert "ties with South Korea" in r.stdout
    assert "Kim Yong-nam\n" not in r.stdout and "176345#2" not in r.stdout
    assert "indexing corpus/ first" in r.stderr
    assert "1 files indexed (5 turns)" in r.stderr
    r = run("search", "South Korea", "--speaker", "Gorbachev", "--from", "1989", "--to", "1990")
    assert r.exit_code == 0 and r.stdout == ""
    assert "No turn matches" in r.stderr and "0 matching turns" in r.stderr


def test_json_output_shape(in_tmp: Path) -> None:
    run("index")
    r = run("search", "Korea", "--format", "json")
    data = json.loads(r.stdout)
    assert set(data) == {"query", "total", "hits"}
    hit = data["hits"][0]
    assert set(hit) == {
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
    }
    assert hit["date"] == "1988-05-04" and hit["path"].endswith("176345.txt")
    lines = run("search", "Korea", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [h["id"] for h in data["hits"]]


def test_show_numbers_turns_with_speakers(in_tmp: Path) -> None:
    r = run("show", "176345")
    assert r.exit_code == 0
    assert "  1  Mikhail Gorbachev" in r.stdout and "  2  Kim Yong-nam" in r.stdout
    assert "Summary: Kim expresses concern" in r.stdout
    body = r.stdout.split("  5  Mikhail Gorbachev", 1)[1]
    assert "Kim expresses concern" not in body
    doc = json.loads(run("show", "176345", "--format", "json").stdout)
    assert doc["turns"][1]["speaker"]["name"] == "Kim Yong-nam"


def test_errors_are_one_line(in_tmp: Path, tmp_path: Path) -> None:
    r = run("search", "x", "--index", str(tmp_path / "nothing"))
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith("searcher: No index in") and "run: searcher index" in r.stderr
    assert r.stderr.count("\n") == 1
    run("index")
    r = run("search", '"South Korea')  # the CLI repairs the query and warns (issue 5)
    assert r.exit_code == 0 and "warning: unbalanced double quote" in r.stderr
    r = run("search", "spaeker:Gorbachev")
    assert r.exit_code == 2 and "speaker:" in r.stderr and "Traceback" not in r.stderr
    r = run("search", "Korea", "--from", "May 1988")
    assert r.exit_code == 2 and "YYYY" in r.stderr
    r = run("search")
    assert r.exit_code == 2
    r = run("show", "nope")
    assert r.exit_code == 1 and "No document" in r.stderr


def test_index_summary_and_skips(in_tmp: Path) -> None:
    (in_tmp / "corpus" / "junk.txt").write_bytes(b"\x00\xff" * 100)
    r = run("index")
    assert r.exit_code == 0
    assert "skipped: corpus/junk.txt: binary" in r.stderr
    assert r.stderr.rstrip().endswith("1 files indexed (5 turns), 1 skipped")
    assert r.stdout == ""


def test_env_index_location(in_tmp: Path, tmp_path: Path) -> None:
    where = tmp_path / "elsewhere"
    r = run("index", env={"SEARCHER_INDEX": str(where)})
    assert r.exit_code == 0 and (where / "searcher.json").exists()
    assert run("search", "Korea", env={"SEARCHER_INDEX": str(where)}).exit_code == 0


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("searcher ")
    r = run("-h")
    assert r.exit_code == 0 and "search" in r.stdout
    assert "Example" in run("search", "--help").stdout


class _Finalizer:
    """Ctrl-C arriving while Python runs a `__del__`, as it did once in a killed build."""

    def __del__(self) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_in_a_finalizer_still_stops_the_build(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import searcher.build

    run("index")
    (in_tmp / "corpus" / "extra.txt").write_text("Ann Brook: Zebrafinch.\n\nCarl Dunn: Yes.\n")
    real = searcher.build.Progress

    def progress(*args: object, **kwargs: object) -> object:
        _Finalizer()  # collected at once: its exception goes to sys.unraisablehook
        return real(*args, **kwargs)

    monkeypatch.setattr(searcher.build, "Progress", progress)
    r = run("index")
    assert r.exit_code == 130 and r.stdout == ""
    assert "interrupted; the previous index is unchanged" in r.stderr
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr
    gc.collect()  # an unfinished segment's file left open would warn here (an error in tests)
    monkeypatch.setattr(searcher.build, "Progress", real)
    r = run("search", "zebrafinch")
    assert r.stdout == "" and "0 matching turns" in r.stderr
    assert run("index").exit_code == 0
    assert "Ann Brook" in run("search", "zebrafinch").stdout
