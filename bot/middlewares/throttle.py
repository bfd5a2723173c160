"""Per-user throttling: a token bucket per user, in memory or shared through Redis.

A flood of updates from one user (a stuck client, a script) must not starve everybody else or
hammer the database. Excess updates are dropped; the user is told once per burst.

One process keeps the buckets in memory. With ``REDIS_URL`` (several processes behind one
webhook) a bucket lives in Redis and a Lua script takes a token atomically, by the same rule
and with Redis's clock, so updates spread over the processes are counted as one user's. While
Redis does not answer each process falls back to its own memory buckets (bot/shared_state.py's
``Outage``): a flood is still held back, at most once per process, rather than let through to
the database in the very minutes something is already wrong.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from aiogram.utils.i18n import gettext as _
from redis.asyncio import Redis

from bot.shared_state import KEY_PREFIX, REDIS_FAILURES, Outage

# How often idle buckets are swept (at most): the sweep is a pass over every bucket.
_SWEEP_SECONDS = 10.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        monotonic: Callable[[], float] = time.monotonic,
        shared: SharedBuckets | None = None,
    ) -> None:
        self._shared = shared  # None: memory only (one process)
        self._rate = rate
        self._burst = float(burst)
        self._monotonic = monotonic
        self._buckets: dict[int, _Bucket] = {}
        self._last_sweep = monotonic()
        # A bucket idle this long is full again: it says nothing a new one would not, so it is
        # forgotten and memory follows the users of the last seconds, not every user seen.
        self._refilled_after = self._burst / rate

    def _allow(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, warn): warn on the first update refused since the last one allowed."""
        now = self._monotonic()
        if now - self._last_sweep > max(_SWEEP_SECONDS, self._refilled_after):
            self._buckets = {
                k: b for k, b in self._buckets.items() if now - b.updated < self._refilled_after
            }
            self._last_sweep = now
        bucket = self._buckets.setdefault(user_id, _Bucket(tokens=self._burst, updated=now))
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        warn, bucket.warned = not bucket.warned, True
        return False, warn

    async def _take(self, user_id: int) -> tuple[bool, bool]:
        shared = self._shared
        if shared is not None and not shared.outage.down:
            try:
                verdict = await shared.take(user_id)
            except REDIS_FAILURES as error:
                shared.outage.failed(error)
            else:
                shared.outage.answered()
                return verdict
        return self._allow(user_id)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        allowed, warn = await self._take(user.id)
        if allowed:
            return await handler(event, data)
        if warn and isinstance(event, Update):
            text = _("Too many requests at once. Please wait a few seconds.")
            if isinstance(event.callback_query, CallbackQuery):
                await event.callback_query.answer(text)
            elif isinstance(event.message, Message):
                await event.message.answer(text)
        return None


# KEYS[1]: the user's bucket; ARGV: rate, burst, and "now" in seconds ("" for Redis's own clock,
# which every process shares). The same rule as ``ThrottlingMiddleware._allow``; the bucket
# expires once it would be full again, as memory forgets it then. Returns {allowed, warn}.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
    local t = redis.call('TIME')
    now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'warned')
local tokens = tonumber(bucket[1]) or burst
local updated = tonumber(bucket[2]) or now
local warned = bucket[3] == '1'
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed, warn = 0, 0
if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
    warned = false
elseif not warned then
    warn = 1
    warned = true
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
    'updated', string.format('%.17g', now), 'warned', warned and '1' or '0')
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, warn}
"""


class SharedBuckets:
    """The buckets in Redis, one hash per user under ``journal:throttle:<namespace>:<id>``;
    ``namespace`` keeps the messengers apart (a dispatcher's buckets in memory are its own).
    ``clock``: wall-clock seconds for the tests; None uses Redis's clock."""

    def __init__(
        self,
        redis: Redis,
        *,
        rate: float,
        burst: int,
        namespace: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._script = redis.register_script(_TAKE)
        self._rate, self._burst = rate, burst
        self._prefix = f"{KEY_PREFIX}:throttle:{namespace}:"
        self._clock = clock
        self.outage = Outage("the per-user throttle")

    async def take(self, user_id: int) -> tuple[bool, bool]:
        now = "" if self._clock is None else repr(self._clock())
        allowed, warn = await self._script(
            keys=[f"{self._prefix}{user_id}"], args=[self._rate, self._burst, now]
        )
        return bool(allowed), bool(warn)
