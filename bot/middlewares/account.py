"""Who is writing: the account, its verified links, and the Reader the core checks access by.

Everything here comes from the database for this very update; nothing the client sends (callback
data, message text) can widen what the Reader may see.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.school_bots import BotDirectory
from core.clock import Clock
from core.linking.accounts import load_account, reactivate, reader_of
from core.linking.dto import AccountView
from core.models.enums import Messenger
from core.reader import Reader


class AccountMiddleware(BaseMiddleware):
    def __init__(self, clock: Clock, directory: BotDirectory | None = None) -> None:
        self._clock = clock
        self._directory = directory or BotDirectory()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        timezone: ZoneInfo = data["timezone"]
        now: datetime = self._clock.now()
        today: date = now.astimezone(timezone).date()
        data["now"] = now
        data["today"] = today
        user: User | None = data.get("event_from_user")
        messenger: Messenger = data["messenger"]
        # Which bot the update came to: a school's own bot has accounts (and links) of its own.
        school_bot = self._directory.of(data.get("bot"))
        bot_key = "" if school_bot is None else school_bot.key
        data["bot_key"] = bot_key
        data["bot_school_id"] = None if school_bot is None else school_bot.school_id
        account: AccountView | None = None
        if user is not None and not user.is_bot:
            session: AsyncSession = data["session"]
            account = await load_account(session, messenger, str(user.id), today, bot=bot_key)
            if account is not None and not account.is_active and _writes(event):
                await reactivate(session, account.account_id, now)
                account = replace(account, is_active=True)
        data["account"] = account
        data["reader"] = reader_for(account, messenger, today)
        return await handler(event, data)


def _writes(event: TelegramObject) -> bool:
    """A message or a button press: the user is back (a block shows as chat member update)."""
    return isinstance(event, Update) and (
        event.message is not None or event.callback_query is not None
    )


def reader_for(account: AccountView | None, messenger: Messenger, today: date) -> Reader:
    if account is None:
        return Reader(label=messenger.value, today=today)
    return reader_of(account, messenger.value, today)
