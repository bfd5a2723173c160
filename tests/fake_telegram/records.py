"""What the fake remembers, as frozen values a test can compare and print.

Records are immutable so an assertion made early in a test still describes what happened then;
a message's later edits replace its ``MessageState`` instead of changing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ChatId = int | str


@dataclass(frozen=True)
class Request:
    """One Bot API call as it reached the server, valid or not; ``method`` as in the URL."""

    method: str
    params: Mapping[str, Any]
    token: str
    at: float


@dataclass(frozen=True)
class Failure:
    """A call Telegram refused (4xx/5xx), kept so a failing test can say why nothing arrived."""

    method: str
    status: int
    description: str
    params: Mapping[str, Any] = field(repr=False)
    at: float = 0.0


@dataclass(frozen=True)
class Sent:
    """Something the bot did to a chat that Telegram accepted: a send, an edit or a delete.

    ``text`` is the text (or caption) as the bot sent it, markup included; ``plain_text`` is what
    the user sees after entity parsing.  ``at`` is ``time.monotonic()`` (or the fake's clock).
    ``reply_to`` is the id of the message this one answers (Telegram's reply), None when it
    answers none, also when the bot allowed sending without the reply and the message was gone.
    """

    method: str
    chat_id: ChatId | None
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    message_id: int | None
    at: float
    plain_text: str | None = None
    filename: str | None = None
    file_bytes: bytes | None = field(default=None, repr=False)
    reply_to: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as ``(text, callback_data)`` in reading order."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data")) for row in rows for b in row]


@dataclass(frozen=True)
class MessageState:
    """A message as it currently stands in a chat (after edits); ``raw`` is the Bot API object."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str | None
    reply_markup: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False)
    edits: int = 0

    @property
    def reply_to(self) -> int | None:
        """The id of the message this one replies to, as its ``reply_to_message`` says."""
        replied = self.raw.get("reply_to_message")
        return replied["message_id"] if isinstance(replied, dict) else None

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data")) for row in rows for b in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` call, tied back to the press that caused it."""

    callback_query_id: str
    user_id: int
    data: str | None
    text: str | None
    show_alert: bool
    url: str | None
    at: float
