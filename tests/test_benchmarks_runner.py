"""The benchmark runner works end to end on a tiny corpus (figures are not checked: no timing)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from benchmarks import generate, run


def test_generator_is_deterministic_and_readable(tmp_path: Path) -> None:
    from searcher.readers import read_file

    gen = generate.Generator()
    assert gen.document(3) == generate.Generator().document(3)
    assert gen.document(3) != gen.document(4)
    path = tmp_path / "doc.txt"
    path.write_text(gen.document(3)[1], encoding="utf-8")
    (doc,) = read_file(str(path)).transcripts
    assert doc.id == "300003" and doc.date.start is not None
    assert doc.topics and doc.places and len(doc.turns) >= 2
    assert all(t.label for t in doc.turns)


def test_runner_measures_everything_and_renders(tmp_path: Path) -> None:
    res = run.run(
        "tiny",
        str(tmp_path / "work"),
        per_class=1,
        cold_repeats=1,
        cold_words=1,
        source=str(tmp_path / "source"),
    )
    assert res["turns"] > 0 and res["docs"] == generate.SIZES["tiny"]
    assert set(res["warm"]["classes"]) == {*run.CLASSES, "all"}
    assert res["warm"]["queries"] == len(run.CLASSES)
    assert res["warm"]["count_mismatches"] < len(run.CLASSES)  # same turns, same filters
    assert res["build"]["mb_s"] > 0 and res["size_mb"]["fts"] > 0
    assert all(res["reindex"][k] > 0 for k in ("noop", "changed", "added", "removed"))
    if shutil.which("rg"):
        assert res["cold"]["rg"] is not None
    text = run.render([res])
    assert "## tiny" in text and "| warm speaker+date p50 / p95, ms |" in text
    assert re.search(r"\| build, MB/s[^|]*\| [\d.]+ \| [\d.]+ \| [\d.]+x \|", text)
    assert res["build"]["cpu_writer"] > 0 and res["build"]["cpu_workers"] >= 0
    assert "| build CPU, s (writer " in text
    assert len(res["phrases_updated"]) == 2 and "after the re-index steps" in text


def test_help_and_version_import_no_engine() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\nfrom searcher.cli import main\n"
        "for args in (['--help'], ['--version'], ['search', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('whoosh', 'nltk') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_cold_search_imports_only_what_it_uses(sample_index: str) -> None:
    """A plain search from the terminal (issue 7's cold figure) imports neither the indexing
    side nor what only filters, counts or names need, nor what Whoosh loads for features
    searcher never uses; and it does not parse the gazetteer for a word no place has."""
    from tests.conftest import fresh_python

    unwanted = (
        "searcher.build",
        "searcher.readers",
        "searcher.counts",
        "searcher.speakers",
        "searcher.topics",
        "searcher.phrases",
        "tomllib",
        "nltk",
        "urllib.request",
        "html",
        "whoosh.lang.porter",
        "whoosh.lang.morph_en",
        "whoosh.qparser",
        "importlib.metadata",
    )
    probe = (
        "import sys\nfrom searcher.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {unwanted!r} if m in sys.modules))\n"
        "print('searcher.archive' in sys.modules, 'whoosh.searching' in sys.modules)"
    )
    out = fresh_python(probe, "search", "economic", "--index", sample_index).splitlines()
    assert out[-2:] == ["[]", "True True"]
    assert any(line.startswith("176345#") for line in out)  # it did search
    help_out = fresh_python(probe, "--help").splitlines()
    assert help_out[-2:] == ["[]", "False False"]  # --help: not even the searching side
