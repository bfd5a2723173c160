"""Stopping the notifier: ``stop()`` then awaiting its task returns in a bounded time whatever it
was doing (a send hanging, idle, a full queue waiting on the pacer, an answer arriving at the
very moment of the stop), and a new notifier delivers the rest: every push once.

A graceful stop repeats nothing: the sends in flight are let finish (up to the send timeout)
and recorded, the queue is handed back; only a crash repeats the batch in flight.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notifier.service import Notifier
from core.clock import FrozenClock
from core.models.enums import DeliveryState
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.notify.crowd import add_crowd, crowd_marks
from tests.notify.families import write
from tests.notify.notifier_kit import make_notifier, states

SEND_TIMEOUT = 4.0
# A stop waits for the sends in flight up to the send timeout (+1 s), then records them and
# hands the queue back: it must be over well within this.
STOP_BOUND = SEND_TIMEOUT + 6.0


async def _crowd(
    sessions: async_sessionmaker[AsyncSession], tg: FakeTelegram, chats: int, each: int
) -> int:
    for chat in await add_crowd(sessions, chats):
        tg.user(chat)
    await write(sessions, crowd_marks(chats, each), school.NOW)
    return chats * each


def _notifier(
    tg: FakeTelegram, sessions: async_sessionmaker[AsyncSession], per_second: float = 30
) -> Notifier:
    # Coalescing off: each mark is a message of its own, one (chat, text) pair.
    return make_notifier(
        tg,
        sessions,
        FrozenClock(school.NOW),
        window=0,
        per_second=per_second,
        timeout=SEND_TIMEOUT,
        send_timeout=SEND_TIMEOUT,
        poll_interval=0.2,
    )


def _pairs(tg: FakeTelegram) -> Counter[tuple[object, str]]:
    return Counter(
        (sent.chat_id, sent.plain_text or "") for sent in tg.sent if sent.method == "sendMessage"
    )


async def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.01)


async def _stop(notifier: Notifier, task: asyncio.Task[None], bound: float = STOP_BOUND) -> float:
    """Stop ``notifier``; the seconds its task took to end (fails past ``bound``)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    notifier.stop()
    await asyncio.wait_for(task, timeout=bound)
    return loop.time() - started


async def _finish_and_check(
    tg: FakeTelegram,
    sessions: async_sessionmaker[AsyncSession],
    expected: int,
    per_second: float = 30,
) -> None:
    """A new notifier delivers the rest; every push arrived exactly once."""
    # As a new process would, it starts after the old pacer's last slot (which it cannot know).
    await asyncio.sleep(max(1.0, 1 / per_second) + 0.1)
    await _notifier(tg, sessions, per_second).run_until_idle(patience=120)
    pairs = _pairs(tg)
    assert len(pairs) == expected  # nothing lost
    assert [pair for pair, n in pairs.items() if n > 1] == []  # nothing repeated
    assert await states(sessions) == Counter({DeliveryState.SENT: expected})
    assert tg.too_many_requests == 0


async def test_a_stop_while_a_send_hangs_waits_for_it_and_repeats_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakeTelegram() as tg:
        expected = await _crowd(sessions, tg, 12, 2)
        tg.limits()
        notifier = _notifier(tg, sessions)
        task = asyncio.create_task(notifier.run())
        await _until(lambda: len(tg.sent) >= 3)
        tg.hang_next(1, seconds=2.5, method="sendMessage")
        await _until(lambda: not tg.pending_faults)  # a send is hanging now
        took = await _stop(notifier, task)
        assert took >= 1.0  # it waited for the hanging send...
        assert not notifier._in_flight  # ...which is over and recorded
        assert notifier.stats.sent >= 4
        await _finish_and_check(tg, sessions, expected)


