"""From outbox events to deliveries: recipients through the access policy, preferences, timing.

The tiny school's own import (Monday 30.11, 10:00 school time) wrote the events a family hears
about: Анна's marks of 30.11 and 01.12, her absence, Дмитрий's mark, today's substitution in 7А
(Орлов takes Russian), tomorrow's cancellation, and 7А's homework (one of it Анна's own).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access.permissions import Permission
from core.models import OutboxEvent, RolePermission, School
from core.models.enums import DeliveryState, EventKind, PermissionScope, Role
from core.notify.content import ItemKind, push_items
from core.notify.fanout import (
    BLOCKED,
    CANCELLED,
    SUPERSEDED,
    TURNED_OFF,
    FanOutReport,
    PushRules,
    fan_out,
)
from tests.bot import school
from tests.notify.families import (
    DMITRY,
    KRYLOVA,
    MARIA,
    OLGA,
    ORLOV,
    PAVEL,
    deliveries,
    mark,
    processed_everything,
    set_preferences,
    with_marks,
    write,
)

TZ = ZoneInfo("Asia/Yekaterinburg")
RULES = PushRules(timezone=TZ, window=timedelta(seconds=60))


async def _fan_out(sessions: async_sessionmaker[AsyncSession], at: datetime) -> FanOutReport:
    async with sessions() as session:
        report = await fan_out(session, at, RULES)
        await session.commit()
        return report


def _kinds(rows: list[dict[str, object]], account: int) -> Counter[str]:
    return Counter(str(row["kind"]) for row in rows if row["account"] == account)


async def test_each_event_reaches_the_family_the_policy_allows(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    report = await _fan_out(sessions, school.NOW)
    rows = await deliveries(sessions)
    assert report.events == 8
    assert report.skipped == 0
    assert report.pending == len(rows)
    # Ольга (Анна and Борис): Анна's two marks, absence, both changes of 7А, both homeworks.
    assert _kinds(rows, accounts[OLGA]) == {
        "mark_added": 2,
        "absence_recorded": 1,
        "timetable_changed": 2,
        "homework_added": 2,
    }
    # Мария is Анна's second guardian: the same.
    assert _kinds(rows, accounts[MARIA]) == _kinds(rows, accounts[OLGA])
    # Павел and Дмитрий himself: Дмитрий's mark, the class's changes and general homework only.
    expected = {"mark_added": 1, "timetable_changed": 2, "homework_added": 1}
    assert _kinds(rows, accounts[PAVEL]) == expected
    assert _kinds(rows, accounts[DMITRY]) == expected
    # Орлов takes today's Russian: he hears of that change and of nothing else.
    assert _kinds(rows, accounts[ORLOV]) == {"timetable_changed": 1}
    assert _kinds(rows, accounts[KRYLOVA]) == {}  # staff get no family pushes
    assert all(row["not_before"] == school.NOW for row in rows)  # 10:00: no quiet hours
    async with sessions() as session:
        left = await session.execute(
            select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None))
        )
        assert list(left) == []


async def test_a_second_fan_out_adds_nothing(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    for _ in range(2):
        await _fan_out(sessions, school.NOW)
    rows = await deliveries(sessions)
    pairs = [(row["account"], row["object"], row["kind"]) for row in rows]
    assert len(pairs) == len(set(pairs)) == 23


async def test_a_school_that_closes_marks_to_guardians_sends_them_none(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    async with sessions() as session:
        school_id = (await session.execute(select(School.id))).scalar_one()
        session.add(
            RolePermission(
                school_id=school_id,
                role=Role.GUARDIAN,
                permission=Permission.MARKS.value,
                scope=PermissionScope.NONE,
            )
        )
        await session.commit()
        await fan_out(session, school.NOW, RULES)
        await session.commit()
    rows = await deliveries(sessions)
    assert _kinds(rows, accounts[OLGA])["mark_added"] == 0
    assert _kinds(rows, accounts[PAVEL])["mark_added"] == 0
    assert _kinds(rows, accounts[DMITRY])["mark_added"] == 1  # the student still hears
    assert _kinds(rows, accounts[OLGA])["absence_recorded"] == 1


async def test_a_kind_turned_off_is_recorded_as_skipped(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await set_preferences(sessions, accounts[OLGA], marks=False)
    await _fan_out(sessions, school.NOW)
    olga = [row for row in await deliveries(sessions) if row["account"] == accounts[OLGA]]
    marks = [row for row in olga if row["kind"] == EventKind.MARK_ADDED]
    assert {row["state"] for row in marks} == {DeliveryState.SKIPPED}
    assert {row["error"] for row in marks} == {TURNED_OFF}
    others = [row for row in olga if row["kind"] != EventKind.MARK_ADDED]
    assert others
    assert {row["state"] for row in others} == {DeliveryState.PENDING}


async def test_an_inactive_account_gets_skipped_deliveries(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    from core.linking.accounts import mark_inactive

    async with sessions() as session:
        await mark_inactive(session, accounts[PAVEL])
        await session.commit()
        await fan_out(session, school.NOW, RULES)
        await session.commit()
    pavel = [row for row in await deliveries(sessions) if row["account"] == accounts[PAVEL]]
    assert pavel
    assert {(row["state"], row["error"]) for row in pavel} == {(DeliveryState.SKIPPED, BLOCKED)}


async def test_quiet_hours_hold_pushes_until_the_morning(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    evening = datetime(2026, 11, 30, 22, 30, tzinfo=TZ)  # Ольга's default window: 21:00-07:00
    await set_preferences(sessions, accounts[MARIA], quiet_from=None, quiet_to=None)
    await write(sessions, with_marks(mark("M9", "S1", "5")), evening.astimezone(UTC))
    await _fan_out(sessions, evening.astimezone(UTC))
    rows = {row["account"]: row for row in await deliveries(sessions)}
    assert rows[accounts[OLGA]]["not_before"] == datetime(2026, 12, 1, 7, 0, tzinfo=TZ)
    assert rows[accounts[MARIA]]["not_before"] == evening  # she turned quiet hours off


async def test_a_push_soon_after_the_last_one_waits_for_the_window(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    from core.notify import deliveries as lifecycle

    await processed_everything(sessions, school.NOW)
    await write(sessions, with_marks(mark("M9", "S3", "5")), school.NOW)
    async with sessions() as session:
        await fan_out(session, school.NOW, RULES)
        claims = await lifecycle.claim_due(session, school.NOW)
        await lifecycle.record_sent(
            session, [lifecycle.Sent(c.delivery_ids, "1", school.NOW) for c in claims]
        )
        await session.commit()
    later = school.NOW + timedelta(seconds=20)
    await write(sessions, with_marks(mark("M9", "S3", "5"), mark("M10", "S3", "4")), later)
    await _fan_out(sessions, later)
    newest = [row for row in await deliveries(sessions) if row["object"][1] != 0][-2:]
    assert {row["account"] for row in newest} == {accounts[PAVEL], accounts[DMITRY]}
    assert {row["not_before"] for row in newest} == {school.NOW + timedelta(seconds=60)}


async def test_a_correction_inside_the_window_updates_the_pending_push(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    await write(sessions, with_marks(mark("M9", "S3", "3")), school.NOW)
    await _fan_out(sessions, school.NOW)
    fixed = school.NOW + timedelta(seconds=10)
    await write(sessions, with_marks(mark("M9", "S3", "4")), fixed)
    await _fan_out(sessions, fixed)
    rows = [row for row in await deliveries(sessions) if row["account"] == accounts[PAVEL]]
    assert [(str(r["kind"]), r["state"], r["error"]) for r in rows] == [
        ("mark_added", DeliveryState.SKIPPED, SUPERSEDED),
        ("mark_changed", DeliveryState.PENDING, None),
    ]
    async with sessions() as session:
        items = await push_items(session, accounts[PAVEL], [rows[1]["id"]], fixed)
    # Павел never saw the 3: to him it is simply a new mark, 4.
    assert [(i.kind, i.value, i.previous, i.student) for i in items] == [
        (ItemKind.NEW_MARK, "4", None, "Дмитрий")
    ]


async def test_a_mark_removed_inside_the_window_is_never_pushed(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    await write(sessions, with_marks(mark("M9", "S3", "2")), school.NOW)
    await _fan_out(sessions, school.NOW)
    removed = school.NOW + timedelta(seconds=10)
    await write(sessions, with_marks(mark("M9", "S3", "2") | {"deleted": "1"}), removed)
    await _fan_out(sessions, removed)
    rows = [row for row in await deliveries(sessions) if row["account"] == accounts[PAVEL]]
    assert [(str(r["kind"]), r["state"], r["error"]) for r in rows] == [
        ("mark_added", DeliveryState.SKIPPED, SUPERSEDED),
        ("mark_deleted", DeliveryState.SKIPPED, CANCELLED),
    ]


async def test_a_correction_after_the_push_went_out_says_so(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    from core.notify import deliveries as lifecycle

    await processed_everything(sessions, school.NOW)
    await write(sessions, with_marks(mark("M9", "S3", "3")), school.NOW)
    async with sessions() as session:
        await fan_out(session, school.NOW, RULES)
        claims = await lifecycle.claim_due(session, school.NOW)
        await lifecycle.record_sent(
            session, [lifecycle.Sent(c.delivery_ids, "7", school.NOW) for c in claims]
        )
        await session.commit()
    later = school.NOW + timedelta(minutes=5)
    await write(sessions, with_marks(mark("M9", "S3", "4")), later)
    await _fan_out(sessions, later)
    pending = [
        row
        for row in await deliveries(sessions)
        if row["account"] == accounts[PAVEL] and row["state"] == DeliveryState.PENDING
    ]
    async with sessions() as session:
        items = await push_items(session, accounts[PAVEL], [r["id"] for r in pending], later)
    assert [(i.kind, i.value, i.previous) for i in items] == [(ItemKind.CORRECTED_MARK, "4", "3")]


async def test_changes_later_than_tomorrow_wait_for_the_digest(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    tables = school.tables()
    tables["timetable_changes"].append(
        {
            "id": "CH9",
            "date": "2026-12-08",
            "period": "1",
            "class": "C7A",
            "kind": "room_change",
            "subject": "ALG",
            "room": "101",
        }
    )
    await write(sessions, tables, school.NOW)
    report = await _fan_out(sessions, school.NOW)
    assert report.events == 1
    assert report.pending == report.skipped == 0
    assert await deliveries(sessions) == []


async def test_quiet_hours_windows_come_from_the_settings_menu(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    from core.preferences import change_preference

    await processed_everything(sessions, school.NOW)
    async with sessions() as session:
        await change_preference(session, accounts[PAVEL], "quiet", "22-07")
        await session.commit()
    at = datetime(2026, 11, 30, 21, 30, tzinfo=TZ)
    await write(sessions, with_marks(mark("M9", "S3", "5")), at.astimezone(UTC))
    await _fan_out(sessions, at.astimezone(UTC))
    rows = {row["account"]: row["not_before"] for row in await deliveries(sessions)}
    assert rows[accounts[PAVEL]] == at  # 21:30 is before his 22:00
    assert rows[accounts[DMITRY]] == datetime(2026, 12, 1, 7, 0, tzinfo=TZ)
    assert time(7) == rows[accounts[DMITRY]].astimezone(TZ).time()
