"""Day expressions in Russian and English: сегодня, завтра, в пятницу, 12 декабря, 12.12, ..."""

from __future__ import annotations

import re
from datetime import date, timedelta

# Word patterns, so that «пятницу», «пятница», «пятнице» all match, and «средний» does not.
_WEEKDAYS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rf"^(?:{pattern})$")
    for pattern in (
        r"понедельник[аеу]?|monday|mon",
        r"вторник[аеу]?|tuesday|tue",
        r"сред[аеуы]|wednesday|wed",
        r"четверг[аеу]?|thursday|thu",
        r"пятниц[аеуы]|friday|fri",
        r"суббот[аеуы]|saturday|sat",
        r"воскресень[еяю]|sunday|sun",
    )
)
_MONTHS: tuple[tuple[str, ...], ...] = (
    ("январ", "january", "jan"),
    ("феврал", "february", "feb"),
    ("март", "march", "mar"),
    ("апрел", "april", "apr"),
    ("ма", "may"),  # «мая», «май»: checked as a whole word below
    ("июн", "june", "jun"),
    ("июл", "july", "jul"),
    ("август", "august", "aug"),
    ("сентябр", "september", "sep"),
    ("октябр", "october", "oct"),
    ("ноябр", "november", "nov"),
    ("декабр", "december", "dec"),
)
_RELATIVE = (
    (("послезавтра", "day after tomorrow"), 2),
    (("позавчера", "day before yesterday"), -2),
    (("сегодня", "today", "tonight"), 0),
    (("завтра", "tomorrow"), 1),
    (("вчера", "yesterday"), -1),
)
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([a-zа-я]+)")
_MONTH_DAY = re.compile(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?\b")
WEEK_WORDS = ("недел", "week")
NEXT_WORDS = ("следующ", "next")


def _month(word: str) -> int | None:
    for number, stems in enumerate(_MONTHS, 1):
        if number == 5:
            if word in ("мая", "май", "may"):
                return 5
            continue
        if any(word.startswith(stem) for stem in stems if len(stem) > 3) or word in stems:
            return number
    return None


def _in_school_year(day: int, month: int, today: date) -> date | None:
    """The date with that day and month nearest to today (a school year spans New Year)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


def _says(text: str, phrases: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-zа-я]){re.escape(w)}(?![a-zа-я])", text) for w in phrases)


def says_tomorrow(text: str) -> bool:
    """«завтра» / "tomorrow" is the first day ``text`` names (not «послезавтра»)."""
    for phrases, offset in _RELATIVE:
        if _says(text, phrases):
            return offset == 1
    return False


def find_day(text: str, today: date) -> date | None:
    """The first day named in ``text`` (lower-case, ё as е), relative to ``today``."""
    for phrases, offset in _RELATIVE:
        if _says(text, phrases):
            return today + timedelta(days=offset)
    match = _NUMERIC.search(text)
    if match:
        day, month = int(match[1]), int(match[2])
        if match[3]:
            year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
            try:
                return date(year, month, day)
            except ValueError:
                return None
        return _in_school_year(day, month, today) if 1 <= month <= 12 else None
    for match in _DAY_MONTH.finditer(text):
        month_number = _month(match[2])
        if month_number:
            return _in_school_year(int(match[1]), month_number, today)
    for match in _MONTH_DAY.finditer(text):
        month_number = _month(match[1])
        if month_number:
            return _in_school_year(int(match[2]), month_number, today)
    words = re.findall(r"[a-zа-я]+", text)
    for weekday, pattern in enumerate(_WEEKDAYS):
        if any(pattern.match(w) for w in words):
            ahead = (weekday - today.weekday()) % 7
            if any(w.startswith(NEXT_WORDS) for w in words) and ahead == 0:
                ahead = 7
            return today + timedelta(days=ahead)
    return None
