"""The scheduled jobs: evening digests, the weekly summary, early warning, the clean-up and
the privacy purge (APScheduler 3).

Every process that runs the notifier builds the same scheduler; the jobs themselves check
leadership first (a PostgreSQL advisory lock, :mod:`bot.leader`), so with several processes
exactly one does the work and another takes over when it dies. Stable job ids, ``coalesce``
and ``max_instances=1``: a job late after a pause runs once, never twice at the same time, and
the planning it does is idempotent anyway (:mod:`core.notify.scheduled`). Times are the
school's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leader import Leadership
from bot.settings import load_settings
from core.analytics.warnings import run_early_warning
from core.clock import Clock
from core.notify.scheduled import clean_up, plan_evening_digests, plan_weekly_summaries
from core.preferences import DIGEST_TIMES
from core.privacy.policy import RetentionPolicy
from core.privacy.retention import purge

logger = logging.getLogger(__name__)

WEEKLY_SUMMARY_AT = ("sun", time(18, 0))
CLEAN_UP_AT = time(3, 30)
PRIVACY_PURGE_AT = time(3, 45)  # after the clean-up, before anyone is up
LEADERSHIP_SECONDS = 15  # how soon another process takes the jobs over from a dead leader
EARLY_WARNING_AT = time(16, 0)  # after lessons, before the families' evening
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60}


def digest_time(value: str) -> time:
    """A settings-menu value such as "1900" as a time."""
    return time(int(value[:2]), int(value[2:]))


class ScheduledJobs:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        timezone: ZoneInfo,
        leadership: Leadership,
        on_planned: Callable[[], None] = lambda: None,
        retention: RetentionPolicy | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.timezone = timezone
        self.leadership = leadership
        self.on_planned = on_planned  # wakes the local notifier
        # None: the settings' policy, read when the job runs (the settings were validated at
        # start-up, so this cannot fail).
        self.retention = retention

    async def evening_digest(self, at: time) -> int:
        if not await self.leadership.try_acquire():
            return 0
        async with self.sessions() as session:
            planned = await plan_evening_digests(session, self.clock.now(), self.timezone, at)
            await session.commit()
        logger.info("planned %d evening digests for %s", planned, at.strftime("%H:%M"))
        if planned:
            self.on_planned()
        return planned

    async def weekly_summary(self) -> int:
        if not await self.leadership.try_acquire():
            return 0
        async with self.sessions() as session:
            planned = await plan_weekly_summaries(session, self.clock.now(), self.timezone)
            await session.commit()
        logger.info("planned %d weekly summaries", planned)
        if planned:
            self.on_planned()
        return planned

    async def early_warning(self) -> int:
        """Detect the day's risk cases of every school, record them and plan the messages, in
        one transaction (:mod:`core.analytics.warnings`)."""
        if not await self.leadership.try_acquire():
            return 0
        async with self.sessions() as session:
            run = await run_early_warning(session, self.clock.now(), self.timezone)
            await session.commit()
        logger.info("early warning: %d new cases, %d messages", run.cases, run.messages)
        if run.messages:
            self.on_planned()
        return run.messages

    async def keep_leadership(self) -> bool:
        """Take or keep the scheduled jobs' lock between jobs, so that the notifier-leader
        metric names the leader all day, not only after the first job ran."""
        return await self.leadership.try_acquire()

    async def clean_up(self) -> None:
        if not await self.leadership.try_acquire():
            return
        async with self.sessions() as session:
            report = await clean_up(session, self.clock.now())
            await session.commit()
        logger.info("clean-up: %d old events, %d old invites", report.events, report.invites)

    async def privacy_purge(self) -> None:
        """The retention policy (core.privacy.retention): counts only in the log."""
        if not await self.leadership.try_acquire():
            return
        policy = self.retention or load_settings().retention
        report = await purge(self.sessions, policy, self.clock.now())
        logger.info(
            "privacy purge: %d push texts, %d link attempts, %d audit records anonymised, "
            "%d purged",
            report.push_texts,
            report.link_attempts,
            report.audit_anonymised,
            report.audit_purged,
        )


def create_scheduler(jobs: ScheduledJobs) -> AsyncIOScheduler:
    """Not started: call ``start()`` inside the running loop."""
    scheduler = AsyncIOScheduler(timezone=jobs.timezone, job_defaults=JOB_DEFAULTS)
    for value in DIGEST_TIMES:
        at = digest_time(value)
        scheduler.add_job(
            jobs.evening_digest,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=jobs.timezone),
            args=[at],
            id=f"evening-digest-{value}",
            replace_existing=True,
        )
    day, at = WEEKLY_SUMMARY_AT
    scheduler.add_job(
        jobs.weekly_summary,
        CronTrigger(day_of_week=day, hour=at.hour, minute=at.minute, timezone=jobs.timezone),
        id="weekly-summary",
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.early_warning,
        CronTrigger(
            hour=EARLY_WARNING_AT.hour, minute=EARLY_WARNING_AT.minute, timezone=jobs.timezone
        ),
        id="early-warning",
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.clean_up,
        CronTrigger(hour=CLEAN_UP_AT.hour, minute=CLEAN_UP_AT.minute, timezone=jobs.timezone),
        id="clean-up",
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.privacy_purge,
        CronTrigger(
            hour=PRIVACY_PURGE_AT.hour, minute=PRIVACY_PURGE_AT.minute, timezone=jobs.timezone
        ),
        id="privacy-purge",
        replace_existing=True,
    )
    scheduler.add_job(
        jobs.keep_leadership,
        IntervalTrigger(seconds=LEADERSHIP_SECONDS),
        id="leadership",
        replace_existing=True,
        next_run_time=datetime.now(jobs.timezone),  # at start-up, then every interval
    )
    return scheduler
