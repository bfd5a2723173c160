"""The notifier: outbox → deliveries → each account's messenger, within its limits, losing nothing.

Each bot (Telegram's shared one, schools' own, MAX's) has its own pacer, since the messengers'
limits are per bot, so one bot's budget or 429 never holds up another; a process that serves
only some bots claims only their accounts' pushes.

Two tasks. The *filler* fans new outbox events out to deliveries, returns deliveries left
``sending`` by a dead notifier to ``pending`` once their lease is over, claims the due ones
(one message per chat; the chat's other pushes wait in the database) and renders them in each
account's language; it tops the queue up when it has drained to half, so the database is asked
in batches while the queue keeps sending. The *dispatcher* sends them in the pacer's order
(each messenger's queue is ordered by when its chat may next be sent to, so a chat that has to
wait holds up no other), several at a time, so a slow or hanging request holds up no other
chat. Outcomes are written back in batches.

Failures: a 429 pauses every send for its ``retry_after`` and the message waits in the queue;
"blocked" or "chat not found" marks the account inactive and skips what was queued for it;
network errors and 5xx go back to pending with exponential back-off until ``max_attempts``,
then are recorded as failed with the reason. A crash leaves the claimed deliveries ``sending``;
they repeat after the lease, so at most the batch in flight is sent twice.

Leases are short (15 s) because a live notifier renews them: a third task, the *heartbeat*,
renews every claim it still holds (queued, in flight, or sent and not yet recorded) every
third of the lease, in one statement by primary key, so a dead notifier's claims are free
seconds after it died while a slow send or a long 429 pause keeps its own. A message is sent
only while its claim was renewed less than two thirds of a lease ago, so a third of the lease
(5 s) is left before another notifier could take it; when renewals fail (the database is away
for us) the messages wait, and go out after the next renewal — or, if meanwhile the claim ran
out and another notifier took it, are dropped here: that one sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import asyncpg
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.utils.i18n import I18n
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import count_push
from bot.notifier.compose import Message, compose, file_messages
from bot.notifier.pacer import PaceLimits, Pacer, SharedBudget
from bot.notifier.wakeup import PollingWakeup, Wakeup
from core.clock import Clock
from core.messaging.dto import Attachment
from core.models.enums import AttachmentKind, Messenger
from core.notify import deliveries
from core.notify.content import audit_pushes, claimed_items
from core.notify.deliveries import Route, Sent
from core.notify.fanout import PushRules, fan_out

logger = logging.getLogger(__name__)

NOTHING_TO_SAY = "nothing left to say"
FILE_ATTEMPTS = 3  # a file that follows a message is tried this often, then given up


@dataclass(frozen=True)
class NotifierConfig:
    rules: PushRules
    limits: PaceLimits = field(default_factory=PaceLimits)
    default_locale: str = "ru"
    poll_interval: float = 2.0  # seconds between looks at the outbox when nothing woke us
    claim_limit: int = 100  # deliveries looked at per claim
    # A claim not renewed for this long belongs to a dead notifier (renewed every third of it).
    lease: timedelta = timedelta(seconds=15)
    # Other messengers' budgets (MAX); a messenger not named here uses ``limits``.
    messenger_limits: Mapping[Messenger, PaceLimits] = field(default_factory=dict)
    max_attempts: int = 5
    send_timeout: float = 15.0
    max_in_flight: int = 16
    backoff_cap: float = 300.0
    fan_out_batch: int = 500

    @property
    def heartbeat(self) -> float:
        """Seconds between renewals: a third of the lease, so one failed renewal still leaves
        a third of it before the claims could run out."""
        return self.lease.total_seconds() / 3

    @property
    def queue_limit(self) -> int:
        # About two seconds of sending: enough to keep the pipe full, little to repeat on a crash.
        return max(10, int(self.limits.per_second * 2))


@dataclass
class NotifierStats:
    sent: int = 0
    rate_limited: int = 0  # 429 answers
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0


@dataclass(order=True)
class _Queued:
    ready_at: float  # when its chat may next be sent to (a lower bound; refreshed at the head)
    seq: int
    message: Message = field(compare=False)


@dataclass
class _Lane:
    """One budget's queue: the messages its pacer sends, by when their chats are ready."""

    pacer: Pacer
    heap: list[_Queued] = field(default_factory=list)


