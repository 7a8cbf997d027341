"""People files are parsed once per index: a generation keeps their data as JSON
(`speakers.PARSED`), and a search naming someone reads that instead of the TOML."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher import Archive, speakers
from searcher.speakers import PARSED, Registry, index_registry

from .conftest import write_talk

CORRECTION = '[[person]]\nid = "petrov-ivan"\nname = "Ivan Petrov"\naliases = ["Vanya"]\n'


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As in a new process: nothing parsed yet, no bundled registry cached."""
    monkeypatch.setattr(speakers, "_parsed", {})
    speakers.bundled_registry.cache_clear()
    yield
    speakers.bundled_registry.cache_clear()


def _index(tmp_path: Path, correction: str | None) -> str:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_talk(corpus / "a.txt", "A talk", "1975-03-02", ["Vanya: The weather was fine."])
    if correction:
        (corpus / "people.toml").write_text(correction, encoding="utf-8")
    ix = str(tmp_path / "ix")
    with Archive.build([str(corpus)], ix) as a:
        return a.gen_dir


def _by_toml(correction: str | None) -> Registry:
    reg = Registry()
    reg.load(speakers.bundled_text(), "bundled")
    if correction:
        reg.load(correction, "corpus")
    return reg


def _no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("TOML parsed again")

    monkeypatch.setattr(tomllib, "loads", refuse)


@pytest.mark.parametrize("correction", [None, CORRECTION])
def test_a_search_reads_the_people_an_index_kept_without_parsing_toml(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_process: None,
    correction: str | None,
) -> None:
    gen_dir = _index(tmp_path, correction)
    expected = _by_toml(correction)
    assert os.path.isfile(os.path.join(gen_dir, PARSED))
    monkeypatch.setattr(speakers, "_parsed", {})
    speakers.bundled_registry.cache_clear()
    _no_toml(monkeypatch)
    reg = index_registry(gen_dir)
    assert reg.people == expected.people and reg.by_key == expected.by_key
    assert bool(reg.lookup("Vanya")) == bool(correction)


def test_an_unreadable_or_stale_parsed_file_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_process: None
) -> None:
    gen_dir = _index(tmp_path, CORRECTION)
    expected = _by_toml(CORRECTION)
    kept = Path(gen_dir, PARSED).read_text(encoding="utf-8")
    for broken in ("{not json", '[["some other text", {"person": []}]]', '[[1, "x"]]'):
        Path(gen_dir, PARSED).write_text(broken, encoding="utf-8")
        monkeypatch.setattr(speakers, "_parsed", {})
        speakers.bundled_registry.cache_clear()
        reg = index_registry(gen_dir)
        assert reg.people == expected.people
    # the bundled file changed since indexing: its new text is parsed, not the kept data
    Path(gen_dir, PARSED).write_text(kept, encoding="utf-8")
    changed = speakers.bundled_text() + '\n[[person]]\nid = "zz-new"\nname = "Zora Novak"\n'
    monkeypatch.setattr(speakers, "bundled_text", lambda: changed)
    monkeypatch.setattr(speakers, "_parsed", {})
    speakers.bundled_registry.cache_clear()
    assert index_registry(gen_dir).lookup("Zora Novak")
