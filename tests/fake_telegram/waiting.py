"""``wait_for``: wait for the bot's sends without sleeping a fixed time, and fail legibly."""

from __future__ import annotations

from collections.abc import Callable

from tests.fake_kit.waiting import OnceWaiter
from tests.fake_telegram.people import SimUser
from tests.fake_telegram.records import Sent
from tests.fake_telegram.state import World

Match = Callable[[Sent], bool] | int | str | SimUser


def predicate(match: Match) -> Callable[[Sent], bool]:
    if isinstance(match, SimUser):
        return lambda sent: sent.chat_id == match.chat_id
    if isinstance(match, int | str):
        return lambda sent: sent.chat_id == match
    return match


class SentWaiter:
    """Hands out each ``Sent`` record at most once across waits, in the order it was sent."""

    def __init__(self, world: World) -> None:
        self._waiter = OnceWaiter(
            lambda: world.sent,
            lambda sent: (
                f"{sent.method} chat={sent.chat_id} message={sent.message_id} text={sent.text!r}"
            ),
            lambda: [f"{f.method} -> {f.status} {f.description}" for f in world.failures],
            noun="send(s)",
        )

    async def wait(self, match: Match, count: int, seconds: float) -> list[Sent]:
        return await self._waiter.wait(predicate(match), match, count, seconds)
