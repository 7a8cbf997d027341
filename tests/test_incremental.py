"""Updating an index: only changed files are read, and the result equals a full rebuild."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from searcher import Archive
from searcher import build as build_module
from searcher import index as store
from searcher.build import build, optimize
from searcher.errors import NotFoundError

from .conftest import fresh_python

# Invented people only: these texts put words in nobody's mouth.
PAGE = """Skip to content

{date}

Memorandum of Conversation between Ivan Petrov and Anna Smirnova, Vienna

Ivan Petrov: {first}

Anna Smirnova: {second}

Petrov and Smirnova discuss {topic}.


Associated Topics

{topic}

Record ID

{rid}
"""


def write(folder: Path, rid: int, first: str, second: str = "We agree.") -> Path:
    path = folder / f"{rid}.txt"
    topic = "Trade" if rid % 2 else "Energy"
    text = PAGE.format(
        date=f"May {rid % 28 + 1}, 1970", first=first, second=second, topic=topic, rid=rid
    )
    path.write_text(text, encoding="utf-8")
    return path


def state(index_dir: str) -> dict[str, object]:
    """What a user can observe of an index: every turn's text and metadata, and the manifest."""
    with Archive.open(index_dir) as archive:
        hits = archive.search(speaker=["Ivan Petrov", "Anna Smirnova"], limit=1000).hits
        turns = sorted((h.id, h.text, h.speaker, h.date) for h in hits)
        trade = sorted(h.id for h in archive.search("grain", topic="Trade", limit=100).hits)
    gen_dir = os.path.join(index_dir, str(store.read_meta(index_dir)["current"]))
    con = store.open_store(gen_dir)
    files = {os.path.basename(p): r.docs for p, r in store.Manifest(gen_dir).records().items()}
    docs = con.ids()
    assert sorted(d.id for d in store.all_documents(con)) == docs
    con.close()
    meta = store.read_meta(index_dir)
    return {
        "turns": turns,
        "trade": trade,
        "files": files,
        "docs": docs,
        "stats": (meta["files"], meta["documents"], meta["turns"]),
    }


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for rid in range(1, 7):
        write(folder, rid, f"Talk number {rid} about grain and oil.")
    return folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = build_module.stream_file

    def counting(path: str, format: str | None = None, data: bytes | None = None):  # type: ignore[no-untyped-def]
        seen.append(os.path.basename(path))
        return real(path, format, data)

    monkeypatch.setattr(build_module, "stream_file", counting)
    return seen


def test_update_reads_only_changes_and_matches_rebuild(
    corpus: Path, tmp_path: Path, reads: list[str]
) -> None:
    ix = str(tmp_path / "ix")
    first = build([str(corpus)], ix, workers=1)
    assert first.files == 6 and len(reads) == 6
    gen_before = store.read_meta(ix)["current"]
    reads.clear()

    write(corpus, 2, "Talk number 2 now about grain exports only.")
    write(corpus, 7, "A new talk about grain.")
    (corpus / "3.txt").unlink()
    report = build([str(corpus)], ix, workers=1)

    assert sorted(reads) == ["2.txt", "7.txt"]
    assert (report.files, report.unchanged, report.removed) == (2, 4, 1)
    assert store.read_meta(ix)["current"] != gen_before
    updated = state(ix)
    assert "3" not in updated["docs"] and "7" in updated["docs"]  # type: ignore[operator]
    assert any("exports" in t[1] for t in updated["turns"])  # type: ignore[attr-defined]

    rebuilt = str(tmp_path / "rebuilt")
    build([str(corpus)], rebuilt, workers=1)
    assert updated == state(rebuilt)


def test_nothing_changed_reads_nothing(corpus: Path, tmp_path: Path, reads: list[str]) -> None:
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    gen = store.read_meta(ix)["current"]
    reads.clear()
    os.utime(corpus / "1.txt")  # touched, same content: hashed, not re-read
    report = build([str(corpus)], ix, workers=1)
    assert reads == [] and report.unchanged == 6 and report.files == 0
    assert store.read_meta(ix)["current"] != gen  # the manifest's new mtime was saved
    reads.clear()
    build([str(corpus)], ix, workers=1)
    assert reads == [] and store.read_meta(ix)["current"] != gen


