"""The demo's academic year: terms, holidays and bells, laid out around ``today``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Year:
    start_year: int

    @property
    def span(self) -> Period:
        return Period(date(self.start_year, 9, 1), date(self.start_year + 1, 5, 31))

    @property
    def name(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    def quarters(self) -> list[Period]:
        y = self.start_year
        return [
            Period(date(y, 9, 1), date(y, 10, 25)),
            Period(date(y, 11, 5), date(y, 12, 28)),
            Period(date(y + 1, 1, 12), date(y + 1, 3, 22)),
            Period(date(y + 1, 3, 30), date(y + 1, 5, 31)),
        ]

    def halves(self) -> list[Period]:
        q = self.quarters()
        return [Period(q[0].start, q[1].end), Period(q[2].start, q[3].end)]

    def holidays(self) -> list[tuple[str, str, Period, int | None]]:
        """(id, name, dates, only for this grade)."""
        y = self.start_year
        return [
            ("AUTUMN", "Осенние каникулы", Period(date(y, 10, 26), date(y, 11, 4)), None),
            ("WINTER", "Зимние каникулы", Period(date(y, 12, 29), date(y + 1, 1, 11)), None),
            (
                "FEB1",
                "Дополнительные каникулы для 1-х классов",
                Period(date(y + 1, 2, 16), date(y + 1, 2, 22)),
                1,
            ),
            (
                "FEB23",
                "День защитника Отечества",
                Period(date(y + 1, 2, 23), date(y + 1, 2, 23)),
                None,
            ),
            (
                "MAR8",
                "Международный женский день",
                Period(date(y + 1, 3, 9), date(y + 1, 3, 9)),
                None,
            ),
            ("SPRING", "Весенние каникулы", Period(date(y + 1, 3, 23), date(y + 1, 3, 29)), None),
            ("MAY", "Праздничные дни", Period(date(y + 1, 5, 1), date(y + 1, 5, 11)), None),
        ]


def year_of(today: date) -> Year:
    """The academic year containing ``today``; in summer, the one that starts next."""
    return Year(today.year if today.month >= 6 else today.year - 1)


def is_school_day(year: Year, day: date, grade: int) -> bool:
    if day.isoweekday() > 5 or day not in year.span:
        return False
    return not any(
        day in dates and (only is None or only == grade) for _, _, dates, only in year.holidays()
    )


def school_days(year: Year, start: date, end: date, grade: int) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_school_day(year, day, grade):
            days.append(day)
        day += timedelta(days=1)
    return days


def bells() -> dict[tuple[int, int], tuple[time, time]]:
    """(shift, period) → (start, end): 45-minute lessons; shift 2 starts at 13:30."""
    result: dict[tuple[int, int], tuple[time, time]] = {}
    for shift, start, breaks in (
        (1, 8 * 60, (10, 20, 20, 10, 10, 10)),
        (2, 13 * 60 + 30, (10, 20, 15, 10, 10)),
    ):
        minute = start
        for period in range(1, len(breaks) + 2):
            result[(shift, period)] = (_time(minute), _time(minute + 45))
            minute += 45 + (breaks[period - 1] if period <= len(breaks) else 0)
    return result


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def overlapping(
    bell_times: dict[tuple[int, int], tuple[time, time]],
) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """For each (shift, period), every (shift, period) whose time overlaps it (itself included)."""
    return {
        a: [b for b, (s2, e2) in bell_times.items() if s1 < e2 and s2 < e1]
        for a, (s1, e1) in bell_times.items()
    }
