"""Distinctive phrases: NLTK collocations weighted by how particular they are to a selection."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from searcher import Archive
from searcher.cli import main
from searcher.phrases import distinctive, segments

# invented speakers' lines, never real people's words
PETROV = [
    "The fishing quota must be settled. The fishing quota is the whole question.",
    "Our fishing quota proposal stands, and the grain harvest is good.",
]
OTHERS = [
    "The grain harvest was poor this year. The grain harvest decides everything.",
    "Nothing about the grain harvest, please.",
]


def test_segments_stop_at_punctuation() -> None:
    assert list(segments("Fishing quota. Grain (harvest) — now")) == [
        ["fishing", "quota"],
        ["grain"],
        ["harvest"],
        ["now"],
    ]


def test_phrases_particular_to_the_selection_rank_first() -> None:
    found = distinctive(PETROV, PETROV + OTHERS, limit=10)
    assert found[0].text == "fishing quota"
    assert (found[0].count, found[0].corpus_count) == (3, 3)
    harvest = next(p for p in found if p.text == "grain harvest")
    assert harvest.corpus_count == 4 and harvest.score < found[0].score


def test_no_phrase_starts_or_ends_with_a_stopword() -> None:
    for p in distinctive(PETROV + OTHERS, PETROV + OTHERS, limit=50, min_count=1):
        words = p.text.split()
        assert words[0] not in {"the", "is", "and", "about"}
        assert words[-1] not in {"the", "is", "and", "about"}


def test_library_and_cli_on_the_sample(sample_index: str, in_tmp: Path) -> None:
    with Archive.open(sample_index) as archive:
        found = archive.phrases(speaker="Gorbachev", limit=10)
        assert found and all(p.count <= p.corpus_count for p in found)
        assert any("korea" in p.text for p in found)
        assert archive.phrases(speaker="Nobody Atall") == []
    result = CliRunner().invoke(main, ["phrases", "--speaker", "Gorbachev", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"phrase"' in result.stdout and '"corpus_count"' in result.stdout
