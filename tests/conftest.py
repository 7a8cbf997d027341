from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpus"
SAMPLE = REPO / "corpus" / "176345.txt"


def fresh_python(code: str, *args: str) -> str:
    """What `code` prints in a new interpreter: for what a process imports at start-up."""
    cmd = [sys.executable, "-c", code, *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def write_talk(path: Path, title: str, date: str, turns: list[str]) -> None:
    """An invented conversation in the plain format: front matter, then `Name: text` turns."""
    front = (
        f"---\ntitle: {title}\ndate: {date}\n"
        "participants: Ivan Petrov, Anna Smirnova\nsource: invented for the tests\n---\n"
    )
    path.write_text(front + "\n\n".join(turns) + "\n")


def shared_path(*parts: str) -> Path:
    """A file of the real shared corpus; skips the test when ../shared is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not available ({path})")
    return path


@pytest.fixture
def shared_corpus() -> Path:
    return shared_path()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    from searcher import Archive

    d = tmp_path_factory.mktemp("sample-index")
    Archive.build([str(SAMPLE)], str(d / "ix")).close()
    return str(d / "ix")


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    from searcher import Archive

    if not SHARED.exists():
        pytest.skip("shared corpus not available")
    d = tmp_path_factory.mktemp("shared-index")
    Archive.build([str(SHARED)], str(d / "ix")).close()
    return str(d / "ix")


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder holding a copy of the bundled corpus/."""
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEARCHER_INDEX", raising=False)
    os.makedirs(tmp_path / "index")
    return tmp_path
