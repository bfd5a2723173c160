"""From outbox events to deliveries: who is told, whether they want it, and when it may go out.

:func:`fan_out` claims a batch of unprocessed events (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
so several notifiers share the outbox), resolves each event's recipients through the access
policy (:mod:`core.access.recipients`; for a substitution also the substituting teacher), applies
each account's preferences and writes one delivery per event and account:

- ``skipped`` when the account turned the kind off or blocked the bot - recorded, never sent;
- ``pending`` otherwise, with ``not_before``: now for the first push in a while, else the end
  of the coalescing window since the last push to that chat (so a burst goes out as one
  message), moved past the account's quiet hours.

Corrections: a mark changed or deleted while an earlier push about it is still pending
supersedes that push; a deletion of a mark the family was never told about is not pushed.
An absence corrected by its teacher (an ``absence_recorded`` event with ``previous`` or
``deleted`` about the same row) does the same; a removed absence is never pushed (there is no
"absence withdrawn" message: the diary shows the journal as it is).

Timing: timetable changes are pushed for today and the next school day of their class (the
school's week and holidays for the class's grade skipped: Monday's substitution entered on a
Friday or a Saturday is pushed when it is entered), and for tomorrow in any case; later ones
reach the evening digest. Homework while it is not yet due. About ten statements per batch,
whatever its size (two more when a change is for a day after tomorrow).

The mail's events (thread messages, announcements, reported threads) are claimed in the same
batch and planned by :mod:`core.messaging.delivery`: other recipients, no coalescing window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import active_on
from core.access.permissions import Permission
from core.access.recipients import family_recipients
from core.linking.people import staff_present
from core.messaging.delivery import MAIL_KINDS, mail_deliveries
from core.models import (
    Account,
    AccountLink,
    Delivery,
    GroupMember,
    OutboxEvent,
    Staff,
    Student,
    TimetableChange,
)
from core.models.enums import DeliveryState, EventKind
from core.notify.kinds import FANNED_OUT, PERMISSION, PREFERENCE
from core.notify.quiet import release_time
from core.notify.reasons import BLOCKED, CANCELLED, SUPERSEDED, TURNED_OFF
from core.preferences import Preferences, preferences_of
from core.services.calendar import next_school_days

__all__ = [
    "BLOCKED",
    "CANCELLED",
    "SUPERSEDED",
    "TURNED_OFF",
    "FanOutReport",
    "PushRules",
    "fan_out",
]


@dataclass(frozen=True, slots=True)
class PushRules:
    timezone: ZoneInfo
    window: timedelta = timedelta(seconds=60)  # coalescing window per chat; 0 turns it off


@dataclass(frozen=True, slots=True)
class FanOutReport:
    events: int = 0
    pending: int = 0
    skipped: int = 0


async def fan_out(
    session: AsyncSession, now: datetime, rules: PushRules, *, limit: int = 500
) -> FanOutReport:
    """Turn up to ``limit`` new events into deliveries; the caller commits."""
    events = list(
        (
            await session.execute(
                select(OutboxEvent)
                .where(
                    OutboxEvent.processed_at.is_(None),
                    OutboxEvent.kind.in_((*FANNED_OUT, *MAIL_KINDS)),
                )
                .order_by(OutboxEvent.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    if not events:
        return FanOutReport()
    today = now.astimezone(rules.timezone).date()
    mail = [event for event in events if event.kind in MAIL_KINDS]
    journal = [event for event in events if event.kind not in MAIL_KINDS]
    audiences = await _audiences(session, journal, today)
    accounts = {account for audience in audiences.values() for account in audience}
    planner = _Planner(now, rules, await _history(session, journal, accounts, now, rules.window))
    planner.active = await _active(session, accounts)
    planner.preferences = await preferences_of(session, accounts)
    for event in journal:
        for account_id in audiences.get(event.id, ()):
            planner.plan(event, account_id)
    planner.rows += await mail_deliveries(session, mail, now, rules.timezone)
    if planner.superseded:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(planner.superseded), Delivery.state == DeliveryState.PENDING)
            .values(state=DeliveryState.SKIPPED, last_error=SUPERSEDED, updated_at=now)
        )
    if planner.rows:
        await session.execute(insert(Delivery), planner.rows)
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_([event.id for event in events]))
        .values(processed_at=now)
    )
    pending = sum(row["state"] == DeliveryState.PENDING for row in planner.rows)
    return FanOutReport(len(events), pending, len(planner.rows) - pending)


def _timely(event: OutboxEvent, today: date, next_days: dict[int, date | None]) -> bool:
    if event.kind == EventKind.TIMETABLE_CHANGED:
        day = date.fromisoformat(event.payload["date"])
        if not today <= day:
            return False
        if day <= today + timedelta(days=1):
            return True
        # After a weekend or a holiday: pushed when no school day of the class comes first.
        if (event.class_id or 0) not in next_days:
            return False
        following = next_days[event.class_id or 0]
        return following is None or day <= following
    if event.kind == EventKind.HOMEWORK_ADDED:
        return date.fromisoformat(event.payload["due"]) >= today
    return True


async def _audiences(
    session: AsyncSession, events: Sequence[OutboxEvent], today: date
) -> dict[int, list[int]]:
    """Event id → the accounts it reaches, in a stable order, each once."""
    next_days = await _next_school_days(session, events, today)
    timely = [event for event in events if _timely(event, today, next_days)]
    members = await _members(session, timely, today)
    students_of: dict[int, set[int]] = {}
    wanted: defaultdict[Permission, set[int]] = defaultdict(set)
    for event in timely:
        if event.student_id is not None:
            students = {event.student_id}
        elif event.group_id is not None:
            students = members.get(("group", event.group_id), set())
        else:
            students = members.get(("class", event.class_id or 0), set())
        students_of[event.id] = students
        wanted[PERMISSION[event.kind]] |= students
    readers: dict[tuple[Permission, int], list[int]] = defaultdict(list)
    for permission, student_ids in wanted.items():
        for found in await family_recipients(session, permission, student_ids, today):
            readers[(permission, found.student_id)].append(found.account_id)
    teachers = await _substitute_accounts(session, timely, today)
    audiences: dict[int, list[int]] = {}
    for event in timely:
        accounts: dict[int, None] = {}  # ordered and unique
        for student_id in sorted(students_of[event.id]):
            accounts.update(dict.fromkeys(readers[(PERMISSION[event.kind], student_id)]))
        accounts.update(dict.fromkeys(teachers.get(event.object_id, ()) if _change(event) else ()))
        audiences[event.id] = list(accounts)
    return audiences


async def _next_school_days(
    session: AsyncSession, events: Sequence[OutboxEvent], today: date
) -> dict[int, date | None]:
    """Class → its next school day, for the classes with a change for after tomorrow."""
    later = [
        (event.class_id, date.fromisoformat(event.payload["date"]))
        for event in events
        if event.kind == EventKind.TIMETABLE_CHANGED and event.class_id is not None
    ]
    later = [(class_id, day) for class_id, day in later if day > today + timedelta(days=1)]
    if not later:
        return {}
    until = max(day for _class, day in later)
    return await next_school_days(session, {class_id for class_id, _day in later}, today, until)


def _change(event: OutboxEvent) -> bool:
    return event.kind == EventKind.TIMETABLE_CHANGED and not event.payload.get("deleted")


async def _members(
    session: AsyncSession, events: Sequence[OutboxEvent], today: date
) -> dict[tuple[str, int], set[int]]:
    """The students of the classes and groups that class-wide events are about, on ``today``."""
    classes = {e.class_id for e in events if e.student_id is None and e.group_id is None}
    groups = {e.group_id for e in events if e.student_id is None and e.group_id is not None}
    found: defaultdict[tuple[str, int], set[int]] = defaultdict(set)
    if classes - {None}:
        rows = await session.execute(
            select(Student.class_id, Student.id).where(
                Student.class_id.in_(classes - {None}),
                active_on(Student.enrolled_on, Student.left_on, today),
            )
        )
        for class_id, student_id in rows:
            found[("class", class_id or 0)].add(student_id)
    if groups:
        rows = await session.execute(
            select(GroupMember.group_id, GroupMember.student_id).where(
                GroupMember.group_id.in_(groups),
                active_on(GroupMember.joined_on, GroupMember.left_on, today),
            )
        )
        for group_id, student_id in rows:
            found[("group", group_id or 0)].add(student_id)
    return found


async def _substitute_accounts(
    session: AsyncSession, events: Sequence[OutboxEvent], today: date
) -> dict[int, list[int]]:
    """Timetable change id → the accounts of the teacher who takes the lesson."""
    change_ids = {event.object_id for event in events if _change(event)}
    if not change_ids:
        return {}
    rows = await session.execute(
        select(TimetableChange.id, AccountLink.account_id)
        .join(AccountLink, AccountLink.staff_id == TimetableChange.teacher_id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .where(TimetableChange.id.in_(change_ids), staff_present(today))
        .order_by(AccountLink.account_id)
    )
    found: defaultdict[int, list[int]] = defaultdict(list)
    for change_id, account_id in rows:
        found[change_id].append(account_id)
    return found


async def _active(session: AsyncSession, accounts: set[int]) -> dict[int, bool]:
    if not accounts:
        return {}
    rows = await session.execute(
        select(Account.id, Account.is_active).where(Account.id.in_(accounts))
    )
    return {account_id: bool(active) for account_id, active in rows}


@dataclass(frozen=True, slots=True)
class _History:
    last_sent: dict[int, datetime]  # account → its latest push inside the window
    # (object type, mark or attendance id, account) → pending delivery ids
    pending: dict[tuple[str, int, int], list[int]]
    shown: set[tuple[str, int, int]]  # what the family has been sent a push about


async def _history(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    accounts: set[int],
    now: datetime,
    window: timedelta,
) -> _History:
    history = _History({}, defaultdict(list), set())
    if not accounts:
        return history
    if window > timedelta(0):
        rows = await session.execute(
            select(Delivery.account_id, func.max(Delivery.sent_at))
            .where(
                Delivery.account_id.in_(accounts),
                Delivery.state == DeliveryState.SENT,
                Delivery.sent_at > now - window,
            )
            .group_by(Delivery.account_id)
        )
        history.last_sent.update(
            {account_id: sent_at for account_id, sent_at in rows if sent_at is not None}
        )
    corrected = {(event.object_type, event.object_id) for event in events if _corrects(event)}
    if corrected:
        marks = await session.execute(
            select(
                OutboxEvent.object_type,
                OutboxEvent.object_id,
                Delivery.account_id,
                Delivery.id,
                Delivery.state,
            )
            .join(Delivery, Delivery.event_id == OutboxEvent.id)
            .where(
                OutboxEvent.object_type.in_({kind for kind, _id in corrected}),
                OutboxEvent.object_id.in_({object_id for _kind, object_id in corrected}),
                Delivery.account_id.in_(accounts),
                Delivery.state.in_(
                    (DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT)
                ),
            )
        )
        for object_type, object_id, account_id, delivery_id, state in marks:
            if (object_type, object_id) not in corrected:
                continue
            if state == DeliveryState.PENDING:
                history.pending[(object_type, object_id, account_id)].append(delivery_id)
            else:
                history.shown.add((object_type, object_id, account_id))
    return history


def _corrects(event: OutboxEvent) -> bool:
    """A correction of a mark or of an absence told (or being told) before."""
    if event.kind in (EventKind.MARK_CHANGED, EventKind.MARK_DELETED):
        return True
    return event.kind == EventKind.ABSENCE_RECORDED and (
        "previous" in event.payload or bool(event.payload.get("deleted"))
    )


_CORRECTED = ("marks", "attendance")  # the objects whose corrections fold into one push


class _Planner:
    """Decides each delivery's state and time, remembering this batch's own mark pushes."""

    def __init__(self, now: datetime, rules: PushRules, history: _History) -> None:
        self.now = now
        self.rules = rules
        self.history = history
        self.active: dict[int, bool] = {}
        self.preferences: dict[int, Preferences] = {}
        self.rows: list[dict[str, Any]] = []
        self.superseded: set[int] = set()
        self._planned: dict[tuple[str, int, int], dict[str, Any]] = {}

    def plan(self, event: OutboxEvent, account_id: int) -> None:
        row: dict[str, Any] = {
            "event_id": event.id,
            "account_id": account_id,
            "state": DeliveryState.PENDING,
            "not_before": self.now,
            "attempts": 0,
            "last_error": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        preferences = self.preferences[account_id]
        if not self.active.get(account_id, False):
            self._skip(row, BLOCKED)
        elif not preferences.kinds[PREFERENCE[event.kind]]:
            self._skip(row, TURNED_OFF)
        else:
            row["not_before"] = self._not_before(account_id, preferences)
        if event.object_type in _CORRECTED:
            self._correct(event, account_id, row)
        self.rows.append(row)

    def _not_before(self, account_id: int, preferences: Preferences) -> datetime:
        at = self.now
        last = self.history.last_sent.get(account_id)
        if last is not None and last + self.rules.window > at:
            at = last + self.rules.window
        return release_time(at, preferences.quiet_from, preferences.quiet_to, self.rules.timezone)

    def _correct(self, event: OutboxEvent, account_id: int, row: dict[str, Any]) -> None:
        key = (event.object_type, event.object_id, account_id)
        if _corrects(event):
            earlier = self._planned.pop(key, None)
            if earlier is not None and earlier["state"] == DeliveryState.PENDING:
                self._skip(earlier, SUPERSEDED)
            self.superseded.update(self.history.pending.pop(key, ()))
            shown = key in self.history.shown
            if (event.kind == EventKind.MARK_DELETED and not shown) or event.payload.get("deleted"):
                self._skip(row, CANCELLED)
        if row["state"] == DeliveryState.PENDING:
            self._planned[key] = row

    def _skip(self, row: dict[str, Any], reason: str) -> None:
        row["state"] = DeliveryState.SKIPPED
        row["last_error"] = reason
        row["not_before"] = self.now
