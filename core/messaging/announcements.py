"""Announcements: sent through the notifier, acknowledged with a press, reported to the sender.

:func:`announce` fixes the audience (people, not accounts: a guardian of two children in the
class is one person) when it is sent, writes the announcement, its files, its recipients, its
outbox event and an audit record together, and plans the sender's delivery report a minute
later (its figures are read when it goes out). :func:`report` counts each person once, so its
figures add up to the audience; :func:`unreached` names the people it did not reach where the
reader may read their people data (``Permission.PEOPLE``), and audits those reads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import readable
from core.messaging.audience import announcer, audience_of, find_target, target_options
from core.messaging.drafts import check_attachments, clean_text
from core.messaging.dto import (
    AnnouncementReceipt,
    AnnouncementReport,
    Attachment,
    TargetOption,
    Unreached,
    UnreachedPerson,
)
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.events import emit
from core.messaging.records import add_attachments
from core.messaging.rules import MessagingRules
from core.models import (
    Account,
    AccountLink,
    Announcement,
    AnnouncementRecipient,
    AuditRecord,
    Delivery,
    Group,
    Guardian,
    GuardianLink,
    OutboxEvent,
    SchoolClass,
    Student,
)
from core.models.enums import (
    AnnouncementAudience,
    AnnouncementTarget,
    DeliveryState,
    EventKind,
    Messenger,
    PermissionScope,
)
from core.notify.reasons import BLOCKED, TURNED_OFF
from core.reader import Reader

REPORT_AFTER = timedelta(minutes=1)
RECENT = 5


async def announce(
    session: AsyncSession,
    reader: Reader,
    rules: MessagingRules,
    *,
    target: str,
    grade: int | None = None,
    class_id: int | None = None,
    group_id: int | None = None,
    audience: AnnouncementAudience,
    text: str | None,
    attachments: Sequence[Attachment] = (),
    urgent: bool = False,
    ask_ack: bool = False,
    messenger: Messenger,
    now: datetime,
) -> AnnouncementReceipt:
    today = now.astimezone(rules.timezone).date()
    check_attachments(attachments, rules)
    body = clean_text(text, rules, required=not attachments)
    who = await announcer(session, reader, today)
    option = None
    if who is not None:
        options = await target_options(session, who, today)
        option = find_target(options, target, grade=grade, class_id=class_id, group_id=group_id)
    if who is None or option is None or (urgent and not who.urgent):
        raise MessagingRefused(Refusal.NOT_ALLOWED)
    guardians, students = await audience_of(session, who.school_id, option, audience, today)
    row = Announcement(
        school_id=who.school_id,
        author_staff_id=who.staff_id,
        author_account_id=reader.account_id,
        target=option.target,
        grade=option.grade,
        class_id=option.class_id,
        group_id=option.group_id,
        audience=audience,
        text=body,
        urgent=urgent,
        ask_ack=ask_ack,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    people = [{"announcement_id": row.id, "guardian_id": g, "student_id": None} for g in guardians]
    people += [{"announcement_id": row.id, "guardian_id": None, "student_id": s} for s in students]
    if people:
        await session.execute(insert(AnnouncementRecipient), people)
    add_attachments(session, attachments, messenger, announcement_id=row.id)
    await emit(
        session,
        school_id=who.school_id,
        kind=EventKind.ANNOUNCEMENT,
        object_type="announcements",
        object_id=row.id,
        class_id=option.class_id,
        now=now,
        payload={"urgent": urgent},
    )
    session.add(
        AuditRecord(
            at=now,
            school_id=who.school_id,
            actor_account_id=reader.account_id,
            actor_staff_id=reader.staff_id,
            actor_label=reader.label[:64],
            action="announce",
            object_type="announcements",
            object_id=row.id,
            details={"target": option.target.value, "people": len(people), "urgent": urgent},
        )
    )
    report_at = await _plan_report(session, row, reader, now)
    return AnnouncementReceipt(row.id, len(people), report_at)


async def _plan_report(
    session: AsyncSession, row: Announcement, reader: Reader, now: datetime
) -> datetime | None:
    """The report is a delivery of its own to the sender, due a minute from now."""
    if reader.account_id is None:
        return None
    event = OutboxEvent(
        school_id=row.school_id,
        kind=EventKind.ANNOUNCEMENT_REPORT,
        object_type="announcements",
        object_id=row.id,
        payload={},
        occurred_at=now,
        processed_at=now,
        dedupe_key=f"announcement_report:{row.id}",
    )
    session.add(event)
    await session.flush()
    at = now + REPORT_AFTER
    session.add(
        Delivery(
            event_id=event.id,
            account_id=reader.account_id,
            state=DeliveryState.PENDING,
            not_before=at,
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()
    return at


async def acknowledge(
    session: AsyncSession, reader: Reader, announcement_id: int, now: datetime
) -> bool:
    """The reader confirms they read it; False when it was not addressed to them."""
    persons: list[ColumnElement[bool]] = []
    if reader.guardian_ids:
        persons.append(AnnouncementRecipient.guardian_id.in_(reader.guardian_ids))
    if reader.student_id is not None:
        persons.append(AnnouncementRecipient.student_id == reader.student_id)
    if not persons:
        return False
    mine = (
        AnnouncementRecipient.announcement_id == announcement_id,
        or_(*persons),
    )
    found = await session.scalar(select(AnnouncementRecipient.id).where(*mine).limit(1))
    asked = await session.scalar(
        select(Announcement.ask_ack).where(Announcement.id == announcement_id)
    )
    if found is None or not asked:
        return False
    await session.execute(
        update(AnnouncementRecipient)
        .where(*mine, AnnouncementRecipient.acknowledged_at.is_(None))
        .values(acknowledged_at=now)
    )
    return True


@dataclass(frozen=True, slots=True)
class _Person:
    guardian_id: int | None
    student_id: int | None
    acknowledged: bool
    outcome: str  # delivered | waiting | turned_off | blocked | failed | not_linked


async def _may_see(
    session: AsyncSession, reader: Reader, announcement_id: int, today: date
) -> Announcement:
    row = await session.get(Announcement, announcement_id)
    if row is None:
        raise MessagingRefused(Refusal.NOT_FOUND)
    if reader.staff_id is not None and reader.staff_id == row.author_staff_id:
        return row
    who = await announcer(session, reader, today)
    if who is not None and who.school_id == row.school_id and who.scope == PermissionScope.SCHOOL:
        return row
    raise MessagingRefused(Refusal.NOT_FOUND)


async def report(
    session: AsyncSession, reader: Reader, announcement_id: int, today: date
) -> AnnouncementReport:
    """Where the announcement got to; for its author and the school's administration."""
    return await build_report(session, await _may_see(session, reader, announcement_id, today))