async def test_a_send_hanging_past_the_timeout_does_not_hold_the_stop(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakeTelegram() as tg:
        expected = await _crowd(sessions, tg, 6, 1)
        notifier = _notifier(tg, sessions)
        tg.hang_next(1, seconds=60, method="sendMessage")
        task = asyncio.create_task(notifier.run())
        await _until(lambda: not tg.pending_faults)
        await _stop(notifier, task)
        assert not notifier._in_flight  # nothing of it is left running
        assert len(_pairs(tg)) <= expected


async def test_a_stop_while_idle_is_prompt_and_the_next_notifier_sends_everything(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakeTelegram() as tg:
        for _round in range(3):
            notifier = _notifier(tg, sessions)
            task = asyncio.create_task(notifier.run())
            await asyncio.sleep(0.3)  # nothing to send: it waits for the outbox
            assert await _stop(notifier, task, bound=5.0) < 5.0
        expected = await _crowd(sessions, tg, 10, 2)
        assert tg.sent == []
        await _finish_and_check(tg, sessions, expected)


async def test_a_stop_while_the_queue_is_full_and_paced_hands_the_queue_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with FakeTelegram() as tg:
        # 5 a second: the queue (10 messages) fills at once and waits on the pacer's schedule.
        expected = await _crowd(sessions, tg, 30, 2)
        tg.limits(global_per_second=5)
        notifier = _notifier(tg, sessions, per_second=5)
        task = asyncio.create_task(notifier.run())
        await _until(lambda: len(tg.sent) >= 4)
        assert notifier._queued() > 0
        await _stop(notifier, task, bound=5.0)
        assert notifier._queued() == 0
        assert len(_pairs(tg)) < expected
        await _finish_and_check(tg, sessions, expected, per_second=5)


async def test_stops_at_any_moment_of_a_busy_run_end_and_lose_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Answers come back every 33 ms and each one wakes the dispatcher: a stop lands beside
    # one sooner or later (the stop that once hung for good).
    async with FakeTelegram() as tg:
        expected = await _crowd(sessions, tg, 40, 2)
        tg.limits()
        for stop_after in (5, 15, 25, 35, 45, 55):
            notifier = _notifier(tg, sessions)
            task = asyncio.create_task(notifier.run())
            await _until(lambda: len(tg.sent) >= stop_after)  # noqa: B023 (awaited here)
            await _stop(notifier, task)
            await asyncio.sleep(1.0)  # the chats' one-a-second limit of the old pacer
        await _finish_and_check(tg, sessions, expected)


async def test_the_dispatcher_ends_when_cancelled_as_its_wake_up_fires(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # The exact moment of the hang: the dispatcher waits for the pacer's next slot, an answer
    # wakes it, and the stop cancels it before it has resumed. asyncio.wait_for (Python 3.11)
    # swallowed that cancellation, so the dispatcher went on waiting and the stop never ended.
    async with FakeTelegram() as tg:
        expected = await _crowd(sessions, tg, 3, 1)
        notifier = _notifier(tg, sessions, per_second=0.5)  # a slot every 2 s
        with_dispatcher = notifier._dispatching()
        await with_dispatcher.__aenter__()
        loop = asyncio.get_running_loop()
        try:
            assert await notifier._step() == expected
            await _until(lambda: len(tg.sent) == 1 and not notifier._in_flight)
            await asyncio.sleep(0.05)  # the dispatcher waits for the next slot
            notifier._queue_changed.set()
            await asyncio.sleep(0)  # the wake-up is done, the dispatcher not yet resumed
        finally:
            started = loop.time()
            await asyncio.wait_for(with_dispatcher.__aexit__(None, None, None), timeout=10.0)
        # (A wait_for on the exit is not proof enough: the old exit swallowed that very
        # cancellation too and returned once the dispatcher had sent the whole queue.)
        assert loop.time() - started < 1.0
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "notifier-dispatch"]
        assert len(tg.sent) == 1  # nothing left after the stop
        assert notifier._queued() == 0  # the queue was handed back
        await _finish_and_check(tg, sessions, expected, per_second=0.5)
