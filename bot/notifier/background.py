"""The notifier and the scheduled jobs as one background service of a bot process.

``journal run`` wraps polling (or the webhook server) in :func:`push_services`; ``journal
notifier`` runs it alone, for deployments that keep sending apart from answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta

from aiogram import Bot
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leader import create_leadership
from bot.notifier.pacer import PaceLimits, SharedBudget
from bot.notifier.service import Notifier, NotifierConfig
from bot.notifier.wakeup import create_wakeup
from bot.scheduler import ScheduledJobs, create_scheduler
from bot.settings import Settings
from core.clock import Clock
from core.models.enums import Messenger
from core.notify.deliveries import Route
from core.notify.fanout import PushRules

logger = logging.getLogger(__name__)


def notifier_config(settings: Settings) -> NotifierConfig:
    return NotifierConfig(
        rules=PushRules(
            timezone=settings.timezone,
            window=timedelta(seconds=settings.push_coalesce_seconds),
        ),
        limits=PaceLimits(per_second=settings.push_rate_per_second),
        messenger_limits={Messenger.MAX: PaceLimits(per_second=settings.max_push_rate_per_second)},
        default_locale=settings.default_locale,
        poll_interval=settings.notifier_poll_seconds,
        lease=timedelta(seconds=settings.notifier_lease_seconds),
    )


@contextlib.asynccontextmanager
async def push_services(
    settings: Settings,
    bots: Bot | Mapping[Messenger, Bot] | Mapping[Route, Bot],
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    i18n: I18n,
    *,
    shared: Mapping[Route, SharedBudget] | None = None,
) -> AsyncIterator[Notifier]:
    """Run the notifier and the scheduler for as long as the block lasts; ``shared``: the
    answers of this process's bots, which spend their budgets too (bot/answer_budget.py)."""
    notifier = Notifier(
        bots,
        sessions,
        clock,
        notifier_config(settings),
        i18n,
        wakeup=create_wakeup(settings.database_url),
        shared=shared,
    )
    leadership = create_leadership(settings.database_url)
    scheduler = create_scheduler(
        ScheduledJobs(
            sessions,
            clock,
            settings.timezone,
            leadership,
            notifier.nudge,
            retention=settings.retention,
        )
    )
    task = asyncio.create_task(notifier.run(), name="notifier")
    scheduler.start()
    logger.info("notifier and scheduled jobs started")
    try:
        yield notifier
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # let APScheduler cancel its running jobs (TESTING.md)
        notifier.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=30)
        await leadership.release()
        logger.info("notifier stopped")
