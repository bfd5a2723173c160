"""Drive the real dispatcher (production middlewares and routers) with Telegram-shaped updates.

Every call returns what the bot did in answer, read from a recording Bot API session.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageOriginUser,
    Update,
    User,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotConfig, create_dispatcher
from bot.console.session import BOT_USER, LocalSession, Outgoing
from core.clock import FrozenClock

TIMEZONE = ZoneInfo("Asia/Yekaterinburg")


class ChatDriver:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: FrozenClock,
        *,
        throttle_burst: int = 1000,
        throttle_rate: float = 1000.0,
    ) -> None:
        self.clock = clock
        self.sessions = sessions
        config = BotConfig(
            timezone=TIMEZONE, throttle_rate=throttle_rate, throttle_burst=throttle_burst
        )
        self.dp: Dispatcher = create_dispatcher(config, sessions, clock)
        self.session = LocalSession()
        self.bot = Bot(
            token="42:test-token-for-the-recording-session",  # noqa: S106
            session=self.session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self._ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, language: str = "ru", first_name: str = "Тест") -> User:
        return User(id=user_id, is_bot=False, first_name=first_name, language_code=language)

    async def _feed(self, **event: object) -> list[Outgoing]:
        before = len(self.session.calls)
        update = Update(update_id=next(self._ids), **event)  # type: ignore[arg-type]
        await self.dp.feed_update(self.bot, update)
        return self.session.calls[before:]

    def _message(self, user: User, chat: Chat | None, **fields: object) -> Message:
        return Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=chat or Chat(id=user.id, type="private"),
            from_user=user,
            **fields,  # type: ignore[arg-type]
        )

    async def send(self, user: User, text: str, *, chat: Chat | None = None) -> list[Outgoing]:
        entities = None
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        return await self._feed(message=self._message(user, chat, text=text, entities=entities))

    async def post(self, user: User, **content: object) -> list[Outgoing]:
        """A message with any content: ``photo=[...]``, ``document=...``, ``sticker=...``,
        ``reply_to_message=...``, ``caption=...``."""
        return await self._feed(message=self._message(user, None, **content))

    async def reply(self, user: User, to: Outgoing, text: str) -> list[Outgoing]:
        """A plain reply to a message the bot sent into this user's chat."""
        replied = Message(
            message_id=to.message_id or 0,
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private"),
            from_user=BOT_USER,
            text=to.text or "",
        )
        return await self.post(user, text=text, reply_to_message=replied)

    async def contact(
        self, user: User, phone: str, *, owner_id: int | None = None, forwarded: bool = False
    ) -> list[Outgoing]:
        contact = Contact(phone_number=phone, first_name="Контакт", user_id=owner_id or user.id)
        extra: dict[str, object] = {}
        if forwarded:
            extra["forward_origin"] = MessageOriginUser(
                date=datetime.now(UTC), sender_user=self.user(999)
            )
        return await self._feed(message=self._message(user, None, contact=contact, **extra))

    async def press(
        self, user: User, data: str, *, chat: Chat | None = None, message_id: int = 1
    ) -> list[Outgoing]:
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=chat or Chat(id=user.id, type="private"),
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(self._ids)),
            from_user=user,
            chat_instance="test",
            message=message,
            data=data,
        )
        return await self._feed(callback_query=query)


def texts(calls: list[Outgoing]) -> str:
    """Everything the bot said, as one string (for assertions on content)."""
    return "\n".join(c.text for c in calls if c.text)


def button_data(calls: list[Outgoing]) -> list[str]:
    return [
        button.callback_data
        for call in calls
        if isinstance(call.reply_markup, InlineKeyboardMarkup)
        for row in call.reply_markup.inline_keyboard
        for button in row
        if button.callback_data
    ]