def test_same_folder_by_another_name_reads_nothing(
    corpus: Path, tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative, `./`, trailing-slash, absolute and symlinked names of one corpus are one
    manifest; the index folder can move; a moved corpus is read again."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(corpus)
    ix = str(tmp_path / "ix")
    build(["corpus"], ix, workers=1)
    for name in ("./corpus/", str(corpus), "link"):
        reads.clear()
        report = build([name], ix, workers=1)
        assert (reads, report.unchanged, report.removed) == ([], 6, 0), name
    os.rename(ix, tmp_path / "moved")
    reads.clear()
    assert build(["corpus"], str(tmp_path / "moved"), workers=1).files == 0 and reads == []
    os.rename(corpus, tmp_path / "elsewhere")
    report = build(["elsewhere"], str(tmp_path / "moved"), workers=1)
    assert (report.files, report.removed) == (6, 6)


def test_rebuild_reads_everything(corpus: Path, tmp_path: Path, reads: list[str]) -> None:
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    reads.clear()
    report = build([str(corpus)], ix, rebuild=True, workers=1)
    assert len(reads) == 6 and report.unchanged == 0


def test_previous_generation_untouched_by_update(corpus: Path, tmp_path: Path) -> None:
    """Segment files are hard-linked, never rewritten: the old generation stays valid."""
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    old = os.path.join(ix, str(store.read_meta(ix)["current"]))
    before = {n: (tmp_path / "ix" / old / n).read_bytes() for n in os.listdir(old)}
    archive = Archive.open(ix)  # a reader keeps using the old generation meanwhile
    assert archive.search("number", limit=100).total == 6
    write(corpus, 1, "Changed talk about grain.")
    build([str(corpus)], ix, workers=1)
    assert archive.search("number", limit=100).total == 6
    archive.close()
    assert not os.path.exists(old) or before == {
        n: (tmp_path / "ix" / old / n).read_bytes() for n in os.listdir(old)
    }


def test_parallel_build_equals_serial(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for rid in range(1, build_module.PARALLEL_MIN + 5):
        write(folder, rid, f"Talk {rid} about grain.", f"Reply {rid}.")
    build([str(folder)], str(tmp_path / "a"), workers=1)
    build([str(folder)], str(tmp_path / "b"), workers=2)
    assert state(str(tmp_path / "a")) == state(str(tmp_path / "b"))


def test_optimize_merges_segments(corpus: Path, tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    write(corpus, 8, "Another talk about grain.")
    build([str(corpus)], ix, workers=1)
    before = state(ix)
    assert optimize(ix) == 2
    assert optimize(ix) == 1
    assert state(ix) == before
    assert json.loads((tmp_path / "ix" / store.META).read_text())["turns"] == before["stats"][2]  # type: ignore[index]


def test_cli_index_updates_and_optimize(corpus: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searcher.cli import main

    ix = str(tmp_path / "ix")
    runner = CliRunner()
    first = runner.invoke(main, ["index", str(corpus), "--index", ix])
    assert first.exit_code == 0, first.output
    write(corpus, 9, "One more talk about grain.")
    again = runner.invoke(main, ["index", str(corpus), "--index", ix])
    assert again.exit_code == 0
    assert "1 files indexed" in again.stderr and "6 unchanged" in again.stderr
    rebuilt = runner.invoke(main, ["index", str(corpus), "--index", ix, "--rebuild"])
    assert "7 files indexed" in rebuilt.stderr and "unchanged" not in rebuilt.stderr
    merged = runner.invoke(main, ["optimize", "--index", ix])
    assert merged.exit_code == 0 and merged.stdout == ""
    assert "merged 1 segment into one" in merged.stderr


def test_saved_stems_spare_nltk(corpus: Path, tmp_path: Path) -> None:
    """A query process that preloads an index's stem map stems its words without NLTK."""

    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    gen = os.path.join(ix, str(store.read_meta(ix)["current"]))
    probe = (
        "import sys; from searcher.analysis import load_stems, stem\n"
        f"assert load_stems({gen!r}) > 0\n"
        "print(stem('agree'), stem('grain'), any(m.startswith('nltk') for m in sys.modules))"
    )
    out = fresh_python(probe).split()
    assert out == ["agre", "grain", "False"]


@pytest.mark.parametrize("small", [3, 100])
def test_update_merges_only_small_segments(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: int
) -> None:
    """A build's segments survive updates; only segments under SMALL_SEGMENT turns merge."""
    monkeypatch.setattr(build_module, "SEGMENT_MAX", 200)  # several segments
    monkeypatch.setattr(build_module, "SMALL_SEGMENT", small)
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)

    def segments() -> dict[str, int]:
        gen = os.path.join(ix, str(store.read_meta(ix)["current"]))
        return {s.segment_id(): s.doc_count_all() for s in store.open_whoosh(gen)._segments()}

    built = segments()
    assert len(built) >= 2
    for rid in (8, 9):
        write(corpus, rid, f"Talk {rid} about grain.")
        build([str(corpus)], ix, workers=1)
    after = segments()
    large = {sid for sid, n in built.items() if n >= small}
    assert large <= set(after)  # never merged by an update
    if small == 100:  # every segment is small: the old ones merged, the update's own beside
        assert len(after) == 2
    else:
        assert large and len(after) > len(large)
    build([str(corpus)], str(tmp_path / "fresh"), workers=1)
    assert state(ix) == state(str(tmp_path / "fresh"))


@pytest.mark.parametrize("fold", [0, store.StoreWriter.FOLD])
def test_document_store_parts_equal_a_rebuild(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fold: int
) -> None:
    """An update adds a part to the store instead of copying it; with folding off (0) the
    chain grows by one part per update and the newest part's copy or removal must win."""
    monkeypatch.setattr(store.StoreWriter, "FOLD", fold)
    ix = str(tmp_path / "ix")
    build([str(corpus)], ix, workers=1)
    steps = [
        lambda: write(corpus, 2, "Second version of talk 2 about grain."),
        lambda: (corpus / "3.txt").unlink(),
        lambda: write(corpus, 3, "Talk 3 comes back about oil."),
        lambda: write(corpus, 2, "Third version of talk 2 about grain."),
        lambda: (corpus / "5.txt").unlink(),
    ]
    for step in steps:
        step()
        build([str(corpus)], ix, workers=1)
    gen = os.path.join(ix, str(store.read_meta(ix)["current"]))
    parts = store.store_parts(gen)
    if fold == 0:
        assert len(parts) == 1 + len(steps)
    else:
        assert len(parts) < 1 + len(steps)
    rebuilt = str(tmp_path / "rebuilt")
    build([str(corpus)], rebuilt, workers=1)
    assert state(ix) == state(rebuilt)
    with Archive.open(ix) as archive:
        assert "Third version" in archive.document("2").turns[0].text
        assert "comes back" in archive.document("3").turns[0].text
        assert [s.name for s in archive.speakers()] == ["Anna Smirnova", "Ivan Petrov"]
        with pytest.raises(NotFoundError):
            archive.document("5")
