"""Telegram's flood limits as sliding windows, so the notifier's pacing can be tested.

The numbers are the ones Telegram's FAQ asks bots to respect (about 30 messages a second overall,
one a second per chat, 20 a minute per group).  Only accepted sends use up a slot, and the 429
names the whole seconds until one frees, as Telegram's ``retry_after`` does.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from tests.fake_telegram.errors import too_many_requests


@dataclass(frozen=True)
class Limits:
    global_per_second: int | None = None
    per_chat_per_second: int | None = None
    per_group_per_minute: int | None = None


class RateLimiter:
    """Counts sends per window; off (all limits None) until ``configure`` switches it on."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.limits = Limits()
        self._global: deque[float] = deque()
        self._chats: defaultdict[int | str, deque[float]] = defaultdict(deque)
        self._groups: defaultdict[int | str, deque[float]] = defaultdict(deque)

    def configure(self, limits: Limits) -> None:
        """Switch limits; counting starts afresh, as if the bot had been quiet until now."""
        self.limits = limits
        self._global.clear()
        self._chats.clear()
        self._groups.clear()

    def acquire(self, chat_id: int | str, *, group: bool) -> None:
        """Take a slot for one send to ``chat_id`` or raise the 429 Telegram would answer."""
        now = self.clock()
        windows = [
            (self._global, self.limits.global_per_second, 1.0),
            (self._chats[chat_id], self.limits.per_chat_per_second, 1.0),
        ]
        if group:
            windows.append((self._groups[chat_id], self.limits.per_group_per_minute, 60.0))
        wait = 0.0
        for stamps, limit, window in windows:
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if limit is not None and len(stamps) >= limit:
                wait = max(wait, stamps[len(stamps) - limit] + window - now)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for stamps, limit, _ in windows:
            if limit is not None:
                stamps.append(now)
