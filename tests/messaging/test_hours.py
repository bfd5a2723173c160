"""Office hours: the spec's text both ways, the next opening by hand, and the stored rows.

The school is in Yekaterinburg (UTC+5, no daylight saving); Berlin checks the clock changes.
30.11.2026 is a Monday.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.db import create_sessionmaker
from core.exchange import service
from core.messaging.hours import (
    ALL_DAYS,
    ALWAYS,
    DEFAULT_HOURS,
    MIDNIGHT,
    BadHours,
    OfficeHours,
    SchoolDays,
    Window,
    closed_days,
    format_hours,
    hours_of,
    next_opening,
    opening_after,
    parse_hours,
    set_hours,
)
from core.models import OfficeHours as OfficeHoursRow
from core.models import School, Staff
from core.services.errors import NotFoundError
from tests.bot import school
from tests.services.test_audit_and_statements import counting

EKB = ZoneInfo("Asia/Yekaterinburg")
BERLIN = ZoneInfo("Europe/Berlin")
FIVE = SchoolDays(days_per_week=5, holidays=())
SIX = SchoolDays(days_per_week=6, holidays=())
WEEKDAYS = frozenset(range(1, 6))


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = EKB) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def opening(
    hours: OfficeHours, when: datetime, days: SchoolDays = FIVE, zone: ZoneInfo = EKB
) -> datetime | None:
    return next_opening(hours, when, zone, days.closed_for(hours))


MON, TUE, FRI, SAT = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 5)


# --- parsing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("пн-пт 08:00-18:00", OfficeHours((Window(WEEKDAYS, time(8), time(18)),))),
        ("mon-fri 08:00-18:00", OfficeHours((Window(WEEKDAYS, time(8), time(18)),))),
        ("ПН–ПТ 8.00–18.00", OfficeHours((Window(WEEKDAYS, time(8), time(18)),))),
        ("  Mon - Fri   8:00 - 18:00 ", OfficeHours((Window(WEEKDAYS, time(8), time(18)),))),
        ("пн,ср,пт 9:00-13:00", OfficeHours((Window(frozenset({1, 3, 5}), time(9), time(13)),))),
        ("пн, ср, пт 9:00-13:00", OfficeHours((Window(frozenset({1, 3, 5}), time(9), time(13)),))),
        (
            "Monday,среда 10:30-11:15",
            OfficeHours((Window(frozenset({1, 3}), time(10, 30), time(11, 15)),)),
        ),
        (
            "пн-пт 08:00-18:00; сб 09:00-12:00",
            OfficeHours(
                (
                    Window(WEEKDAYS, time(8), time(18)),
                    Window(frozenset({6}), time(9), time(12)),
                )
            ),
        ),
        (
            "пн-ср,пт 08:00-12:00;",
            OfficeHours((Window(frozenset({1, 2, 3, 5}), time(8), time(12)),)),
        ),
        ("сб 20:00-24:00", OfficeHours((Window(frozenset({6}), time(20), MIDNIGHT),))),
        ("сб 20:00-00:00", OfficeHours((Window(frozenset({6}), time(20), MIDNIGHT),))),
        ("вс 00:00-24:00", OfficeHours((Window(frozenset({7}), time(0), MIDNIGHT),))),
        ("всегда", ALWAYS),
        ("Always", ALWAYS),
        ("по  умолчанию", DEFAULT_HOURS),
        ("DEFAULT", DEFAULT_HOURS),
        ("учебные дни 08:00-18:00", DEFAULT_HOURS),
        (
            "school days 09:00-12:00; school days 14:00-16:00",
            OfficeHours(
                (Window(ALL_DAYS, time(9), time(12)), Window(ALL_DAYS, time(14), time(16))),
                school_days=True,
            ),
        ),
    ],
)
def test_parse_reads_russian_and_english(text: str, hours: OfficeHours) -> None:
    assert parse_hours(text) == hours


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no office hours given"),
        (" ; ; ", "no office hours given"),
        ("08:00-18:00", "no days before 08:00-18:00"),
        ("пн-пт", "expected days and a time range like 08:00-18:00 in 'пн-пт'"),
        ("пн-пт 08:00", "expected days and a time range"),
        ("пн-пт 18:00-08:00", "18:00-08:00: the end must be after the start"),
        ("пн-пт 08:00-08:00", "the end must be after the start"),
        ("пт 22:00-02:00", "the end must be after the start"),
        ("пн-пт 8-18", "'8' is not a time like 08:00"),
        ("пн-пт 08:00-25:00", "'25:00' is not a time"),
        ("пн-пт 24:00-24:00", "'24:00' is not a time"),
        ("пн-пт 08:60-18:00", "'08:60' is not a time"),
        ("xx 08:00-18:00", "unknown day 'xx'"),
        ("пн ср 08:00-18:00", "unknown day 'пн ср'"),
        ("пн,,ср 08:00-18:00", "an empty day in 'пн,,ср'"),
        ("пн- 08:00-18:00", "an empty day"),
        ("пт-пн 08:00-18:00", "the days 'пт-пн' run backwards"),
        ("; ".join(["пн 08:00-09:00"] * 8), "at most 7 windows"),
        ("учебные дни 08:00-12:00; сб 09:00-10:00", "school days cannot be mixed"),
        ("всегда; пн 08:00-09:00", "expected days and a time range"),
    ],
)
def test_parse_refuses_with_a_short_reason(text: str, reason: str) -> None:
    with pytest.raises(BadHours) as caught:
        parse_hours(text)
    assert reason in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.message.format(**caught.value.params) == str(caught.value)


_SPEC_PIECES = st.sampled_from(
    [*"пнвтсрчбmonfriwedsat0123456789:.-–,; ", "учебные дни", "всегда", "24:00", "²"]
)


@given(st.one_of(st.text(), st.lists(_SPEC_PIECES, max_size=30).map("".join)))
def test_any_text_parses_or_is_refused_with_bad_hours(text: str) -> None:
    with contextlib.suppress(BadHours):
        parse_hours(text)


def test_seven_windows_are_enough() -> None:
    assert len(parse_hours("; ".join(["пн 08:00-09:00"] * 7)).windows) == 7


@pytest.mark.parametrize(
    "build",
    [
        lambda: Window(frozenset(), time(8), time(9)),
        lambda: Window(frozenset({8}), time(8), time(9)),
        lambda: Window(ALL_DAYS, time(9), time(8)),
        lambda: Window(ALL_DAYS, time(8, 0, 30), time(9)),
        lambda: OfficeHours(()),
        lambda: OfficeHours((Window(ALL_DAYS, time(8), time(9)),), always=True),
        lambda: OfficeHours((Window(WEEKDAYS, time(8), time(9)),), school_days=True),
        lambda: OfficeHours((Window(ALL_DAYS, time(8), time(9)),) * 8),
    ],
)
def test_values_without_a_canonical_text_cannot_be_built(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the invariants' own ValueError
        build()


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "russian", "english"),
    [
        (DEFAULT_HOURS, "учебные дни 08:00-18:00", "school days 08:00-18:00"),
        (ALWAYS, "всегда", "always"),
        (parse_hours("mon-fri 08:00-18:00"), "пн-пт 08:00-18:00", "Mon-Fri 08:00-18:00"),
        (
            parse_hours("пн,вт,ср,пт,сб 9:00-13:00"),
            "пн-ср,пт,сб 09:00-13:00",
            "Mon-Wed,Fri,Sat 09:00-13:00",
        ),
        (
            parse_hours("пн-пт 08:00-18:00; сб 09:00-12:00; вс 20:00-00:00"),
            "пн-пт 08:00-18:00; сб 09:00-12:00; вс 20:00-24:00",
            "Mon-Fri 08:00-18:00; Sat 09:00-12:00; Sun 20:00-24:00",
        ),
    ],
)
def test_format_writes_the_canonical_words(hours: OfficeHours, russian: str, english: str) -> None:
    assert format_hours(hours, "ru") == russian
    assert format_hours(hours, "en") == english


_MINUTES = st.integers(min_value=0, max_value=24 * 60 - 1)


def _clock(minutes: int) -> time:
    return MIDNIGHT if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


@st.composite
def windows(draw: st.DrawFn, weekdays: st.SearchStrategy[frozenset[int]]) -> Window:
    start = draw(_MINUTES)
    end = draw(st.integers(min_value=start + 1, max_value=24 * 60))
    return Window(draw(weekdays), _clock(start), _clock(end))


_ANY_DAYS = st.frozensets(st.integers(min_value=1, max_value=7), min_size=1)
office_hours = st.one_of(
    st.just(ALWAYS),
    st.lists(windows(st.just(ALL_DAYS)), min_size=1, max_size=7).map(
        lambda ws: OfficeHours(tuple(ws), school_days=True)
    ),
    st.lists(windows(_ANY_DAYS), min_size=1, max_size=7).map(lambda ws: OfficeHours(tuple(ws))),
)


@given(office_hours, st.sampled_from(["ru", "en"]))
def test_what_is_shown_parses_back(hours: OfficeHours, locale: str) -> None:
    text = format_hours(hours, locale)
    assert parse_hours(text) == hours
    assert parse_hours(text.upper()) == hours
    assert len(format_hours(hours, "ru")) <= 255  # the column's size


# --- the next opening ----------------------------------------------------------------------------


def test_inside_office_hours_a_question_goes_at_once() -> None:
    assert opening(DEFAULT_HOURS, at(MON, 10)) is None
    assert opening(DEFAULT_HOURS, at(MON, 8)) is None
    assert opening(DEFAULT_HOURS, at(MON, 17, 59)) is None


def test_an_evening_question_waits_for_the_next_morning() -> None:
    assert opening(DEFAULT_HOURS, at(MON, 22)) == at(TUE, 8)
    assert opening(DEFAULT_HOURS, at(MON, 18)) == at(TUE, 8)  # the end is exclusive
    assert opening(DEFAULT_HOURS, at(TUE, 7, 59)) == at(TUE, 8)
    # 22:00 in Yekaterinburg is 17:00 UTC; 08:00 is 03:00 UTC, and the answer is in UTC.
    result = opening(DEFAULT_HOURS, utc(2026, 11, 30, 17, 0))
    assert result == utc(2026, 12, 1, 3, 0)
    assert result is not None
    assert result.tzinfo is UTC


def test_a_friday_evening_question_waits_for_the_next_school_day() -> None:
    assert opening(DEFAULT_HOURS, at(FRI, 19)) == at(date(2026, 12, 7), 8)
    assert opening(DEFAULT_HOURS, at(FRI, 19), SIX) == at(SAT, 8)
    assert opening(DEFAULT_HOURS, at(SAT, 10)) == at(date(2026, 12, 7), 8)
    assert opening(DEFAULT_HOURS, at(SAT, 10), SIX) is None


def test_a_holiday_monday_pushes_the_opening_to_tuesday() -> None:
    monday = date(2026, 12, 7)
    days = SchoolDays(days_per_week=5, holidays=((monday, monday),))
    assert opening(DEFAULT_HOURS, at(FRI, 19), days) == at(date(2026, 12, 8), 8)
    assert opening(DEFAULT_HOURS, at(monday, 10), days) == at(date(2026, 12, 8), 8)


def test_always_is_always_open() -> None:
    assert next_opening(ALWAYS, at(SAT, 3), EKB, lambda _day: True) is None


def test_explicit_hours_take_their_weekdays_as_written() -> None:
    saturday = parse_hours("сб 09:00-12:00")
    assert opening(saturday, at(MON, 10)) == at(SAT, 9)  # a five-day school, and yet Saturday
    assert opening(saturday, at(SAT, 10)) is None
    assert opening(saturday, at(SAT, 12)) == at(date(2026, 12, 12), 9)
    on_holiday = SchoolDays(days_per_week=5, holidays=((SAT, date(2026, 12, 6)),))
    assert opening(saturday, at(SAT, 10), on_holiday) == at(date(2026, 12, 12), 9)
    split = parse_hours("пн 08:00-10:00; пн 14:00-16:00")
    assert opening(split, at(MON, 11)) == at(MON, 14)


def test_late_hours_run_to_midnight() -> None:
    evening = parse_hours("пн 20:00-24:00; вт 00:00-01:00")
    assert opening(evening, at(MON, 23, 59)) is None
    assert opening(evening, at(TUE, 0, 30)) is None
    assert opening(evening, at(TUE, 1)) == at(date(2026, 12, 7), 20)


def test_a_question_is_never_held_beyond_the_horizon() -> None:
    # Sixty days from Monday 30.11 is Friday 29.01.2027; past it the days off are ignored.
    shut = next_opening(DEFAULT_HOURS, at(MON, 10), EKB, lambda _day: True)
    assert shut == at(date(2027, 1, 29), 8)
    saturday = parse_hours("сб 09:00-12:00")
    assert next_opening(saturday, at(MON, 10), EKB, lambda _day: True) == at(date(2027, 1, 30), 9)
    summer = SchoolDays(days_per_week=5, holidays=((date(2027, 6, 1), date(2027, 7, 20)),))
    assert opening(DEFAULT_HOURS, at(date(2027, 5, 31), 19), summer) == at(date(2027, 7, 21), 8)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_opening(DEFAULT_HOURS, datetime(2026, 11, 30, 10), EKB, FIVE.day_off)  # noqa: DTZ001


def test_berlin_changes_its_clocks() -> None:
    # Clocks go forward on Sunday 28.03.2027 at 02:00 CET (01:00 UTC): Friday evening is UTC+1,
    # Monday morning UTC+2.
    friday, monday = date(2027, 3, 26), date(2027, 3, 29)
    result = opening(DEFAULT_HOURS, at(friday, 19, zone=BERLIN), zone=BERLIN)
    assert result == utc(2027, 3, 29, 6, 0)
    assert result == at(monday, 8, zone=BERLIN)
    assert opening(DEFAULT_HOURS, utc(2027, 3, 29, 6, 30), zone=BERLIN) is None
    assert opening(DEFAULT_HOURS, utc(2027, 3, 29, 5, 30), zone=BERLIN) == utc(2027, 3, 29, 6, 0)
    # Clocks go back on Sunday 25.10.2026 at 03:00 CEST: Monday 08:00 is 07:00 UTC again.
    assert opening(DEFAULT_HOURS, at(date(2026, 10, 23), 19, zone=BERLIN), zone=BERLIN) == utc(
        2026, 10, 26, 7, 0
    )


def test_a_window_in_the_skipped_or_repeated_hour() -> None:
    night = parse_hours("вс 02:30-04:00")
    # 02:30 does not exist on 28.03.2027: the window opens when the clocks jump to 03:00.
    assert opening(night, utc(2027, 3, 27, 12, 0), zone=BERLIN) == utc(2027, 3, 28, 1, 0)
    assert opening(night, utc(2027, 3, 28, 1, 0), zone=BERLIN) is None
    # A window wholly inside the skipped hour never opens that night.
    gone = parse_hours("вс 02:10-02:50")
    assert opening(gone, utc(2027, 3, 27, 12, 0), zone=BERLIN) == at(
        date(2027, 4, 4), 2, 10, zone=BERLIN
    )
    # 02:30 happens twice on 25.10.2026: the first time (CEST, 00:30 UTC) opens the window.
    assert opening(night, utc(2026, 10, 24, 12, 0), zone=BERLIN) == utc(2026, 10, 25, 0, 30)


_HOLIDAYS = SchoolDays(days_per_week=5, holidays=((date(2026, 12, 31), date(2027, 1, 8)),))
_INSTANTS = st.datetimes(
    min_value=datetime(2026, 9, 1),  # noqa: DTZ001 - hypothesis attaches the zone
    max_value=datetime(2027, 8, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(office_hours, _INSTANTS, st.sampled_from([EKB, BERLIN]))
def test_the_opening_is_inside_the_hours(
    hours: OfficeHours, when: datetime, zone: ZoneInfo
) -> None:
    result = opening(hours, when, _HOLIDAYS, zone)
    if result is not None:
        assert result > when
        assert result.tzinfo is UTC
        assert opening(hours, result, _HOLIDAYS, zone) is None


@given(office_hours, _INSTANTS)
def test_nothing_opens_before_the_opening(hours: OfficeHours, when: datetime) -> None:
    result = opening(hours, when, _HOLIDAYS)
    if result is not None and result - timedelta(minutes=1) > when:
        assert opening(hours, result - timedelta(minutes=1), _HOLIDAYS) is not None


# --- the database --------------------------------------------------------------------------------

HOLIDAY = TUE  # the whole school rests on Tuesday 01.12; first graders also on 02.12-04.12


def _tables() -> dict[str, list[dict[str, str]]]:
    tables = school.tables()
    tables["holidays"] = [
        {"id": "H1", "name": "День школы", "start": "2026-12-01", "end": "2026-12-01"},
        {
            "id": "H2",
            "name": "Дополнительные каникулы",
            "start": "2026-12-02",
            "end": "2026-12-04",
            "grade_from": "1",
            "grade_to": "1",
        },
    ]
    return tables


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await service.import_rows(sessions, _tables(), now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        yield session


async def _staff(session: AsyncSession, key: str) -> int:
    return int(await session.scalar(select(Staff.id).where(Staff.external_id == key)) or 0)


async def _school(session: AsyncSession) -> int:
    return int(await session.scalar(select(School.id)) or 0)


async def _rows(session: AsyncSession) -> list[tuple[int, str, str]]:
    rows = await session.execute(
        select(OfficeHoursRow.staff_id, OfficeHoursRow.spec, OfficeHoursRow.updated_by)
    )
    return [(row.staff_id, row.spec, row.updated_by) for row in rows]


async def test_hours_of_gives_the_default_without_a_row(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    t1, t2 = await _staff(db, "T1"), await _staff(db, "T2")
    assert await hours_of(db, [t1, t2]) == {t1: DEFAULT_HOURS, t2: DEFAULT_HOURS}
    assert await hours_of(db, []) == {}
    await set_hours(db, t1, "пн-пт 09:00-13:00", by="chat")
    with counting(engine) as statements:
        found = await hours_of(db, {t1, t2})
    assert found == {t1: parse_hours("пн-пт 09:00-13:00"), t2: DEFAULT_HOURS}
    assert len(statements) == 1


async def test_set_hours_inserts_updates_and_deletes_one_row(db: AsyncSession) -> None:
    t1 = await _staff(db, "T1")
    assert await set_hours(db, t1, "Mon-Fri 9:00-13:00", by="cli") == parse_hours(
        "пн-пт 09:00-13:00"
    )
    assert await _rows(db) == [(t1, "пн-пт 09:00-13:00", "cli")]
    first = await db.scalar(select(OfficeHoursRow.updated_at))
    assert await set_hours(db, t1, "always", by="chat") == ALWAYS
    assert await _rows(db) == [(t1, "всегда", "chat")]
    second = await db.scalar(select(OfficeHoursRow.updated_at))
    assert first is not None
    assert second is not None
    assert second >= first
    await set_hours(db, t1, "учебные дни 08:00-18:00", by="cli")  # the default is no row
    assert await _rows(db) == []
    await set_hours(db, t1, "сб 09:00-12:00", by="cli")
    assert await set_hours(db, t1, "по умолчанию", by="cli") == DEFAULT_HOURS
    assert await _rows(db) == []
    assert await set_hours(db, t1, "default", by="cli") == DEFAULT_HOURS  # nothing to delete


async def test_set_hours_refuses_before_writing(db: AsyncSession) -> None:
    t1 = await _staff(db, "T1")
    await set_hours(db, t1, "сб 09:00-12:00", by="cli")
    with pytest.raises(BadHours, match="unknown day"):
        await set_hours(db, t1, "xx 09:00-12:00", by="cli")
    with pytest.raises(ValueError, match="written by"):
        await set_hours(db, t1, "пн 09:00-12:00", by="robot")
    assert await _rows(db) == [(t1, "сб 09:00-12:00", "cli")]


async def test_closed_days_sees_the_week_and_whole_school_holidays(db: AsyncSession) -> None:
    school_id = await _school(db)
    days = await closed_days(db, school_id, MON, MON + timedelta(days=60))
    assert days == SchoolDays(days_per_week=5, holidays=((HOLIDAY, HOLIDAY),))
    assert days.day_off(HOLIDAY)
    assert days.day_off(SAT)
    assert not days.day_off(date(2026, 12, 2))  # first graders only: the teachers work
    assert not days.holiday(SAT)
    assert days.closed_for(DEFAULT_HOURS)(SAT)
    assert not days.closed_for(parse_hours("сб 09:00-12:00"))(SAT)
    assert days.closed_for(parse_hours("вт 09:00-12:00"))(HOLIDAY)
    later = await closed_days(db, school_id, date(2027, 1, 1), date(2027, 2, 1))
    assert later.holidays == ()
    with pytest.raises(NotFoundError):
        await closed_days(db, school_id + 100, MON, SAT)


async def test_opening_after_for_the_default_and_set_hours(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    t1, t2, school_id = await _staff(db, "T1"), await _staff(db, "T2"), await _school(db)

    async def after(staff_id: int, when: datetime) -> datetime | None:
        return await opening_after(db, staff_id, school_id, when, EKB)

    assert await after(t1, school.NOW) is None  # Monday 10:00
    with counting(engine) as statements:
        held = await after(t1, at(MON, 19))
    assert held == at(date(2026, 12, 2), 8)  # Tuesday is the school's holiday
    assert len(statements) == 3
    await set_hours(db, t1, "всегда", by="cli")
    with counting(engine) as statements:
        assert await after(t1, at(MON, 19)) is None
    assert len(statements) == 1

    await set_hours(db, t2, "сб 09:00-12:00", by="cli")
    assert await after(t2, at(MON, 19)) == at(SAT, 9) == utc(2026, 12, 5, 4, 0)
    await set_hours(db, t2, "вт 09:00-12:00", by="cli")
    assert await after(t2, at(MON, 19)) == at(date(2026, 12, 8), 9)


async def test_a_six_day_school_opens_on_saturday(db: AsyncSession) -> None:
    t1, school_id = await _staff(db, "T1"), await _school(db)
    assert await opening_after(db, t1, school_id, at(FRI, 19), EKB) == at(date(2026, 12, 7), 8)
    await db.execute(update(School).where(School.id == school_id).values(days_per_week=6))
    assert await opening_after(db, t1, school_id, at(FRI, 19), EKB) == at(SAT, 8)
