"""``wait_for``: wait for the bot's actions without sleeping a fixed time, and fail legibly.

The same contract as FakeTelegram's, so one end-to-end test reads the same against either fake:
a match is a predicate over ``Sent``, a ``SimMaxUser`` ("into that user's dialog") or a chat id;
records returned once are not returned again; a timeout lists everything sent and refused.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fake_kit.waiting import OnceWaiter
from tests.fake_max.people import SimMaxUser
from tests.fake_max.records import Sent
from tests.fake_max.state import World

Match = Callable[[Sent], bool] | int | SimMaxUser


def predicate(match: Match) -> Callable[[Sent], bool]:
    if isinstance(match, SimMaxUser):
        return lambda sent: sent.chat_id == match.chat_id
    if isinstance(match, int):
        return lambda sent: sent.chat_id == match
    return match


class SentWaiter:
    """Hands out each ``Sent`` record at most once across waits, in the order it was made."""

    def __init__(self, world: World) -> None:
        self._waiter = OnceWaiter(
            lambda: world.sent,
            lambda sent: (
                f"{sent.method} chat={sent.chat_id} user={sent.user_id} mid={sent.mid} "
                f"text={sent.text!r}"
            ),
            lambda: [f"{f.endpoint} -> {f.status} {f.code}: {f.message}" for f in world.failures],
        )

    async def wait(self, match: Match, count: int, seconds: float) -> list[Sent]:
        return await self._waiter.wait(predicate(match), match, count, seconds)
