"""What a claimed batch says: one item per delivery, read at send time, never a health reason.

The items carry names and values, not text: the bot renders them in the account's language and
at its privacy level. A correction of a mark the family was never sent (its push was superseded
inside the coalescing window) reads as a new mark. Every item about a student is a read of
their data by the recipient and is audited (``push``): by :func:`audit_pushes` once Telegram
has accepted the message (a failed send showed nothing; a retried one is audited once), or by
:func:`push_items` itself when the chat shows the items at once ("Show details").

Seven statements for any number of claimed batches (:func:`claimed_items`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    AuditRecord,
    Delivery,
    OutboxEvent,
    SchoolClass,
    Student,
    TimetableChange,
)
from core.models.enums import AttendanceCode, DeliveryState, EventKind
from core.services.lookups import staff_names, subject_names


class ItemKind(StrEnum):
    NEW_MARK = "new_mark"
    CORRECTED_MARK = "corrected_mark"
    REMOVED_MARK = "removed_mark"
    FINAL_MARK = "final_mark"  # term, year, exam or final attestation
    ABSENCE = "absence"
    LATE = "late"
    CHANGE = "change"
    CHANGE_WITHDRAWN = "change_withdrawn"
    HOMEWORK = "homework"
    EVENING_DIGEST = "evening_digest"
    WEEKLY_SUMMARY = "weekly_summary"
    # Early warning (core.analytics.warnings), read at send time like the digest.
    RISK_CLASS_TEACHER = "risk_class_teacher"
    RISK_SOCIAL_PEDAGOGUE = "risk_social_pedagogue"
    RISK_GUARDIAN = "risk_guardian"
    # The mail: each goes out as a message of its own (core.messaging.notices says what).
    THREAD_MESSAGE = "thread_message"
    ANNOUNCEMENT = "announcement"
    ANNOUNCEMENT_REPORT = "announcement_report"
    THREAD_REPORTED = "thread_reported"


MAIL_ITEMS = (
    ItemKind.THREAD_MESSAGE,
    ItemKind.ANNOUNCEMENT,
    ItemKind.ANNOUNCEMENT_REPORT,
    ItemKind.THREAD_REPORTED,
)


@dataclass(frozen=True, slots=True)
class PushItem:
    delivery_id: int
    kind: ItemKind
    student_id: int | None = None
    student: str | None = None  # the child's first name
    class_name: str | None = None  # for class-wide items: timetable changes, homework
    subject: str | None = None
    value: str | None = None
    previous: str | None = None  # a corrected mark's old value
    day: date | None = None  # the lesson's date, the date of a change, homework's due date
    period: int | None = None
    attestation: str | None = None  # AttestationKind value of a FINAL_MARK
    change: str | None = None  # ChangeKind value
    new_subject: str | None = None
    teacher: str | None = None  # who takes a substituted lesson
    room: str | None = None
    moved_to: date | None = None
    moved_to_period: int | None = None
    object_id: int | None = None  # the mail's message, thread or announcement


async def push_items(
    session: AsyncSession,
    account_id: int,
    delivery_ids: Sequence[int],
    now: datetime,
    *,
    label: str = "notifier",
    audit: bool = True,
) -> list[PushItem]:
    """One account's batch: see :func:`claimed_items`."""
    found = await claimed_items(session, {account_id: delivery_ids}, now, label=label, audit=audit)
    return found.get(account_id, [])


async def claimed_items(
    session: AsyncSession,
    batches: Mapping[int, Sequence[int]],
    now: datetime,
    *,
    label: str = "notifier",
    audit: bool = True,
) -> dict[int, list[PushItem]]:
    """Each account's items (account → its delivery ids), in the order the events happened;
    the same statements for one batch or a hundred. With ``audit``, the students' reads are
    recorded at once.

    A delivery left without an item (a mark removed before the family heard of it) has
    nothing to say: the caller records it as skipped. A delivery id that is not the account's
    own is ignored."""
    wanted = {(account_id, d) for account_id, ids in batches.items() for d in ids}
    rows = (
        await session.execute(
            select(Delivery.id, Delivery.account_id, OutboxEvent)
            .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
            .where(Delivery.id.in_({d for _, d in wanted}))
            .order_by(OutboxEvent.id)
        )
    ).all()
    events = [(row[0], row[1], row[2]) for row in rows if (row[1], row[0]) in wanted]
    lookups = await _Lookups.load(session, [(account, event) for _, account, event in events])
    found: dict[int, list[PushItem]] = {}
    reads: list[tuple[int, OutboxEvent]] = []
    for delivery_id, account_id, event in events:
        item = lookups.item(delivery_id, account_id, event)
        if item is not None:
            found.setdefault(account_id, []).append(item)
            reads.append((account_id, event))
    if audit:
        await _audit(session, reads, now, label)
    return found


