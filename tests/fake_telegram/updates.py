"""The update queue behind ``getUpdates``: real long polling with Telegram's offset rules.

A call returns as soon as an update is queued (or when its timeout runs out), updates stay until
a later call confirms them with a higher ``offset``, and a second concurrent call ends the first
with 409, which is how Telegram reveals two bot instances polling at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.fake_telegram.errors import conflict

MAX_LIMIT = 100
# Update types Telegram delivers when allowed_updates is empty or was never given.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._wakeup = asyncio.Event()
        self._generation = 0
        self._closed = False
        self.allowed: list[str] = []

    def put(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, kind: payload})
        self._wake()
        return update_id

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an offset (delivered or not)."""
        return list(self._pending)

    def drop_all(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Release every waiting call with an empty answer (server shutdown)."""
        self._closed = True
        self._wake()

    async def get(
        self,
        offset: int | None,
        limit: int | None,
        wait_seconds: float,
        allowed: list[str] | None,
    ) -> list[dict[str, Any]]:
        self._generation += 1
        generation = self._generation
        self._wake()  # a call still waiting is now terminated by this one
        if allowed is not None:
            self.allowed = list(allowed)
        self._confirm(offset)
        count = min(max(limit or MAX_LIMIT, 1), MAX_LIMIT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait_seconds, 0)
        while True:
            ready = self._deliverable(count)
            if ready or self._closed:
                return ready
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            wakeup = self._wakeup
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except TimeoutError:
                return self._deliverable(count)
            if generation != self._generation:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            del self._pending[: max(len(self._pending) + offset, 0)]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _deliverable(self, count: int) -> list[dict[str, Any]]:
        # Updates of types the bot did not ask for are dropped, as Telegram never creates them.
        self._pending = [u for u in self._pending if self._is_allowed(u)]
        return self._pending[:count]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed:
            return kind in self.allowed
        return kind not in NOT_BY_DEFAULT
