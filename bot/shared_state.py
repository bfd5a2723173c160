"""State several bot processes share through Redis (``REDIS_URL``): the FSM and the throttle.

One process keeps both in memory (bot/storage.py, bot/middlewares/throttle.py). Behind a load
balancer, or during a zero-downtime restart, the next update of a conversation may reach
another process: a code waiting for the consent must be there, and one user's flood must be
counted once, not once per process. Redis is the one place both live then.

Redis is a helper, not a dependency the bot may die of: when it does not answer, the bot goes
on in memory (:class:`Outage` decides when to try Redis again) and logs one warning per outage,
with the error's kind only — never a key, which holds a user's id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.storage import LeanMemoryStorage

logger = logging.getLogger(__name__)

# Every key the journal writes starts with this, so a Redis shared with other software (or two
# journals on one Redis with different database numbers) is easy to inspect and clean.
KEY_PREFIX = "journal"
# A conversation's state (a code waiting for the consent, a draft) untouched this long is gone:
# it may hold a phone number, and nothing should keep personal data nobody is using (152-FZ).
# In memory it lasted until the process restarted, which was never longer than days either.
FSM_TTL = timedelta(hours=24)
# A Redis that does not answer within this blocks no update for longer.
SOCKET_TIMEOUT_SECONDS = 0.5
# After a failure Redis is left alone this long, so an outage costs each update nothing.
RETRY_AFTER_SECONDS = 5.0

# One user's lock lives this long unless its process renews it (every third of it, while the
# update is handled): a process that dies holding it frees the person within this time.
ISOLATION_LEASE_SECONDS = 5.0
# ...and is renewed for at most this long: a handler stuck longer (a hung send) must not keep
# the person's next updates waiting for ever on every process. An update waits as long for its
# turn before it is handled unlocked.
ISOLATION_HOLD_SECONDS = 30.0

# What a Redis outage looks like to the client: its own errors, and the OS's (refused, reset).
REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)


def redis_client(url: str) -> Redis:
    """A client with short timeouts: an update waits half a second at most on a dead Redis."""
    client: Redis = Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
    return client


class Outage:
    """Whether Redis is to be tried now; a failure pauses it for ``retry_after`` seconds.

    Logs a warning when an outage begins and an info line when Redis answers again — one line
    per outage, not one per update, and only the exception's class (its text may quote a key).
    """

    def __init__(
        self,
        what: str,
        *,
        retry_after: float = RETRY_AFTER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._what = what
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._down_until: float | None = None

    @property
    def down(self) -> bool:
        return self._down_until is not None and self._monotonic() < self._down_until

    def failed(self, error: BaseException) -> None:
        if self._down_until is None:
            logger.warning(
                "Redis unavailable (%s): %s falls back to this process's memory",
                type(error).__name__,
                self._what,
            )
        self._down_until = self._monotonic() + self._retry_after

    def answered(self) -> None:
        if self._down_until is not None:
            logger.info("Redis answers again: %s is shared again", self._what)
            self._down_until = None


class ResilientRedisStorage(BaseStorage):
    """aiogram's ``RedisStorage``, and this process's memory while Redis does not answer.

    During an outage a conversation that started in Redis is not found (the user starts it
    again) and one started in memory is not seen by other processes; every update is still
    answered, which matters more than a half-written draft.
    """

    def __init__(self, redis: Redis, *, ttl: timedelta = FSM_TTL) -> None:
        # with_bot_id: the schools' own bots and MAX keep apart, as StorageKey keeps them apart
        # in memory; with_destiny: the same key as memory's for every field of StorageKey.
        builder = DefaultKeyBuilder(prefix=f"{KEY_PREFIX}:fsm", with_bot_id=True, with_destiny=True)
        self.redis_storage = RedisStorage(redis, key_builder=builder, state_ttl=ttl, data_ttl=ttl)
        self.memory = LeanMemoryStorage()
        self.outage = Outage("the conversation state")

    async def _call(self, name: str, *args: Any) -> Any:
        if not self.outage.down:
            try:
                result = await getattr(self.redis_storage, name)(*args)
            except REDIS_FAILURES as error:
                self.outage.failed(error)
            else:
                self.outage.answered()
                return result
        return await getattr(self.memory, name)(*args)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._call("set_state", key, state)

    async def get_state(self, key: StorageKey) -> str | None:
        state: str | None = await self._call("get_state", key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._call("set_data", key, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = await self._call("get_data", key)
        return data

    async def close(self) -> None:
        await self.redis_storage.close()  # closes the client and its pool (the throttle's too)
        await self.memory.close()


class ResilientEventIsolation(BaseEventIsolation):
    """One user's updates handled one at a time across every process that shares Redis.

    Two taps arriving at once at two processes would otherwise read the same conversation state
    and both write it (a consent given twice, a draft losing a file). aiogram's own
    ``RedisEventIsolation`` fails the update when Redis does not answer; this one handles it
    unlocked instead, as the storage falls back to memory, since an answer matters more. The
    lock is a lease of ``timeout`` seconds renewed while the update is handled (for ``hold``
    seconds at most), so a process that died holding it frees the user within ``timeout``.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        timeout: float = ISOLATION_LEASE_SECONDS,
        hold: float = ISOLATION_HOLD_SECONDS,
    ) -> None:
        self.redis = redis
        self.timeout = timeout
        self.hold = hold
        self._keys = DefaultKeyBuilder(
            prefix=f"{KEY_PREFIX}:lock", with_bot_id=True, with_destiny=True
        )
        self.outage = Outage("the lock on one user's updates")

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        held: Lock | None = None
        if not self.outage.down:
            candidate = self.redis.lock(
                self._keys.build(key, "lock"),
                timeout=self.timeout,
                blocking_timeout=self.hold,
                sleep=0.02,
            )
            try:
                held = candidate if await candidate.acquire() else None
            except REDIS_FAILURES as error:
                self.outage.failed(error)
            else:
                self.outage.answered()
        renewal = None if held is None else asyncio.create_task(self._renew(held))
        try:
            yield None
        finally:
            if renewal is not None:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal
            if held is not None:
                await self._release(held)

    async def _renew(self, held: Lock) -> None:
        """Keep the lease while the update is handled, up to ``hold`` seconds."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self.hold
        while True:
            await asyncio.sleep(self.timeout / 3)
            if loop.time() + self.timeout / 3 > until:
                return  # a stuck handler: let the lease run out
            try:
                await held.reacquire()
            except LockError:
                return  # lost (expired during a pause): someone else may hold it now, rightly
            except REDIS_FAILURES as error:
                self.outage.failed(error)
                return

    async def _release(self, held: Lock) -> None:
        try:
            await asyncio.shield(held.release())
        except LockError:
            pass  # expired while the handler ran: someone else may hold it now, rightly
        except REDIS_FAILURES as error:
            self.outage.failed(error)  # it expires on its own

    async def close(self) -> None:
        pass  # the client is the storage's, closed with it
