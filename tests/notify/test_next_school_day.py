"""Timetable changes are pushed for today and the next school day of the class, when entered.

The tiny school keeps a five-day week, so Monday is the next school day from Friday, Saturday
and Sunday; a holiday of the class's grade moves it further, one of other grades does not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models.enums import DeliveryState
from core.notify.fanout import PushRules, fan_out
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.families import (
    KRYLOVA,
    OLGA,
    ORLOV,
    PEOPLE,
    deliveries,
    processed_everything,
    write,
)
from tests.notify.notifier_kit import TZ, make_notifier, texts_by_chat

SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 14:00 at the school
FRIDAY = SATURDAY - timedelta(days=1)


def _change(key: str, day: str, period: str = "1") -> dict[str, str]:
    """Орлов takes 7А's algebra in Крылова's place."""
    return {
        "id": key,
        "date": day,
        "period": period,
        "class": "C7A",
        "kind": "substitution",
        "subject": "ALG",
        "absent_teacher": "T1",
        "teacher": "T2",
        "reason": "Болезнь",
    }


def _with(
    *changes: dict[str, str], holidays: list[dict[str, str]] | None = None
) -> dict[str, list[dict[str, str]]]:
    tables = school.tables()
    tables["timetable_changes"] += list(changes)
    if holidays:
        tables["holidays"] = holidays
    return tables


async def _enter(
    sessions: async_sessionmaker[AsyncSession],
    tables: dict[str, list[dict[str, str]]],
    at: datetime,
) -> list[dict[str, object]]:
    """The school enters the rows at ``at``; the deliveries the fan-out plans at that moment."""
    await processed_everything(sessions, school.NOW)
    await write(sessions, tables, at, at.astimezone(TZ).date())
    async with sessions() as session:
        await fan_out(session, at, PushRules(timezone=TZ))
        await session.commit()
    return await deliveries(sessions)


def _utc(at: object) -> datetime:
    assert isinstance(at, datetime)
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite keeps instants naive (UTC)


def _days(rows: list[dict[str, object]]) -> set[str]:
    return {str(row["payload"]["date"]) for row in rows}  # type: ignore[index]


async def test_mondays_substitution_entered_on_saturday_is_pushed_at_once(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    clock = FrozenClock(SATURDAY)
    tables = _with(_change("CH7", "2026-12-07"), _change("CH8", "2026-12-08"))
    await processed_everything(sessions, school.NOW)
    await write(sessions, tables, SATURDAY, date(2026, 12, 5))
    async with FakeTelegram() as tg:
        for user_id in PEOPLE:
            tg.user(user_id)
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        chats = texts_by_chat(tg)
    # Monday's substitution reaches 7А's families and the substitute at once, on Saturday;
    # Tuesday's (after the next school day) waits for Monday's evening digest.
    monday = "7А: lesson 1 on 7 December: substitution - Алгебра, Орлов П. И."
    assert chats[OLGA] == [f"🔔 {monday}"]
    assert chats[ORLOV] == [f"🔔 {monday}"]
    assert KRYLOVA not in chats
    assert not any("8 December" in text for texts in chats.values() for text in texts)
    rows = await deliveries(sessions)
    assert _days(rows) == {"2026-12-07"}
    assert {row["state"] for row in rows} == {DeliveryState.SENT}


async def test_mondays_substitution_entered_on_friday_is_pushed_too(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    rows = await _enter(
        sessions, _with(_change("CH7", "2026-12-07"), _change("CH8", "2026-12-08")), FRIDAY
    )
    assert _days(rows) == {"2026-12-07"}
    assert {row["state"] for row in rows} == {DeliveryState.PENDING}
    # At once: no coalescing window or quiet hours hold it on a Friday afternoon.
    assert {_utc(row["not_before"]) for row in rows} == {FRIDAY}


async def test_a_holiday_of_the_classs_grade_moves_the_next_school_day(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    # 7А has Monday off: Tuesday is its next school day, Wednesday is later still.
    holiday = {"id": "H1", "name": "День здоровья", "start": "2026-12-07", "end": "2026-12-07"}
    tables = _with(
        _change("CH8", "2026-12-08"),
        _change("CH9", "2026-12-09"),
        holidays=[{**holiday, "grade_from": "7", "grade_to": "7"}],
    )
    assert _days(await _enter(sessions, tables, SATURDAY)) == {"2026-12-08"}


async def test_a_holiday_of_other_grades_does_not(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    holiday = {"id": "H1", "name": "День здоровья", "start": "2026-12-07", "end": "2026-12-07"}
    tables = _with(
        _change("CH7", "2026-12-07"),
        _change("CH8", "2026-12-08"),
        holidays=[{**holiday, "grade_from": "1", "grade_to": "5"}],
    )
    assert _days(await _enter(sessions, tables, SATURDAY)) == {"2026-12-07"}
