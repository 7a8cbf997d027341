"""The bundled registry: office dates that are public record, spellings, no accidental merges."""

from __future__ import annotations

import datetime as dt

import pytest

from searcher.model import DateRange
from searcher.speakers import Registry, bundled_registry, parse_role, with_overrides

# (role phrase, country, date, expected person id): 24 office dates checked against the record
OFFICES = [
    ("president", "US", "1945-04-12", "truman-harry"),
    ("president", "US", "1963-11-21", "kennedy-john"),
    ("president", "US", "1963-11-22", "johnson-lyndon"),
    ("president", "US", "1974-08-08", "nixon-richard"),
    ("president", "US", "1974-08-09", "ford-gerald"),
    ("president", "US", "1989-01-19", "reagan-ronald"),
    ("president", "US", "1989-01-20", "bush-george-hw"),
    ("vice president", "US", "1985-03-13", "bush-george-hw"),
    ("vice president", "US", "1978-06-01", "mondale-walter"),
    ("secretary of state", "US", "1973-10-01", "kissinger-henry"),
    ("secretary of state", "US", "1983-01-01", "shultz-george"),
    ("national security adviser", "US", "1978-01-01", "brzezinski-zbigniew"),
    ("national security adviser", "US", "1985-01-01", "mcfarlane-robert"),
    ("general secretary", "USSR", "1985-03-11", "gorbachev-mikhail"),
    ("general secretary", "USSR", "1983-01-01", "andropov-yuri"),
    ("first secretary", "USSR", "1960-01-01", "khrushchev-nikita"),
    ("foreign minister", "USSR", "1970-01-01", "gromyko-andrei"),
    ("foreign minister", "USSR", "1987-01-01", "shevardnadze-eduard"),
    ("premier", "PRC", "1971-10-23", "zhou-enlai"),
    ("chairman", "PRC", "1972-02-21", "mao-zedong"),
    ("chancellor", "FRG", "1985-01-01", "kohl-helmut"),
    ("prime minister", "UK", "1985-01-01", "thatcher-margaret"),
    ("president", "FR", "1985-01-01", "mitterrand-francois"),
    ("general secretary", "GDR", "1980-01-01", "honecker-erich"),
]


def on(day: str) -> DateRange:
    d = dt.date.fromisoformat(day)
    return DateRange(d, d, "day")


@pytest.mark.parametrize(("phrase", "country", "day", "expected"), OFFICES)
def test_office_holders(phrase: str, country: str, day: str, expected: str) -> None:
    role = parse_role(phrase)
    assert role is not None
    holders = bundled_registry().holders(role, on(day), {country})
    assert [p.id for p in holders] == [expected]


def test_registry_is_large_and_ids_unique() -> None:
    reg = bundled_registry()
    assert len(reg.people) >= 150
    with_offices = [p for p in reg.people.values() if p.offices]
    assert len(with_offices) >= 150


@pytest.mark.parametrize(
    ("spellings", "pid"),
    [
        (["Chou En-lai", "Zhou Enlai", "CHOU EN LAI"], "zhou-enlai"),
        (["Mao Tse-tung", "Mao Zedong", "Chairman Mao"], "mao-zedong"),
        (["Teng Hsiao-p'ing", "Teng Hsiao-p’ing", "Deng Xiaoping"], "deng-xiaoping"),
        (["Chi P'eng-fei", "Ji Pengfei"], "ji-pengfei"),
        (["Khrushchev", "Khrushchov", "N.S. KHRUSHCHEV"], "khrushchev-nikita"),
        (["Gorbachev", "Gorbachov", "M.S. [Gorbachev]"], "gorbachev-mikhail"),
        (["Kim Il Sung", "Kim Il-sung", "KIM IL-SUNG"], "kim-il-sung"),
        (["Kim Yong-nam", "Kim Yong Nam"], "kim-yong-nam"),
        (["Ceaușescu", "Ceausescu", "Ceauşescu"], "ceausescu-nicolae"),
        (["Wałęsa", "Walesa"], "walesa-lech"),
    ],
)
def test_spellings(spellings: list[str], pid: str) -> None:
    reg = bundled_registry()
    for s in spellings:
        assert [p.id for p in reg.lookup(s)] == [pid], s


def test_two_people_with_one_name_are_not_merged() -> None:
    reg = bundled_registry()
    assert len(reg.lookup("Kuznetsov")) == 2
    assert reg.lookup("Kim") == [] and reg.lookup("Sokolov") == []
    # every spelling names one person, except deliberate ambiguities
    shared = {k for k, ids in reg.by_key.items() if len(ids) > 1}
    assert shared == {"kuznetsov"}


def test_overrides_add_and_correct() -> None:
    reg = with_overrides(
        [
            (
                "people.toml",
                """
[[person]]
id = "petrov-ivan"
name = "Ivan Petrov"
aliases = ["Vanya Petrov"]

[[person]]
id = "gorbachev-mikhail"
aliases = ["Gorby"]
not_aliases = ["Gorbatchev"]
""",
            )
        ]
    )
    assert [p.id for p in reg.lookup("Vanya Petrov")] == ["petrov-ivan"]
    assert [p.id for p in reg.lookup("Gorby")] == ["gorbachev-mikhail"]
    assert reg.lookup("Gorbatchev") == []
    assert reg.people["gorbachev-mikhail"].offices  # kept from the bundled entry
    assert bundled_registry().lookup("Gorby") == []


def test_bad_override_is_reported() -> None:
    from searcher.errors import ReadError

    with pytest.raises(ReadError, match=r"people\.toml"):
        Registry().load("[[person]]\nname = 'x'\n", "corpus/people.toml")
    with pytest.raises(ReadError, match="TOML"):
        Registry().load("[[person]\n", "corpus/people.toml")
