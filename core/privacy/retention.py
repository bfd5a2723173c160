"""The retention policy and the daily job that applies it (152-FZ art. 5 part 7: personal data
is kept no longer than its purpose needs).

What ages out, each by its own period (``RetentionPolicy``, from the settings):

- **push texts**: a push is composed when it is sent from its outbox event's ``payload`` (the
  mark and the corrected one, the absence's code, the day and lesson); the rendered text itself
  is never stored. Once every delivery of an event is finished (sent, failed, skipped) and
  ``push_days`` have passed, the payload is emptied. The event row (kind, student, the changed
  row's id) and its deliveries stay until the clean-up drops them at 90 days
  (``core.notify.scheduled.KEEP_DELIVERIES``): the notifier needs them to tell a family that a
  mark it heard of was corrected. The marks themselves are the school's journal, not a copy.
- **failed link attempts** (``link_attempts``, the brute-force counter) after
  ``link_attempt_days``.
- **erased accounts in the audit trail**: /logout deletes the account at once
  (``core.linking.accounts.forget_account``) and writes a "logout" record. ``anonymise_days``
  after that record, every record of the account up to it loses what leads back to the person:
  the account id, the people's ids in ``details`` and a reference to an invite code. What
  happened, when, in which school and whose (the pupil's) data it concerned stay.
- **the audit log** after ``audit_days`` (the school's period; three years by default).

Each step works in batches of ``batch`` rows, one short transaction each, through indexes that
lead with the age column (migration e4a7b2c9d1f3), so a first run on years of history neither
holds a long lock nor reads the tables whole. Every step selects only what is still due, so a
second run the same day finds nothing: the job is idempotent. A run that changed something adds
one audit record ("privacy_purge", with the counts): the school's evidence of the destruction
(Roskomnadzor order No. 179 of 28.10.2022 asks for an extract from the event log).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, func, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnClause

from core.models import AuditRecord, Delivery, LinkAttempt, OutboxEvent
from core.models.enums import DeliveryState
from core.privacy.policy import RetentionPolicy

BATCH = 1000
# The object references that point at a person rather than at a row of the journal.
_PERSON_OBJECTS = ("invite_codes", "accounts", "guardians", "staff", "students")
# Details keys that name people ("guardian_ids", "staff_id", "invite_ids", ...).
_PERSON_KEYS = ("guardian", "staff", "student", "invite", "account")
_LOGOUT: ColumnClause[str] = literal_column(
    "'logout'"
)  # a literal, so the partial index ix_audit_log_logouts fits
_EMPTY = "{}"


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a run purged (or, with ``dry_run``, would purge)."""

    push_texts: int  # outbox events whose payload was emptied
    link_attempts: int
    audit_anonymised: int  # records of erased accounts
    audit_purged: int
    dry_run: bool

    @property
    def total(self) -> int:
        return self.push_texts + self.link_attempts + self.audit_anonymised + self.audit_purged


Sessions = async_sessionmaker[AsyncSession]


async def purge(
    sessions: Sessions,
    policy: RetentionPolicy,
    now: datetime,
    *,
    dry_run: bool = False,
    label: str = "scheduler",
    batch: int = BATCH,
) -> PurgeReport:
    """Apply ``policy`` as of ``now``; with ``dry_run`` count and change nothing."""
    push_cutoff = now - timedelta(days=policy.push_days)
    attempt_cutoff = now - timedelta(days=policy.link_attempt_days)
    anonymise_cutoff = now - timedelta(days=policy.anonymise_days)
    audit_cutoff = now - timedelta(days=policy.audit_days)
    if dry_run:
        async with sessions() as session:
            return PurgeReport(
                push_texts=await _count(session, _due_push_texts(push_cutoff)),
                link_attempts=await _count(session, _due_attempts(attempt_cutoff)),
                audit_anonymised=await _count_anonymisable(session, anonymise_cutoff),
                audit_purged=await _count(session, _due_audit(audit_cutoff)),
                dry_run=True,
            )
    report = PurgeReport(
        push_texts=await _batches(sessions, lambda s: _empty_push_texts(s, push_cutoff, batch)),
        link_attempts=await _batches(
            sessions, lambda s: _delete_ids(s, LinkAttempt, _due_attempts(attempt_cutoff), batch)
        ),
        # Before the purge: a logout older than both periods is anonymised, then purged.
        audit_anonymised=await _batches(sessions, lambda s: _anonymise(s, anonymise_cutoff, batch)),
        audit_purged=await _batches(
            sessions, lambda s: _delete_ids(s, AuditRecord, _due_audit(audit_cutoff), batch)
        ),
        dry_run=False,
    )
    if report.total:
        async with sessions() as session:
            session.add(
                AuditRecord(
                    at=now,
                    actor_label=label[:64],
                    action="privacy_purge",
                    details={
                        "push_texts": report.push_texts,
                        "link_attempts": report.link_attempts,
                        "audit_anonymised": report.audit_anonymised,
                        "audit_purged": report.audit_purged,
                    },
                )
            )
            await session.commit()
    return report


