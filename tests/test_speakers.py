"""Speaker resolution per record: participants, titles, roles by date and side, and queries."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import Archive
from searcher.cli import main
from searcher.model import DateRange, Participant, Transcript, Turn
from searcher.speakers import display_name, resolve, resolve_label


def record(labels, day=None, title="Memorandum of Conversation", parts=(), fmt="", author=""):
    date = DateRange(day, day, "day") if day else DateRange()
    turns = tuple(
        Turn("t", i, "A neutral placeholder sentence.", "labelled", label=label)
        for i, label in enumerate(labels, 1)
    )
    return Transcript(
        id="t", title=title, turns=turns, date=date, participants=tuple(parts), format=fmt,
        author=author,
    )  # fmt: skip


def names(doc: Transcript) -> list[str]:
    return [t.speaker.name for t in resolve(doc).turns if t.speaker]


def test_telephone_letters_resolve_through_the_title() -> None:
    doc = record(
        ["K", "D", "K"],
        dt.date(1972, 5, 1),
        "Telephone Conversation Between the President's Assistant for National Security "
        "Affairs (Kissinger) and the Soviet Ambassador (Dobrynin)",
    )
    assert names(doc) == ["Henry Kissinger", "Anatoly Dobrynin", "Henry Kissinger"]
    # without the title, a letter is no one
    assert names(record(["K"], dt.date(1972, 5, 1))) == ["K"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(1988, 6, 1), "Ronald Reagan"), (dt.date(1990, 6, 1), "George H. W. Bush")],
)
def test_the_president_of_a_us_memcon_by_date(day: dt.date, expected: str) -> None:
    doc = record(
        ["The President", "Gorbachev"],
        day,
        parts=[Participant("The President", side="US"), Participant("Gorbachev", side="USSR")],
        fmt="hsg",
    )
    assert names(doc) == [expected, "Mikhail Gorbachev"]


def test_vice_president_on_13_march_1985() -> None:
    doc = record(["The Vice President", "the Secretary"], dt.date(1985, 3, 13), fmt="hsg")
    assert names(doc) == ["George H. W. Bush", "George P. Shultz"]


def test_roles_are_not_guessed_without_date_or_side() -> None:
    assert names(record(["The President"])) == ["The President"]
    both = [Participant("A", side="US"), Participant("B", side="USSR")]
    assert names(record(["The President"], dt.date(1990, 6, 1), parts=both)) == ["The President"]


def test_participants_resolve_titles_and_surnames() -> None:
    parts = [
        Participant("Prime Minister Chou En-lai, People’s Republic of China"),
        Participant("Shen Jo-yun, Interpreter"),
        Participant("Dr. Henry A. Kissinger, Assistant to the President"),
        Participant("Winston Lord, Senior Staff Member, NSC"),
    ]
    labels = ["Chou En-lai", "PM Chou", "P.M. Chou", "Prime Minister Chou", "Zhou Enlai"]
    doc = resolve(record([*labels, "Miss Shen", "Mr. Lord", "Dr. Kissinger"], parts=parts))
    ids = [t.speaker.id for t in doc.turns if t.speaker]
    assert ids == ["zhou-enlai"] * 5 + ["shen-ruoyun", "lord-winston", "kissinger-henry"]
    assert [t.label for t in doc.turns][:2] == ["Chou En-lai", "PM Chou"]  # kept as written


def test_ambiguous_names_stay_as_written() -> None:
    two_kims = [Participant("Kim Il Sung"), Participant("Kim Yong-nam")]
    assert names(record(["Kim"], parts=two_kims)) == ["Kim"]
    assert names(record(["Kim"], title="Conversation with Kim Yong-nam")) == ["Kim Yong-nam"]
    assert names(record(["Kuznetsov", "Mrs. Gorbachev"])) == ["Kuznetsov", "Mrs. Gorbachev"]
    unknown = resolve_label("Ivan Petrov", record([]))
    assert (unknown.id, unknown.name) == ("ivan-petrov", "Ivan Petrov")


def test_labels_are_normalized() -> None:
    labels = ["M.S. [Gorbachev]", "GORBACHEV:", "M.S. GORBACHEV.", "3Gorbachev",
              "GORBACHEV (reads a memorandum on Afghanistan)", "Cde. Gorbachev"]  # fmt: skip
    doc = resolve(record(labels))
    assert {t.speaker.id for t in doc.turns if t.speaker} == {"gorbachev-mikhail"}
    assert display_name("N.S. KHRUSHCHEV") == "N.S. Khrushchev"


def test_i_is_the_author() -> None:
    doc = record(["I"], dt.date(1985, 3, 20), author="Shultz")
    assert names(doc) == ["George P. Shultz"]
    assert names(record(["I"])) == ["I"]


# -- over the shared corpus ---------------------------------------------------------------


def speaker_labels(index: str) -> dict[str, set[str]]:
    with Archive.open(index) as archive:
        return {s.id: {label for label, _ in s.labels} for s in archive.speakers()}


def test_shared_corpus_merges_spellings(shared_index: str) -> None:
    labels = speaker_labels(shared_index)
    assert {"M.S. [Gorbachev]", "Gorbachev"} <= labels["gorbachev-mikhail"]
    assert "MAO ZEDONG" in labels["mao-zedong"]
    if "zhou-enlai" not in labels:
        pytest.skip("the history.state.gov pages are not indexed yet")
    assert {"Chou En-lai", "PM Chou"} <= labels["zhou-enlai"]
    with Archive.open(shared_index) as archive:
        a = {h.id for h in archive.search(speaker="Zhou Enlai", limit=100).hits}
        b = {h.id for h in archive.search(speaker="Chou En-lai", limit=100).hits}
        assert a == b and len(a) >= 11


def test_shared_corpus_no_person_twice_no_merge(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        found = archive.speakers()
    ids = [s.id for s in found]
    assert len(ids) == len(set(ids))
    assert len({s.name for s in found}) == len(found)
    wrong = {("gorbachev-mikhail", "Gromyko"), ("kim-yong-nam", "Kim Il Sung")}
    pairs = {(s.id, label) for s in found for label, _ in s.labels}
    assert not wrong & pairs


def test_mao_tse_tung_finds_the_1958_turn(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        hits = archive.search("international situation", speaker="Mao Tse-tung").hits
    assert hits and hits[0].speaker == "Mao Zedong" and hits[0].date == "1958-08-01"


def test_vice_president_in_frus_d5(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        try:
            doc = archive.document("frus1981-88v05/d5")
        except Exception:
            pytest.skip("FRUS volume not indexed yet")
    vp = {
        t.speaker.id for t in doc.turns if t.speaker and "vice president" in (t.label or "").lower()
    }
    if not vp:
        pytest.skip("no 'Vice President' turn in d5 yet")
    assert vp == {"bush-george-hw"}


def test_not_speaker_and_with(shared_index: str) -> None:
    with Archive.open(shared_index) as archive:
        all_hits = archive.search(speaker="Gorbachev", limit=1000)
        with_deng = archive.search(speaker="Gorbachev", participant="Deng Xiaoping", limit=1000)
        assert 0 < with_deng.total < all_hits.total
        assert {h.doc_id for h in with_deng.hits} == {"meeting-gorbachev-deng-1989-05-16"}
        rest = archive.search("relations", not_speaker=["Gorbachev", "Deng"], limit=1000)
        assert rest.total and all(h.speaker_id != "gorbachev-mikhail" for h in rest.hits)
        assert archive.search(participant="Nobody Known").notes


# -- user corrections and the CLI -----------------------------------------------------------

PAGE = """Skip to content

