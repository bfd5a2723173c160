"""Telegram's flood limits, kept on our side so that 429s do not happen.

Three rules (Telegram's FAQ): about 30 messages a second overall, one a second per private
chat, 20 a minute per group. Telegram counts a message when it *arrives*; we only know when it
left and when its answer came back, and the arrival lies between the two. So the pacer keeps the
rules on the answers, which needs no margin and cannot be broken by network jitter:

- **overall**: at most ``N = per_second`` sends whose answer came back in the last
  ``N / per_second`` seconds (1 s at 30/s) plus the sends still under way. A send that leaves
  a second after the answer to the N-th last one arrives at least a second after it did.
- **per chat**: the chat's next message leaves ``chat_interval`` (``group_interval`` for a
  group) after the answer to its last one, and never sooner than that after its departure.

Within that window sends are spaced evenly, one every ``1/per_second`` seconds on a schedule
(a send that left a little late does not push the next one back, so the timer's lateness does
not add up), which keeps the requests under way — and with them the answers' delay — small.
The rate achieved is ``per_second / (1 + answer delay)``: 99.5 % of the budget at 5 ms.

A 429 pauses everything for its ``retry_after``.

The bot's answers to updates count too: Telegram's 30 a second is per bot, answers and pushes
together. When they run in one process (``journal run``), the answering bot reports each answer
to a :class:`SharedBudget` and the pacer counts it in the window like one of its own, so a
teacher's "saved" and the class's 29 pushes in the same second no longer meet a 429 and its
whole second of pause. (A separate ``journal notifier`` cannot see the answers: leave them room
with a lower ``PUSH_RATE_PER_SECOND``.)

It never blocks a ready chat behind a busy one: :meth:`Pacer.ready_at` tells the caller when a
chat can next be sent to, :meth:`Pacer.take` books the slot once the caller sends, and
:meth:`Pacer.done` records the answer (whatever it was) and frees the slot.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# Departures are spaced by exactly 1/per_second: the safety lies in counting answers, not in
# a margin on the rate (it was 1.05, which alone cost 5 % of the budget).
MARGIN = 1.0
CATCH_UP_SLOTS = 1.5  # a send this late (a busy event loop) keeps the schedule; later, it restarts


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
        self._interval = MARGIN / limits.per_second
        # The overall rule as a window: at most ``_burst`` sends in any ``_window`` seconds.
        self._burst = max(1, math.floor(limits.per_second))
        self._window = self._burst / limits.per_second
        self._answered: deque[float] = deque()  # when the answers came back, oldest first
        self._under_way = 0
        self._next_global = -math.inf
        self._next_chat: dict[str, float] = {}
        self._paused_until = 0.0

    def ready_at(self, chat_key: str) -> float:
        """The earliest moment (on the pacer's clock) a message to ``chat_key`` may leave;
        ``inf`` while the window is full of sends under way (ask again after :meth:`done`)."""
        return max(self.global_ready_at(), self.chat_ready_at(chat_key))

    def global_ready_at(self) -> float:
        """When the next send to any chat may leave (the overall budget and a 429's pause)."""
        return max(self._next_global, self._paused_until, self._window_ready())

    def chat_ready_at(self, chat_key: str) -> float:
        """When ``chat_key``'s own limit lets its next message leave."""
        return self._next_chat.get(chat_key, 0.0)

    def take(self, chat_key: str) -> None:
        """Book a send to ``chat_key`` now (call when ``ready_at`` has come)."""
        now = self._clock()
        # On schedule (or a little behind it): the next slot follows this one's, so a late
        # timer does not slow the rate; after a pause or a stall the schedule starts again.
        late = now - self._next_global
        base = self._next_global if late < self._interval * CATCH_UP_SLOTS else now
        self._next_global = base + self._interval
        self._under_way += 1
        self._next_chat[chat_key] = now + self._chat_interval(chat_key) * MARGIN
        if len(self._next_chat) > 10_000:
            self._forget(now)

    def done(self, chat_key: str) -> None:
        """The answer to a send to ``chat_key`` came back (sent, refused or failed)."""
        now = self._clock()
        self._under_way = max(0, self._under_way - 1)
        self._answered.append(now)
        after = now + self._chat_interval(chat_key)
        if self._next_chat.get(chat_key, 0.0) < after:
            self._next_chat[chat_key] = after
        self._expire(now)

    def answered_elsewhere(self) -> None:
        """A message of the same bot sent outside the pacer (an answer to an update) came back:
        it counts in the overall window as a push would."""
        now = self._clock()
        self._answered.append(now)
        self._expire(now)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing leaves for ``seconds``."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def under_way(self) -> int:
        return self._under_way

    def _chat_interval(self, chat_key: str) -> float:
        return self.limits.group_interval if is_group(chat_key) else self.limits.chat_interval

    def _window_ready(self) -> float:
        self._expire(self._clock())
        over = self._under_way + len(self._answered) - self._burst
        if over < 0:
            return -math.inf
        if over >= len(self._answered):
            return math.inf  # the window is all sends under way: wait for an answer
        return self._answered[over] + self._window

    def _expire(self, now: float) -> None:
        answered = self._answered
        while answered and answered[0] <= now - self._window:
            answered.popleft()

    def _forget(self, now: float) -> None:
        # Chats whose slot has long passed need no entry; keeps memory flat over a long run.
        self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}


class SharedBudget:
    """One bot's messages sent outside the notifier (its answers to updates, in the same process),
    handed to the pacers that spend the same bot's budget (see the module's docstring)."""

    def __init__(self) -> None:
        self._pacers: list[Pacer] = []

    def attach(self, pacer: Pacer) -> None:
        self._pacers.append(pacer)

    def answered(self) -> None:
        for pacer in self._pacers:
            pacer.answered_elsewhere()