async def _batches(
    sessions: Sessions, step: Callable[[AsyncSession], Awaitable[tuple[int, bool]]]
) -> int:
    """Run ``step`` (one batch: rows changed, more may be due) in its own transaction until it
    reports that nothing more is due."""
    total = 0
    more = True
    while more:
        async with sessions() as session:
            changed, more = await step(session)
            await session.commit()
        total += changed
    return total


async def _count(session: AsyncSession, ids: Any) -> int:
    return int(
        (await session.execute(select(func.count()).select_from(ids.subquery()))).scalar() or 0
    )


# --- push texts ---------------------------------------------------------------------------


def _due_push_texts(cutoff: datetime) -> Any:
    """Events processed before ``cutoff`` whose deliveries are all finished and whose payload
    still holds something (``processed_at`` leads an index)."""
    unfinished = exists().where(
        Delivery.event_id == OutboxEvent.id,
        Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
    )
    return select(OutboxEvent.id).where(
        OutboxEvent.processed_at.is_not(None),
        OutboxEvent.processed_at < cutoff,
        cast(OutboxEvent.payload, String) != _EMPTY,
        ~unfinished,
    )


async def _empty_push_texts(
    session: AsyncSession, cutoff: datetime, batch: int
) -> tuple[int, bool]:
    ids = list((await session.execute(_due_push_texts(cutoff).limit(batch))).scalars())
    if ids:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids))
            .values(payload={})
            .execution_options(synchronize_session=False)
        )
    return len(ids), len(ids) == batch


# --- deletes by age -----------------------------------------------------------------------


def _due_attempts(cutoff: datetime) -> Any:
    return select(LinkAttempt.id).where(LinkAttempt.attempted_at < cutoff)


def _due_audit(cutoff: datetime) -> Any:
    return select(AuditRecord.id).where(AuditRecord.at < cutoff)


async def _delete_ids(
    session: AsyncSession, model: type[LinkAttempt] | type[AuditRecord], due: Any, batch: int
) -> tuple[int, bool]:
    """Delete one batch of ``due`` ids: a bounded IN list, on both databases."""
    ids = list((await session.execute(due.limit(batch))).scalars())
    if ids:
        await session.execute(
            delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
        )
    return len(ids), len(ids) == batch


# --- anonymising the erased accounts' records --------------------------------------------


def _due_logouts(cutoff: datetime) -> Any:
    """The "logout" records older than ``cutoff`` still naming their account."""
    return select(AuditRecord.id, AuditRecord.actor_account_id, AuditRecord.at).where(
        AuditRecord.action == _LOGOUT,
        AuditRecord.at < cutoff,
        AuditRecord.actor_account_id.is_not(None),
    )


async def _count_anonymisable(session: AsyncSession, cutoff: datetime) -> int:
    logout = _due_logouts(cutoff).subquery()
    record = aliased(AuditRecord)
    query = select(func.count(record.id)).join(
        logout,
        and_(record.actor_account_id == logout.c.actor_account_id, record.at <= logout.c.at),
    )
    return int((await session.execute(query)).scalar() or 0)


def _without_people(details: dict[str, Any] | None) -> dict[str, Any] | None:
    if not details:
        return details
    kept = {k: v for k, v in details.items() if k.split("_", 1)[0].rstrip("s") not in _PERSON_KEYS}
    return {**kept, "anonymised": True}


async def _anonymise(session: AsyncSession, cutoff: datetime, batch: int) -> tuple[int, bool]:
    """One batch of logouts, in one transaction: every record of each account up to and
    including its logout (SQLite may give the id to a new account later, so nothing after the
    logout is touched). A done logout no longer names its account, so it is never due again."""
    logouts = (
        await session.execute(_due_logouts(cutoff).order_by(AuditRecord.at).limit(batch))
    ).all()
    changed = 0
    for _logout_id, account_id, logged_out_at in logouts:
        rows = (
            await session.execute(
                select(AuditRecord.id, AuditRecord.object_type, AuditRecord.details).where(
                    AuditRecord.actor_account_id == account_id,
                    AuditRecord.at <= logged_out_at,
                )
            )
        ).all()
        # One executemany per statement shape (which columns a row changes).
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            values: dict[str, Any] = {"id": row.id, "actor_account_id": None}
            if row.details:
                values["details"] = _without_people(row.details)
            if row.object_type in _PERSON_OBJECTS:
                values |= {"object_type": None, "object_id": None}
            shapes.setdefault(tuple(values), []).append(values)
        for same in shapes.values():
            await session.execute(update(AuditRecord), same)
        changed += len(rows)
    return changed, len(logouts) == batch