async def build_report(session: AsyncSession, row: Announcement) -> AnnouncementReport:
    """The figures, without an access check: for the report planned for the sender."""
    people = await _outcomes(session, row)
    count = defaultdict(int, {"acknowledged": 0})
    for person in people:
        count[person.outcome] += 1
        count["acknowledged"] += person.acknowledged
    return AnnouncementReport(
        announcement_id=row.id,
        target=AnnouncementTarget(row.target),
        label=await target_label(session, row),
        audience=AnnouncementAudience(row.audience),
        created_at=row.created_at,
        people=len(people),
        delivered=count["delivered"],
        acknowledged=count["acknowledged"],
        waiting=count["waiting"],
        turned_off=count["turned_off"],
        blocked=count["blocked"],
        failed=count["failed"],
        not_linked=count["not_linked"],
        ask_ack=row.ask_ack,
        urgent=row.urgent,
    )


async def unreached(
    session: AsyncSession, reader: Reader, announcement_id: int, now: datetime, today: date
) -> Unreached:
    """The people not reached, by name where the reader may read their people data."""
    row = await _may_see(session, reader, announcement_id, today)
    missed = [p for p in await _outcomes(session, row) if p.outcome not in ("delivered", "waiting")]
    children = await _children_of(session, {p.guardian_id for p in missed} - {None}, row)
    students = {s for p in missed for s in _students_of(p, children)}
    allowed = await readable(session, reader, Permission.PEOPLE, students, today)
    names = await _names(session, missed, students)
    shown: list[UnreachedPerson] = []
    hidden = 0
    read: set[int] = set()
    for person in missed:
        mine = [s for s in _students_of(person, children) if s in allowed]
        if not mine:
            hidden += 1
            continue
        read.update(mine)
        key = (
            ("guardian", person.guardian_id)
            if person.guardian_id
            else ("student", person.student_id)
        )
        shown.append(
            UnreachedPerson(
                name=names.get(key, "—"),
                children=", ".join(names.get(("child", s), "—") for s in mine),
                reason=person.outcome,
            )
        )
    if read:
        await session.execute(
            insert(AuditRecord),
            [
                {
                    "at": now,
                    "school_id": row.school_id,
                    "actor_account_id": reader.account_id,
                    "actor_staff_id": reader.staff_id,
                    "actor_label": reader.label[:64],
                    "action": "read_people",
                    "student_id": student_id,
                    "object_type": "announcements",
                    "object_id": row.id,
                    "details": {"permission": Permission.PEOPLE.value, "granted": True},
                }
                for student_id in sorted(read)
            ],
        )
    shown.sort(key=lambda p: (p.reason, p.name))
    return Unreached(row.id, tuple(shown), hidden)


