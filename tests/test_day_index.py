"""Date filtering among other filters' turns (`DayIndex.among`) against the plain rule."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.search import WIDE_DAYS, DayIndex, day_runs

days = st.integers(min_value=-5, max_value=3 * WIDE_DAYS)


def expected(index: DayIndex, docs: set[int], first: int, last: int) -> set[int]:
    starts, ends = index.starts, index.ends
    return {d for d in docs if 1 <= starts[d] <= last and ends[d] >= first}


@settings(max_examples=150, deadline=None)
@given(
    spans=st.lists(st.tuples(days, days), min_size=1, max_size=60),
    picks=st.lists(st.sets(st.integers(min_value=0, max_value=59)), min_size=1, max_size=3),
    ranges=st.lists(st.tuples(days, days), min_size=1, max_size=6),
    shift=st.sampled_from([0, 1 << 31]),
    deleted=st.sets(st.integers(min_value=0, max_value=59), max_size=5),
)
def test_among_and_overlapping_match_the_rule(
    spans: list[tuple[int, int]],
    picks: list[set[int]],
    ranges: list[tuple[int, int]],
    shift: int,
    deleted: set[int],
) -> None:
    """Undated turns (day 0 or less), records ending before they start, records longer
    than WIDE_DAYS, the same set asked about with several ranges, and columns holding the
    days `shift` above (as segments store them)."""
    starts = array("q", [s + shift for s, _ in spans])
    index = DayIndex(starts, array("q", [e + shift for _, e in spans]), shift, deleted)
    assert index.starts == [s for s, _ in spans] and index.ends == [e for _, e in spans]
    sets = [{d for d in pick if d < len(spans)} for pick in picks]
    for first, last in ranges:
        for docs in sets:
            assert index.among(docs, first, last) == expected(index, docs, first, last)
        every = set(range(len(spans))) - deleted
        assert index.overlapping(first, last) == expected(index, every, first, last)


def test_a_set_is_sorted_when_asked_again_and_forgotten_after_others() -> None:
    n = 50
    starts = array("i", [1 + d * 10 for d in range(n)])
    ends = array("i", [5 + d * 10 for d in range(n)])
    index = DayIndex(starts, ends, 0, set())
    docs = set(range(0, n, 2))
    assert index.among(docs, 100, 200) == {10, 12, 14, 16, 18}
    assert index._sorted[id(docs)] == (docs, None)  # checked turn by turn, remembered
    assert index.among(docs, 1, 30) == {0, 2}
    sorted_once = index._sorted[id(docs)][1]
    assert sorted_once is not None
    assert index.among(docs, 480, 600) == {48}
    assert index._sorted[id(docs)][1] is sorted_once  # not sorted again
    others = [set(range(k, n, 7)) for k in range(20)]
    for other in others:
        index.among(other, 1, 500)
    assert id(docs) not in index._sorted and len(index._sorted) <= 16


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(-3, 3), st.integers(-3, 3)).flatmap(
            lambda v: st.tuples(st.just(v), st.integers(1, 4))
        ),
        max_size=30,
    ),
    typecode=st.sampled_from("iq"),
    shift=st.sampled_from([0, 1 << 31]),
    base=st.integers(0, 5),
)
def test_day_runs_are_the_runs_of_equal_days(
    values: list[tuple[tuple[int, int], int]], typecode: str, shift: int, base: int
) -> None:
    """Columns as stored (values `shift` above the days, 4- or 8-byte): every turn in one
    run, a new run wherever the first or the last day changes."""
    days = [v for v, times in values for _ in range(times)]
    code = "q" if shift and typecode == "i" else typecode  # 2**31 + 3 needs 8 bytes signed
    starts = array(code, [s + shift for s, _ in days])
    ends = array(code, [e + shift for _, e in days])
    expected: list[tuple[int, int, int, int]] = []
    for d, (s, e) in enumerate(days):
        if expected and expected[-1][:2] == (s, e):
            expected[-1] = (s, e, expected[-1][2], base + d + 1)
        else:
            expected.append((s, e, base + d, base + d + 1))
    assert day_runs(starts, ends, base, shift) == expected
    index = DayIndex(starts, ends, shift, set())
    assert index.starts == [s for s, _ in days] and index.ends == [e for _, e in days]
