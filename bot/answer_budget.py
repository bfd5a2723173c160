"""The bot's answers spend the same budget as its pushes (bot/notifier/pacer.py).

Telegram allows a bot about 30 messages a second, answers and pushes together. A request
middleware on the answering bots tells the notifier's pacer of every message that came back
(accepted or refused: Telegram counted it either way), so a teacher's answers in the second
a whole class's marks go out leave the pushes one slot less instead of costing a 429 and the
second of pause that follows it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, SendChatAction, TelegramMethod

from bot.notifier.pacer import SharedBudget

# Methods that put or change a message in a chat: what Telegram's per-second limit counts.
COUNTED_PREFIXES = ("Send", "Edit", "Copy", "Forward")
NOT_COUNTED = (SendChatAction,)


def counts(method: TelegramMethod[Any]) -> bool:
    if isinstance(method, NOT_COUNTED):
        return False
    return type(method).__name__.startswith(COUNTED_PREFIXES)


class SharedBudgetMiddleware(BaseRequestMiddleware):
    def __init__(self, budget: SharedBudget) -> None:
        self._budget = budget

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        try:
            return await make_request(bot, method)
        finally:
            if counts(method):
                self._budget.answered()