async def recent(
    session: AsyncSession, reader: Reader, limit: int = RECENT
) -> list[tuple[int, datetime, str]]:
    """The reader's latest announcements: (id, when, the opening of its text)."""
    if reader.staff_id is None:
        return []
    rows = await session.execute(
        select(Announcement.id, Announcement.created_at, Announcement.text)
        .where(Announcement.author_staff_id == reader.staff_id)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(limit)
    )
    return [
        (row.id, row.created_at, row.text.splitlines()[0][:60] if row.text else "") for row in rows
    ]


async def target_label(session: AsyncSession, row: Announcement) -> str:
    """As the sender chose it (:func:`core.messaging.audience.target_options`): "" for the
    school, "7" for a parallel, "7А" for a class, "7А · 1 группа" for a group."""
    if row.target == AnnouncementTarget.GRADE:
        return str(row.grade or "")
    if row.class_id is None:
        return ""
    found = (
        await session.execute(
            select(SchoolClass.name, Group.name.label("group_name"))
            .outerjoin(Group, Group.id == row.group_id)
            .where(SchoolClass.id == row.class_id)
        )
    ).one_or_none()
    name = found.name if found else ""
    if row.target == AnnouncementTarget.GROUP and found is not None and found.group_name:
        return f"{name} · {found.group_name}"
    return name


async def _outcomes(session: AsyncSession, row: Announcement) -> list[_Person]:
    recipients = (
        await session.execute(
            select(
                AnnouncementRecipient.guardian_id,
                AnnouncementRecipient.student_id,
                AnnouncementRecipient.acknowledged_at,
            )
            .where(AnnouncementRecipient.announcement_id == row.id)
            .order_by(AnnouncementRecipient.id)
        )
    ).all()
    links = await session.execute(
        select(
            AccountLink.guardian_id,
            AccountLink.student_id,
            Delivery.state,
            Delivery.last_error,
            Account.is_active,
            OutboxEvent.processed_at,
        )
        .join(Account, Account.id == AccountLink.account_id)
        .join(OutboxEvent, OutboxEvent.object_id == row.id)
        .outerjoin(
            Delivery,
            (Delivery.event_id == OutboxEvent.id) & (Delivery.account_id == AccountLink.account_id),
        )
        .where(
            OutboxEvent.kind == EventKind.ANNOUNCEMENT,
            OutboxEvent.object_type == "announcements",
            or_(
                AccountLink.guardian_id.in_(
                    select(AnnouncementRecipient.guardian_id).where(
                        AnnouncementRecipient.announcement_id == row.id
                    )
                ),
                AccountLink.student_id.in_(
                    select(AnnouncementRecipient.student_id).where(
                        AnnouncementRecipient.announcement_id == row.id
                    )
                ),
            ),
        )
    )
    states: defaultdict[tuple[str, int], list[str]] = defaultdict(list)
    for guardian_id, student_id, state, error, active, processed_at in links:
        if state is not None:
            outcome = _outcome(DeliveryState(state), error, bool(active))
        elif processed_at is None:
            # Not fanned out yet: still in the queue (the notifier will skip a blocked account).
            outcome = "waiting" if active else "blocked"
        else:
            continue  # linked after it went out: not reached (counted "not linked")
        if guardian_id is not None:
            states[("guardian", guardian_id)].append(outcome)
        if student_id is not None:
            states[("student", student_id)].append(outcome)
    people = []
    for guardian_id, student_id, acknowledged_at in recipients:
        key = ("guardian", guardian_id) if guardian_id is not None else ("student", student_id)
        outcomes = states.get(key, [])  # type: ignore[arg-type]
        best = min(outcomes, key=_PRIORITY.index) if outcomes else "not_linked"
        if acknowledged_at is not None:
            # A press on the message proves it arrived, even before the notifier has written
            # its delivery back (or when that write was lost to a crash).
            best = "delivered"
        people.append(_Person(guardian_id, student_id, acknowledged_at is not None, best))
    return people


