"""The dispatcher factory: production, the console and the tests build the bot the same way.

Nothing is created at import time. Services reach handlers as workflow data: ``clock``,
``timezone``, ``messenger`` (which adapter this dispatcher serves), ``i18n``, ``mail_rules``
(the mail's limits), ``files`` (the file store, core.files); per update the middlewares add
``session``, ``account``, ``reader``, ``now``, ``today``, and ``bot_key`` / ``bot_school_id``
(the school's own bot the update came to, bot/school_bots.py; ``""`` / None for the shared one).

The FSM storage and the per-user throttle are the process's memory, or Redis when
``BotConfig.redis_url`` is set (several processes, bot/shared_state.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import middlewares, responses  # noqa: F401 - responses keeps aiogram's answer models built
from bot.middlewares.throttle import SharedBuckets
from bot.school_bots import BotDirectory
from bot.shared_state import ResilientEventIsolation, ResilientRedisStorage, redis_client
from bot.storage import LeanMemoryStorage
from core.clock import Clock
from core.files import FileStore
from core.i18n import LOCALES_DIR
from core.messaging.rules import MessagingRules
from core.models.enums import Messenger
from handlers import build_routers


@dataclass(frozen=True)
class BotConfig:
    """What the dispatcher needs from the settings."""

    timezone: ZoneInfo
    default_locale: str = "ru"
    messenger: Messenger = Messenger.TELEGRAM
    # Per-user token bucket: sustained updates per second, and the burst allowed.
    throttle_rate: float = 2.0
    throttle_burst: int = 8
    # The mail's limits per family member (core.messaging.rules).
    questions_open_per_recipient: int = 3
    questions_per_day: int = 20
    # The journal's own files (core.files): homework a teacher attaches in the chat.
    files_dir: Path = Path("files")
    # REDIS_URL: the FSM and the throttle shared by several processes (bot/shared_state.py);
    # None keeps both in this process's memory.
    redis_url: str | None = None

    def mail_rules(self) -> MessagingRules:
        return MessagingRules(
            timezone=self.timezone,
            open_per_recipient=self.questions_open_per_recipient,
            messages_per_day=self.questions_per_day,
        )


def create_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain="messages")


def create_dispatcher(
    config: BotConfig,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    i18n: I18n | None = None,
    storage: BaseStorage | None = None,
    directory: BotDirectory | None = None,
) -> Dispatcher:
    i18n = i18n or create_i18n(config.default_locale)
    shared_throttle = None
    isolation: BaseEventIsolation | None = None
    if storage is None and config.redis_url is not None:
        # One client for both; the dispatcher's shutdown closes it with the storage.
        redis = redis_client(config.redis_url)
        storage = ResilientRedisStorage(redis)
        shared_throttle = SharedBuckets(
            redis,
            rate=config.throttle_rate,
            burst=config.throttle_burst,
            namespace=config.messenger.value,
        )
        # Several processes: one user's updates in turn across all of them. One process needs
        # no lock (aiogram's in-memory one keeps a lock per user for ever).
        isolation = ResilientEventIsolation(redis)
    dp = Dispatcher(
        storage=storage or LeanMemoryStorage(),
        events_isolation=isolation,
        clock=clock,
        timezone=config.timezone,
        messenger=config.messenger,
        sessions=sessions,
        mail_rules=config.mail_rules(),
        files=FileStore(config.files_dir),
        # Also set per update by the locale middleware; here so that the error handler can
        # translate even when the failure came before that middleware ran.
        i18n=i18n,
    )
    middlewares.install(
        dp,
        sessions=sessions,
        i18n=i18n,
        clock=clock,
        throttle_rate=config.throttle_rate,
        throttle_burst=config.throttle_burst,
        directory=directory,
        shared_throttle=shared_throttle,
    )
    dp.include_routers(*build_routers())
    return dp
