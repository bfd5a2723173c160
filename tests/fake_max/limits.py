"""MAX's request rate limit as a sliding window, so a bot's pacing can be tested.

MAX allows about 30 requests a second per bot on the whole API (not only sends), and answers 429
beyond that.  A per-chat limit is offered too (off by default: MAX does not document one, but
third-party guides report about two messages a second into one chat).  Only requests let through
use up a slot.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from tests.fake_max.errors import TOO_MANY_REQUESTS


@dataclass(frozen=True)
class Limits:
    per_second: int | None = None
    per_chat_per_second: int | None = None


class RateLimiter:
    """Counts requests per window; off (all limits None) until ``configure`` switches it on."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.limits = Limits()
        self._global: deque[float] = deque()
        self._chats: defaultdict[int, deque[float]] = defaultdict(deque)

    def configure(self, limits: Limits) -> None:
        """Switch limits; counting starts afresh, as if the bot had been quiet until now."""
        self.limits = limits
        self._global.clear()
        self._chats.clear()

    def acquire(self) -> None:
        """Take a slot for one request or raise MAX's 429."""
        self._take(self._global, self.limits.per_second)

    def acquire_chat(self, chat_id: int) -> None:
        """Take a slot for one message into ``chat_id`` (when a per-chat limit is on)."""
        self._take(self._chats[chat_id], self.limits.per_chat_per_second)

    def _take(self, stamps: deque[float], limit: int | None) -> None:
        if limit is None:
            return
        now = self.clock()
        while stamps and stamps[0] <= now - 1.0:
            stamps.popleft()
        if len(stamps) >= limit:
            raise TOO_MANY_REQUESTS
        stamps.append(now)
