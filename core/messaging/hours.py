"""Office hours: when a staff member takes questions from families, in the school's time zone.

A question sent outside them is held and delivered at the next opening, so a teacher is not
woken at 23:00 and a family sees when the answer can come. Without a row of their own a staff
member keeps ``DEFAULT_HOURS``: school days 08:00-18:00.

Rules a family and an operator can rely on:

- A window ``08:00-18:00`` is half-open (the start inclusive, the end exclusive) on the listed
  weekdays. It never crosses midnight: ``22:00-02:00`` is refused; the end of the day is written
  ``24:00`` (``00:00`` as an end means the same), so ``пт 22:00-24:00; сб 00:00-02:00`` says it.
  A window is one day's span, so "which weekday" never has two answers.
- "School days" (the default) are the weekdays within the school's ``days_per_week`` that no
  whole-school holiday covers; an explicit spec's weekdays are taken as written, but a
  whole-school holiday still closes them; "always" is always open. A holiday for some grades only
  (the first graders' extra week) closes nothing: the teacher still works.
- Times are wall-clock times in the school's zone. A window starting inside a daylight-saving
  gap opens when the clocks jump forward; a repeated hour (clocks back) opens at its first pass.
- ``next_opening`` looks ``HORIZON_DAYS`` (60) days ahead. When every day of that span is closed
  (a summer entered as one long holiday), the question goes out at the first window on or after
  the horizon, holidays ignored: a question is delayed, never held forever.

The spec is stored as the canonical Russian text; ``parse_hours`` reads Russian and English, and
``format_hours`` writes fixed canonical words (not gettext) so that what is shown parses back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import N_
from core.models import OfficeHours as OfficeHoursRow
from core.models import School
from core.models.base import utcnow
from core.services.class_data import load_holidays
from core.services.errors import NotFoundError

ALL_DAYS = frozenset(range(1, 8))  # ISO weekdays, 1 = Monday .. 7 = Sunday
MIDNIGHT = time(0, 0)  # as a window's end: 24:00, the end of the day
HORIZON_DAYS = 60
MAX_WINDOWS = 7
WRITERS = frozenset({"chat", "cli"})


class BadHours(ValueError):  # noqa: N818 - the name the callers know; a refusal, not a bug
    """A spec that cannot be read: ``message`` is an N_-marked English template, ``params`` fill it.

    ``str()`` gives the English reason; a front end translates ``message`` and formats it.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(message.format(**self.params))


def _minutes(clock: time, *, end: bool = False) -> int:
    minutes = clock.hour * 60 + clock.minute
    return 24 * 60 if end and minutes == 0 else minutes


@dataclass(frozen=True, slots=True)
class Window:
    """Open from ``start`` (inclusive) to ``end`` (exclusive) on ``weekdays``; end 00:00 = 24:00."""

    weekdays: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= ALL_DAYS:
            raise ValueError(f"weekdays must be a non-empty set of 1..7, not {self.weekdays}")
        for clock in (self.start, self.end):
            if clock.second or clock.microsecond or clock.tzinfo is not None:
                raise ValueError(f"a window's times are whole minutes of wall time, not {clock}")
        if _minutes(self.end, end=True) <= _minutes(self.start):
            raise ValueError(f"a window must end after it starts: {self.start}-{self.end}")

    def holds(self, weekday: int, clock: time) -> bool:
        return (
            weekday in self.weekdays
            and self.start <= clock
            and (self.end == MIDNIGHT or clock < self.end)
        )


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """A staff member's windows; ``school_days`` confines them to the school's working days.

    Invariants (checked, so that every value has one canonical text): ``always`` has no windows;
    otherwise one to seven windows; with ``school_days`` every window names all seven weekdays
    (which of them are school days is the school's business, see ``SchoolDays``).
    """

    windows: tuple[Window, ...]
    always: bool = False
    school_days: bool = False

    def __post_init__(self) -> None:
        if self.always:
            if self.windows or self.school_days:
                raise ValueError("'always' has no windows and no school-day rule")
            return
        if not 1 <= len(self.windows) <= MAX_WINDOWS:
            raise ValueError(f"office hours need 1 to {MAX_WINDOWS} windows")
        if self.school_days and any(w.weekdays != ALL_DAYS for w in self.windows):
            raise ValueError("school-day windows apply to every weekday the school works")

    def holds(self, weekday: int, clock: time) -> bool:
        return self.always or any(w.holds(weekday, clock) for w in self.windows)


