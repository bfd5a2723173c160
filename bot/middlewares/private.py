"""Personal data never goes to a group or a channel: there the bot only points to the private chat.

Callback queries from a message outside a private chat are refused the same way. Membership
updates (``my_chat_member``: the bot blocked or added somewhere) pass, so they can be recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)
from aiogram.utils.i18n import gettext as _

from core.models.enums import Messenger


class PrivateChatGuard(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        if not isinstance(event, Update) or event.my_chat_member is not None:
            return await handler(event, data)
        if chat is not None and chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        bot: Bot = data["bot"]
        text = _(
            "I work only in a private chat, so that nobody else sees your children's data. "
            "Write to me directly."
        )
        if isinstance(event.callback_query, CallbackQuery):
            await event.callback_query.answer(text, show_alert=True)
        elif isinstance(event.message, Message) and _addressed_to_bot(event.message):
            me = await bot.me()
            site = "max.ru" if data["messenger"] == Messenger.MAX else "t.me"
            button = InlineKeyboardButton(
                text=_("Open a private chat"), url=f"https://{site}/{me.username}"
            )
            await event.message.answer(
                text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]])
            )
        return None


def _addressed_to_bot(message: Message) -> bool:
    # In a group the bot answers commands only; ordinary talk between people is not for it.
    return bool(message.text and message.text.startswith("/"))
