"""Scheduled messages: the jobs, their planning (once, for the right families) and what is sent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leader import SoleLeadership
from bot.scheduler import ScheduledJobs, create_scheduler
from core.clock import FrozenClock
from core.linking.invites import issue_invites
from core.models import Delivery, InviteCode, OutboxEvent
from core.models.enums import DeliveryState, EventKind
from core.notify.scheduled import KEEP_DELIVERIES, clean_up, plan_evening_digests
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.families import (
    DMITRY,
    MARIA,
    OLGA,
    PAVEL,
    PEOPLE,
    processed_everything,
    set_preferences,
)
from tests.notify.notifier_kit import TZ, make_notifier, texts_by_chat

MONDAY_EVENING = datetime(2026, 11, 30, 19, 0, tzinfo=TZ)


class NeverLeader:
    """Another process holds the lock."""

    is_leader = False

    async def try_acquire(self) -> bool:
        return False

    async def release(self) -> None:
        return None


async def _planned(sessions: async_sessionmaker[AsyncSession], kind: EventKind) -> list[int]:
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.account_id)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
            .where(OutboxEvent.kind == kind)
            .order_by(Delivery.account_id)
        )
        return list(rows.scalars())


def test_the_jobs_have_stable_ids_school_times_and_never_overlap() -> None:
    jobs = ScheduledJobs(None, FrozenClock(school.NOW), TZ, SoleLeadership())  # type: ignore[arg-type]
    scheduler = create_scheduler(jobs)
    found = {job.id: job for job in scheduler.get_jobs()}
    assert set(found) == {
        "evening-digest-1800",
        "evening-digest-1900",
        "evening-digest-2000",
        "evening-digest-2100",
        "weekly-summary",
        "early-warning",
        "clean-up",
        "privacy-purge",
        "leadership",
    }
    morning = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    fire = found["evening-digest-1900"].trigger.get_next_fire_time(None, morning)
    assert fire == datetime(2026, 11, 30, 19, 0, tzinfo=TZ)
    weekly = found["weekly-summary"].trigger.get_next_fire_time(None, morning)
    assert weekly == datetime(2026, 12, 6, 18, 0, tzinfo=TZ)  # Sunday
    assert found["leadership"].trigger.interval.total_seconds() == 15
    assert scheduler._job_defaults["coalesce"] is True  # APScheduler 3 has no getter
    assert scheduler._job_defaults["max_instances"] == 1


async def test_the_digest_is_planned_once_for_the_families_who_chose_the_hour(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await set_preferences(sessions, accounts[MARIA], digest_at=time(20, 0))
    await set_preferences(sessions, accounts[PAVEL], evening_digest=False)
    jobs = ScheduledJobs(sessions, FrozenClock(MONDAY_EVENING), TZ, SoleLeadership())
    assert await jobs.evening_digest(time(19, 0)) == 2
    assert await jobs.evening_digest(time(19, 0)) == 0  # a second run plans nothing
    assert await _planned(sessions, EventKind.EVENING_DIGEST) == sorted(
        [accounts[OLGA], accounts[DMITRY]]
    )
    assert await jobs.evening_digest(time(20, 0)) == 1
    assert accounts[MARIA] in await _planned(sessions, EventKind.EVENING_DIGEST)


async def test_no_digest_on_saturday_evening_and_none_by_a_follower(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    saturday = datetime(2026, 12, 5, 19, 0, tzinfo=TZ)
    async with sessions() as session:
        assert await plan_evening_digests(session, saturday.astimezone(UTC), TZ, time(19)) == 0
    follower = ScheduledJobs(sessions, FrozenClock(MONDAY_EVENING), TZ, NeverLeader())
    assert await follower.evening_digest(time(19, 0)) == 0
    assert await follower.weekly_summary() == 0
    assert await _planned(sessions, EventKind.EVENING_DIGEST) == []


async def test_the_digest_tells_tomorrows_changes_and_homework(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    clock = FrozenClock(MONDAY_EVENING)
    await ScheduledJobs(sessions, clock, TZ, SoleLeadership()).evening_digest(time(19, 0))
    async with FakeTelegram() as tg:
        for user_id in PEOPLE:
            tg.user(user_id)
        await make_notifier(tg, sessions, clock).run_until_idle()
        chats = texts_by_chat(tg)
    # 19:00 is inside no one's quiet hours, and the family chose it: it goes out now.
    assert sorted(chats) == sorted([OLGA, MARIA, PAVEL, DMITRY])
    [olga] = chats[OLGA]
    assert olga.startswith("🌙 For tomorrow, Tuesday, 1 December")
    assert "Анна Иванова, 7А" in olga
    assert "cancelled" in olga
    assert "№ 245, 247 <все>" in olga
    assert "Работа над ошибками" in olga  # Анна's own homework
    [pavel] = chats[PAVEL]
    assert "Работа над ошибками" not in pavel  # not his child's


async def test_the_weekly_summary_goes_to_each_family_on_sunday(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    sunday = FrozenClock(datetime(2026, 12, 6, 18, 0, tzinfo=TZ))
    assert await ScheduledJobs(sessions, sunday, TZ, SoleLeadership()).weekly_summary() == 4
    async with FakeTelegram() as tg:
        for user_id in PEOPLE:
            tg.user(user_id)
        await make_notifier(tg, sessions, sunday).run_until_idle()
        chats = texts_by_chat(tg)
    [olga] = chats[OLGA]
    assert "Анна" in olga
    assert "Алгебра" in olga
    assert "ОРВИ" not in olga
    assert sorted(chats) == sorted([OLGA, MARIA, PAVEL, DMITRY])


async def test_clean_up_drops_old_records_and_spent_invites_only(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    clock = FrozenClock(school.NOW)
    await processed_everything(sessions, school.NOW)
    async with sessions() as session:
        await issue_invites(
            session, now=school.NOW, today=school.TODAY, person="G2", ttl=timedelta(days=1)
        )
        await session.commit()
    await ScheduledJobs(sessions, clock, TZ, SoleLeadership()).evening_digest(time(19))
    async with sessions() as session:
        before = (await session.execute(select(func.count(OutboxEvent.id)))).scalar_one()
        invites = (await session.execute(select(func.count(InviteCode.id)))).scalar_one()
        report = await clean_up(session, school.NOW + timedelta(days=2))
        assert report.events == 0  # nothing is old yet
        assert report.invites == 0  # expired a day ago: kept a while for the record
        much_later = school.NOW + KEEP_DELIVERIES + timedelta(days=1)
        # The digests are still pending: never dropped before they went out.
        report = await clean_up(session, much_later)
        assert report.events == before - 4
        assert report.invites == invites
        pending = await session.execute(
            select(func.count(Delivery.id)).where(Delivery.state == DeliveryState.PENDING)
        )
        assert pending.scalar_one() == 4
        await session.commit()
