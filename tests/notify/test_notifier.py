"""The notifier against the fake Bot API with the real aiogram client: what arrives, and what
happens when Telegram refuses, fails, hangs or asks us to slow down."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Account, Delivery
from core.models.enums import DeliveryState, PrivacyLevel
from tests.bot import school
from tests.bot.helpers import audit_actions
from tests.fake_telegram import FakeTelegram
from tests.notify.families import (
    DMITRY,
    KRYLOVA,
    MARIA,
    OLGA,
    ORLOV,
    PAVEL,
    PEOPLE,
    link_account,
    mark,
    processed_everything,
    set_preferences,
    with_marks,
    write,
)
from tests.notify.notifier_kit import TZ, make_notifier, states, texts_by_chat


def _everyone(tg: FakeTelegram) -> None:
    for user_id in PEOPLE:
        tg.user(user_id)


async def test_the_schools_news_reach_each_chat_once_as_one_message(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        _everyone(tg)
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        chats = texts_by_chat(tg)
    assert sorted(chats) == sorted([OLGA, PAVEL, MARIA, DMITRY, ORLOV])
    assert all(len(texts) == 1 for texts in chats.values())
    # In the account's language (English here); the school's names stay as the school wrote them.
    assert chats[OLGA] == [
        "🔔 7 updates:\n\n"
        "• 7А: lesson 2 on 30 November: substitution - Русский язык, Орлов П. И.\n"
        "• 7А: lesson 2 on 1 December (Русский язык) is cancelled\n"
        "• 7А: new homework in Алгебра for 1 December\n"
        "• Анна: new homework in Алгебра for 1 December\n"
        "• Анна: new mark in Алгебра: 4 (30 November)\n"
        "• Анна: new mark in Алгебра: 3 (1 December)\n"
        "• Анна: absent from lesson 2 on 30 November"
    ]
    assert chats[MARIA] == chats[OLGA]
    assert chats[ORLOV] == [
        "🔔 7А: lesson 2 on 30 November: substitution - Русский язык, Орлов П. И."
    ]
    assert await states(sessions) == Counter({DeliveryState.SENT: 23})
    assert notifier.stats.sent == 5
    async with sessions() as session:
        keys = set((await session.execute(select(Delivery.message_key))).scalars())
    assert None not in keys


async def test_three_marks_at_once_are_one_message(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    marks = [mark("M7", "S3", "5"), mark("M8", "S3", "4"), mark("M9", "S3", "5", subject="RUS")]
    await write(sessions, with_marks(*marks), school.NOW)
    async with FakeTelegram() as tg:
        _everyone(tg)
        await make_notifier(tg, sessions, clock).run_until_idle()
        chats = texts_by_chat(tg)
    assert chats[PAVEL] == [
        "🔔 3 new marks:\n\n"
        "• Дмитрий: new mark in Алгебра: 5 (30 November)\n"
        "• Дмитрий: new mark in Алгебра: 4 (30 November)\n"
        "• Дмитрий: new mark in Русский язык: 5 (30 November)"
    ]


async def test_the_minimal_privacy_level_leaves_values_out(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await set_preferences(sessions, accounts[PAVEL], privacy=PrivacyLevel.MINIMAL)
    await write(sessions, with_marks(mark("M9", "S3", "2")), school.NOW)
    async with FakeTelegram() as tg:
        _everyone(tg)
        await make_notifier(tg, sessions, clock).run_until_idle()
        pavel = [s for s in tg.sent if s.chat_id == PAVEL]
        dmitry = [s for s in tg.sent if s.chat_id == DMITRY]
    assert [s.plain_text for s in pavel] == ["🔔 Дмитрий: a new mark in Алгебра"]
    assert pavel[0].buttons == [("Show details", "pd1")]
    assert [s.plain_text for s in dmitry] == ["🔔 Дмитрий: new mark in Алгебра: 2 (30 November)"]
    assert dmitry[0].buttons == []


async def test_quiet_hours_hold_the_push_until_seven(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int]
) -> None:
    await processed_everything(sessions, school.NOW)
    night = datetime(2026, 11, 30, 23, 0, tzinfo=TZ).astimezone(UTC)
    clock = FrozenClock(night)
    await write(sessions, with_marks(mark("M9", "S3", "5")), night)
    async with FakeTelegram() as tg:
        _everyone(tg)
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        assert texts_by_chat(tg) == {}
        clock.move_to(datetime(2026, 12, 1, 7, 0, tzinfo=TZ))
        await notifier.run_until_idle()
        assert sorted(texts_by_chat(tg)) == [PAVEL, DMITRY]


async def test_a_user_who_blocked_the_bot_stops_receiving(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        _everyone(tg)
        tg.block(tg.user(PAVEL))
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        assert notifier.stats.blocked == 1
        assert PAVEL not in texts_by_chat(tg)
        clock.advance(timedelta(minutes=5))
        await write(sessions, with_marks(mark("M9", "S3", "5")), clock.now())
        await notifier.run_until_idle()
        assert notifier.stats.blocked == 1  # not even tried again
        assert len(texts_by_chat(tg)[DMITRY]) == 2
        assert PAVEL not in texts_by_chat(tg)
    async with sessions() as session:
        active = await session.get(Account, accounts[PAVEL])
        assert active is not None
        assert active.is_active is False
        pavel = await session.execute(
            select(Delivery.state, Delivery.last_error).where(
                Delivery.account_id == accounts[PAVEL]
            )
        )
        assert {state for state, _ in pavel} == {DeliveryState.SKIPPED}


async def test_a_chat_that_does_not_exist_is_treated_as_blocked(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    ghost = await link_account(sessions, 99, "G2")  # Павел again, from a chat Telegram lost
    async with FakeTelegram() as tg:
        await make_notifier(tg, sessions, clock).run_until_idle()
    async with sessions() as session:
        account = await session.get(Account, ghost)
        assert account is not None
        assert account.is_active is False


async def test_server_errors_are_retried_with_back_off_and_lose_nothing(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        _everyone(tg)
        tg.fail_next(2, 502, method="sendMessage")
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        assert notifier.stats.retried == 2
        assert len(texts_by_chat(tg)) == 3
        assert (await states(sessions))[DeliveryState.PENDING] > 0  # waiting for the back-off
        clock.advance(timedelta(seconds=3))
        await notifier.run_until_idle()
        chats = texts_by_chat(tg)
    assert sorted(chats) == sorted([OLGA, PAVEL, MARIA, DMITRY, ORLOV])
    assert all(len(texts) == 1 for texts in chats.values())
    assert await states(sessions) == Counter({DeliveryState.SENT: 23})
    # Each student's item is a read by its recipient, audited once although two sends were
    # retried: Анна's four items to each of her two guardians, Дмитрий's mark to two.
    actions = await audit_actions(sessions)
    assert actions.count("push") == 4 + 4 + 1 + 1


async def test_a_push_that_keeps_failing_is_recorded_as_failed_with_the_reason(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await write(sessions, with_marks(mark("M9", "S3", "5")), school.NOW)
    async with FakeTelegram() as tg:
        _everyone(tg)
        tg.fail_next(4, 500, method="sendMessage")
        notifier = make_notifier(tg, sessions, clock, max_attempts=2)
        await notifier.run_until_idle()
        clock.advance(timedelta(seconds=3))
        await notifier.run_until_idle()
        clock.advance(timedelta(minutes=10))
        await notifier.run_until_idle()
        assert texts_by_chat(tg) == {}
    async with sessions() as session:
        rows = (await session.execute(select(Delivery.state, Delivery.last_error))).all()
    assert {state for state, _ in rows} == {DeliveryState.FAILED}
    assert all((error or "").startswith("TelegramServerError") for _, error in rows)
    assert notifier.stats.failed == 2


async def test_a_hanging_request_is_retried_and_nothing_is_lost(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        _everyone(tg)
        tg.hang_next(1, seconds=3, method="sendMessage")
        notifier = make_notifier(tg, sessions, clock, send_timeout=1.0)
        await notifier.run_until_idle()
        assert notifier.stats.retried == 1  # the client gave up after its 1 s
        clock.advance(timedelta(seconds=5))
        await notifier.run_until_idle()
        await tg.wait_for(lambda sent: sent.method == "sendMessage", 5, timeout=10)
        chats = texts_by_chat(tg)
    assert sorted(chats) == sorted([OLGA, PAVEL, MARIA, DMITRY, ORLOV])
    # Telegram carried out the hung request after the client gave up: at most that one repeats.
    assert sum(len(texts) for texts in chats.values()) <= 6
    assert await states(sessions) == Counter({DeliveryState.SENT: 23})


async def test_a_429_pauses_sending_and_the_message_goes_out_after(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    async with FakeTelegram() as tg:
        _everyone(tg)
        tg.flood_next(1, retry_after=1, method="sendMessage")
        notifier = make_notifier(tg, sessions, clock)
        await notifier.run_until_idle()
        chats = texts_by_chat(tg)
        refused = [f for f in tg.failures if f.status == 429]
        after = [s.at for s in tg.sent if s.method == "sendMessage"]
    assert notifier.stats.rate_limited == 1
    assert len(refused) == 1
    assert min(after) - refused[0].at >= 0.9  # nothing left during the pause
    assert all(len(texts) == 1 for texts in chats.values())
    assert len(chats) == 5


async def test_staff_without_a_substitution_and_switched_off_kinds_hear_nothing(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    for kind in ("marks", "absences", "timetable_changes", "homework"):
        await set_preferences(sessions, accounts[MARIA], **{kind: False})
    async with FakeTelegram() as tg:
        _everyone(tg)
        await make_notifier(tg, sessions, clock).run_until_idle()
        chats = texts_by_chat(tg)
    assert MARIA not in chats
    assert KRYLOVA not in chats
    assert OLGA in chats


class _DatabaseAway:
    """A sessionmaker whose first ``failures`` sessions fail as a lost database does."""

    def __init__(self, real: async_sessionmaker[AsyncSession], failures: int) -> None:
        self.real = real
        self.failures = failures

    def __call__(self) -> AsyncSession:
        if self.failures:
            self.failures -= 1
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database is down"))
        return self.real()


async def test_the_notifier_outlives_a_database_outage(
    sessions: async_sessionmaker[AsyncSession], accounts: dict[int, int], clock: FrozenClock
) -> None:
    flaky = _DatabaseAway(sessions, failures=3)
    async with FakeTelegram() as tg:
        _everyone(tg)
        notifier = make_notifier(tg, flaky, clock, poll_interval=0.1)  # type: ignore[arg-type]
        task = asyncio.create_task(notifier.run())
        try:
            await tg.wait_for(lambda sent: sent.method == "sendMessage", 5, timeout=20)
        finally:
            notifier.stop()
            await asyncio.wait_for(task, timeout=20)
    assert flaky.failures == 0
    assert await states(sessions) == Counter({DeliveryState.SENT: 23})