class Notifier:
    def __init__(
        self,
        bot: Bot | Mapping[Messenger, Bot] | Mapping[Route, Bot],
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        config: NotifierConfig,
        i18n: I18n,
        *,
        wakeup: Wakeup | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        shared: Mapping[Route, SharedBudget] | None = None,
    ) -> None:
        # One bot for every account (the console, tests), or one per bot served: a messenger's
        # main bot (a Messenger key stands for it) and schools' own bots (bot/school_bots.py).
        self.bots: dict[Route, Bot] | None = None
        if isinstance(bot, Bot):
            self.bot = bot
        else:
            self.bots = {
                key if isinstance(key, Route) else Route(key): each for key, each in bot.items()
            }
            self.bot = next(iter(self.bots.values()))
        self.sessions = sessions
        self.clock = clock
        self.config = config
        self.i18n = i18n
        self.wakeup = wakeup or PollingWakeup()
        self.stats = NotifierStats()
        self._monotonic = monotonic
        # Each bot's answers in this process, which spend its budget too (pacer.py).
        self._shared = dict(shared or {})
        self._lanes: dict[Route | None, _Lane] = {}
        self._seq = itertools.count()
        self._queued_accounts: Counter[int] = Counter()
        self._queue_changed = asyncio.Event()
        self._slots = asyncio.Semaphore(config.max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._outcomes: list[tuple[str, Message, str]] = []
        self._sent: list[Sent] = []
        self._stopping = asyncio.Event()
        self._closing = False  # the dispatcher is to end (set on the way out of _dispatching)
        # The claims this notifier holds, by delivery id: when their lease last started (on
        # the monotonic clock, taken before the claim or renewal statement), for the heartbeat
        # to renew and the dispatcher to check. ``instance`` is written as ``claimed_by``.
        self.instance = uuid.uuid4().hex
        self._held: dict[int, float] = {}
        self._parked: list[Message] = []  # claims too long unrenewed: wait for a renewal
        # One write to the held claims at a time: the renewal and the outcomes' records touch
        # the same rows, and two transactions locking them in different orders deadlock.
        self._claims_lock = asyncio.Lock()

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Until :meth:`stop`: fill, send, record; sleep until woken or the poll is due."""
        try:
            await self.wakeup.start()
        except (OSError, asyncpg.PostgresError) as exc:
            # The outbox is still polled; the listener is only the fast path.
            logger.warning("outbox listener unavailable (%s); polling", type(exc).__name__)
            self.wakeup = PollingWakeup()
        try:
            async with self._dispatching():
                while not self._stopping.is_set():
                    try:
                        claimed = await self._step()
                    except (OSError, SQLAlchemyError) as exc:
                        # The database is away: nothing is lost (the outbox and the claims are
                        # in it); look again after a poll interval.
                        logger.warning("notifier step failed (%s); retrying", type(exc).__name__)
                        await self.wakeup.wait(self.config.poll_interval)
                        continue
                    if claimed:
                        continue
                    busy = bool(self._queued() or self._in_flight or self._outcomes or self._sent)
                    await self.wakeup.wait(0.05 if busy else self.config.poll_interval)
        finally:
            await self.wakeup.close()

    def stop(self) -> None:
        self._stopping.set()
        self.nudge()

    def nudge(self) -> None:
        """Look at the outbox now (the scheduler has just planned something)."""
        self.wakeup.nudge()

    async def run_until_idle(self, patience: float = 60.0) -> None:
        """Tests and the console: work until nothing is due or queued (or ``patience`` s)."""
        deadline = self._monotonic() + patience
        async with self._dispatching():
            while self._monotonic() < deadline:
                claimed = await self._step()
                if not claimed and not self._queued() and not self._in_flight:
                    await self._record()
                    if not await self._step():
                        break
                if not claimed:
                    await asyncio.sleep(0.02)

    @contextlib.asynccontextmanager
    async def _dispatching(self) -> AsyncIterator[None]:
        """The dispatcher runs for the block; on the way out the sends in flight are recorded
        and the unsent queue is handed back (if the database lets us)."""
        self._closing = False
        dispatcher = asyncio.create_task(self._dispatch_forever(), name="notifier-dispatch")
        heartbeat = asyncio.create_task(self._heartbeat_forever(), name="notifier-heartbeat")
        try:
            yield
        finally:
            await self._end(dispatcher)
            try:
                with contextlib.suppress(OSError, SQLAlchemyError):
                    await self._drain()  # the sends in flight stay renewed while it waits
            finally:
                while not heartbeat.done():  # bounded steps, as in _end
                    heartbeat.cancel()
                    await asyncio.wait({heartbeat}, timeout=0.5)
                self._held.clear()

    async def _end(self, dispatcher: asyncio.Task[None]) -> None:
        """End the dispatcher for certain. It is told twice — a flag it checks at every turn
        and a cancellation — and waited for in bounded steps: a cancellation that arrives just
        as its wait is woken can be swallowed on the way (``asyncio.wait_for`` of Python 3.11
        returns the wait's result instead), and awaiting it then never ended: the stop hung."""
        self._closing = True
        self._queue_changed.set()
        while not dispatcher.done():
            dispatcher.cancel()
            # Not ``await dispatcher``: our own cancellation must not be mistaken for its end.
            await asyncio.wait({dispatcher}, timeout=0.5)
        if not dispatcher.cancelled() and dispatcher.exception() is not None:
            logger.error("the dispatcher failed", exc_info=dispatcher.exception())

    async def _step(self) -> int:
        """Record finished sends, then fill the queue; the number of messages queued."""
        await self._record()
        room = self.config.queue_limit - self._queued() - len(self._in_flight)
        if room <= 0 or (self._queued() and room < self.config.queue_limit // 2):
            return 0  # still a second of sending queued: top up in one go, not message by message
        async with self.sessions() as session:
            now = self.clock.now()
            await deliveries.requeue_stale(session, now, self.config.lease)
            while True:
                report = await fan_out(
                    session, now, self.config.rules, limit=self.config.fan_out_batch
                )
                await session.commit()
                if report.events < self.config.fan_out_batch:
                    break
            # The lease starts now, not before a long fan-out: ``claimed_from`` is taken before
            # ``claimed_at`` so that this process never thinks a claim younger than it is.
            claimed_from = self._monotonic()
            now = self.clock.now()
            claims = await deliveries.claim_due(
                session,
                now,
                limit=min(self.config.claim_limit, room * 4),
                coalesce=self.config.rules.window > timedelta(0),
                busy=set(self._queued_accounts),
                routes=None if self.bots is None else set(self.bots),
                owner=self.instance,
            )
            # Audited when Telegram accepts the message (_record), not here.
            items = await claimed_items(
                session, {c.account_id: c.delivery_ids for c in claims}, now, audit=False
            )
            messages: list[Message] = []
            silent: list[int] = []
            for claim in claims:
                composed, nothing = await compose(
                    session,
                    claim,
                    items.get(claim.account_id, []),
                    now,
                    self.i18n,
                    self.config.default_locale,
                    self.config.rules.timezone,
                )
                messages += composed
                silent += nothing
            if silent:
                await deliveries.record_skipped(session, silent, now, NOTHING_TO_SAY)
                self.stats.skipped += len(silent)
                count_push("skipped", len(silent))
            await session.commit()
        for message in messages:
            for delivery_id in message.delivery_ids:
                self._held[delivery_id] = claimed_from
            self._enqueue(message)
        return len(messages)

    # -- sending ----------------------------------------------------------------------------

    def _bot(self, message: Message) -> Bot:
        return self.bot if self.bots is None else self.bots[message.route]

    def _lane(self, message: Message) -> _Lane:
        """The budget ``message`` is sent within: its bot's (one for all with one bot), since
        Telegram's limits are per bot; a messenger's limits are the same for each of its bots."""
        key = None if self.bots is None else message.route
        lane = self._lanes.get(key)
        if lane is None:
            limits = self.config.limits
            if key is not None:
                limits = self.config.messenger_limits.get(key.messenger, limits)
            lane = self._lanes[key] = _Lane(Pacer(limits, self._monotonic))
            if key is not None and key in self._shared:
                self._shared[key].attach(lane.pacer)
        return lane

    def _pacer(self, message: Message) -> Pacer:
        return self._lane(message).pacer

    def _queued(self) -> int:
        return sum(len(lane.heap) for lane in self._lanes.values()) + len(self._parked)

    def _enqueue(self, message: Message) -> None:
        lane = self._lane(message)
        ready = lane.pacer.chat_ready_at(message.chat_key)
        heapq.heappush(lane.heap, _Queued(ready, next(self._seq), message))
        self._queued_accounts[message.account_id] += 1
        self._queue_changed.set()

    async def _dispatch_forever(self) -> None:
        while not self._closing:
            # A slot first, then the message: nothing can reorder the queue between the choice
            # and the send.
            await self._slots.acquire()
            try:
                ready = await self._next_ready()
            except BaseException:
                self._slots.release()
                raise
            if ready is None:  # closing
                self._slots.release()
                return
            lane, message = ready
            if not self._claim_fresh(message):
                # Not renewed lately (the database is away for us): sent now, it might still
                # be under way when the lease runs out and another notifier sends it too.
                self._slots.release()
                self._parked.append(message)
                continue
            lane.pacer.take(message.chat_key)
            task = asyncio.create_task(self._send(message))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    async def _next_ready(self) -> tuple[_Lane, Message] | None:
        """Wait until some lane's budget and some chat in it are ready; take that message
        (None when the dispatcher is to end)."""
        while not self._closing:
            best: _Lane | None = None
            best_at = math.inf
            for lane in self._lanes.values():
                heap = lane.heap
                while heap:  # the head's chat may have been sent to since it was queued
                    head = heap[0]
                    ready = lane.pacer.chat_ready_at(head.message.chat_key)
                    if ready <= head.ready_at:
                        break
                    heapq.heapreplace(heap, _Queued(ready, head.seq, head.message))
                if heap:
                    at = max(heap[0].ready_at, lane.pacer.global_ready_at())
                    if best is None or at < best_at:
                        best, best_at = lane, at
            delay = best_at - self._monotonic()
            if best is not None and delay <= 0:
                return best, heapq.heappop(best.heap).message
            # Woken by a new message or an answer (which frees the budget), or when due.
            # asyncio.timeout, not wait_for: a cancellation is never lost on the way (see _end).
            self._queue_changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(None if math.isinf(delay) else delay):
                    await self._queue_changed.wait()
        return None

    def _claim_fresh(self, message: Message) -> bool:
        """Every claim of ``message`` renewed less than two thirds of a lease ago (a file
        that follows a sent message is no claim)."""
        oldest = self._monotonic() - (self.config.lease.total_seconds() - self.config.heartbeat)
        return all(self._held.get(d, -math.inf) > oldest for d in message.delivery_ids)

    # -- the heartbeat ----------------------------------------------------------------------

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat)
            try:
                await self._renew()
            except (OSError, SQLAlchemyError) as exc:
                logger.warning(
                    "claims not renewed (%s); their sends wait for a renewal", type(exc).__name__
                )
            except Exception:  # a heartbeat that died would hold every send back for good
                logger.exception("claims not renewed")

    async def _renew(self) -> None:
        """Renew every claim held; drop the messages of those that ran out and were taken by
        another notifier (that one sends them); send again what waited for a renewal."""
        async with self._claims_lock:
            held = dict(self._held)
            started = self._monotonic()
            kept: set[int] = set()
            if held:
                async with self.sessions() as session:
                    kept = await deliveries.renew(session, held, self.instance, self.clock.now())
                    await session.commit()
        if held:
            lost: set[int] = set()
            for delivery_id, since in held.items():
                if self._held.get(delivery_id) != since:
                    continue  # recorded (or recorded and claimed again) meanwhile
                if delivery_id in kept:
                    self._held[delivery_id] = started
                else:
                    lost.add(delivery_id)
            if lost:
                await self._forsake(lost)
        parked, self._parked = self._parked, []
        for message in parked:  # the dispatcher checks them again
            self._queued_accounts[message.account_id] -= 1
            self._enqueue(message)

    async def _forsake(self, lost: set[int]) -> None:
        """Claims this notifier no longer holds: their messages are not sent from here. A
        message that also held claims still ours hands those back, to go out on their own."""
        dropped: list[Message] = []
        for lane in self._lanes.values():
            keep = [q for q in lane.heap if lost.isdisjoint(q.message.delivery_ids)]
            if len(keep) != len(lane.heap):
                dropped += [
                    q.message for q in lane.heap if not lost.isdisjoint(q.message.delivery_ids)
                ]
                lane.heap[:] = keep
                heapq.heapify(lane.heap)
        dropped += [m for m in self._parked if not lost.isdisjoint(m.delivery_ids)]
        self._parked = [m for m in self._parked if lost.isdisjoint(m.delivery_ids)]
        ours = [d for m in dropped for d in m.delivery_ids if d not in lost]
        for delivery_id in lost | set(ours):
            self._held.pop(delivery_id, None)
        for message in dropped:
            self._done(message)
        logger.warning(
            "%d claims ran out unrenewed and went to another notifier; %d messages dropped here",
            len(lost),
            len(dropped),
        )
        if ours:
            async with self._claims_lock, self.sessions() as session:
                await deliveries.release(session, ours, self.clock.now(), self.instance)
                await session.commit()

    def _answered(self, message: Message) -> None:
        """A send is over (whatever its outcome): its slot and its budget are free again."""
        self._slots.release()
        self._pacer(message).done(message.chat_key)
        self._queue_changed.set()

    async def _send(self, message: Message) -> None:
        if message.file is not None:
            await self._send_file(message, message.file)
            return
        try:
            sent = await self._bot(message).send_message(
                chat_id=int(message.chat_key),
                text=message.text,
                reply_markup=message.markup,
                request_timeout=int(self.config.send_timeout),
            )
        except TelegramRetryAfter as exc:
            self.stats.rate_limited += 1
            count_push("rate_limited")
            self._pacer(message).pause(exc.retry_after)
            self._queued_accounts[message.account_id] -= 1
            self._enqueue(message)  # not an attempt: the message waits its turn again
            return
        except TelegramForbiddenError:
            self._outcome("blocked", message, "")
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                self._outcome("blocked", message, "")
            else:  # our own mistake (markup, length): retrying will not help
                self._outcome("failed", message, exc.message)
        except (TelegramNetworkError, TelegramAPIError) as exc:
            self._outcome("retry", message, f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:  # never let one message stop the notifier
            logger.exception("push to account #%s failed unexpectedly", message.account_id)
            self._outcome("retry", message, type(exc).__name__)
        else:
            self._sent.append(Sent(message.delivery_ids, str(sent.message_id), self.clock.now()))
            self.stats.sent += 1
            count_push("sent")
            for follower in file_messages(message):
                self._enqueue(follower)
        finally:
            self._answered(message)
        self._done(message)

    async def _send_file(self, message: Message, attachment: Attachment) -> None:
        """A file after its message. Not a delivery of its own: a failure is retried a few
        times here and then given up (the thread's "Files" button still has it)."""
        try:
            if attachment.kind == AttachmentKind.PHOTO:
                await self._bot(message).send_photo(
                    chat_id=int(message.chat_key),
                    photo=attachment.file_key,
                    request_timeout=int(self.config.send_timeout),
                )
            else:
                await self._bot(message).send_document(
                    chat_id=int(message.chat_key),
                    document=attachment.file_key,
                    request_timeout=int(self.config.send_timeout),
                )
        except TelegramRetryAfter as exc:
            self.stats.rate_limited += 1
            count_push("rate_limited")
            self._pacer(message).pause(exc.retry_after)
            self._requeue_file(message, again=False)
            return
        except TelegramForbiddenError:
            pass  # the account's blocking is recorded with its next delivery
        except (TelegramNetworkError, TelegramAPIError) as exc:
            if message.attempts < FILE_ATTEMPTS and not isinstance(exc, TelegramBadRequest):
                self._requeue_file(message, again=True)
                return
            logger.warning(
                "a file to account #%s was not sent: %s", message.account_id, type(exc).__name__
            )
        except Exception:
            logger.exception("a file to account #%s failed unexpectedly", message.account_id)
        finally:
            self._answered(message)
        self._done(message)

    def _requeue_file(self, message: Message, *, again: bool) -> None:
        self._queued_accounts[message.account_id] -= 1
        self._enqueue(replace(message, attempts=message.attempts + (1 if again else 0)))

    def _outcome(self, kind: str, message: Message, error: str) -> None:
        self._outcomes.append((kind, message, error))

    def _done(self, message: Message) -> None:
        self._queued_accounts[message.account_id] -= 1
        if self._queued_accounts[message.account_id] <= 0:
            del self._queued_accounts[message.account_id]

    async def _record(self) -> None:
        """Write the finished sends back: one statement for all sent, one per other outcome."""
        sent, outcomes = self._sent, self._outcomes
        if not sent and not outcomes:
            return
        self._sent, self._outcomes = [], []
        try:
            async with self._claims_lock, self.sessions() as session:
                now = self.clock.now()
                await deliveries.record_sent(session, sent)
                await audit_pushes(session, [d for item in sent for d in item.delivery_ids], now)
                for kind, message, error in outcomes:
                    await self._record_one(session, kind, message, error, now)
                await session.commit()
        except BaseException:
            # Kept for the next try: a send recorded late is better than one sent twice.
            self._sent[:0], self._outcomes[:0] = sent, outcomes
            raise
        for delivery_id in itertools.chain(
            (d for item in sent for d in item.delivery_ids),
            (d for _kind, message, _error in outcomes for d in message.delivery_ids),
        ):
            self._held.pop(delivery_id, None)

    async def _record_one(
        self, session: AsyncSession, kind: str, message: Message, error: str, at: datetime
    ) -> None:
        if kind == "blocked":
            self.stats.blocked += 1
            count_push("blocked")
            logger.info("account #%s blocked the bot; pushes stop", message.account_id)
            await deliveries.record_blocked(session, message.account_id, at)
        elif kind == "failed":
            self.stats.failed += 1
            count_push("failed")
            logger.warning("push to account #%s refused: %s", message.account_id, error)
            await deliveries.record_failed(session, message.delivery_ids, at, error)
        else:
            delay = min(self.config.backoff_cap, 2.0**message.attempts)
            again = await deliveries.retry_later(
                session,
                message.delivery_ids,
                at,
                delay=timedelta(seconds=delay),
                error=error,
                attempts=message.attempts,
                max_attempts=self.config.max_attempts,
                owner=self.instance,
            )
            if again:
                self.stats.retried += 1
                count_push("retried")
            else:
                self.stats.failed += 1
                count_push("failed")
                logger.warning("push to account #%s failed: %s", message.account_id, error)

    async def _drain(self) -> None:
        """On the way out: let the sends in flight end, record them, hand back the queue.

        A send still unanswered after the send timeout (+1 s) is cancelled, so that nothing of
        this notifier runs on after it: its delivery stays ``sending`` and goes out again after
        the lease, as after a crash (the batch in flight is all that may repeat)."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=self.config.send_timeout + 1)
        if self._in_flight:
            hung = set(self._in_flight)
            logger.warning("%d sends unanswered at the stop; cancelled", len(hung))
            for task in hung:
                task.cancel()
            await asyncio.wait(hung, timeout=5.0)
        await self._record()
        queued = [item.message for lane in self._lanes.values() for item in lane.heap]
        queued += self._parked
        self._parked = []
        for lane in self._lanes.values():
            lane.heap.clear()
        self._queued_accounts.clear()  # (a cancelled send never reached _done)
        if queued:
            async with self._claims_lock, self.sessions() as session:
                await deliveries.release(
                    session,
                    [d for m in queued for d in m.delivery_ids],
                    self.clock.now(),
                    self.instance,
                )
                await session.commit()
