"""The retention job: each period purges what is older and keeps what is younger; erased
accounts' records lose the person and keep the fact; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leader import SoleLeadership
from bot.scheduler import ScheduledJobs, create_scheduler
from bot.settings import SettingsError, load_settings
from core.clock import FrozenClock
from core.linking.accounts import forget_account
from core.models import (
    Account,
    AccountLink,
    AuditRecord,
    Delivery,
    LinkAttempt,
    NotificationPreference,
    OutboxEvent,
    School,
    Student,
)
from core.models.enums import DeliveryState, EventKind, Messenger
from core.privacy.policy import AUDIT_MINIMUM_DAYS, RetentionPolicy
from core.privacy.retention import PurgeReport, purge
from core.reader import Reader
from core.services.diary import diary
from tests.bot import school
from tests.privacy.conftest import db_id, link

Sessions = async_sessionmaker[AsyncSession]
POLICY = RetentionPolicy()
DAY = timedelta(days=1)
TZ = ZoneInfo("Asia/Yekaterinburg")


async def _seed_ages(sessions: Sessions, clock: FrozenClock) -> dict[str, int]:
    """An old and a young row of every kind the policy ages out; their ids by name."""
    now = clock.now()
    async with sessions() as session:
        school_id = await session.scalar(select(School.id))
        student_id = await session.scalar(select(Student.id).where(Student.external_id == "S1"))
        account = Account(messenger=Messenger.TELEGRAM, user_key="1", chat_key="1")
        session.add(account)
        await session.flush()
        ids: dict[str, int] = {"account": account.id}
        for name, days, state in (
            ("old_push", POLICY.push_days + 1, DeliveryState.SENT),
            ("young_push", POLICY.push_days - 1, DeliveryState.SENT),
            ("old_pending", POLICY.push_days + 1, DeliveryState.PENDING),
        ):
            event = OutboxEvent(
                school_id=school_id,
                kind=EventKind.MARK_ADDED,
                student_id=student_id,
                object_type="marks",
                object_id=days,
                payload={"value": "5", "date": "2026-11-30"},
                occurred_at=now - days * DAY,
                processed_at=now - days * DAY,
            )
            session.add(event)
            await session.flush()
            session.add(Delivery(event_id=event.id, account_id=account.id, state=state))
            ids[name] = event.id
        for name, days in (
            ("old_attempt", POLICY.link_attempt_days + 1),
            ("young_attempt", POLICY.link_attempt_days - 1),
        ):
            attempt = LinkAttempt(
                messenger=Messenger.TELEGRAM, user_key=name, attempted_at=now - days * DAY
            )
            session.add(attempt)
            await session.flush()
            ids[name] = attempt.id
        for name, days in (
            ("old_audit", POLICY.audit_days + 1),
            ("young_audit", POLICY.audit_days - 1),
        ):
            record = AuditRecord(
                at=now - days * DAY,
                school_id=school_id,
                actor_account_id=account.id,
                actor_label="telegram",
                action="read_diary",
                student_id=student_id,
            )
            session.add(record)
            await session.flush()
            ids[name] = record.id
        await session.commit()
    return ids


async def _payload(session: AsyncSession, event_id: int) -> dict[str, Any]:
    event = await session.get(OutboxEvent, event_id)
    assert event is not None
    return event.payload


async def test_each_period_purges_older_rows_and_keeps_younger_ones(
    sessions: Sessions, clock: FrozenClock
) -> None:
    ids = await _seed_ages(sessions, clock)

    report = await purge(sessions, POLICY, clock.now(), label="test")

    assert report == PurgeReport(
        push_texts=1, link_attempts=1, audit_anonymised=0, audit_purged=1, dry_run=False
    )
    async with sessions() as session:
        assert await _payload(session, ids["old_push"]) == {}
        assert await _payload(session, ids["young_push"]) == {"value": "5", "date": "2026-11-30"}
        # A push still waiting (quiet hours, a retry) keeps what it will say.
        assert (await _payload(session, ids["old_pending"]))["value"] == "5"
        # The event and its delivery stay for the clean-up (corrections need them).
        assert await session.get(OutboxEvent, ids["old_push"]) is not None
        assert await session.get(LinkAttempt, ids["old_attempt"]) is None
        assert await session.get(LinkAttempt, ids["young_attempt"]) is not None
        assert await session.get(AuditRecord, ids["old_audit"]) is None
        assert await session.get(AuditRecord, ids["young_audit"]) is not None
        proof = (
            await session.scalars(select(AuditRecord).where(AuditRecord.action == "privacy_purge"))
        ).one()
        assert proof.actor_label == "test"
        assert proof.details == {
            "push_texts": 1,
            "link_attempts": 1,
            "audit_anonymised": 0,
            "audit_purged": 1,
        }


async def test_the_job_is_idempotent_and_a_dry_run_changes_nothing(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await _seed_ages(sessions, clock)

    dry = await purge(sessions, POLICY, clock.now(), dry_run=True)
    assert (dry.push_texts, dry.link_attempts, dry.audit_purged, dry.dry_run) == (1, 1, 1, True)
    first = await purge(sessions, POLICY, clock.now(), batch=1)  # one row per transaction
    assert first.total == 3
    async with sessions() as session:
        proofs = select(func.count()).where(AuditRecord.action == "privacy_purge")
        assert await session.scalar(proofs) == 1
    again = await purge(sessions, POLICY, clock.now())
    assert again.total == 0
    async with sessions() as session:
        assert await session.scalar(proofs) == 1  # nothing done, nothing recorded
    assert (await purge(sessions, POLICY, clock.now(), dry_run=True)).total == 0


async def test_the_audit_period_is_the_schools(sessions: Sessions, clock: FrozenClock) -> None:
    ids = await _seed_ages(sessions, clock)
    longer = RetentionPolicy(audit_days=POLICY.audit_days + 30)

    assert (await purge(sessions, longer, clock.now())).audit_purged == 0
    clock.advance(31 * DAY)
    assert (await purge(sessions, longer, clock.now())).audit_purged == 1
    async with sessions() as session:
        assert await session.get(AuditRecord, ids["old_audit"]) is None
        assert await session.get(AuditRecord, ids["young_audit"]) is not None


def test_settings_refuse_an_audit_period_below_the_legal_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUDIT_RETENTION_DAYS", raising=False)
    assert load_settings().retention == POLICY
    assert POLICY.audit_days == AUDIT_MINIMUM_DAYS == 3 * 365 + 1
    assert load_settings(audit_retention_days=2000).retention.audit_days == 2000
    with pytest.raises(SettingsError, match="AUDIT_RETENTION_DAYS"):
        load_settings(audit_retention_days=AUDIT_MINIMUM_DAYS - 1)
    with pytest.raises(SettingsError, match="AUDIT_RETENTION_DAYS: shorter than"):
        load_settings(audit_anonymise_days=AUDIT_MINIMUM_DAYS + 1)
    for name in ("retention_push_days", "retention_link_attempt_days"):
        with pytest.raises(SettingsError, match=name.upper()):
            load_settings(**{name: 0})
    with pytest.raises(SettingsError, match="RETENTION_PUSH_DAYS"):
        load_settings(retention_push_days=91)  # the clean-up deletes the events at 90


async def test_logout_erases_at_once_and_the_trail_is_anonymised_after_the_period(
    sessions: Sessions, clock: FrozenClock
) -> None:
    olga = await link(sessions, "G1", "706", clock)
    maria = await link(sessions, "G3", "707", clock)  # stays linked
    anna = await db_id(sessions, Student, "S1")
    async with sessions() as session:
        for account_id in (olga, maria):
            guardian_id = (
                await session.scalars(
                    select(AccountLink.guardian_id).where(AccountLink.account_id == account_id)
                )
            ).one()
            assert guardian_id is not None
            reader = Reader(
                "telegram", account_id=account_id, guardian_ids=(guardian_id,), today=school.TODAY
            )
            await diary(session, anna, school.TODAY, school.TODAY, reader)
        session.add(NotificationPreference(account_id=olga))
        await session.commit()
    clock.advance(DAY)
    async with sessions() as session:
        await forget_account(session, olga, clock.now())
        await session.commit()
    async with sessions() as session:
        # Erased at once: the account, its links and its settings.
        assert await session.get(Account, olga) is None
        for model in (AccountLink, NotificationPreference, Delivery):
            rows = select(func.count()).select_from(model).where(model.account_id == olga)
            assert await session.scalar(rows) == 0
        olga_records = select(AuditRecord).where(AuditRecord.actor_account_id == olga)
        assert {r.action for r in await session.scalars(olga_records)} == {
            "link_invite",
            "read_diary",
            "logout",
        }

    clock.advance((POLICY.anonymise_days - 1) * DAY)  # the logout is a day younger than that
    assert (await purge(sessions, POLICY, clock.now())).audit_anonymised == 0
    clock.advance(2 * DAY)
    report = await purge(sessions, POLICY, clock.now())

    assert report.audit_anonymised == 3
    async with sessions() as session:
        assert list(await session.scalars(olga_records)) == []
        records = list(await session.scalars(select(AuditRecord).order_by(AuditRecord.id)))
        anonymous = [r for r in records if r.actor_account_id is None and r.actor_label]
        facts = {(r.action, r.student_id) for r in anonymous}
        # The facts stay: a link was made, Anna's diary was read, an account was erased.
        assert {("link_invite", None), ("read_diary", anna), ("logout", None)} <= facts
        linked = next(r for r in anonymous if r.action == "link_invite")
        assert linked.object_type is None
        assert linked.object_id is None
        assert linked.details is not None
        assert "guardian_ids" not in linked.details
        assert linked.details["anonymised"] is True
        read = next(r for r in anonymous if r.action == "read_diary")
        assert read.details is not None
        assert read.details["permission"] == "marks"
        # Maria's account still exists: her records name her until the audit period ends.
        assert {r.action for r in records if r.actor_account_id == maria} >= {"read_diary"}
    assert (await purge(sessions, POLICY, clock.now())).audit_anonymised == 0


async def test_the_scheduler_runs_the_purge_daily_as_the_leader(
    sessions: Sessions, clock: FrozenClock
) -> None:
    await _seed_ages(sessions, clock)
    jobs = ScheduledJobs(sessions, clock, TZ, SoleLeadership(), retention=POLICY)

    scheduler = create_scheduler(jobs)
    job = scheduler.get_job("privacy-purge")
    assert job is not None
    assert str(job.trigger).startswith("cron[")
    await jobs.privacy_purge()
    async with sessions() as session:
        left = select(func.count()).select_from(LinkAttempt)
        assert await session.scalar(left) == 1
