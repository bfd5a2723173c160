"""Short leases renewed by a heartbeat (issue 15, item 8): a live notifier keeps every claim it
is still working on past the lease — through a slow send, a long 429 pause — while a dead one's
are free as soon as the lease runs out; a notifier whose renewals fail stops sending what it
could not renew and leaves it to the notifier that took it over, so nothing goes out twice; and
after a SIGKILL and a restart the dead notifier's batch is out within seconds, not minutes."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.notifier.service import Notifier
from core.clock import SystemClock
from core.models import Delivery
from core.models.enums import DeliveryState
from core.notify import deliveries
from core.notify.fanout import PushRules, fan_out
from tests.bot import school
from tests.fake_telegram import FakeTelegram
from tests.forkserver import Forked
from tests.notify.crowd import add_crowd, crowd_marks
from tests.notify.families import write
from tests.notify.notifier_kit import TZ, make_notifier, states
from tests.notify.processes import (
    START_PATIENCE,
    notifier_process,
    sent_counts,
    start,
    telegram_for,
    until,
)

LEASE = timedelta(seconds=15)
RULES = PushRules(timezone=TZ, window=timedelta(0))
SHORT = timedelta(seconds=3)  # the notifiers' lease below: renewed every second


def _ids(claims: list[deliveries.Claim]) -> set[int]:
    return {d for claim in claims for d in claim.delivery_ids}


async def _holders(
    sessions: async_sessionmaker[AsyncSession], ids: Collection[int]
) -> dict[int, tuple[DeliveryState, str | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Delivery.id, Delivery.state, Delivery.claimed_by).where(Delivery.id.in_(ids))
        )
        return {row.id: (DeliveryState(row.state), row.claimed_by) for row in rows}


async def test_renewed_claims_outlive_the_lease_and_unrenewed_ones_go_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await add_crowd(sessions, 6)
    await write(sessions, crowd_marks(6, 1), school.NOW)
    t0 = school.NOW + timedelta(minutes=1)
    async with sessions() as session:
        await fan_out(session, t0, RULES)
        live = _ids(await deliveries.claim_due(session, t0, limit=3, owner="live"))
        dead = _ids(await deliveries.claim_due(session, t0, limit=3, owner="dead"))
        await session.commit()
    assert len(live) == len(dead) == 3
    async with sessions() as session:
        for beat in (5, 10, 15):  # the live notifier's heartbeat; the dead one has none
            renewed = await deliveries.renew(session, live, "live", t0 + timedelta(seconds=beat))
            assert renewed == live
        # Another process, 16 s after the claims: only the dead notifier's lease ran out.
        requeued = await deliveries.requeue_stale(session, t0 + timedelta(seconds=16), LEASE)
        await session.commit()
    assert requeued == 3
    held = await _holders(sessions, live | dead)
    assert {held[d] for d in live} == {(DeliveryState.SENDING, "live")}
    assert {held[d] for d in dead} == {(DeliveryState.PENDING, None)}

    later = t0 + timedelta(seconds=17)
    async with sessions() as session:
        taken = _ids(await deliveries.claim_due(session, later, owner="other"))
        assert taken == dead
        # Had the "dead" one only stalled, it renews nothing now, and hands back nothing of
        # what another holds; the live one renews its own only.
        assert await deliveries.renew(session, live | dead, "dead", later) == set()
        assert await deliveries.renew(session, live | dead, "live", later) == live
        await deliveries.release(session, dead, later, "dead")
        await deliveries.retry_later(
            session,
            dead,
            later,
            delay=timedelta(seconds=2),
            error="late",
            attempts=1,
            max_attempts=5,
            owner="dead",
        )
        await session.commit()
    held = await _holders(sessions, dead)
    assert {held[d] for d in dead} == {(DeliveryState.SENDING, "other")}


async def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


def _pairs(tg: FakeTelegram) -> Counter[tuple[object, str]]:
    return Counter(
        (sent.chat_id, sent.plain_text or "") for sent in tg.sent if sent.method == "sendMessage"
    )


def _notifier(
    tg: FakeTelegram, sessions: async_sessionmaker[AsyncSession], per_second: float = 30
) -> Notifier:
    # The real clock, as in production: the lease is compared with claimed_at.
    return make_notifier(
        tg,
        sessions,
        SystemClock(),
        window=0,
        per_second=per_second,
        lease=SHORT,
        poll_interval=0.2,
        send_timeout=15.0,
    )


async def _sending(sessions: async_sessionmaker[AsyncSession]) -> int:
    return (await states(sessions))[DeliveryState.SENDING]


async def _another_process_requeues(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        requeued = await deliveries.requeue_stale(session, datetime.now(UTC), SHORT)
        await session.commit()
    return requeued


@pytest.mark.parametrize("fault", ["429 pause", "slow send"])
async def test_a_live_notifier_keeps_its_claims_past_the_lease(
    sessions: async_sessionmaker[AsyncSession], fault: str
) -> None:
    chats = await add_crowd(sessions, 8)
    await write(sessions, crowd_marks(8, 1), school.NOW)
    async with FakeTelegram() as tg:
        for chat in chats:
            tg.user(chat)
        if fault == "429 pause":
            tg.flood_next(1, retry_after=8, method="sendMessage")  # every send waits 8 s
        else:
            tg.hang_next(1, seconds=8, method="sendMessage")  # one send answered after 8 s
        notifier = _notifier(tg, sessions)
        task = asyncio.create_task(notifier.run())
        try:
            await _until(lambda: not tg.pending_faults)
            await asyncio.sleep(SHORT.total_seconds() + 2)  # the claims are older than the lease
            assert await _sending(sessions) >= 1  # still at work on them
            assert await _another_process_requeues(sessions) == 0  # yet renewed: none taken
            await _until(lambda: len(_pairs(tg)) == 8, 30)
        finally:
            notifier.stop()
            await asyncio.wait_for(task, timeout=30)
    assert set(_pairs(tg).values()) == {1}
    assert await states(sessions) == Counter({DeliveryState.SENT: 8})


async def test_a_notifier_whose_renewals_fail_stops_sending_and_leaves_its_claims_to_another(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = await add_crowd(sessions, 10)
    await write(sessions, crowd_marks(10, 1), school.NOW)
    async with FakeTelegram() as tg:
        for chat in chats:
            tg.user(chat)
        # One message a second: the first notifier holds the whole batch for ten seconds.
        first = _notifier(tg, sessions, per_second=1)
        renew = deliveries.renew
        broken = True

        async def flaky_renew(
            session: AsyncSession, ids: Collection[int], owner: str, now: datetime
        ) -> set[int]:
            if broken and owner == first.instance:  # the database is away for it alone
                raise OperationalError("UPDATE deliveries", {}, ConnectionResetError())
            return await renew(session, ids, owner, now)

        monkeypatch.setattr(deliveries, "renew", flaky_renew)
        task = asyncio.create_task(first.run())
        try:
            await _until(lambda: len(_pairs(tg)) >= 1)
            # Within two thirds of the lease after its claims it stops sending them...
            await asyncio.sleep(SHORT.total_seconds())
            stalled = len(_pairs(tg))
            await asyncio.sleep(1.5)
            assert len(_pairs(tg)) == stalled < 10
            # ...so another notifier can take them over once the lease has run out.
            second = _notifier(tg, sessions)
            await second.run_until_idle(patience=30)
            assert len(_pairs(tg)) == 10
            broken = False  # the first one's next renewal finds its claims gone: dropped
            await asyncio.sleep(2 * first.config.heartbeat + 0.5)
            assert first._queued() == 0
        finally:
            first.stop()
            await asyncio.wait_for(task, timeout=30)
    assert set(_pairs(tg).values()) == {1}  # nothing twice
    assert first.stats.sent == stalled
    assert second.stats.sent == 10 - stalled
    assert await states(sessions) == Counter({DeliveryState.SENT: 10})


# After the dead notifier's claims are free (the lease after its last heartbeat) or the new one
# is up, whichever is later: this long at most for the rest (≤ 150 messages at 30 a second, the
# dead batch among them, and a poll or two) on a loaded 2-core machine.
SLACK = 10.0


async def test_after_a_sigkill_and_a_restart_every_push_is_out_within_seconds(
    sessions: async_sessionmaker[AsyncSession],
    db_url: str,
    processes: list[Forked],
) -> None:
    chats = await add_crowd(sessions, 150)
    await write(sessions, crowd_marks(150, 1), school.NOW)
    async with FakeTelegram() as tg:
        telegram_for(tg, chats)
        command = notifier_process(tg, db_url)  # the default lease (15 s) and window (60 s)
        first = await start(processes, command)
        await until(lambda: sum(sent_counts(tg).values()) >= 30, START_PATIENCE)
        first.send_signal(signal.SIGKILL)  # mid-batch: its claims stay "sending"
        await first.wait()
        killed_at = time.monotonic()
        before = len(tg.sent)
        held = await _sending(sessions)
        assert held > 0, "the notifier was killed holding no claims"
        await start(processes, command)
        await until(lambda: set(sent_counts(tg)) == set(chats), START_PATIENCE + 60)
        await asyncio.sleep(1)  # a straggler would show now
        after = [s for s in tg.sent[before:] if s.method == "sendMessage"]
        counts = sent_counts(tg)
    first_new = after[0].at  # the restarted notifier is at work
    last = max(s.at for s in after)
    assert last <= max(killed_at + LEASE.total_seconds(), first_new) + SLACK
    # Only the batch in flight at the kill may repeat: its queue (60) and requests under way (16).
    assert sum(n - 1 for n in counts.values()) <= min(held, 76)
    for _ in range(100):  # the last sends are written back a moment after they were accepted
        if await states(sessions) == Counter({DeliveryState.SENT: 150}):
            break
        await asyncio.sleep(0.1)
    assert await states(sessions) == Counter({DeliveryState.SENT: 150})