_PRIORITY = ["delivered", "waiting", "turned_off", "blocked", "failed", "not_linked"]


def _outcome(state: DeliveryState, error: str | None, active: bool) -> str:
    if state == DeliveryState.SENT:
        return "delivered"
    if state in (DeliveryState.PENDING, DeliveryState.SENDING):
        return "waiting" if active else "blocked"
    if state == DeliveryState.FAILED:
        return "failed"
    if error == TURNED_OFF:
        return "turned_off"
    if error == BLOCKED or not active:
        return "blocked"
    return "failed"


def _students_of(person: _Person, children: dict[int, list[int]]) -> list[int]:
    if person.student_id is not None:
        return [person.student_id]
    return children.get(person.guardian_id or 0, [])


async def _children_of(
    session: AsyncSession, guardian_ids: set[int | None], row: Announcement
) -> dict[int, list[int]]:
    """Each guardian's children the announcement was about (those in its class, parallel or
    school; all of them when none is there any more, e.g. moved to another class since)."""
    wanted = {g for g in guardian_ids if g is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(GuardianLink.guardian_id, Student.id, Student.class_id, SchoolClass.grade)
        .join(Student, Student.id == GuardianLink.student_id)
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(GuardianLink.guardian_id.in_(wanted))
        .order_by(Student.id)
    )
    every: defaultdict[int, list[int]] = defaultdict(list)
    about: defaultdict[int, list[int]] = defaultdict(list)
    for guardian_id, student_id, class_id, grade in rows:
        every[guardian_id].append(student_id)
        if _in_target(row, class_id, grade):
            about[guardian_id].append(student_id)
    return {guardian: about.get(guardian) or students for guardian, students in every.items()}


def _in_target(row: Announcement, class_id: int | None, grade: int | None) -> bool:
    if row.target in (AnnouncementTarget.CLASS, AnnouncementTarget.GROUP):
        return class_id is not None and class_id == row.class_id
    if row.target == AnnouncementTarget.GRADE:
        return grade is not None and grade == row.grade
    return True


async def _names(
    session: AsyncSession, people: list[_Person], students: set[int]
) -> dict[tuple[str, int | None], str]:
    found: dict[tuple[str, int | None], str] = {}
    guardian_ids = {p.guardian_id for p in people if p.guardian_id is not None}
    if guardian_ids:
        rows = await session.execute(
            select(
                Guardian.id, Guardian.last_name, Guardian.first_name, Guardian.middle_name
            ).where(Guardian.id.in_(guardian_ids))
        )
        for gid, last, first, middle in rows:
            found[("guardian", gid)] = " ".join(p for p in (last, first, middle) if p)
    if students:
        students_rows = await session.execute(
            select(
                Student.id,
                Student.last_name,
                Student.first_name,
                Student.middle_name,
                SchoolClass.name,
            )
            .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
            .where(Student.id.in_(students))
        )
        for sid, last, first, middle, class_name in students_rows:
            found[("student", sid)] = " ".join(p for p in (last, first, middle) if p)
            found[("child", sid)] = f"{first} {last}" + (f" ({class_name})" if class_name else "")
    return found


__all__ = [
    "REPORT_AFTER",
    "TargetOption",
    "acknowledge",
    "announce",
    "build_report",
    "recent",
    "report",
    "target_label",
    "unreached",
]