@dataclass
class _Lookups:
    subjects: dict[int, str]
    students: dict[int, str]
    classes: dict[int, str]
    changes: dict[int, Any]
    teachers: dict[int, str]
    shown: set[tuple[int, int]]  # (account, mark) pairs the account was sent a push about

    @classmethod
    async def load(
        cls, session: AsyncSession, reads: Sequence[tuple[int, OutboxEvent]]
    ) -> _Lookups:
        events = [event for _, event in reads]
        change_ids = {e.object_id for e in events if e.kind == EventKind.TIMETABLE_CHANGED}
        changes: dict[int, Any] = {}
        if change_ids:
            changes = {
                row.id: row
                for row in await session.execute(
                    select(
                        TimetableChange.id,
                        TimetableChange.subject_id,
                        TimetableChange.new_subject_id,
                        TimetableChange.teacher_id,
                        TimetableChange.room,
                        TimetableChange.moved_to_date,
                        TimetableChange.moved_to_period,
                    ).where(TimetableChange.id.in_(change_ids))
                )
            }
        subject_ids = {e.payload.get("subject_id") for e in events}
        for change in changes.values():
            subject_ids |= {change.subject_id, change.new_subject_id}
        student_ids = {e.student_id for e in events if e.student_id is not None}
        class_ids = {e.class_id for e in events if e.class_id is not None}
        return cls(
            subjects=await subject_names(session, subject_ids),
            students=await _first_names(session, student_ids),
            classes=await _class_names(session, class_ids),
            changes=changes,
            teachers=await staff_names(session, [c.teacher_id for c in changes.values()]),
            shown=await _shown(session, reads),
        )

    def item(self, delivery_id: int, account_id: int, event: OutboxEvent) -> PushItem | None:
        payload = event.payload
        common: dict[str, Any] = {
            "delivery_id": delivery_id,
            "student_id": event.student_id,
            "student": self.students.get(event.student_id or 0),
            "subject": self.subjects.get(payload.get("subject_id") or 0),
        }
        kind = EventKind(event.kind)
        if kind in (EventKind.MARK_ADDED, EventKind.MARK_CHANGED, EventKind.MARK_DELETED):
            mark_kind = self._mark_kind(kind, (account_id, event.object_id))
            if mark_kind is None:
                return None
            return PushItem(
                kind=mark_kind,
                value=payload.get("value"),
                previous=payload.get("previous") if mark_kind == ItemKind.CORRECTED_MARK else None,
                day=_day(payload.get("date")),
                **common,
            )
        if kind == EventKind.ATTESTATION_SET:
            return PushItem(
                kind=ItemKind.FINAL_MARK,
                value=payload.get("value"),
                attestation=payload.get("kind"),
                **common,
            )
        if kind == EventKind.ABSENCE_RECORDED:
            if payload.get("deleted"):
                return None  # a removed absence is never pushed (core.teaching.absences)
            # Only whether the child was late or away: the code's reason (ill, excused) is
            # health data and stays out of a push.
            late = payload.get("code") == AttendanceCode.LATE.value
            return PushItem(
                kind=ItemKind.LATE if late else ItemKind.ABSENCE,
                day=_day(payload.get("date")),
                period=payload.get("period"),
                **common,
            )
        if kind == EventKind.TIMETABLE_CHANGED:
            return self._change(delivery_id, event)
        if kind == EventKind.HOMEWORK_ADDED:
            return PushItem(
                kind=ItemKind.HOMEWORK,
                class_name=self.classes.get(event.class_id or 0),
                day=_day(payload.get("due")),
                **common,
            )
        item_kind = ItemKind(kind.value)  # scheduled messages and the mail
        if item_kind in MAIL_ITEMS:
            return PushItem(
                kind=item_kind,
                delivery_id=delivery_id,
                student_id=event.student_id,
                object_id=event.object_id,
            )
        return PushItem(kind=item_kind, delivery_id=delivery_id, day=_day(payload.get("date")))

    def _mark_kind(self, kind: EventKind, pair: tuple[int, int]) -> ItemKind | None:
        if kind == EventKind.MARK_ADDED:
            return ItemKind.NEW_MARK
        if kind == EventKind.MARK_DELETED:
            return ItemKind.REMOVED_MARK if pair in self.shown else None
        # A correction of a mark whose push never went out is, to the family, a new mark.
        return ItemKind.CORRECTED_MARK if pair in self.shown else ItemKind.NEW_MARK

    def _change(self, delivery_id: int, event: OutboxEvent) -> PushItem:
        payload = event.payload
        row = self.changes.get(event.object_id)
        withdrawn = bool(payload.get("deleted")) or row is None
        return PushItem(
            delivery_id=delivery_id,
            kind=ItemKind.CHANGE_WITHDRAWN if withdrawn else ItemKind.CHANGE,
            class_name=self.classes.get(event.class_id or 0),
            subject=self.subjects.get(row.subject_id or 0) if row else None,
            day=_day(payload.get("date")),
            period=payload.get("period"),
            change=payload.get("kind"),
            new_subject=self.subjects.get(row.new_subject_id or 0) if row else None,
            teacher=self.teachers.get(row.teacher_id or 0) if row else None,
            room=row.room if row else None,
            moved_to=row.moved_to_date if row else None,
            moved_to_period=row.moved_to_period if row else None,
        )


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


