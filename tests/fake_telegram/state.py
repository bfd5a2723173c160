"""Everything the fake Telegram knows: chats, messages, updates, files and the records of calls.

Kept apart from HTTP so method handlers and the test-side helpers share one model and one set of
rules (which chats exist, how message ids are numbered, who blocked the bot).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fake_telegram.errors import bad_request, forbidden
from tests.fake_telegram.faults import Faults
from tests.fake_telegram.limits import RateLimiter
from tests.fake_telegram.params import Upload
from tests.fake_telegram.people import BotIdentity, Group, SimUser
from tests.fake_telegram.records import CallbackAnswer, Failure, MessageState, Request, Sent
from tests.fake_telegram.updates import UpdateQueue


@dataclass(frozen=True)
class Press:
    """A callback query the fake created, remembered until the bot answers it."""

    user: SimUser
    chat_id: int
    message_id: int
    data: str | None


@dataclass
class World:
    identity: BotIdentity
    clock: Callable[[], float] = time.monotonic
    users: dict[int, SimUser] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    strangers: set[int] = field(default_factory=set)  # seen in groups, never started the bot
    messages: dict[tuple[int, int], MessageState] = field(default_factory=dict)
    queue: UpdateQueue = field(default_factory=UpdateQueue)
    sent: list[Sent] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    unknown_methods: list[str] = field(default_factory=list)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    presses: dict[str, Press] = field(default_factory=dict)
    files: dict[str, tuple[str, Upload]] = field(default_factory=dict)
    # Every size's file id -> all sizes of that photo, so a re-send by any of them shows them all.
    photos: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    stubs: dict[str, Any] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    too_many_requests: int = 0
    _message_ids: defaultdict[int, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(lambda: itertools.count(1))
    )
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock)

    def next_id(self) -> int:
        """A fresh number for callback query ids, file ids and chat instances."""
        return next(self._ids)

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count per chat, shared by the bot's and the people's messages."""
        return next(self._message_ids[chat_id])

    def resolve_chat(self, chat_id: int | str) -> dict[str, Any]:
        """The chat the bot may write to, or Telegram's 400/403 for it."""
        if isinstance(chat_id, int) and chat_id in self.users:
            if chat_id in self.blocked:
                raise forbidden("bot was blocked by the user")
            return self.users[chat_id].as_chat()
        if isinstance(chat_id, int) and chat_id in self.strangers:
            raise forbidden("bot can't initiate conversation with a user")
        if isinstance(chat_id, int) and chat_id in self.groups:
            return self.groups[chat_id].as_chat()
        raise bad_request("chat not found")

    def has_chat(self, chat_id: int | str) -> bool:
        """Whether the chat exists for the bot at all, blocked or not (a source to copy from)."""
        return chat_id in self.users or chat_id in self.groups

    def store(
        self,
        message: dict[str, Any],
        *,
        from_bot: bool,
        edits: int = 0,
        reply_markup: dict[str, Any] | None = None,
    ) -> MessageState:
        """Remember a message's current state; ``reply_markup`` defaults to the inline one.

        Telegram echoes only inline keyboards in Message objects, but tests want to see the reply
        keyboard a message carried (a contact-request button), so it is passed in separately.
        """
        state = MessageState(
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            from_bot=from_bot,
            text=message.get("text", message.get("caption")),
            reply_markup=reply_markup or message.get("reply_markup"),
            raw=message,
            edits=edits,
        )
        self.messages[(state.chat_id, state.message_id)] = state
        return state

    def now(self) -> int:
        """Message dates are wall-clock Unix time, as Telegram stamps them."""
        return int(time.time())