ALWAYS = OfficeHours(windows=(), always=True)
DEFAULT_HOURS = OfficeHours(windows=(Window(ALL_DAYS, time(8), time(18)),), school_days=True)


# --- the text: parsing and the canonical form -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Words:
    days: tuple[str, ...]  # Monday first
    always: str
    school_days: str


_CANONICAL = {
    "ru": _Words(("пн", "вт", "ср", "чт", "пт", "сб", "вс"), "всегда", "учебные дни"),
    "en": _Words(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "always", "school days"),
}
_LONG_NAMES = (
    ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
)
_DAY_NUMBERS = {
    name.lower(): number
    for names in (*(w.days for w in _CANONICAL.values()), *_LONG_NAMES)
    for number, name in enumerate(names, start=1)
}
_ALWAYS_WORDS = frozenset({"всегда", "always"})
_DEFAULT_WORDS = frozenset({"по умолчанию", "default"})
_SCHOOL_DAY_WORDS = frozenset({"учебные дни", "school days"})
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-"})  # en dash, em dash, minus sign
_AROUND_PUNCTUATION = re.compile(r"\s*([-,])\s*")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


def parse_hours(text: str) -> OfficeHours:
    """Read ``пн-пт 08:00-18:00; сб 09:00-12:00``, ``always``, ``default``... (see the module)."""
    normal = " ".join(text.translate(_DASHES).lower().split())
    if normal in _ALWAYS_WORDS:
        return ALWAYS
    if normal in _DEFAULT_WORDS:
        return DEFAULT_HOURS
    parts = [part.strip() for part in normal.split(";") if part.strip()]
    if not parts:
        raise BadHours(N_("no office hours given"))
    if len(parts) > MAX_WINDOWS:
        raise BadHours(N_("at most {count} windows"), count=MAX_WINDOWS)
    windows = [_window(part) for part in parts]
    school = {days is None for days, _, _ in windows}
    if len(school) > 1:
        raise BadHours(N_("school days cannot be mixed with named days"))
    return OfficeHours(
        windows=tuple(Window(days or ALL_DAYS, start, end) for days, start, end in windows),
        school_days=school == {True},
    )


def _window(text: str) -> tuple[frozenset[int] | None, time, time]:
    """One ``DAYS START-END``, split where the first digit is (day names have none).

    Days None stand for school days.
    """
    first_digit = next((i for i, char in enumerate(text) if char.isdigit()), None)
    times = "" if first_digit is None else text[first_digit:].replace(" ", "")
    start_text, dash, end_text = times.partition("-")
    if first_digit is None or not dash:
        raise BadHours(N_("expected days and a time range like 08:00-18:00 in {text!r}"), text=text)
    start, end = _clock(start_text), _clock(end_text, end=True)
    days_text = _AROUND_PUNCTUATION.sub(r"\1", text[:first_digit]).strip()
    if not days_text:
        raise BadHours(N_("no days before {times}"), times=times)
    if _minutes(end, end=True) <= _minutes(start):
        raise BadHours(
            N_("{times}: the end must be after the start (24:00 ends the day)"), times=times
        )
    return (None if days_text in _SCHOOL_DAY_WORDS else _days(days_text)), start, end


