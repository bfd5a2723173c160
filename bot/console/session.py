"""A Bot API session that answers locally and records every call instead of using the network.

The console prints what it records; handler tests read it. Results are built the way Telegram
would answer, so handlers that use the returned ``Message`` keep working.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, File, InlineKeyboardMarkup, Message, User

if TYPE_CHECKING:
    from aiogram import Bot

BOT_USER = User(id=42, is_bot=True, first_name="Школьный журнал", username="school_journal_bot")


@dataclass
class Outgoing:
    """One thing the bot did: a message sent or edited, a callback answered, a file sent."""

    method: str
    chat_id: int | None
    message_id: int | None
    text: str | None
    reply_markup: Any | None
    show_alert: bool = False


class LocalSession(BaseSession):
    def __init__(self, on_call: Callable[[Outgoing], None] | None = None) -> None:
        super().__init__()
        self.calls: list[Outgoing] = []
        self._on_call = on_call
        self._message_ids = itertools.count(1_000_000)

    async def close(self) -> None:
        return None

    def _record(self, outgoing: Outgoing) -> None:
        self.calls.append(outgoing)
        if self._on_call is not None:
            self._on_call(outgoing)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        result: Any = True
        if isinstance(method, GetMe):
            result = BOT_USER
        elif isinstance(method, GetFile):
            # Files sent in the console have no bytes: a download gets a stand-in (below).
            result = File(
                file_id=method.file_id,
                file_unique_id=method.file_id,
                file_path=f"console/{method.file_id}",
            )
        elif isinstance(method, SendMessage | SendDocument | SendPhoto):
            chat_id = int(method.chat_id)
            message_id = next(self._message_ids)
            text = method.text if isinstance(method, SendMessage) else _file_text(method)
            self._record(
                Outgoing(method.__api_method__, chat_id, message_id, text, method.reply_markup)
            )
            result = Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=Chat(id=chat_id, type="private"),
                from_user=BOT_USER,
                text=text,
                reply_markup=method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None,
            )
        elif isinstance(method, EditMessageText | EditMessageReplyMarkup):
            edited_chat = int(method.chat_id) if method.chat_id is not None else None
            new_text = method.text if isinstance(method, EditMessageText) else None
            self._record(
                Outgoing(
                    method.__api_method__,
                    edited_chat,
                    method.message_id,
                    new_text,
                    method.reply_markup,
                )
            )
        elif isinstance(method, AnswerCallbackQuery):
            self._record(
                Outgoing(
                    method.__api_method__, None, None, method.text, None, bool(method.show_alert)
                )
            )
        return result  # type: ignore[no-any-return]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield f"The console's stand-in for {url.rsplit('/', 1)[-1]}\n".encode()


def _file_text(method: SendDocument | SendPhoto) -> str:
    """How a file shows in the console: its name (a link's, an upload's) or its file id."""
    sent = method.document if isinstance(method, SendDocument) else method.photo
    name = getattr(sent, "filename", None) or (sent if isinstance(sent, str) else "file")
    label = "photo" if isinstance(method, SendPhoto) else "file"
    caption = f"\n{method.caption}" if method.caption else ""
    return f"[{label}: {name}]{caption}"
