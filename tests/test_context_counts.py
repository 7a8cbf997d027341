"""Reply context, counts and timelines, in the library and on the command line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from searcher import Archive, QuerySyntaxError
from searcher.cli import main
from searcher.counts import timeline


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def archive(sample_index: str) -> Iterator[Archive]:
    with Archive.open(sample_index) as a:
        yield a


def test_context_shows_the_turn_being_answered(archive: Archive) -> None:
    hit = archive.search("South Korean", speaker="Gorbachev", context=1).hits[0]
    assert hit.id == "176345#5"
    assert [t.speaker.name for t in hit.context_before or () if t.speaker] == ["Kim Yong-nam"]
    assert hit.context_after == ()
    wide = archive.search("South Korean", speaker="Gorbachev", context=2).hits[0]
    assert [t.n for t in wide.context_before or ()] == [3, 4]
    plain = archive.search("South Korean", speaker="Gorbachev").hits[0]
    assert plain.context_before is None and "context" not in plain.to_dict()


def test_context_on_the_command_line(sample_index: str) -> None:
    args = ("search", "South Korean", "--speaker", "Gorbachev", "--index", sample_index)
    r = run(*args, "--context", "1", "--format", "json")
    assert r.exit_code == 0
    context = json.loads(r.stdout)["hits"][0]["context"]
    assert context["before"][0]["speaker"] == "Kim Yong-nam" and context["after"] == []
    r = run(*args, "--context", "1")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    kim = next(i for i, line in enumerate(lines) if "176345#4" in line)
    gorbachev = next(i for i, line in enumerate(lines) if "176345#5" in line)
    assert kim < gorbachev and "Kim Yong-nam" in lines[kim]


def test_count_by_speaker_with_rates(archive: Archive) -> None:
    counts = {c.label: c for c in archive.count("Korea", "speaker")}
    assert set(counts) == {"Mikhail Gorbachev", "Kim Yong-nam"}
    gorbachev = counts["Mikhail Gorbachev"]
    assert gorbachev.turns == 1 and gorbachev.records == 1
    assert gorbachev.words and gorbachev.words > 50
    assert gorbachev.per_10k == pytest.approx(10_000 / gorbachev.words)
    everything = archive.count(speaker="Gorbachev", by="speaker")
    assert everything[0].turns == 3


def test_count_by_year_document_place_and_topic(archive: Archive) -> None:
    years = archive.count("doubt", "year")
    assert [(c.key, c.turns) for c in years] == [("1988", 3)]
    docs = archive.count("doubt", "document")
    assert docs[0].key == "176345" and docs[0].label.startswith("Excerpt")
    places = {c.key: c.turns for c in archive.count("Korea", "place")}
    assert places["South Korea"] == 2 and places["Soviet Union"] == 2 and "Korea" in places
    assert isinstance(archive.count("Korea", "topic"), list)
    with pytest.raises(QuerySyntaxError):
        archive.count("Korea", "colour")  # type: ignore[arg-type]
    with pytest.raises(QuerySyntaxError):
        archive.count("", "speaker")


def test_count_on_the_command_line(sample_index: str) -> None:
    r = run("search", "Korea", "--count", "speaker", "--index", sample_index)
    assert r.exit_code == 0
    assert "Mikhail Gorbachev" in r.stdout and "Kim Yong-nam" in r.stdout
    assert "PER 10K WORDS" in r.stdout
    r = run("search", "Korea", "--count", "year", "--format", "json", "--index", sample_index)
    assert json.loads(r.stdout) == [{"key": "1988", "label": "1988", "turns": 2, "records": 1}]
    r = run("search", "Korea", "--count", "speaker", "--format", "ris", "--index", sample_index)
    assert r.exit_code == 2


def test_timeline_fills_gaps_and_keeps_year_only_dates_out_of_months() -> None:
    rows = [
        ("a", dt.date(1979, 12, 26), "day"),
        ("b", dt.date(1981, 1, 1), "year"),
        ("c", dt.date(1981, 3, 5), "day"),
        ("c", dt.date(1981, 3, 5), "day"),
        ("d", None, "unknown"),
    ]
    years = timeline(rows, "year")
    assert [(p.period, p.turns, p.records) for p in years.periods] == [
        ("1979", 1, 1),
        ("1980", 0, 0),
        ("1981", 3, 2),
    ]
    assert years.undated == 1
    months = timeline(rows, "month")
    assert months.periods[0].period == "1979-12" and months.periods[-1].period == "1981-03"
    assert len(months.periods) == 16 and months.undated == 2


def test_search_sorted_by_date(shared_index: str) -> None:
    with Archive.open(shared_index) as a:
        hits = a.search("Soviet", sort="date", limit=50).hits
        dates = [h.date or "9999" for h in hits]
        assert dates == sorted(dates) and len(set(dates)) > 3
        by_relevance = a.search("Soviet", limit=50)
        assert {h.id for h in hits} <= {h.id for h in a.search("Soviet", limit=500).hits}
        assert by_relevance.total == a.search("Soviet", sort="date").total


def test_timeline_command_over_the_shared_corpus(shared_index: str) -> None:
    r = run("timeline", "Afghanistan", "--index", shared_index)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("1979") and lines[-1].startswith("1985") and "█" in lines[-1]
    r = run("timeline", "Afghanistan", "--format", "csv", "--index", shared_index)
    assert r.stdout.splitlines()[0] == "period,turns,records"
    r = run("timeline", "Afghanistan", "--by", "month", "--format", "json", "--index", shared_index)
    periods = json.loads(r.stdout)["periods"]
    assert periods[0]["period"] == "1979-12" and periods[-1]["period"].startswith("1985-")
    assert run("timeline", "--index", shared_index).exit_code == 2
