"""The event queue behind ``GET /updates``: long polling with MAX's marker rules.

Every event gets a number.  A call with ``marker=m`` commits (drops) every event before ``m`` and
returns events from ``m`` on; a call without a marker starts after the last commitment.  The
answer's ``marker`` is the number after the last event returned, so passing it back commits them.
With nothing to return the call waits up to its timeout (MAX: 30 s by default, 90 s at most; the
fake caps it further for tests) and answers an empty list with the same marker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from typing import Any

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 90.0


class EventQueue:
    def __init__(self) -> None:
        self._events: list[tuple[int, dict[str, Any]]] = []  # not yet committed, in order
        self._next = 1
        self._wakeup = asyncio.Event()
        self._closed = False

    def reserve(self) -> int:
        """A number for an event that is not queued (one MAX delivers by webhook instead)."""
        number = self._next
        self._next += 1
        return number

    def put(self, update: dict[str, Any]) -> int:
        number = self.reserve()
        self._events.append((number, update))
        self._wake()
        return number

    @property
    def pending(self) -> list[dict[str, Any]]:
        """Events not yet committed by a marker (delivered or not)."""
        return [update for _, update in self._events]

    def close(self) -> None:
        """Release every waiting call with an empty answer (server shutdown)."""
        self._closed = True
        self._wake()

    async def get(
        self,
        marker: int | None,
        limit: int,
        wait_seconds: float,
        types: Collection[str] | None,
        paused: Callable[[], bool],
    ) -> tuple[list[dict[str, Any]], int]:
        """Events from ``marker`` on (committing those before it) and the marker to pass next.

        While ``paused()`` (a webhook subscription exists) nothing is returned, after the wait,
        as MAX delivers by webhook only.
        """
        if marker is not None:
            self._events = [(n, u) for n, u in self._events if n >= marker]
        start = marker if marker is not None else self._first()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait_seconds, 0.0)
        while True:
            if not paused():
                found, scanned_to = self._scan(start, limit, types)
                if found:
                    return found, scanned_to
                start = max(start, scanned_to)
            remaining = deadline - loop.time()
            if self._closed or remaining <= 0:
                return [], start
            wakeup = self._wakeup
            try:
                await asyncio.wait_for(wakeup.wait(), remaining)
            except TimeoutError:
                continue  # one last look, then the deadline ends the loop

    def _first(self) -> int:
        return self._events[0][0] if self._events else self._next

    def _scan(
        self, start: int, limit: int, types: Collection[str] | None
    ) -> tuple[list[dict[str, Any]], int]:
        """Up to ``limit`` matching events from ``start``, and the number after the last one seen.

        Events of other types than asked for are passed over; the marker moves past them.
        """
        found: list[dict[str, Any]] = []
        after = start
        for number, update in self._events:
            if number < start:
                continue
            if types and update.get("update_type") not in types:
                after = number + 1
                continue
            found.append(update)
            after = number + 1
            if len(found) >= limit:
                break
        return found, after

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()
