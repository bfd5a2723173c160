"""The demo's academic year: terms, holidays, school days and bells, laid out around ``today``.

Dates follow the rules Russian regional calendars use: the year runs 1 September – 31 May (lessons
end on 26 May), nine-day autumn and spring holidays from a Saturday, winter holidays from about
29 December to 8 January (or the Sunday after), an extra February week for grade 1, and public
holidays that fall on a weekend move to the next Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

SATURDAY, SUNDAY = 6, 7


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    kind: str  # quarter or half
    number: int
    name: str
    dates: Period


@dataclass(frozen=True, slots=True)
class Holiday:
    id: str
    name: str
    dates: Period
    grade: int | None  # only for this grade, or for all


def _on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def _on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.isoweekday() - weekday) % 7)


class Year:
    """One academic year, named by the calendar year it starts in."""

    def __init__(self, start_year: int) -> None:
        y = self.start_year = start_year
        self.id = f"Y{y}"
        self.name = f"{y}/{y + 1}"
        self.span = Period(date(y, 9, 1), date(y + 1, 5, 31))
        autumn_start = _on_or_before(date(y, 10, 31), SATURDAY)
        autumn = Period(autumn_start, autumn_start + timedelta(days=8))
        # Winter holidays: from 29 December (or the weekend next to it) to 8 January, or to the
        # Sunday after it when 8 January is late in the week.
        winter_start = date(y, 12, 29)
        if winter_start.isoweekday() in (SUNDAY, 1):
            winter_start = _on_or_before(winter_start, SATURDAY)
        elif winter_start.isoweekday() == 5:
            winter_start += timedelta(days=1)
        winter_end = date(y + 1, 1, 8)
        if winter_end.isoweekday() >= 4:
            winter_end = _on_or_after(winter_end, SUNDAY)
        winter = Period(winter_start, winter_end)
        spring_start = _on_or_after(date(y + 1, 3, 20), SATURDAY)
        spring = Period(spring_start, spring_start + timedelta(days=8))
        first_grade = _on_or_after(date(y + 1, 2, 9), 1)
        quarters = (
            Period(self.span.start, autumn.start - timedelta(days=1)),
            Period(autumn.end + timedelta(days=1), winter.start - timedelta(days=1)),
            Period(winter.end + timedelta(days=1), spring.start - timedelta(days=1)),
            Period(spring.end + timedelta(days=1), date(y + 1, 5, 26)),
        )
        self.quarters = [
            Term(f"{self.id}-Q{n}", "quarter", n, f"{n} четверть", dates)
            for n, dates in enumerate(quarters, start=1)
        ]
        self.halves = [
            Term(
                f"{self.id}-H1",
                "half",
                1,
                "1 полугодие",
                Period(quarters[0].start, quarters[1].end),
            ),
            Term(
                f"{self.id}-H2",
                "half",
                2,
                "2 полугодие",
                Period(quarters[2].start, quarters[3].end),
            ),
        ]
        self.holidays = [
            Holiday(f"{self.id}-AUTUMN", "Осенние каникулы", autumn, None),
            Holiday(f"{self.id}-WINTER", "Зимние каникулы", winter, None),
            Holiday(
                f"{self.id}-FEB1",
                "Дополнительные каникулы для первоклассников",
                Period(first_grade, first_grade + timedelta(days=6)),
                1,
            ),
            Holiday(f"{self.id}-SPRING", "Весенние каникулы", spring, None),
        ]
        for key, name, day in (
            ("NOV4", "День народного единства", date(y, 11, 4)),
            ("FEB23", "День защитника Отечества", date(y + 1, 2, 23)),
            ("MAR8", "Международный женский день", date(y + 1, 3, 8)),
            ("MAY1", "Праздник Весны и Труда", date(y + 1, 5, 1)),
            ("MAY9", "День Победы", date(y + 1, 5, 9)),
        ):
            if day.isoweekday() >= SATURDAY:
                day = _on_or_after(day, 1)  # the day off moves to Monday
                name += " (перенос выходного дня)"
            if not any(day in h.dates for h in self.holidays):
                self.holidays.append(Holiday(f"{self.id}-{key}", name, Period(day, day), None))
        self.holidays.sort(key=lambda h: h.dates.start)
        self._closed = {d for h in self.holidays if h.grade is None for d in h.dates.days()}
        self._closed_first = self._closed | {
            d for h in self.holidays if h.grade == 1 for d in h.dates.days()
        }

    def terms_for(self, grade: int) -> list[Term]:
        return self.quarters if grade <= 9 else self.halves

    def term_of(self, grade: int, day: date) -> Term:
        """The term containing ``day``, else the last one begun before it (or the first)."""
        terms = self.terms_for(grade)
        begun = [t for t in terms if t.dates.start <= day]
        return begun[-1] if begun else terms[0]

    def is_school_day(self, day: date, grade: int) -> bool:
        if (
            day.isoweekday() >= SATURDAY
            or day not in self.span
            or day > self.quarters[-1].dates.end
        ):
            return False
        return day not in (self._closed_first if grade == 1 else self._closed)

    def school_days(self, start: date, end: date, grade: int) -> list[date]:
        return [d for d in Period(start, end).days() if self.is_school_day(d, grade)]

    def next_school_day(self, day: date, grade: int = 5) -> date | None:
        """The first school day after ``day`` within the year, if any."""
        day += timedelta(days=1)
        while day <= self.span.end:
            if self.is_school_day(day, grade):
                return day
            day += timedelta(days=1)
        return None


def year_of(today: date) -> Year:
    """The academic year containing ``today``; in summer, the one that starts next September."""
    return Year(today.year if today.month >= 6 else today.year - 1)


# (shift, period) → (start, end). 45-minute lessons; the second shift starts at 13:00, so its
# first periods overlap the first shift's sixth and seventh.
_SHIFTS = ((1, 8 * 60, (10, 20, 20, 10, 10, 10)), (2, 13 * 60, (10, 20, 20, 10, 10)))


def bells() -> dict[tuple[int, int], tuple[time, time]]:
    result: dict[tuple[int, int], tuple[time, time]] = {}
    for shift, start, breaks in _SHIFTS:
        minute = start
        for period in range(1, len(breaks) + 2):
            result[(shift, period)] = (_time(minute), _time(minute + 45))
            minute += 45 + (breaks[period - 1] if period <= len(breaks) else 0)
    return result


def periods_in(shift: int) -> int:
    return sum(1 for s, _ in bells() if s == shift)


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


OVERLAP = overlapping(bells())