async def _first_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Student.id, Student.first_name).where(Student.id.in_(ids)))
    return {student_id: name for student_id, name in rows}


async def _class_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        select(SchoolClass.id, SchoolClass.name).where(SchoolClass.id.in_(ids))
    )
    return {class_id: name for class_id, name in rows}


async def _shown(
    session: AsyncSession, reads: Sequence[tuple[int, OutboxEvent]]
) -> set[tuple[int, int]]:
    corrected = {
        (account_id, e.object_id)
        for account_id, e in reads
        if e.kind in (EventKind.MARK_CHANGED, EventKind.MARK_DELETED)
    }
    if not corrected:
        return set()
    rows = await session.execute(
        select(Delivery.account_id, OutboxEvent.object_id)
        .join(Delivery, Delivery.event_id == OutboxEvent.id)
        .where(
            OutboxEvent.object_type == "marks",
            OutboxEvent.object_id.in_({mark for _, mark in corrected}),
            Delivery.account_id.in_({account for account, _ in corrected}),
            Delivery.state == DeliveryState.SENT,
        )
    )
    return {(account_id, mark) for account_id, mark in rows} & corrected


async def audit_pushes(session: AsyncSession, delivery_ids: Sequence[int], now: datetime) -> None:
    """The reads of pushes Telegram accepted: two statements for any number of them."""
    if not delivery_ids:
        return
    rows = await session.execute(
        select(Delivery.account_id, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .where(Delivery.id.in_(delivery_ids), OutboxEvent.student_id.is_not(None))
    )
    await _audit(session, [(row[0], row[1]) for row in rows], now, "notifier")


async def _audit(
    session: AsyncSession,
    reads: Sequence[tuple[int, OutboxEvent]],
    now: datetime,
    label: str,
) -> None:
    rows = [
        {
            "at": now,
            "school_id": event.school_id,
            "actor_account_id": account_id,
            "actor_label": label,
            "action": "push",
            "student_id": event.student_id,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "details": {"kind": str(event.kind)},
        }
        for account_id, event in reads
        if event.student_id is not None
    ]
    if rows:
        await session.execute(insert(AuditRecord), rows)
