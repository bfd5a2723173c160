"""``wait_for``: wait for the bot's actions without sleeping a fixed time, and fail legibly.

Both fakes keep the contract: records returned once are not returned again, so a conversation
reads as a sequence of waits; a timeout lists everything recorded and every refused call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
POLL_INTERVAL = 0.005


class OnceWaiter(Generic[T]):
    """Hands out each record of ``records()`` at most once across waits, in recorded order."""

    def __init__(
        self,
        records: Callable[[], Sequence[T]],
        describe: Callable[[T], str],
        refusals: Callable[[], Sequence[str]],
        noun: str = "record(s)",
    ) -> None:
        self._records = records
        self._describe = describe
        self._refusals = refusals
        self._noun = noun
        self._taken: set[int] = set()

    async def wait(
        self, test: Callable[[T], bool], label: object, count: int, seconds: float
    ) -> list[T]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            records = self._records()
            found = [i for i, r in enumerate(records) if i not in self._taken and test(r)][:count]
            if len(found) == count:
                self._taken.update(found)
                return [records[index] for index in found]
            if loop.time() >= deadline:
                raise AssertionError(self._report(label, count, len(found), seconds))
            await asyncio.sleep(POLL_INTERVAL)

    def _report(self, label: object, count: int, found: int, seconds: float) -> str:
        records = self._records()
        lines = [
            f"expected {count} {self._noun} matching {label!r} within {seconds} s, found {found}",
            "sent:" if records else "sent: nothing",
        ]
        for index, record in enumerate(records):
            mark = "  (already awaited)" if index in self._taken else ""
            lines.append(f"  {self._describe(record)}{mark}")
        refusals = self._refusals()
        if refusals:
            lines.append("refused calls:")
            lines.extend(f"  {refusal}" for refusal in refusals)
        return "\n".join(lines)