def _clock(text: str, *, end: bool = False) -> time:
    match = _CLOCK.fullmatch(text)
    hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
    if end and (hour, minute) == (24, 0):
        return MIDNIGHT
    if hour > 23 or minute > 59:
        raise BadHours(N_("{value!r} is not a time like 08:00"), value=text)
    return time(hour, minute)


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in text.split(","):
        first, dash, last = item.partition("-")
        if not first or (dash and not last):
            raise BadHours(N_("an empty day in {text!r}"), text=text)
        low, high = _day(first), _day(last) if dash else _day(first)
        if high < low:
            raise BadHours(N_("the days {days!r} run backwards"), days=item)
        days.update(range(low, high + 1))
    return frozenset(days)


def _day(name: str) -> int:
    number = _DAY_NUMBERS.get(name)
    if number is None:
        raise BadHours(N_("unknown day {name!r}"), name=name)
    return number


def format_hours(hours: OfficeHours, locale: str) -> str:
    """The canonical text: Russian for ``ru``, English otherwise; ``parse_hours`` reads it back."""
    words = _CANONICAL["ru" if locale == "ru" else "en"]
    if hours.always:
        return words.always
    return "; ".join(
        f"{words.school_days if hours.school_days else _day_runs(w.weekdays, words)} "
        f"{_clock_text(w.start)}-{_clock_text(w.end, end=True)}"
        for w in hours.windows
    )


def _clock_text(clock: time, *, end: bool = False) -> str:
    return "24:00" if end and clock == MIDNIGHT else clock.strftime("%H:%M")


def _day_runs(weekdays: frozenset[int], words: _Words) -> str:
    """``пн-ср,пт``: runs of three or more days as a range, shorter ones listed."""
    runs: list[list[int]] = []
    for day in sorted(weekdays):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = words.days
    return ",".join(
        f"{names[run[0] - 1]}-{names[run[-1] - 1]}"
        if len(run) > 2
        else ",".join(names[d - 1] for d in run)
        for run in runs
    )


# --- time: when the next window opens ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolDays:
    """The school's week and its whole-school holidays, for the days ``closed_days`` loaded.

    ``closed_for(hours)`` is the predicate ``next_opening`` takes: for school-day hours a day off
    is a weekday beyond ``days_per_week`` or a holiday; for an explicit spec only a holiday.
    """

    days_per_week: int
    holidays: tuple[tuple[date, date], ...]  # first and last day, both inclusive

    def holiday(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.holidays)

    def day_off(self, day: date) -> bool:
        return day.isoweekday() > self.days_per_week or self.holiday(day)

    def closed_for(self, hours: OfficeHours) -> Callable[[date], bool]:
        return self.day_off if hours.school_days else self.holiday


def next_opening(
    hours: OfficeHours, at: datetime, timezone: ZoneInfo, closed: Callable[[date], bool]
) -> datetime | None:
    """None when ``at`` is inside the office hours, else the next opening (aware, UTC).

    ``closed(day)`` says whether a school-local date is a day off (``SchoolDays.closed_for``).
    Past the horizon, ``closed`` is ignored (see the module docstring).
    """
    if at.tzinfo is None:
        raise ValueError("next_opening needs an aware datetime")
    if hours.always:
        return None
    local = at.astimezone(timezone)
    today = local.date()
    if not closed(today) and hours.holds(today.isoweekday(), local.time()):
        return None
    for offset in range(HORIZON_DAYS + 7):
        day = today + timedelta(days=offset)
        if offset < HORIZON_DAYS and closed(day):
            continue
        opening = _first_start(hours, day, timezone, after=at)
        if opening is not None:
            return opening
    raise AssertionError("unreachable: every window opens on some weekday")


def _first_start(
    hours: OfficeHours, day: date, timezone: ZoneInfo, *, after: datetime
) -> datetime | None:
    """The first window opening on ``day`` after ``after``.

    A window the clocks skip entirely (02:30-02:45 on the night they jump from 02:00 to 03:00)
    never opens: its instant is checked against the wall time it really shows.
    """
    for start in sorted({w.start for w in hours.windows if day.isoweekday() in w.weekdays}):
        instant = _instant(day, start, timezone)
        local = instant.astimezone(timezone)
        if instant > after and local.date() == day and hours.holds(day.isoweekday(), local.time()):
            return instant
    return None


