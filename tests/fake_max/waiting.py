"""``wait_for``: wait for the bot's actions without sleeping a fixed time, and fail legibly.

The same contract as FakeTelegram's, so one end-to-end test reads the same against either fake:
a match is a predicate over ``Sent``, a ``SimMaxUser`` ("into that user's dialog") or a chat id;
records returned once are not returned again; a timeout lists everything sent and refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.fake_max.people import SimMaxUser
from tests.fake_max.records import Sent
from tests.fake_max.state import World

Match = Callable[[Sent], bool] | int | SimMaxUser
POLL_INTERVAL = 0.005


def predicate(match: Match) -> Callable[[Sent], bool]:
    if isinstance(match, SimMaxUser):
        return lambda sent: sent.chat_id == match.chat_id
    if isinstance(match, int):
        return lambda sent: sent.chat_id == match
    return match


class SentWaiter:
    """Hands out each ``Sent`` record at most once across waits, in the order it was made."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._taken: set[int] = set()

    async def wait(self, match: Match, count: int, seconds: float) -> list[Sent]:
        test = predicate(match)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            found = [
                index
                for index, sent in enumerate(self.world.sent)
                if index not in self._taken and test(sent)
            ][:count]
            if len(found) == count:
                self._taken.update(found)
                return [self.world.sent[index] for index in found]
            if loop.time() >= deadline:
                raise AssertionError(self._report(match, count, len(found), seconds))
            await asyncio.sleep(POLL_INTERVAL)

    def _report(self, match: Match, count: int, found: int, seconds: float) -> str:
        lines = [
            f"expected {count} record(s) matching {match!r} within {seconds} s, found {found}",
            "sent:" if self.world.sent else "sent: nothing",
        ]
        for index, sent in enumerate(self.world.sent):
            mark = "  (already awaited)" if index in self._taken else ""
            lines.append(
                f"  {sent.method} chat={sent.chat_id} user={sent.user_id} mid={sent.mid} "
                f"text={sent.text!r}{mark}"
            )
        if self.world.failures:
            lines.append("refused calls:")
            lines.extend(
                f"  {failure.endpoint} -> {failure.status} {failure.code}: {failure.message}"
                for failure in self.world.failures
            )
        return "\n".join(lines)
