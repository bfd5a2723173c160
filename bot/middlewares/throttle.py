"""Per-user throttling: a token bucket per Telegram user, kept in memory.

A flood of updates from one user (a stuck client, a script) must not starve everybody else or
hammer the database. Excess updates are dropped; the user is told once per burst.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from aiogram.utils.i18n import gettext as _

# How often idle buckets are swept (at most): the sweep is a pass over every bucket.
_SWEEP_SECONDS = 10.0


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(
        self, *, rate: float, burst: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._monotonic = monotonic
        self._buckets: dict[int, _Bucket] = {}
        self._last_sweep = monotonic()
        # A bucket idle this long is full again: it says nothing a new one would not, so it is
        # forgotten and memory follows the users of the last seconds, not every user seen.
        self._refilled_after = self._burst / rate

    def _allow(self, user_id: int) -> tuple[bool, _Bucket]:
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
            return True, bucket
        return False, bucket

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        allowed, bucket = self._allow(user.id)
        if allowed:
            return await handler(event, data)
        if not bucket.warned and isinstance(event, Update):
            bucket.warned = True
            text = _("Too many requests at once. Please wait a few seconds.")
            if isinstance(event.callback_query, CallbackQuery):
                await event.callback_query.answer(text)
            elif isinstance(event.message, Message):
                await event.message.answer(text)
        return None
