"""``REDIS_URL``: the FSM and the per-user throttle shared through a real ``redis-server``.

Without it both stay in the process's memory; with it a conversation survives the process
(a new dispatcher on the same Redis finishes it), the throttle counts by the memory's rule
however the updates are spread over processes, and a Redis that does not answer costs no
answer (the process falls back to its memory and says so once, without personal data).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotConfig, create_dispatcher
from bot.middlewares.throttle import SharedBuckets, ThrottlingMiddleware
from bot.shared_state import (
    FSM_TTL,
    Outage,
    ResilientEventIsolation,
    ResilientRedisStorage,
    redis_client,
)
from bot.storage import LeanMemoryStorage
from core.clock import FrozenClock
from core.messaging.compose import Draft, DraftKind
from core.messaging.dto import Attachment
from core.models.enums import AnnouncementAudience, AttachmentKind
from handlers.states import Linking
from tests.bot.conftest import clock, sessions
from tests.bot.driver import TIMEZONE, ChatDriver
from tests.bot.helpers import AGREE, invite
from tests.redis_server import free_port, redis_server, redis_url

__all__ = ["clock", "redis_server", "redis_url", "sessions"]

PHONE = "+79220000012"


def _throttle(dp: Dispatcher) -> ThrottlingMiddleware:
    [throttle] = [m for m in dp.update.outer_middleware if isinstance(m, ThrottlingMiddleware)]
    return throttle


def _redis_dispatcher(
    url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock, **config: Any
) -> Dispatcher:
    return create_dispatcher(BotConfig(timezone=TIMEZONE, redis_url=url, **config), sessions, clock)


async def test_without_redis_url_state_and_throttle_stay_in_memory(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    dp = create_dispatcher(BotConfig(timezone=ZoneInfo("Asia/Yekaterinburg")), sessions, clock)
    assert type(dp.storage) is LeanMemoryStorage
    assert _throttle(dp)._shared is None
    assert not isinstance(dp.fsm.events_isolation, ResilientEventIsolation)


async def test_one_users_updates_take_turns_across_processes_and_others_do_not_wait(
    redis_url: str,
) -> None:
    """Two processes (two isolations on one Redis) get two updates of one user at once: the
    second waits for the first; another user's update runs beside them."""
    client = Redis.from_url(redis_url)
    first, second = ResilientEventIsolation(client), ResilientEventIsolation(client)
    olga = StorageKey(bot_id=42, chat_id=10, user_id=10)
    ivan = StorageKey(bot_id=42, chat_id=11, user_id=11)
    spans: dict[str, tuple[float, float]] = {}

    async def handle(isolation: ResilientEventIsolation, key: StorageKey, name: str) -> None:
        async with isolation.lock(key):
            started = asyncio.get_running_loop().time()
            await asyncio.sleep(0.3)
            spans[name] = (started, asyncio.get_running_loop().time())

    try:
        await asyncio.gather(
            handle(first, olga, "olga on A"),
            handle(second, olga, "olga on B"),
            handle(second, ivan, "ivan on B"),
        )
        (a_start, a_end), (b_start, b_end) = spans["olga on A"], spans["olga on B"]
        assert a_end <= b_start or b_end <= a_start, spans  # never at once
        ivan_start = spans["ivan on B"][0]
        assert ivan_start < max(a_start, b_start), spans  # did not wait behind Olga
        assert await client.keys("journal:lock:*") == []  # released, nothing left behind
    finally:
        await client.aclose()


async def test_a_lock_is_renewed_while_the_update_is_handled_and_not_for_ever(
    redis_url: str,
) -> None:
    """The lease (1 s here, wide enough for a loaded CI machine's late renewals) outlives a
    handler two and a half times its length, but not a stuck one past ``hold``: the next
    update then waits no longer than that."""
    client = Redis.from_url(redis_url)
    olga = StorageKey(bot_id=42, chat_id=10, user_id=10)
    loop = asyncio.get_running_loop()
    try:
        first = ResilientEventIsolation(client, timeout=1.0, hold=10.0)
        second = ResilientEventIsolation(client, timeout=1.0, hold=10.0)
        released = asyncio.Event()

        async def long_handler() -> None:
            await _hold(first, olga, seconds=2.5, holding=holding)
            released.set()

        holding = asyncio.Event()
        task = asyncio.create_task(long_handler())
        await holding.wait()
        async with second.lock(olga):
            assert released.is_set()  # waited for the whole handler, not for one lease
        await task

        stuck = ResilientEventIsolation(client, timeout=1.0, hold=1.5)
        holding = asyncio.Event()
        hung = asyncio.create_task(_hold(stuck, olga, seconds=10.0, holding=holding))
        await holding.wait()
        started = loop.time()
        async with second.lock(olga):
            waited = loop.time() - started
        assert 1.2 < waited < 5.0, waited  # the stuck one's lease ran out after about hold + lease
        hung.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await hung
    finally:
        await client.aclose()