def _instant(day: date, clock: time, timezone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the school's clocks show ``clock`` on ``day`` or later.

    A repeated wall time gives its first pass (fold 0); a wall time the clocks skip gives the
    jump itself, found by bisection between the two readings of the skipped time: before the
    jump the clocks show less than ``clock``, after it more.
    """
    wall = datetime.combine(day, clock)
    instant = wall.replace(tzinfo=timezone).astimezone(UTC)
    if instant.astimezone(timezone).replace(tzinfo=None) == wall:
        return instant
    low = int(wall.replace(tzinfo=timezone, fold=1).timestamp())  # clocks still before ``wall``
    high = int(instant.timestamp())  # clocks already past it
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, timezone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


# --- the database -------------------------------------------------------------------------------


async def hours_of(session: AsyncSession, staff_ids: Collection[int]) -> dict[int, OfficeHours]:
    """Every asked staff member's hours, ``DEFAULT_HOURS`` where no row; one statement.

    A stored spec that no longer parses (written by hand, or by an older grammar) falls back to
    the default rather than stopping the questions to that person.
    """
    found: dict[int, OfficeHours] = dict.fromkeys(staff_ids, DEFAULT_HOURS)
    if not found:
        return found
    rows = await session.execute(
        select(OfficeHoursRow.staff_id, OfficeHoursRow.spec).where(
            OfficeHoursRow.staff_id.in_(found)
        )
    )
    for row in rows:
        try:
            found[row.staff_id] = parse_hours(row.spec)
        except BadHours:
            continue
    return found


async def set_hours(session: AsyncSession, staff_id: int, text: str, *, by: str) -> OfficeHours:
    """Parse ``text`` and store it (``by`` is "chat" or "cli"); flushes, never commits.

    The default hours are the absence of a row, so ``default`` (or a spec equal to it) deletes
    the row. Select then insert or update: portable to SQLite and PostgreSQL; two statements.
    """
    if by not in WRITERS:
        raise ValueError(f"office hours are written by one of {sorted(WRITERS)}, not {by!r}")
    hours = parse_hours(text)
    row = await session.scalar(select(OfficeHoursRow).where(OfficeHoursRow.staff_id == staff_id))
    if hours == DEFAULT_HOURS:
        if row is not None:
            await session.delete(row)
    elif row is None:
        session.add(
            OfficeHoursRow(staff_id=staff_id, spec=format_hours(hours, "ru"), updated_by=by)
        )
    else:
        row.spec, row.updated_by, row.updated_at = format_hours(hours, "ru"), by, utcnow()
    await session.flush()
    return hours


async def closed_days(session: AsyncSession, school_id: int, start: date, end: date) -> SchoolDays:
    """The school's week and its whole-school holidays overlapping ``start..end``; two statements.

    Days outside ``start..end`` are never holidays for the result: load the span you will ask.
    """
    days_per_week = await session.scalar(select(School.days_per_week).where(School.id == school_id))
    if days_per_week is None:
        raise NotFoundError("school", school_id)
    holidays = await load_holidays(session, school_id, start, end)
    return SchoolDays(
        days_per_week=days_per_week,
        holidays=tuple(
            (h.starts_on, h.ends_on)
            for h in holidays
            if h.grade_from is None and h.grade_to is None
        ),
    )


async def opening_after(
    session: AsyncSession, staff_id: int, school_id: int, now: datetime, timezone: ZoneInfo
) -> datetime | None:
    """None when ``staff_id`` is in office hours ``now``, else when a question to them goes out.

    Three statements at most (the hours, the school's week, its holidays); "always" needs one.
    """
    hours = (await hours_of(session, (staff_id,)))[staff_id]
    if hours.always:
        return None
    today = now.astimezone(timezone).date()
    days = await closed_days(session, school_id, today, today + timedelta(days=HORIZON_DAYS))
    return next_opening(hours, now, timezone, days.closed_for(hours))
