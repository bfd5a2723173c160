"""What the fake MAX remembers, as frozen values a test can compare and print.

Records are immutable so an assertion made early in a test still describes what happened then; a
message's later edits replace its ``MessageState`` instead of changing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def keyboard_buttons(attachments: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Every inline-keyboard button of a message, in reading order."""
    buttons: list[dict[str, Any]] = []
    for attachment in attachments or []:
        if attachment.get("type") == "inline_keyboard":
            rows = (attachment.get("payload") or {}).get("buttons") or []
            buttons.extend(button for row in rows for button in row)
    return buttons


def button_target(button: Mapping[str, Any]) -> str | None:
    """What pressing the button carries: the callback payload, or the link's URL."""
    value = button.get("payload") if button.get("type") != "link" else button.get("url")
    return value if isinstance(value, str) else None


class _Buttons:
    attachments: list[dict[str, Any]] | None

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons as ``(text, payload or url)`` in reading order, like FakeTelegram's."""
        return [(b.get("text", ""), button_target(b)) for b in keyboard_buttons(self.attachments)]

    @property
    def button_types(self) -> list[str]:
        """The type of each button in ``buttons`` ("callback", "link", "request_contact", ...)."""
        return [str(b.get("type")) for b in keyboard_buttons(self.attachments)]


@dataclass(frozen=True)
class Request:
    """One API call as it reached the server, valid or not; ``endpoint`` is "VERB /path"."""

    endpoint: str
    params: Mapping[str, str]
    body: Any
    token: str | None
    at: float


@dataclass(frozen=True)
class Failure:
    """A call MAX refused (4xx/5xx), kept so a failing test can say why nothing arrived."""

    endpoint: str
    status: int
    code: str
    message: str
    params: Mapping[str, str] = field(repr=False)
    body: Any = field(default=None, repr=False)
    at: float = 0.0


@dataclass(frozen=True)
class Sent(_Buttons):
    """Something the bot did that MAX accepted: "send", "edit", "delete" or "answer".

    ``chat_id`` is the chat the message is in (a user's dialog id, not their user id) and
    ``user_id`` the user of that dialog (None in group chats).  ``text`` is the text as the bot
    sent it, markup included; ``plain_text`` what the user sees.  ``attachments`` is the list as
    the bot sent it (maxapi sends ``[]`` when there are none; None means the body had no list,
    which in an edit keeps the message's attachments).  ``filename`` and
    ``file_bytes`` name the first uploaded file or image the message carries.  ``at`` is
    ``time.monotonic()`` (or the fake's clock).  An "answer" is a reply to a button press: its
    ``notification`` is the toast, its text and attachments the new state of the pressed message.
    """

    method: str
    chat_id: int | None
    user_id: int | None
    text: str | None
    format: str | None
    attachments: list[dict[str, Any]] | None
    mid: str | None
    at: float
    plain_text: str | None = None
    filename: str | None = None
    file_bytes: bytes | None = field(default=None, repr=False)
    reply_to: str | None = None
    notification: str | None = None
    params: Mapping[str, str] = field(default_factory=dict, repr=False)
    body: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class MessageState(_Buttons):
    """A message as it currently stands (after edits); ``raw`` is the MAX ``Message`` object."""

    mid: str
    chat_id: int
    chat_type: str
    user_id: int | None
    from_bot: bool
    text: str | None
    format: str | None
    attachments: list[dict[str, Any]] | None
    raw: dict[str, Any] = field(repr=False)
    edits: int = 0

    @property
    def reply_to(self) -> str | None:
        """The mid of the message this one replies to, as its ``link`` says."""
        link = self.raw.get("link")
        if isinstance(link, dict) and link.get("type") == "reply":
            return str(link["message"]["mid"])
        return None


@dataclass(frozen=True)
class CallbackAnswer:
    """A ``POST /answers`` call, tied back to the press that caused it."""

    callback_id: str
    user_id: int
    payload: str | None
    mid: str | None
    notification: str | None
    message: Mapping[str, Any] | None
    at: float


@dataclass(frozen=True)
class StoredFile:
    """A file MAX holds: one the bot uploaded or one a user sent; ``token`` re-attaches it."""

    file_id: str
    kind: str  # "file", "image", "video" or "audio"
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)
    token: str
    photo_id: int | None = None
    from_bot: bool = True
    at: float = 0.0

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Subscription:
    """A webhook subscription (``POST /subscriptions``)."""

    url: str
    secret: str | None = field(repr=False)
    update_types: tuple[str, ...] | None
    time: int
    version: str | None = None

    def wants(self, update_type: str) -> bool:
        return not self.update_types or update_type in self.update_types

    def as_json(self) -> dict[str, Any]:
        types = list(self.update_types) if self.update_types else None
        return {"url": self.url, "time": self.time, "update_types": types, "version": self.version}


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to a subscription; ``status`` None when it never answered."""

    url: str
    event: int
    update_type: str
    attempt: int
    status: int | None
    error: str | None
    at: float
    with_secret: bool
    update: Mapping[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200
