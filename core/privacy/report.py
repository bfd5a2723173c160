"""A subject access request (152-FZ art. 14): everything the journal holds about one person,
and who read it.

The person is a student, a guardian or a staff member of one school. The report holds their
record, the people it is linked to (a pupil's guardians, a guardian's children), their
messenger accounts with the deliveries to each, their invite codes, how many rows of the
journal are theirs (marks, attendance, ...), the questions they wrote, and the audit trail:

- ``reads``: who read the person's data, when and what. The trail is kept per pupil (every
  read of a diary, attendance, a push names the pupil), so for a student this is their whole
  trail; a guardian's or a staff member's own record is read only by the school's tools.
- ``activity``: what the person's own accounts did (reads of their children's data, linking,
  consent, logout), which is personal data about them as well.

Counts, not rows, for the journal itself: the marks and attendance are the school's record,
shown to the family in the bot and exported by ``journal export``; the report says how much
there is. Building the report is itself a read of the person's data and is audited
("privacy_report").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import record_read
from core.models import (
    Account,
    AccountLink,
    Attendance,
    AttestationMark,
    AuditRecord,
    Debt,
    Delivery,
    Enrolment,
    Guardian,
    GuardianLink,
    Homework,
    InviteCode,
    Lesson,
    Mark,
    MessageThread,
    RiskCase,
    School,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    TeachingAssignment,
    ThreadMessage,
)
from core.reader import Reader
from core.services.naming import short_name

PersonKind = Literal["student", "guardian", "staff"]
_MODELS: dict[PersonKind, type[Student] | type[Guardian] | type[Staff]] = {
    "student": Student,
    "guardian": Guardian,
    "staff": Staff,
}


class PersonNotFoundError(LookupError):
    """No student, guardian or staff member of the school has this id."""


class AmbiguousPersonError(LookupError):
    """The id names more than one kind of person (a student and a guardian, say)."""

    def __init__(self, kinds: tuple[PersonKind, ...]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = kinds


@dataclass(frozen=True, slots=True)
class Related:
    kind: PersonKind  # the other person's kind: a pupil's guardian, a guardian's child
    external_id: str | None
    name: str
    relation: str | None  # mother, father, guardian (a guardian's link to the pupil)


@dataclass(frozen=True, slots=True)
class AccountFacts:
    id: int
    messenger: str
    bot: str
    user_key: str
    locale: str | None
    active: bool
    consent_given_at: datetime | None
    created_at: datetime
    last_seen_at: datetime | None
    method: str  # how it was linked: invite, phone, admin
    linked_at: datetime
    deliveries: tuple[tuple[str, int], ...]  # (state, count)
    last_sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    action: str
    actor_label: str | None
    actor_account_id: int | None
    actor_staff_id: int | None
    actor_name: str | None  # the staff member's short name
    granted: bool


@dataclass(frozen=True, slots=True)
class SubjectReport:
    kind: PersonKind
    person_id: int
    external_id: str | None
    school: str
    fields: tuple[tuple[str, str], ...]  # (field name, value) of the person's own record
    related: tuple[Related, ...]
    accounts: tuple[AccountFacts, ...]
    invites: tuple[tuple[str, int], ...]  # (issued | used | revoked, count)
    journal: tuple[tuple[str, int], ...]  # (table, rows about or by the person)
    threads: tuple[tuple[str, int], ...]  # (threads | messages, count)
    reads: tuple[AuditLine, ...]
    activity: tuple[AuditLine, ...]


async def find_person(
    session: AsyncSession, school_id: int, key: str, kind: PersonKind | None = None
) -> tuple[PersonKind, int]:
    """The kind and db id of the school's person ``key`` (their exchange id, or ``#<db id>``
    with ``kind``)."""
    found: list[tuple[PersonKind, int]] = []
    for name, model in _MODELS.items():
        if kind is not None and name != kind:
            continue
        query = select(model.id).where(model.school_id == school_id)
        if key.startswith("#") and key[1:].isdigit():
            query = query.where(model.id == int(key[1:]))
        else:
            query = query.where(model.external_id == key)
        person = (await session.execute(query)).scalar_one_or_none()
        if person is not None:
            found.append((name, int(person)))
    if not found:
        raise PersonNotFoundError(key)
    if len(found) > 1:
        raise AmbiguousPersonError(tuple(name for name, _ in found))
    return found[0]


async def subject_report(
    session: AsyncSession, kind: PersonKind, person_id: int, reader: Reader
) -> SubjectReport:
    """Everything about one person; the read is audited under ``reader``."""
    model = _MODELS[kind]
    person: Any = await session.get(model, person_id)
    if person is None:
        raise PersonNotFoundError(f"#{person_id}")
    school = await session.get(School, person.school_id)
    accounts = await _accounts(session, kind, person_id)
    account_ids = [account.id for account in accounts]
    report = SubjectReport(
        kind=kind,
        person_id=person_id,
        external_id=person.external_id,
        school=school.name if school else "",
        fields=await _fields(session, kind, person),
        related=await _related(session, kind, person_id),
        accounts=accounts,
        invites=await _invites(session, kind, person_id),
        journal=await _journal(session, kind, person_id),
        threads=await _threads(session, kind, person_id),
        reads=await _trail(session, _reads_query(kind, person_id)),
        activity=await _trail(session, _activity_query(account_ids)),
    )
    await record_read(
        session,
        reader,
        school_id=person.school_id,
        student_id=person_id if kind == "student" else None,
        action="privacy_report",
        details={"kind": kind} if kind == "student" else {"kind": kind, f"{kind}_id": person_id},
    )
    return report


def _text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


async def _fields(
    session: AsyncSession, kind: PersonKind, person: Any
) -> tuple[tuple[str, str], ...]:
    names = ["last_name", "first_name", "middle_name", "phone", "email"]
    names += {
        "student": ["birth_date", "enrolled_on", "left_on"],
        "guardian": [],
        "staff": ["hired_on", "left_on"],
    }[kind]
    fields = [(name, _text(getattr(person, name))) for name in names if getattr(person, name)]
    if kind == "student" and person.class_id is not None:
        school_class = await session.get(SchoolClass, person.class_id)
        if school_class is not None:
            fields.append(("class", school_class.name))
    if kind == "staff":
        roles = (
            await session.execute(
                select(StaffRole.role)
                .where(StaffRole.staff_id == person.id)
                .order_by(StaffRole.role)
            )
        ).scalars()
        fields.append(("roles", ", ".join(str(role) for role in roles)))
    return tuple(fields)


async def _related(session: AsyncSession, kind: PersonKind, person_id: int) -> tuple[Related, ...]:
    if kind == "staff":
        return ()
    other: type[Student] | type[Guardian]
    if kind == "student":
        other, mine, theirs, other_kind = (
            Guardian,
            GuardianLink.student_id,
            GuardianLink.guardian_id,
            "guardian",
        )
    else:
        other, mine, theirs, other_kind = (
            Student,
            GuardianLink.guardian_id,
            GuardianLink.student_id,
            "student",
        )
    rows = await session.execute(
        select(
            other.external_id,
            other.last_name,
            other.first_name,
            other.middle_name,
            GuardianLink.relation,
        )
        .join(GuardianLink, theirs == other.id)
        .where(mine == person_id)
        .order_by(other.last_name, other.first_name)
    )
    return tuple(
        Related(
            kind=other_kind,  # type: ignore[arg-type]
            external_id=row.external_id,
            name=short_name(row.last_name, row.first_name, row.middle_name),
            relation=str(row.relation),
        )
        for row in rows
    )


def _link_column(kind: PersonKind) -> Any:
    return {
        "student": AccountLink.student_id,
        "guardian": AccountLink.guardian_id,
        "staff": AccountLink.staff_id,
    }[kind]


async def _accounts(
    session: AsyncSession, kind: PersonKind, person_id: int
) -> tuple[AccountFacts, ...]:
    rows = (
        await session.execute(
            select(Account, AccountLink.method, AccountLink.linked_at)
            .join(AccountLink, AccountLink.account_id == Account.id)
            .where(_link_column(kind) == person_id)
            .order_by(Account.id)
        )
    ).all()
    ids = [row[0].id for row in rows]
    states: dict[int, list[tuple[str, int]]] = {}
    last_sent: dict[int, datetime | None] = {}
    if ids:
        for account_id, state, count, sent in await session.execute(
            select(Delivery.account_id, Delivery.state, func.count(), func.max(Delivery.sent_at))
            .where(Delivery.account_id.in_(ids))
            .group_by(Delivery.account_id, Delivery.state)
            .order_by(Delivery.account_id, Delivery.state)
        ):
            states.setdefault(account_id, []).append((str(state), int(count)))
            if sent is not None:
                known = last_sent.get(account_id)
                last_sent[account_id] = sent if known is None else max(known, sent)
    return tuple(
        AccountFacts(
            id=account.id,
            messenger=str(account.messenger),
            bot=account.bot,
            user_key=account.user_key,
            locale=account.locale,
            active=account.is_active,
            consent_given_at=account.consent_given_at,
            created_at=account.created_at,
            last_seen_at=account.last_seen_at,
            method=str(method),
            linked_at=linked_at,
            deliveries=tuple(states.get(account.id, ())),
            last_sent_at=last_sent.get(account.id),
        )
        for account, method, linked_at in rows
    )


async def _invites(
    session: AsyncSession, kind: PersonKind, person_id: int
) -> tuple[tuple[str, int], ...]:
    column = {
        "student": InviteCode.student_id,
        "guardian": InviteCode.guardian_id,
        "staff": InviteCode.staff_id,
    }[kind]
    row = (
        await session.execute(
            select(
                func.count(), func.count(InviteCode.used_at), func.count(InviteCode.revoked_at)
            ).where(column == person_id)
        )
    ).one()
    return (("issued", int(row[0])), ("used", int(row[1])), ("revoked", int(row[2])))


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return int((await session.execute(query)).scalar() or 0)


async def _journal(
    session: AsyncSession, kind: PersonKind, person_id: int
) -> tuple[tuple[str, int], ...]:
    queries: dict[str, Select[Any]]
    if kind == "student":
        queries = {
            "marks": select(func.count()).where(Mark.student_id == person_id),
            "attendance": select(func.count()).where(Attendance.student_id == person_id),
            "attestation_marks": select(func.count()).where(
                AttestationMark.student_id == person_id
            ),
            "homework": select(func.count()).where(Homework.student_id == person_id),
            "debts": select(func.count()).where(Debt.student_id == person_id),
            "enrolments": select(func.count()).where(Enrolment.student_id == person_id),
            "risk_cases": select(func.count()).where(RiskCase.student_id == person_id),
        }
    elif kind == "staff":
        queries = {
            "lessons": select(func.count()).where(Lesson.teacher_id == person_id),
            "marks": select(func.count()).where(Mark.teacher_id == person_id),
            "teaching_assignments": select(func.count()).where(
                TeachingAssignment.staff_id == person_id
            ),
        }
    else:
        return ()
    return tuple([(name, await _count(session, query)) for name, query in queries.items()])


async def _threads(
    session: AsyncSession, kind: PersonKind, person_id: int
) -> tuple[tuple[str, int], ...]:
    thread_column = {
        "student": MessageThread.asker_student_id,
        "guardian": MessageThread.asker_guardian_id,
        "staff": MessageThread.staff_id,
    }[kind]
    author_column = {
        "student": ThreadMessage.author_student_id,
        "guardian": ThreadMessage.author_guardian_id,
        "staff": ThreadMessage.author_staff_id,
    }[kind]
    return (
        ("threads", await _count(session, select(func.count()).where(thread_column == person_id))),
        ("messages", await _count(session, select(func.count()).where(author_column == person_id))),
    )


def _reads_query(kind: PersonKind, person_id: int) -> Select[Any] | None:
    """The trail names pupils (``student_id``, indexed with ``at``)."""
    if kind != "student":
        return None
    return select(AuditRecord).where(AuditRecord.student_id == person_id)


def _activity_query(account_ids: list[int]) -> Select[Any] | None:
    if not account_ids:
        return None
    return select(AuditRecord).where(AuditRecord.actor_account_id.in_(account_ids))


async def _trail(session: AsyncSession, query: Select[Any] | None) -> tuple[AuditLine, ...]:
    if query is None:
        return ()
    records = list((await session.scalars(query.order_by(AuditRecord.at, AuditRecord.id))).all())
    staff_ids = {r.actor_staff_id for r in records if r.actor_staff_id}
    names: dict[int, str] = {}
    if staff_ids:
        names = {
            row.id: short_name(row.last_name, row.first_name, row.middle_name)
            for row in await session.execute(
                select(Staff.id, Staff.last_name, Staff.first_name, Staff.middle_name).where(
                    Staff.id.in_(staff_ids)
                )
            )
        }
    return tuple(
        AuditLine(
            at=record.at,
            action=record.action,
            actor_label=record.actor_label,
            actor_account_id=record.actor_account_id,
            actor_staff_id=record.actor_staff_id,
            actor_name=names.get(record.actor_staff_id) if record.actor_staff_id else None,
            granted=bool((record.details or {}).get("granted", True)),
        )
        for record in records
    )


__all__ = [
    "AccountFacts",
    "AmbiguousPersonError",
    "AuditLine",
    "PersonKind",
    "PersonNotFoundError",
    "Related",
    "SubjectReport",
    "find_person",
    "subject_report",
]
