"""Date filtering among other filters' turns (`DayIndex.among`) against the plain rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.search import WIDE_DAYS, DayIndex

days = st.integers(min_value=-5, max_value=3 * WIDE_DAYS)


def expected(index: DayIndex, docs: set[int], first: int, last: int) -> set[int]:
    starts, ends = index.starts, index.ends
    return {d for d in docs if 1 <= starts[d] <= last and ends[d] >= first}


@settings(max_examples=150, deadline=None)
@given(
    spans=st.lists(st.tuples(days, days), min_size=1, max_size=60),
    picks=st.lists(st.sets(st.integers(min_value=0, max_value=59)), min_size=1, max_size=3),
    ranges=st.lists(st.tuples(days, days), min_size=1, max_size=6),
)
def test_among_matches_the_rule_for_sets_asked_again(
    spans: list[tuple[int, int]], picks: list[set[int]], ranges: list[tuple[int, int]]
) -> None:
    """Undated turns (day 0 or less), records ending before they start, records longer
    than WIDE_DAYS, and the same set asked about with several ranges."""
    index = DayIndex([s for s, _ in spans], [e for _, e in spans], set())
    sets = [{d for d in pick if d < len(spans)} for pick in picks]
    for first, last in ranges:
        for docs in sets:
            assert index.among(docs, first, last) == expected(index, docs, first, last)


def test_a_set_is_sorted_once_and_forgotten_after_others() -> None:
    n = 50
    index = DayIndex([1 + d * 10 for d in range(n)], [5 + d * 10 for d in range(n)], set())
    docs = set(range(0, n, 2))
    assert index.among(docs, 100, 200) == {10, 12, 14, 16, 18}
    entry = index._sorted[id(docs)]
    assert index.among(docs, 1, 30) == {0, 2}
    assert index._sorted[id(docs)] is entry  # not sorted again
    others = [set(range(k, n, 7)) for k in range(20)]
    for other in others:
        index.among(other, 1, 500)
    assert id(docs) not in index._sorted and len(index._sorted) <= 16
