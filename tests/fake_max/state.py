"""Everything the fake MAX knows: people, chats, messages, files, events and the call records.

Kept apart from HTTP so endpoint handlers and the test-side helpers share one model and one set
of rules: which chats exist, who blocked the bot, how ``mid``/``seq`` are minted, and that every
update and message the fake builds parses with maxapi's own models.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from maxapi.types.message import Message
from maxapi.types.updates import UpdateUnionAdapter
from pydantic import TypeAdapter, ValidationError

from tests.fake_max.errors import chat_denied, chat_not_found, dialog_suspended
from tests.fake_max.faults import Faults
from tests.fake_max.limits import RateLimiter
from tests.fake_max.people import BotIdentity, SimMaxChat, SimMaxUser
from tests.fake_max.records import (
    CallbackAnswer,
    Failure,
    MessageState,
    Request,
    Sent,
    StoredFile,
    WebhookDelivery,
)
from tests.fake_max.updates import MAX_TIMEOUT, EventQueue
from tests.fake_max.webhooks import WebhookSender

SEQ_BASE = 116_327_994_376_978_687  # real seq values are above 2**53: JSON readers beware
_MESSAGE = TypeAdapter(Message)


@dataclass(frozen=True)
class Target:
    """A chat the bot may write to: a user's dialog or a group chat."""

    chat_id: int
    chat_type: str  # "dialog" or "chat"
    user: SimMaxUser | None

    def recipient(self) -> dict[str, Any]:
        user_id = self.user.id if self.user else None
        return {"chat_id": self.chat_id, "chat_type": self.chat_type, "user_id": user_id}


@dataclass(frozen=True)
class Press:
    """A button press the fake created, remembered until (and after) the bot answers it."""

    user: SimMaxUser
    mid: str | None
    payload: str | None


@dataclass
class World:
    identity: BotIdentity
    token: str
    clock: Callable[[], float] = time.monotonic
    strict_html: bool = True
    base_url: str = ""
    poll_timeout_cap: float = MAX_TIMEOUT
    webhook_attempts: int = 5
    webhook_backoff: float = 0.2
    users: dict[int, SimMaxUser] = field(default_factory=dict)
    strangers: set[int] = field(default_factory=set)  # seen in groups, never started the bot
    groups: dict[int, SimMaxChat] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    messages: dict[str, MessageState] = field(default_factory=dict)
    events: EventQueue = field(default_factory=EventQueue)
    sent: list[Sent] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    unknown_requests: list[str] = field(default_factory=list)
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    presses: dict[str, Press] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)  # by token
    upload_slots: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    uploads: list[StoredFile] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    webhook_deliveries: list[WebhookDelivery] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    too_many_requests: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    limiter: RateLimiter = field(init=False)
    webhooks: WebhookSender = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.clock)
        self.webhooks = WebhookSender(
            clock=self.clock,
            deliveries=self.webhook_deliveries,
            internal_errors=self.internal_errors,
            attempts=self.webhook_attempts,
            backoff=self.webhook_backoff,
        )

    # numbers and names ------------------------------------------------------------------------

    def next_id(self) -> int:
        """A fresh number for mids, callback ids, files and uploads."""
        return next(self._ids)

    def now_ms(self) -> int:
        """MAX timestamps are wall-clock Unix time in milliseconds."""
        return time.time_ns() // 1_000_000

    def new_mid(self, chat_id: int) -> tuple[str, int]:
        """A ``mid`` as MAX writes them ("mid." + 32 hex digits) and its ``seq``."""
        n = self.next_id()
        return f"mid.{chat_id & 0xFFFF_FFFF_FFFF_FFFF:016x}{n:016x}", SEQ_BASE + n

    def opaque(self, kind: str) -> str:
        """An opaque URL-safe string (callback ids, file tokens) that differs every call."""
        digest = hashlib.sha256(f"{self.token}:{kind}:{self.next_id()}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def file_url(self, file_id: str) -> str:
        return f"{self.base_url}/files/{file_id}"

    # chats --------------------------------------------------------------------------------------

    def dialog_user(self, chat_id: int) -> SimMaxUser | None:
        return next((u for u in self.users.values() if u.chat_id == chat_id), None)

    def resolve_target(self, *, user_id: int | None, chat_id: int | None) -> Target:
        """The chat a send goes to, or MAX's 404/403 for it."""
        if user_id is not None:
            user = self.users.get(user_id)
            if user is None:
                if user_id in self.strangers:
                    raise chat_denied(f"User {user_id} has no dialog with the bot")
                raise chat_not_found()
            return self.dialog_target(user)
        if chat_id is not None:
            user = self.dialog_user(chat_id)
            if user is not None:
                return self.dialog_target(user)
            if chat_id in self.groups:
                return Target(chat_id, "chat", None)
        raise chat_not_found()

    def dialog_target(self, user: SimMaxUser) -> Target:
        if user.id in self.blocked:
            raise dialog_suspended(user.chat_id)
        return Target(user.chat_id, "dialog", user)

    # messages and events ----------------------------------------------------------------------

    def store(
        self,
        message: dict[str, Any],
        *,
        from_bot: bool,
        format: str | None = None,
        edits: int = 0,
    ) -> MessageState:
        """Remember a message's current state, after checking maxapi can read it."""
        self.check(_MESSAGE, message, "message")
        body = message["body"]
        recipient = message["recipient"]
        user = self.dialog_user(recipient["chat_id"])
        state = MessageState(
            mid=body["mid"],
            chat_id=recipient["chat_id"],
            chat_type=recipient["chat_type"],
            user_id=user.id if user else None,
            from_bot=from_bot,
            text=body.get("text"),
            format=format,
            attachments=body.get("attachments"),
            raw=message,
            edits=edits,
        )
        self.messages[state.mid] = state
        return state

    def publish(self, update: dict[str, Any]) -> int:
        """Number the update and queue it for polling, or hand it to the webhooks."""
        self.check(UpdateUnionAdapter, update, "update")
        if not self.webhooks.active:
            return self.events.put(update)
        number = self.events.reserve()
        self.webhooks.dispatch(number, update)
        return number

    def check(self, adapter: TypeAdapter[Any], value: dict[str, Any], what: str) -> None:
        """Record a fake bug when maxapi cannot parse what the fake built."""
        try:
            adapter.validate_python(value)
        except ValidationError:
            self.internal_errors.append(
                f"{what} maxapi cannot parse: {value!r}\n{traceback.format_exc()}"
            )
