"""The bot's answers wait out Telegram's "Too Many Requests" instead of being lost.

When answers bunch up (a slow moment, then everything at once), Telegram refuses those over its
limits with 429 and a ``retry_after``; aiogram raises at once, the handler fails, and the family
never hears the answer (bench/rush.py lost some this way on a loaded machine). This request
middleware, on the bots that answer updates, waits the time Telegram asks and tries again, a
few times and only for short waits: a family waiting more than that would rather ask again.

Pushes do not go through it: the notifier has bots of its own and treats a 429 as a pause of its
whole budget (bot/notifier/service.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod

logger = logging.getLogger(__name__)

ATTEMPTS = 3
LONGEST_WAIT = 10.0  # seconds: a longer retry_after is passed on (the handler apologises)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        attempts: int = ATTEMPTS,
        longest_wait: float = LONGEST_WAIT,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._attempts = attempts
        self._longest_wait = longest_wait
        self._sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Response[Any]:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt >= self._attempts or error.retry_after > self._longest_wait:
                    raise
                attempt += 1
                # The method's name only: its parameters hold the chat and the text.
                logger.info(
                    "Telegram asked to wait %s s before %s; waiting",
                    error.retry_after,
                    type(method).__name__,
                )
                await self._sleep(error.retry_after)
