"""Scheduled messages: planning the evening digests and weekly summaries, and the clean-up.

Planning writes one outbox event per account (already processed) and its pending delivery; the
notifier reads the content when it sends. Each event has a dedupe key naming the kind, the day
and the account, inserted with ON CONFLICT DO NOTHING, so a job that runs twice (a restart, a
second leader for a moment) plans nothing twice. Scheduled messages keep the time the family
chose: quiet hours do not hold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, exists, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    Account,
    AccountLink,
    Delivery,
    GuardianLink,
    InviteCode,
    NotificationPreference,
    OutboxEvent,
    Student,
)
from core.models.enums import DeliveryState, EventKind
from core.preferences import DEFAULTS

KEEP_DELIVERIES = timedelta(days=90)
KEEP_UNUSED_INVITES = timedelta(days=30)  # after they expired or were revoked


@dataclass(frozen=True, slots=True)
class CleanUp:
    events: int
    invites: int


def _family_school() -> Select[Any]:
    """Account → the school of a child it is linked to (as a guardian or as the student)."""
    own = select(AccountLink.account_id, Student.school_id).join(
        Student, Student.id == AccountLink.student_id
    )
    guarded = (
        select(AccountLink.account_id, Student.school_id)
        .join(GuardianLink, GuardianLink.guardian_id == AccountLink.guardian_id)
        .join(Student, Student.id == GuardianLink.student_id)
    )
    links = own.union_all(guarded).subquery()
    return select(links.c.account_id, func.min(links.c.school_id)).group_by(links.c.account_id)


async def _families_wanting(
    session: AsyncSession, switch: str, digest_at: time | None
) -> list[tuple[int, int]]:
    """(account, school) of the active family accounts with ``switch`` on (at ``digest_at``)."""
    schools = _family_school().subquery()
    column = getattr(NotificationPreference, switch)
    wanted = column.is_(True)
    if DEFAULTS.kinds[switch]:
        wanted = or_(wanted, NotificationPreference.id.is_(None))
    query = (
        select(Account.id, schools.c[1])
        .join(schools, schools.c.account_id == Account.id)
        .outerjoin(NotificationPreference, NotificationPreference.account_id == Account.id)
        .where(Account.is_active.is_(True), Account.consent_given_at.is_not(None), wanted)
        .order_by(Account.id)
    )
    if digest_at is not None:
        at = NotificationPreference.digest_at == digest_at
        if digest_at == DEFAULTS.digest_at:
            at = or_(at, NotificationPreference.id.is_(None))
        query = query.where(at)
    return [(account_id, school_id) for account_id, school_id in await session.execute(query)]


async def plan_messages(
    session: AsyncSession,
    kind: EventKind,
    day: date,
    families: Sequence[tuple[int, int]],
    now: datetime,
) -> int:
    """One message of ``kind`` per account about ``day`` (an event and its pending delivery),
    its content read when it is sent; a second call for the same day plans nothing twice."""
    if not families:
        return 0
    keys = {
        account_id: f"{kind.value}:{day.isoformat()}:{account_id}" for account_id, _ in families
    }
    rows = [
        {
            "school_id": school_id,
            "kind": kind,
            "object_type": "accounts",
            "object_id": account_id,
            "payload": {"date": day.isoformat()},
            "silent": False,
            "occurred_at": now,
            "processed_at": now,  # not for the fan-out: its delivery is written right here
            "dedupe_key": keys[account_id],
        }
        for account_id, school_id in families
    ]
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        make_insert(OutboxEvent).on_conflict_do_nothing(index_elements=["dedupe_key"]), rows
    )
    # The events of this run that have no delivery yet: new ones, or a crashed run's.
    planned = (
        await session.execute(
            select(OutboxEvent.id, OutboxEvent.object_id).where(
                OutboxEvent.dedupe_key.in_(keys.values()),
                ~exists().where(Delivery.event_id == OutboxEvent.id),
            )
        )
    ).all()
    if planned:
        await session.execute(
            insert(Delivery),
            [
                {
                    "event_id": event_id,
                    "account_id": account_id,
                    "state": DeliveryState.PENDING,
                    "not_before": now,
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for event_id, account_id in planned
            ],
        )
    return len(planned)


async def plan_evening_digests(
    session: AsyncSession, now: datetime, timezone: ZoneInfo, digest_at: time
) -> int:
    """The digests of the families who chose ``digest_at``, about tomorrow; none on Saturday
    evening (no school on Sunday). Whether tomorrow is a school day for each child (holidays)
    is decided when the digest is written."""
    tomorrow = now.astimezone(timezone).date() + timedelta(days=1)
    if tomorrow.weekday() == 6:
        return 0
    families = await _families_wanting(session, "evening_digest", digest_at)
    return await plan_messages(session, EventKind.EVENING_DIGEST, tomorrow, families, now)


async def plan_weekly_summaries(session: AsyncSession, now: datetime, timezone: ZoneInfo) -> int:
    """The summaries of the week (Monday to Sunday) that contains ``now``."""
    today = now.astimezone(timezone).date()
    monday = today - timedelta(days=today.weekday())
    families = await _families_wanting(session, "weekly_summary", None)
    return await plan_messages(session, EventKind.WEEKLY_SUMMARY, monday, families, now)


async def clean_up(session: AsyncSession, now: datetime) -> CleanUp:
    """Drop events (with their deliveries) older than the keep period, and unused invite codes
    that expired or were revoked a while ago; used codes stay, the links point at them."""
    old = select(OutboxEvent.id).where(
        OutboxEvent.processed_at.is_not(None),
        OutboxEvent.processed_at < now - KEEP_DELIVERIES,
        ~exists().where(
            Delivery.event_id == OutboxEvent.id,
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
        ),
    )
    old_ids = list((await session.execute(old)).scalars())
    for start in range(0, len(old_ids), 5000):  # bounded IN lists
        chunk = old_ids[start : start + 5000]
        await session.execute(delete(Delivery).where(Delivery.event_id.in_(chunk)))
        await session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(chunk)))
    cutoff = now - KEEP_UNUSED_INVITES
    old_invites = await session.execute(
        delete(InviteCode).where(
            InviteCode.used_at.is_(None),
            or_(InviteCode.expires_at < cutoff, InviteCode.revoked_at < cutoff),
        )
    )
    return CleanUp(
        events=len(old_ids),
        invites=int(getattr(old_invites, "rowcount", 0) or 0),
    )
