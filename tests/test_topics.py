"""Derived topics: the taxonomy, matching, inheritance, filtering and counts."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from searcher import Archive
from searcher.cli import main
from searcher.errors import SearcherError
from searcher.model import Speaker, Transcript, Turn
from searcher.readers import read_file
from searcher.speakers import resolve
from searcher.topics import (
    Matcher,
    bundled_taxonomy,
    derive,
    key,
    parse_taxonomy,
    taxonomy_for,
    volume_subject,
)
from tests.conftest import SHARED, shared_path
from tests.topics_labels import LABELS

TEI = "{http://www.tei-c.org/ns/1.0}"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(bundled_taxonomy())


def test_key_folds_names() -> None:
    assert key("Korean-War") == key("korean war") == key("KOREAN_WAR") == "korean war"


def test_volume_subject() -> None:
    title = (
        "Foreign Relations of the United States, 1981–1988, Volume V, Soviet Union, "
        "March 1985–October 1986"
    )
    assert volume_subject(title) == "Soviet Union"


def test_taxonomy_slugs_unique_and_about_forty() -> None:
    slugs = [t.slug for t in bundled_taxonomy().topics]
    assert len(slugs) == len(set(slugs))
    assert 35 <= len(slugs) <= 50


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("The Koreans asked for more.", "korea"),
        ("the situation on the Korean peninsula", "korea"),
        ("talks on the SS-20s and Pershing deployments", "arms-control"),
        ("the Afghan settlement", "afghanistan"),
        ("relations between the USSR and China", "sino-soviet"),
    ],
)
def test_words_stems_and_prefixes_match(matcher: Matcher, text: str, slug: str) -> None:
    assert slug in matcher.topics(text)


def test_one_weak_word_is_not_enough(matcher: Matcher) -> None:
    assert "arms-control" not in matcher.topics("We discussed the treaty.")
    assert "arms-control" in matcher.topics("The treaty would limit each warhead.")


def test_short_reply_inherits_only_without_own_topics(matcher: Matcher) -> None:
    petrov = Speaker("ivan-petrov", "Ivan Petrov")
    anna = Speaker("anna-smirnova", "Anna Smirnova")
    doc = Transcript(
        id="t",
        title="t",
        turns=(
            Turn("t", 1, "What about the Korean peninsula?", "labelled", petrov, "Petrov"),
            Turn("t", 2, "We agree entirely.", "labelled", anna, "Smirnova"),
            Turn("t", 3, "And Afghanistan?", "labelled", petrov, "Petrov"),
            Turn("t", 4, " ".join(["We shall see about it later."] * 10), "labelled", anna),
        ),
    )
    t1, t2, t3, t4 = derive(doc, matcher).turns
    assert t1.topics == ("korea",) and not t1.inherited_topics
    assert t2.topics == () and t2.inherited_topics == ("korea",)
    assert t3.topics == ("afghanistan",) and not t3.inherited_topics
    assert t4.topics == () and t4.inherited_topics == ()  # too long to be a mere reply


def test_corpus_taxonomy_extends_or_replaces(tmp_path: Path) -> None:
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nslug = "fishing"\nname = "Fisheries"\nstrong = ["whale*", "fishing"]\n',
        encoding="utf-8",
    )
    slugs = [t.slug for t in taxonomy_for([str(tmp_path)]).topics]
    assert "fishing" in slugs and "korea" in slugs
    text = (tmp_path / "topics.toml").read_text(encoding="utf-8")
    (tmp_path / "topics.toml").write_text("replace = true\n" + text, encoding="utf-8")
    assert [t.slug for t in taxonomy_for([str(tmp_path)]).topics] == ["fishing"]


@pytest.mark.parametrize(
    "toml",
    [
        "[[topic]]\nname = 'no slug'\nstrong = ['x']\n",
        "[[topic]]\nslug = 'a'\n",
        "[[topic]]\nslug = 'a'\nstrong = ['ab*']\n",
        "[[topic]]\nslug = 'a'\nstrong = 'korea'\n",
        "[[topic]]\nslug = 'a'\nstorng = ['korea']\n",
        "[[topic]\n",
    ],
)
def test_bad_taxonomy_is_a_clear_error(toml: str) -> None:
    with pytest.raises(SearcherError, match=r"topics\.toml"):
        parse_taxonomy(toml, "corpus/topics.toml")


# -- the bundled sample ---------------------------------------------------------------------


def test_topic_filter_without_query_finds_gorbachev_on_korea(sample_index: str) -> None:
    with Archive.open(sample_index) as archive:
        assert archive.document("176345").topics == ()  # the record itself has no tags
        for name in ("korea", "Korean peninsula", "KOREA", "north korea"):
            hits = archive.search(topic=name, speaker="Gorbachev", limit=50).hits
            assert "176345#5" in {h.id for h in hits}, name
        assert not archive.search(topic="afghanistan", speaker="Gorbachev").hits


def test_cli_topic_filter_and_topics_command(in_tmp: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["search", "--topic", "korea", "--speaker", "Gorbachev", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.stderr
    assert '"id": "176345#5"' in result.stdout
    result = runner.invoke(main, ["topics", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"key": "korea"' in result.stdout and '"kind": "derived"' in result.stdout
    table = runner.invoke(main, ["topics", "--speaker", "Kim Yong-nam"])
    assert table.exit_code == 0 and "Korean peninsula" in table.stdout
    assert runner.invoke(main, ["topics", "--speaker", "Nobody Atall"]).stdout == ""


def test_topics_counts_keep_inherited_apart(sample_index: str) -> None:
    with Archive.open(sample_index) as archive:
        counts = {c.key: c for c in archive.topics() if c.kind == "derived"}
    korea = counts["korea"]
    # 176345#2 and #5 speak of Korea; #3 and #4 are short replies that inherit it
    assert (korea.turns, korea.inherited, korea.documents) == (2, 2, 1)
    assert korea.name == "Korean peninsula"


# -- the shared corpus ----------------------------------------------------------------------


def test_arms_control_1985_finds_geneva_in_frus(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        hits = archive.search(topic="arms control", date_from="1985", date_to="1985", limit=500)
        frus = [h for h in hits.hits if h.doc_id.startswith("frus1981-88v05")]
        if not frus and not archive.search("Geneva", date_from="1985", date_to="1985").hits:
            pytest.skip("no FRUS 1981-88 vol. V document is indexed yet")
    assert frus
    assert any("Geneva" in h.text for h in frus)
    assert all(h.date and h.date.startswith("1985") for h in hits.hits)


def test_khrushchev_mao_korea_only_where_korea_is_mentioned(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        doc = archive.document("second-conversation-khrushchev-mao-1958-08-01")
    assert doc.turns
    for turn in doc.turns:
        if "korea" in turn.topics:
            assert re.search(r"(?i)korea|dprk|pyongyang|kim il", turn.text), turn.id


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _frus_paragraphs(path: Path) -> list[str]:
    """Paragraph texts of the TEI file without footnotes (independent of the FRUS reader)."""

    def text(p: ET.Element) -> str:
        out = [p.text or ""]
        for child in p:
            if child.tag != TEI + "note":
                out.append("".join(child.itertext()))
            out.append(child.tail or "")
        return _norm("".join(out))

    return [text(p) for p in ET.parse(path).iter(TEI + "p")]


def labelled_predictions(matcher: Matcher) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(fragment, labelled topics, derived topics) for each hand-labelled passage."""
    docs: dict[str, list[tuple[str, frozenset[str]]]] = {}
    out = []
    for rel, fragment, gold in LABELS:
        if rel not in docs:
            path = shared_path(*rel.split("/"))
            if rel.endswith(".xml"):
                docs[rel] = [(p, frozenset(matcher.topics(p))) for p in _frus_paragraphs(path)]
            else:
                turns = [
                    t
                    for doc in read_file(str(path)).transcripts
                    for t in derive(resolve(doc), matcher).turns
                ]
                docs[rel] = [
                    (_norm(t.text), frozenset(t.topics + t.inherited_topics)) for t in turns
                ]
        found = [topics for text, topics in docs[rel] if fragment in text]
        assert len(found) == 1, f"{rel}: {fragment!r} found {len(found)} times"
        out.append((fragment, gold, found[0]))
    return out


def test_labelled_sample_precision(matcher: Matcher) -> None:
    if not SHARED.exists():
        pytest.skip("shared corpus not available")
    rows = labelled_predictions(matcher)
    assert len(rows) >= 40
    slugs = {t.slug for t in matcher.taxonomy.topics}
    assert all(gold <= slugs for _, gold, _ in rows)
    right = sum(len(gold & got) for _, gold, got in rows)
    predicted = sum(len(got) for _, _, got in rows)
    labelled = sum(len(gold) for _, gold, _ in rows)
    precision, recall = right / predicted, right / labelled
    print(
        f"\nderived topics on {len(rows)} labelled turns: precision {precision:.2f}, "
        f"recall {recall:.2f} ({right} right of {predicted} given, {labelled} labelled)"
    )
    assert precision >= 0.8
