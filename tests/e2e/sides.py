"""One family, two messengers: the same end-to-end scenario against the fake Telegram or MAX.

A ``Side`` starts the real ``journal run`` (runtime, middlewares, routers, notifier) against one
fake messenger and plays its people with that messenger's own gestures: a Telegram user opens a
deep link as ``/start <code>``, a MAX user as a ``bot_started`` event; a forged contact is a
forwarded card on Telegram and a card with a wrong signature on MAX. What the bot said comes
back as ``Said`` (plain text and buttons), so the scenario's assertions are the same for both.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from bot import runtime
from bot.settings import Settings
from core.clock import Clock
from core.models.enums import Messenger
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram

TIMEOUT = 15.0


@dataclass(frozen=True)
class Said:
    """A message the bot sent (or the new state of one it edited)."""

    text: str
    buttons: list[tuple[str, str | None]]
    raw: Any

    def data(self, label_part: str) -> str:
        """The callback data of the first button whose label contains ``label_part``."""
        for label, data in self.buttons:
            if label_part in label and data is not None:
                return data
        raise AssertionError(f"no button like {label_part!r}: {self.buttons}")


class Side(ABC):
    messenger: Messenger

    @abstractmethod
    def settings(self, db_url: str) -> dict[str, Any]: ...

    @abstractmethod
    def person(self, key: int, name: str) -> Any: ...

    @abstractmethod
    async def open_link(self, person: Any, code: str) -> None:
        """The person follows the invite's deep link."""

    @abstractmethod
    async def say(self, person: Any, text: str) -> None: ...

    @abstractmethod
    async def own_contact(self, person: Any, phone: str) -> None: ...

    @abstractmethod
    async def forged_contact(self, person: Any, phone: str, owner: Any) -> None:
        """A card that claims ``owner``'s number but does not prove it is the sender's."""

    @abstractmethod
    async def foreign_contact(self, person: Any, phone: str, owner: Any) -> None: ...

    @abstractmethod
    async def press(self, person: Any, said: Said, data: str) -> None: ...

    @abstractmethod
    async def block(self, person: Any) -> None: ...

    @abstractmethod
    async def hears(self, person: Any, count: int = 1, timeout: float = TIMEOUT) -> list[Said]:  # noqa: ASYNC109
        """The next ``count`` new messages into the person's chat."""

    @abstractmethod
    async def sees_edit(self, person: Any, timeout: float = TIMEOUT) -> Said:  # noqa: ASYNC109
        """The next edit of a message in the person's chat."""

    @abstractmethod
    def refused(self) -> list[Any]:
        """Calls the messenger refused (bad HTML, too long, bad keyboards): none expected."""


class TelegramSide(Side):
    messenger = Messenger.TELEGRAM

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    def settings(self, db_url: str) -> dict[str, Any]:
        return {"bot_token": self.fake.default_token, "bot_api_url": self.fake.base_url}

    def person(self, key: int, name: str) -> Any:
        return self.fake.user(key, name)

    async def open_link(self, person: Any, code: str) -> None:
        await self.fake.send_text(person, f"/start {code}")

    async def say(self, person: Any, text: str) -> None:
        await self.fake.send_text(person, text)

    async def own_contact(self, person: Any, phone: str) -> None:
        await self.fake.share_contact(person, phone)

    async def forged_contact(self, person: Any, phone: str, owner: Any) -> None:
        await self.fake.share_contact(person, phone, forwarded_from=owner)

    async def foreign_contact(self, person: Any, phone: str, owner: Any) -> None:
        await self.fake.share_contact(person, phone, contact_user_id=owner.id)

    async def press(self, person: Any, said: Said, data: str) -> None:
        await self.fake.press(person, said.raw, data)

    async def block(self, person: Any) -> None:
        self.fake.block(person)
        await asyncio.sleep(0)

    async def hears(self, person: Any, count: int = 1, timeout: float = TIMEOUT) -> list[Said]:  # noqa: ASYNC109
        found = await self.fake.wait_for(
            lambda s: s.method == "sendMessage" and s.chat_id == person.id, count, timeout
        )
        return [Said(s.plain_text or "", s.buttons, s) for s in found]

    async def sees_edit(self, person: Any, timeout: float = TIMEOUT) -> Said:  # noqa: ASYNC109
        [edit] = await self.fake.wait_for(
            lambda s: s.method == "editMessageText" and s.chat_id == person.id, 1, timeout
        )
        state = self.fake.messages[(person.id, edit.message_id or 0)]
        return Said(edit.plain_text or "", state.buttons, state)

    def refused(self) -> list[Any]:
        return self.fake.failures


