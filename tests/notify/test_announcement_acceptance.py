"""Issue 10's acceptance for announcements on PostgreSQL: a notifier killed with SIGKILL while
an announcement goes to 500 families, then restarted, loses none; repeats stay within the batch
that was in flight; the delivery report adds up to the audience."""

from __future__ import annotations

import asyncio
import signal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.messaging.announcements import announce, build_report
from core.messaging.rules import MessagingRules
from core.models import Announcement, SchoolClass, Staff
from core.models.enums import AnnouncementAudience, Messenger
from core.reader import Reader
from tests.bot import school
from tests.conftest import BACKENDS
from tests.fake_telegram import FakeTelegram
from tests.forkserver import Forked
from tests.notify.crowd import add_crowd
from tests.notify.processes import (
    START_PATIENCE,
    notifier_process,
    sent_counts,
    start,
    telegram_for,
    until,
)

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in BACKENDS, reason="PostgreSQL is switched off by JOURNAL_TEST_BACKENDS"
    ),
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

TEXT = "Завтра уроки начинаются в 9:00: в школе проверка отопления."


async def _announce_to_7a(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Крылова, 7А's class teacher, announces to its students; the announcement's id."""
    async with sessions() as session:
        krylova = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.external_id == "C7A"))
        ).scalar_one()
        reader = Reader(label="telegram", staff_id=krylova, today=school.TODAY)
        rules = MessagingRules(timezone=ZoneInfo("Asia/Yekaterinburg"))
        receipt = await announce(
            session,
            reader,
            rules,
            target="class",
            class_id=class_id,
            audience=AnnouncementAudience.STUDENTS,
            text=TEXT,
            messenger=Messenger.TELEGRAM,
            now=school.NOW,
        )
        await session.commit()
    assert receipt.people == 502  # the crowd and Анна and Дмитрий, who have no account
    return receipt.announcement_id


async def test_a_notifier_killed_during_an_announcement_loses_no_family(
    sessions: async_sessionmaker[AsyncSession],
    db_url: str,
    processes: list[Forked],
) -> None:
    chats = await add_crowd(sessions, 500)
    announcement_id = await _announce_to_7a(sessions)
    async with FakeTelegram() as tg:
        telegram_for(tg, chats)
        command = notifier_process(tg, db_url, NOTIFIER_LEASE_SECONDS="3")
        first = await start(processes, command)
        await until(lambda: sum(sent_counts(tg).values()) >= 60, START_PATIENCE)
        first.send_signal(signal.SIGKILL)  # no goodbye: the claimed deliveries stay "sending"
        await first.wait()
        assert sum(sent_counts(tg).values()) < 500, "it finished before it could be killed"
        await start(processes, command)
        await until(lambda: set(sent_counts(tg)) == set(chats), 120)
        counts = sent_counts(tg)
        texts = {s.plain_text for s in tg.sent if s.method == "sendMessage"}
    repeated = sum(n - 1 for n in counts.values())
    assert repeated <= 76  # at most the queue (60) and the requests in flight (16)
    assert any(TEXT in (text or "") for text in texts)
    async with sessions() as session:
        for _ in range(100):  # the last outcomes are written back a moment after the sends
            row = await session.get(Announcement, announcement_id)
            assert row is not None
            report = await build_report(session, row)
            if report.delivered == 500:
                break
            await session.rollback()
            await asyncio.sleep(0.1)
    assert report.people == 502
    assert report.delivered == 500
    assert report.not_linked == 2
    assert report.adds_up
