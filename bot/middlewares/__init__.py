"""Outer middlewares on ``dp.update``, in the order the architecture fixes.

database session → account resolution → locale → throttling → private-chat guard, all inside
the update's observer (bot/middlewares/observe.py: metrics and the update's log line).
"""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.middlewares import observe
from bot.middlewares.account import AccountMiddleware
from bot.middlewares.locale import AccountLocaleMiddleware
from bot.middlewares.private import PrivateChatGuard
from bot.middlewares.session import DatabaseSessionMiddleware
from bot.middlewares.throttle import SharedBuckets, ThrottlingMiddleware
from bot.school_bots import BotDirectory
from core.clock import Clock


def install(
    dp: Dispatcher,
    *,
    sessions: async_sessionmaker[AsyncSession],
    i18n: I18n,
    clock: Clock,
    throttle_rate: float,
    throttle_burst: int,
    directory: BotDirectory | None = None,
    shared_throttle: SharedBuckets | None = None,
) -> None:
    observe.install(dp)  # first: it counts and times what the others do too
    dp.update.outer_middleware(DatabaseSessionMiddleware(sessions))
    dp.update.outer_middleware(AccountMiddleware(clock, directory))
    dp.update.outer_middleware(AccountLocaleMiddleware(i18n))
    dp.update.outer_middleware(
        ThrottlingMiddleware(rate=throttle_rate, burst=throttle_burst, shared=shared_throttle)
    )
    dp.update.outer_middleware(PrivateChatGuard())
