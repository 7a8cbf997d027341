"""Dates as archives write them ("May 4, 1988", "19 June 1972") and as users type them."""

from __future__ import annotations

import datetime as dt
import functools
import re

from .errors import DateError
from .model import DateRange


@functools.cache
def _months() -> dict[str, int]:
    """Month names and abbreviations (and "sept") -> number."""
    import calendar

    months = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
    months.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
    months["sept"] = 9
    return months


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """Compiled on first use, not at import: a search (which imports `day_number` through
    the index) never reads dates from prose."""
    month = r"(?P<month>" + "|".join(sorted(_months(), key=len, reverse=True)) + r")\.?"
    return (
        re.compile(rf"\b{month}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>1[89]\d\d|20\d\d)\b", re.I),
        re.compile(rf"\b(?P<day>\d{{1,2}})\s+{month},?\s+(?P<year>1[89]\d\d|20\d\d)\b", re.I),
        re.compile(r"\b(?P<year>1[89]\d\d|20\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
        re.compile(rf"\b{month},?\s+(?P<year>1[89]\d\d|20\d\d)\b", re.I),
    )


def _month_end(year: int, month: int) -> dt.date:
    import calendar

    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period(year: int, month: int | None = None, day: int | None = None) -> DateRange:
    """The whole period a partial date names."""
    if month is None:
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    if day is None:
        return DateRange(dt.date(year, month, 1), _month_end(year, month), "month")
    d = dt.date(year, month, day)
    return DateRange(d, d, "day")


def find_date(text: str) -> DateRange | None:
    """The first full or month date written in prose, or None."""
    best: tuple[int, DateRange] | None = None
    for pattern in _patterns():
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        month = g["month"]
        month_no = int(month) if month.isdigit() else _months()[month.lower().rstrip(".")]
        try:
            rng = period(int(g["year"]), month_no, int(g["day"]) if g.get("day") else None)
        except ValueError:
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), rng)
    return best[1] if best else None


def parse_date_line(line: str) -> DateRange | None:
    """A line that is only a date ("May 4, 1988", "1955", "March 1985")."""
    s = line.strip().rstrip(".")
    if re.fullmatch(r"1[89]\d\d|20\d\d", s):
        return period(int(s))
    rng = find_date(s)
    if rng and len(s) <= 30:
        return rng
    return None


def parse_user_date(text: str) -> DateRange:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as typed on the command line."""
    m = re.fullmatch(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?", text.strip())
    if not m:
        raise DateError(f"Bad date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        return period(
            int(m["year"]),
            int(m["month"]) if m["month"] else None,
            int(m["day"]) if m["day"] else None,
        )
    except ValueError as e:
        raise DateError(f"Bad date {text!r}: {e}") from None


def day_number(d: dt.date) -> int:
    """Days since 1 January 1 (the index stores dates as these integers)."""
    return d.toordinal()