async def _hold(
    isolation: ResilientEventIsolation, key: StorageKey, *, seconds: float, holding: asyncio.Event
) -> None:
    async with isolation.lock(key):
        holding.set()
        await asyncio.sleep(seconds)


async def test_a_lock_of_a_dead_process_expires_and_a_dead_redis_locks_nothing(
    redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = Redis.from_url(redis_url)
    olga = StorageKey(bot_id=42, chat_id=10, user_id=10)
    try:
        # A process died holding Olga's lock: her next update waits for the expiry only.
        dead = ResilientEventIsolation(client, timeout=0.5)
        await client.set("journal:lock:42:10:10:default:lock", "dead process", px=500)
        started = asyncio.get_running_loop().time()
        async with dead.lock(olga):
            waited = asyncio.get_running_loop().time() - started
        assert 0.2 < waited < 2.0, waited
    finally:
        await client.aclose()
    gone = ResilientEventIsolation(Redis.from_url(f"redis://127.0.0.1:{free_port()}/0"))
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            async with gone.lock(olga):
                pass  # handled at once, unlocked
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.shared_state"]
    assert len(warnings) == 1, warnings
    assert "10" not in warnings[0]


async def test_a_code_waiting_for_consent_survives_the_process(
    redis_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    first = ChatDriver(sessions, clock)
    first.dp = _redis_dispatcher(redis_url, sessions, clock, throttle_rate=1000.0)
    olga = first.user(10)
    [consent] = await first.send(olga, f"/start {await invite(sessions, 'G1')}")
    assert "152-ФЗ" in (consent.text or "")
    await first.dp.emit_shutdown()  # the process ends: its storage and client are closed

    second = ChatDriver(sessions, clock)  # another process, or the same one restarted
    second.dp = _redis_dispatcher(redis_url, sessions, clock, throttle_rate=1000.0)
    answers = await second.press(olga, AGREE)
    linked = [a.text for a in answers if a.text]
    assert any("Анна Иванова, 7А" in text for text in linked), linked
    await second.dp.emit_shutdown()


async def test_fsm_keys_are_the_journals_and_expire(redis_url: str) -> None:
    storage = ResilientRedisStorage(redis_client(redis_url))
    key = StorageKey(bot_id=42, chat_id=10, user_id=10)
    await storage.set_state(key, Linking.awaiting_consent)
    await storage.set_data(key, {"code": "ABC", "phone": PHONE})
    other_bot = StorageKey(bot_id=43, chat_id=10, user_id=10)  # a school's own bot, or MAX
    assert await storage.get_state(other_bot) is None
    inspect = Redis.from_url(redis_url)
    try:
        keys = sorted(k.decode() for k in await inspect.keys("*"))
        assert keys, "nothing written"
        assert all(k.startswith("journal:fsm:42:") for k in keys), keys
        for each in keys:
            assert 0 < await inspect.ttl(each) <= FSM_TTL.total_seconds()
    finally:
        await inspect.aclose()
        await storage.close()


async def test_a_draft_crosses_processes_whole(redis_url: str) -> None:
    """The richest state (a draft with files, the adapter's extra) comes back from Redis's
    JSON as the same draft, as it does from memory."""
    draft = Draft(
        kind=DraftKind.ANNOUNCE,
        heading="To 7А",
        text="Собрание в четверг",
        files=(
            Attachment(AttachmentKind.PHOTO, "photo-key", None, "image/jpeg", 2048),
            Attachment(AttachmentKind.DOCUMENT, "doc-key", "план.pdf", "application/pdf", None),
        ),
        class_id=3,
        audience=AnnouncementAudience.GUARDIANS.value,
        ack=True,
        extra={"preview": 17},
    )
    key = StorageKey(bot_id=42, chat_id=10, user_id=10)
    writer = ResilientRedisStorage(redis_client(redis_url))
    reader = ResilientRedisStorage(redis_client(redis_url))  # another process
    try:
        await writer.set_data(key, draft.to_state())
        assert Draft.from_state(await reader.get_data(key)) == draft
    finally:
        await writer.close()
        await reader.close()


def _scenario() -> list[tuple[float, int]]:
    """(seconds, user): bursts, a refill in the middle, two users, a long pause."""
    return [
        *[(0.0, 1)] * 5,
        (0.0, 2),
        (0.4, 1),
        (0.55, 1),
        (0.55, 1),
        (0.6, 1),
        (1.6, 1),
        (1.6, 1),
        (10.0, 1),
        *[(10.0, 2)] * 4,
    ]


async def test_the_shared_throttle_follows_the_memory_rule_across_processes(
    redis_url: str,
) -> None:
    now = [1_000_000.0]
    memory = ThrottlingMiddleware(rate=2.0, burst=3, monotonic=lambda: now[0])
    client = Redis.from_url(redis_url)
    processes = [
        SharedBuckets(client, rate=2.0, burst=3, namespace="telegram", clock=lambda: now[0])
        for _ in range(2)
    ]
    try:
        expected, shared = [], []
        for i, (seconds, user) in enumerate(_scenario()):
            now[0] = 1_000_000.0 + seconds
            expected.append(memory._allow(user))
            shared.append(await processes[i % 2].take(user))  # alternating between processes
        assert shared == expected
        # The rule did something: refusals, one warning per burst, and refills.
        assert expected[:5] == [(True, False)] * 3 + [(False, True), (False, False)]
        assert (True, False) in expected[7:]
        assert 0 < await client.pttl("journal:throttle:telegram:1") <= (3 / 2.0 + 1) * 1000
    finally:
        await client.aclose()


async def test_a_dead_redis_costs_no_answer_and_is_logged_once_without_the_user(
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    driver = ChatDriver(sessions, clock)
    driver.dp = _redis_dispatcher(dead, sessions, clock, throttle_rate=0.001, throttle_burst=4)
    user_id = 7_654_321
    olga = driver.user(user_id, language="en")
    with caplog.at_level(logging.WARNING):
        # The conversation state falls back to memory: the consent still finds its code.
        [consent] = await driver.send(olga, f"/start {await invite(sessions, 'G1')}")
        assert "152" in (consent.text or "")
        linked = [a.text or "" for a in await driver.press(olga, AGREE)]
        assert any("Анна Иванова" in text for text in linked), linked
        # The throttle falls back to memory by the same rule: a burst of 4 updates (two
        # above, two /help), then one warning, then silence.
        helps = [await driver.send(olga, "/help") for _ in range(4)]
    assert [len(answers) for answers in helps] == [1, 1, 1, 0]
    assert ["What I can do" in (answers[0].text or "") for answers in helps[:3]] == [
        True,
        True,
        False,
    ]
    assert "Too many requests" in (helps[2][0].text or "")
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.shared_state"]
    # One warning per part (state, throttle, the user's lock) for the whole outage, not one
    # per update.
    assert len(warnings) == 3, warnings
    assert all("memory" in w and str(user_id) not in w for w in warnings)
    await driver.dp.emit_shutdown()


def test_an_outage_pauses_redis_then_it_is_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    outage = Outage("the test", retry_after=5.0, monotonic=lambda: now[0])
    assert not outage.down
    with caplog.at_level(logging.INFO):
        outage.failed(ConnectionError("refused"))
        now[0] = 4.9
        assert outage.down
        outage.failed(ConnectionError("refused"))  # still the same outage: no new warning
        now[0] = 10.0
        assert not outage.down  # tried again
        outage.answered()
    levels = [r.levelno for r in caplog.records if r.name == "bot.shared_state"]
    assert levels == [logging.WARNING, logging.INFO]
    assert timedelta(hours=1) <= FSM_TTL <= timedelta(days=7)