class MaxSide(Side):
    messenger = Messenger.MAX

    def __init__(self, fake: FakeMax) -> None:
        self.fake = fake

    def settings(self, db_url: str) -> dict[str, Any]:
        return {"max_bot_token": self.fake.default_token, "max_api_url": self.fake.base_url}

    def person(self, key: int, name: str) -> Any:
        return self.fake.user(key, name)

    async def open_link(self, person: Any, code: str) -> None:
        await self.fake.start(person, code)

    async def say(self, person: Any, text: str) -> None:
        await self.fake.send_text(person, text)

    async def own_contact(self, person: Any, phone: str) -> None:
        await self.fake.share_contact(person, phone)

    async def forged_contact(self, person: Any, phone: str, owner: Any) -> None:
        # The sender's own card as the client would send it, but not signed by MAX.
        await self.fake.share_contact(person, phone, forged=True)

    async def foreign_contact(self, person: Any, phone: str, owner: Any) -> None:
        await self.fake.share_contact(person, phone, own=False, other=owner)

    async def press(self, person: Any, said: Said, data: str) -> None:
        await self.fake.press(person, said.raw, data)

    async def block(self, person: Any) -> None:
        await self.fake.block(person)

    async def hears(self, person: Any, count: int = 1, timeout: float = TIMEOUT) -> list[Said]:  # noqa: ASYNC109
        found = await self.fake.wait_for(
            lambda s: s.method == "send" and s.user_id == person.id, count, timeout
        )
        return [Said(s.plain_text or "", s.buttons, s) for s in found]

    async def sees_edit(self, person: Any, timeout: float = TIMEOUT) -> Said:  # noqa: ASYNC109
        [edit] = await self.fake.wait_for(
            # A text edit: "edit" also removes keyboards, which Telegram calls another method.
            lambda s: s.method == "edit" and s.user_id == person.id and s.text is not None,
            1,
            timeout,
        )
        state = self.fake.messages[edit.mid or ""]
        return Said(edit.plain_text or "", state.buttons, state)

    def refused(self) -> list[Any]:
        return self.fake.failures


@contextlib.asynccontextmanager
async def fake_side(messenger: Messenger) -> AsyncIterator[Side]:
    if messenger == Messenger.TELEGRAM:
        async with FakeTelegram() as tg:
            yield TelegramSide(tg)
    else:
        async with FakeMax() as mx:
            yield MaxSide(mx)


@contextlib.asynccontextmanager
async def running(db_url: str, clock: Clock, *sides: Side, **overrides: Any) -> AsyncIterator[None]:
    """``journal run`` serving every side's messenger, in the test's loop, until the block ends."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "notifier_poll_seconds": 0.3,
        # A test types faster than a person: the per-user throttle has tests of its own
        # (tests/bot/test_privacy.py, tests/e2e/test_two_processes.py) and would only slow
        # these down; the fakes' flood limits still hold.
        "throttle_rate_per_second": 1000,
        "throttle_burst": 1000,
    }
    for side in sides:
        values |= side.settings(db_url)
    settings = Settings(**(values | overrides))
    task = asyncio.create_task(runtime.run(settings, clock, handle_signals=False))
    try:
        await asyncio.sleep(0.2)  # polling starts, the command menu is published
        if task.done():
            task.result()
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
