"""Fan-out of the mail's events: who gets a message, and when it may go out.

Called by :func:`core.notify.fanout.fan_out` for the events it claimed, so the mail shares the
outbox's claiming, the deliveries' life and the notifier's limits with every other push; a
message is never coalesced with marks (the notifier sends each on its own).

- a family member's message goes to every account of the staff member it is addressed to,
  at the next opening of their office hours (never twice to an account that got it already:
  a staff member who linked before this fan-out, :func:`core.messaging.waiting.deliver_waiting`);
- a staff answer goes to the asker's accounts - and with "to all guardians" to every account
  of a guardian of the child - each only while the access policy lets that account write
  about the child (``Permission.ASK``), held by the family's quiet hours;
- an announcement goes to the accounts of the people fixed as its recipients when it was
  sent, held by quiet hours and skipped when the family turned announcements off, unless the
  administration marked it urgent;
- a reported thread goes to the administration (roles with ``Permission.THREADS`` at school
  scope), in their office hours.

An account that blocked the bot gets a ``skipped`` delivery, as with every push.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.matrix import load_matrix
from core.access.permissions import Permission
from core.access.recipients import family_recipients
from core.linking.people import staff_present
from core.messaging.hours import opening_after
from core.models import (
    Account,
    AccountLink,
    Announcement,
    AnnouncementRecipient,
    Delivery,
    GuardianLink,
    MessageThread,
    OutboxEvent,
    Staff,
    StaffRole,
    ThreadMessage,
)
from core.models.enums import AuthorKind, DeliveryState, EventKind, PermissionScope
from core.notify.quiet import release_time
from core.notify.reasons import BLOCKED, TURNED_OFF
from core.preferences import preferences_of

MAIL_KINDS = (EventKind.THREAD_MESSAGE, EventKind.ANNOUNCEMENT, EventKind.THREAD_REPORTED)


@dataclass(frozen=True, slots=True)
class _ToStaff:
    staff_id: int
    school_id: int


@dataclass(frozen=True, slots=True)
class _ToFamily:
    urgent: bool = False
    announcement: bool = False


_Target = _ToStaff | _ToFamily


async def mail_deliveries(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    now: datetime,
    timezone: ZoneInfo,
) -> list[dict[str, Any]]:
    """One delivery row per event and account (state, ``not_before``); the caller inserts."""
    today = now.astimezone(timezone).date()
    plans: dict[tuple[int, int], _Target] = {}
    messages = [e for e in events if e.kind == EventKind.THREAD_MESSAGE]
    announcements = [e for e in events if e.kind == EventKind.ANNOUNCEMENT]
    reported = [e for e in events if e.kind == EventKind.THREAD_REPORTED]
    await _plan_messages(session, messages, today, plans)
    await _plan_announcements(session, announcements, plans)
    await _plan_reports(session, reported, today, plans)
    return await _rows(session, plans, now, timezone)


async def _plan_messages(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    today: date,
    plans: dict[tuple[int, int], _Target],
) -> None:
    if not events:
        return
    by_message = {e.object_id: e for e in events}
    rows = (
        await session.execute(
            select(
                ThreadMessage.id,
                ThreadMessage.author_kind,
                ThreadMessage.to_all_guardians,
                MessageThread.staff_id,
                MessageThread.school_id,
                MessageThread.student_id,
                MessageThread.asker_guardian_id,
                MessageThread.asker_student_id,
            )
            .join(MessageThread, MessageThread.id == ThreadMessage.thread_id)
            .where(ThreadMessage.id.in_(by_message))
        )
    ).all()
    to_staff = [row for row in rows if row.author_kind == AuthorKind.FAMILY]
    to_family = [row for row in rows if row.author_kind == AuthorKind.STAFF]
    staff_accounts = await _staff_accounts(session, {row.staff_id for row in to_staff}, today)
    for row in to_staff:
        for account_id in staff_accounts.get(row.staff_id, ()):
            plans[(by_message[row.id].id, account_id)] = _ToStaff(row.staff_id, row.school_id)
    await _drop_delivered(session, {by_message[row.id].id for row in to_staff}, plans)
    if not to_family:
        return
    students = {row.student_id for row in to_family if row.student_id is not None}
    allowed = {
        (r.account_id, r.student_id)
        for r in await family_recipients(session, Permission.ASK, students, today)
    }
    asked = await _person_accounts(
        session,
        guardians={row.asker_guardian_id for row in to_family} - {None},
        students={row.asker_student_id for row in to_family} - {None},
    )
    guardians = await _guardian_accounts(
        session, {row.student_id for row in to_family if row.to_all_guardians} - {None}
    )
    for row in to_family:
        accounts = list(asked.get(("guardian", row.asker_guardian_id or 0), ()))
        accounts += asked.get(("student", row.asker_student_id or 0), ())
        if row.to_all_guardians:
            accounts += guardians.get(row.student_id or 0, ())
        for account_id in accounts:
            if (account_id, row.student_id) in allowed:
                plans[(by_message[row.id].id, account_id)] = _ToFamily()


async def _drop_delivered(
    session: AsyncSession, event_ids: set[int], plans: dict[tuple[int, int], _Target]
) -> None:
    """Forget the planned pairs that have a delivery already (``deliver_waiting`` made it)."""
    if not event_ids or not plans:
        return
    rows = await session.execute(
        select(Delivery.event_id, Delivery.account_id).where(Delivery.event_id.in_(event_ids))
    )
    for event_id, account_id in rows:
        plans.pop((event_id, account_id), None)


async def _plan_announcements(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    plans: dict[tuple[int, int], _Target],
) -> None:
    if not events:
        return
    by_announcement = {e.object_id: e for e in events}
    rows = await session.execute(
        select(
            AnnouncementRecipient.announcement_id,
            Announcement.urgent,
            AccountLink.account_id,
        )
        .join(Announcement, Announcement.id == AnnouncementRecipient.announcement_id)
        .join(
            AccountLink,
            or_(
                (AccountLink.guardian_id == AnnouncementRecipient.guardian_id),
                (AccountLink.student_id == AnnouncementRecipient.student_id),
            ),
        )
        .where(AnnouncementRecipient.announcement_id.in_(by_announcement))
        .order_by(AnnouncementRecipient.announcement_id, AccountLink.account_id)
    )
    for announcement_id, urgent, account_id in rows:
        event = by_announcement[announcement_id]
        plans[(event.id, account_id)] = _ToFamily(urgent=bool(urgent), announcement=True)


async def _plan_reports(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    today: date,
    plans: dict[tuple[int, int], _Target],
) -> None:
    by_school: defaultdict[int, list[OutboxEvent]] = defaultdict(list)
    for event in events:
        by_school[event.school_id].append(event)
    for school_id, reported in by_school.items():
        for account_id, staff_id in await _administration(session, school_id, today):
            for event in reported:
                plans[(event.id, account_id)] = _ToStaff(staff_id, school_id)


async def _administration(
    session: AsyncSession, school_id: int, today: date
) -> list[tuple[int, int]]:
    """(account, staff) of the school's staff whose roles read every thread (``threads`` at
    school scope): whom a reported thread goes to."""
    matrix = await load_matrix(session, school_id)
    roles = [
        role
        for (role, permission), scope in matrix.items()
        if permission == Permission.THREADS and scope == PermissionScope.SCHOOL
    ]
    if not roles:
        return []
    rows = await session.execute(
        select(AccountLink.account_id, Staff.id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(Staff.school_id == school_id, StaffRole.role.in_(roles), staff_present(today))
        .distinct()
    )
    return [(account_id, staff_id) for account_id, staff_id in rows]


async def _staff_accounts(
    session: AsyncSession, staff_ids: set[int], today: date
) -> dict[int, list[int]]:
    if not staff_ids:
        return {}
    rows = await session.execute(
        select(AccountLink.staff_id, AccountLink.account_id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .where(AccountLink.staff_id.in_(staff_ids), staff_present(today))
        .order_by(AccountLink.account_id)
    )
    found: defaultdict[int, list[int]] = defaultdict(list)
    for staff_id, account_id in rows:
        found[staff_id or 0].append(account_id)
    return found


async def _person_accounts(
    session: AsyncSession, *, guardians: Iterable[int | None], students: Iterable[int | None]
) -> dict[tuple[str, int], list[int]]:
    guardian_ids = {g for g in guardians if g is not None}
    student_ids = {s for s in students if s is not None}
    if not guardian_ids and not student_ids:
        return {}
    rows = await session.execute(
        select(AccountLink.guardian_id, AccountLink.student_id, AccountLink.account_id)
        .where(
            or_(
                AccountLink.guardian_id.in_(guardian_ids),
                AccountLink.student_id.in_(student_ids),
            )
        )
        .order_by(AccountLink.account_id)
    )
    found: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for guardian_id, student_id, account_id in rows:
        if guardian_id is not None:
            found[("guardian", guardian_id)].append(account_id)
        if student_id is not None:
            found[("student", student_id)].append(account_id)
    return found


async def _guardian_accounts(
    session: AsyncSession, student_ids: Iterable[int | None]
) -> dict[int, list[int]]:
    wanted = {s for s in student_ids if s is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(GuardianLink.student_id, AccountLink.account_id)
        .join(AccountLink, AccountLink.guardian_id == GuardianLink.guardian_id)
        .where(GuardianLink.student_id.in_(wanted))
        .order_by(AccountLink.account_id)
    )
    found: defaultdict[int, list[int]] = defaultdict(list)
    for student_id, account_id in rows:
        found[student_id].append(account_id)
    return found


async def _rows(
    session: AsyncSession,
    plans: dict[tuple[int, int], _Target],
    now: datetime,
    timezone: ZoneInfo,
) -> list[dict[str, Any]]:
    accounts = {account_id for _, account_id in plans}
    if not accounts:
        return []
    active = {
        account_id: bool(flag)
        for account_id, flag in await session.execute(
            select(Account.id, Account.is_active).where(Account.id.in_(accounts))
        )
    }
    preferences = await preferences_of(session, accounts)
    openings: dict[int, datetime | None] = {}
    rows: list[dict[str, Any]] = []
    for (event_id, account_id), target in sorted(plans.items()):
        row: dict[str, Any] = {
            "event_id": event_id,
            "account_id": account_id,
            "state": DeliveryState.PENDING,
            "not_before": now,
            "attempts": 0,
            "last_error": None,
            "created_at": now,
            "updated_at": now,
        }
        chosen = preferences[account_id]
        if not active.get(account_id, False):
            row.update(state=DeliveryState.SKIPPED, last_error=BLOCKED)
        elif isinstance(target, _ToStaff):
            if target.staff_id not in openings:
                openings[target.staff_id] = await opening_after(
                    session, target.staff_id, target.school_id, now, timezone
                )
            row["not_before"] = openings[target.staff_id] or now
        elif target.urgent:
            pass  # the administration's urgent notice: past quiet hours and the switch
        elif target.announcement and not chosen.kinds.get("announcements", True):
            row.update(state=DeliveryState.SKIPPED, last_error=TURNED_OFF)
        else:
            row["not_before"] = release_time(now, chosen.quiet_from, chosen.quiet_to, timezone)
        rows.append(row)
    return rows
