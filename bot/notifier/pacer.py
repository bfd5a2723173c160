"""Telegram's flood limits, kept on our side so that 429s stay rare.

Three rules (Telegram's FAQ): about 30 messages a second overall, one a second per private
chat, 20 a minute per group. The pacer spaces sends evenly: one global slot every
``1/per_second`` seconds, one slot per chat every ``chat_interval`` (``group_interval`` for a
group), with a small margin because the server counts arrivals, not our departures. A 429
pauses everything for its ``retry_after``.

It never blocks a ready chat behind a busy one: :meth:`Pacer.ready_at` tells the caller when a
chat can next be sent to, and :meth:`Pacer.take` books the slot once the caller sends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MARGIN = 1.05  # server-side windows count arrivals; network jitter bunches them


@dataclass(frozen=True, slots=True)
class PaceLimits:
    per_second: float = 30.0
    chat_interval: float = 1.0
    group_interval: float = 3.0  # 20 a minute


def is_group(chat_key: str) -> bool:
    """Telegram's group and channel ids are negative; private chats are users' positive ids."""
    return chat_key.startswith("-")


class Pacer:
    def __init__(self, limits: PaceLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}
        self._paused_until = 0.0

    def ready_at(self, chat_key: str) -> float:
        """The earliest moment (on the pacer's clock) a message to ``chat_key`` may leave."""
        return max(self._next_global, self._paused_until, self._next_chat.get(chat_key, 0.0))

    def take(self, chat_key: str) -> None:
        """Book a send to ``chat_key`` now (call when ``ready_at`` has come)."""
        now = self._clock()
        self._next_global = max(now, self._next_global) + MARGIN / self.limits.per_second
        interval = self.limits.group_interval if is_group(chat_key) else self.limits.chat_interval
        self._next_chat[chat_key] = now + interval * MARGIN
        if len(self._next_chat) > 10_000:
            self._forget(now)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing leaves for ``seconds``."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _forget(self, now: float) -> None:
        # Chats whose slot has long passed need no entry; keeps memory flat over a long run.
        self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