March 3, 1961

Conversation between Ivan Petrov and Anna Smirnova

Vanya: The harvest in the valley was good this year.

Anna Smirnova: The rivers rose early.

A short summary line.

Record ID

999001
"""


def test_corpus_people_toml_corrects_and_reindexing_applies_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PAGE, encoding="utf-8")
    ix = str(tmp_path / "ix")
    with Archive.build([str(corpus)], ix) as a:
        assert a.search(speaker="Ivan Petrov").total == 0
    (corpus / "people.toml").write_text(
        '[[person]]\nid = "petrov-ivan"\nname = "Ivan Petrov"\naliases = ["Vanya"]\n',
        encoding="utf-8",
    )
    with Archive.build([str(corpus)], ix) as a:
        hits = a.search(speaker="Vanya").hits
        assert [(h.speaker, h.label) for h in hits] == [("Ivan Petrov", "Vanya")]
        assert a.search(speaker="Ivan Petrov").total == 1


def test_cli_speakers(shared_index: str) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["speakers", "--index", shared_index, "--format", "json"])
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)
    gorb = next(x for x in rows if x["id"] == "gorbachev-mikhail")
    assert gorb["turns"] >= 5 and gorb["first"] <= "1988-05-04" <= gorb["last"]
    r = runner.invoke(main, ["speakers", "mao tse-tung", "--index", shared_index])
    assert r.exit_code == 0 and "Mao Zedong" in r.stdout and "Khrushchev" not in r.stdout
    r = runner.invoke(main, ["speakers", "Nobody Known", "--index", shared_index])
    assert r.exit_code == 0 and r.stdout == "" and "No speaker" in r.stderr
    r = runner.invoke(
        main, ["search", "relations", "--not-speaker", "Deng", "--with", "Gorbachev",
               "--index", shared_index, "--format", "json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert all(h["speaker"] != "Deng Xiaoping" for h in json.loads(r.stdout)["hits"])
