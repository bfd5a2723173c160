"""The daily early-warning job and what its messages say (regulation §13.5).

:func:`run_early_warning` finds the day's risk cases of every school
(:func:`core.analytics.risk.detect_school`) and records the new ones in ``risk_cases``: one row
per pupil, subject, kind and term, inserted with ON CONFLICT DO NOTHING, so a case is reported
the first day it is seen and never again that term - not the next day, and not when it
disappears and comes back later in the term (a mark lifts the average over 2.50 and a new 2 drops
it again: the class teacher already knows). A new term starts afresh.

Then, in the same transaction, it plans one message per account and day, like the evening
digest (:func:`core.notify.scheduled.plan_messages`: an outbox event with a dedupe key and its
pending delivery, so a second run the same day plans nothing twice):

* ``RISK_CLASS_TEACHER`` to the accounts of the class teacher of every class with new cases;
* ``RISK_SOCIAL_PEDAGOGUE`` to the school's social pedagogues when there are new attendance
  cases (``ABSENCES``) - and only those;
* ``RISK_GUARDIAN`` to the guardians who opted in (``/settings``, the ``risk_warnings`` switch,
  off by default) whose child has a new case about marks (every kind but ``ABSENCES``): a
  gentle message per subject with the what-if (:func:`guardian_outlook`,
  :func:`core.services.whatif.what_if`): the average and the fewest marks that lift the
  projected term mark by one step.

What a message lists is read when it is sent (:func:`risk_report`): the cases first seen that day
in the classes the account's staff member leads, or the school's attendance cases, of the pupils
the access matrix lets the staff member read (MARKS for a mark case, ATTENDANCE for an attendance
case: the class teacher's CLASS scope, the social pedagogue's SCHOOL scope for attendance, by
default). Every pupil listed is a read of their data, audited as ``risk_report``; a guardian's
message is read through the what-if, audited there as the diary's read. A case carries the
subject, the kind and a figure (an average, lessons missed of lessons had), never the reason of
an absence.

Statements: per school its rules (one), detection as :mod:`core.analytics.risk` says; then four
(record, read back, the class teachers' and the guardians' accounts) and one for the social
pedagogues' accounts when there are attendance cases, plus the planning (three per kind planned).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import AccessDenied, readable
from core.analytics.risk import Risk, RiskRules, detect_school, load_risk_rules
from core.linking.accounts import account_view, reader_of
from core.models import (
    Account,
    AccountLink,
    AuditRecord,
    GuardianLink,
    NotificationPreference,
    RiskCase,
    School,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    Subject,
)
from core.models.enums import EventKind, RiskKind, Role
from core.notify.scheduled import plan_messages
from core.preferences import preferences_of
from core.reader import Reader
from core.services.naming import short_name
from core.services.whatif import WhatIf, what_if

ATTENDANCE_KINDS = frozenset({RiskKind.ABSENCES})
MARK_KINDS = frozenset(RiskKind) - ATTENDANCE_KINDS
# What showing a case reads of the pupil.
_PERMISSION = {
    kind: Permission.ATTENDANCE if kind in ATTENDANCE_KINDS else Permission.MARKS
    for kind in RiskKind
}


@dataclass(frozen=True, slots=True)
class WarningRun:
    cases: int  # new cases recorded today
    messages: int  # messages planned


@dataclass(frozen=True, slots=True)
class RiskLine:
    student: str  # "Иванова А. П." - staff read it
    class_name: str
    subject: str
    kind: RiskKind
    detail: str | None


@dataclass(frozen=True, slots=True)
class RiskReport:
    day: date
    lines: tuple[RiskLine, ...]  # by class, pupil, subject, kind


async def run_early_warning(
    session: AsyncSession,
    now: datetime,
    timezone: ZoneInfo,
    rules: RiskRules | None = None,
) -> WarningRun:
    """Detect, record and plan for every school; the caller commits (one transaction).

    Each school is judged by its own rules (:func:`load_risk_rules`) unless ``rules`` is given.
    """
    day = now.astimezone(timezone).date()
    cases = messages = 0
    for school_id in (await session.execute(select(School.id).order_by(School.id))).scalars().all():
        school_rules = rules if rules is not None else await load_risk_rules(session, school_id)
        risks = await detect_school(session, school_id, day, school_rules)
        await record_cases(session, school_id, risks, day)
        new = (
            await session.execute(
                select(RiskCase.class_id, RiskCase.kind).where(
                    RiskCase.school_id == school_id, RiskCase.first_seen == day
                )
            )
        ).all()
        cases += len(new)
        if not new:
            continue
        classes = {class_id for class_id, _ in new}
        recipients = [
            (EventKind.RISK_CLASS_TEACHER, await _class_teacher_accounts(session, classes, day))
        ]
        if any(kind in ATTENDANCE_KINDS for _, kind in new):
            social = await _social_pedagogue_accounts(session, school_id, day)
            recipients.append((EventKind.RISK_SOCIAL_PEDAGOGUE, social))
        if any(kind in MARK_KINDS for _, kind in new):
            guardians = await _guardian_accounts(session, school_id, day)
            recipients.append((EventKind.RISK_GUARDIAN, guardians))
        for event_kind, accounts in recipients:
            targets = [(account_id, school_id) for account_id in accounts]
            messages += await plan_messages(session, event_kind, day, targets, now)
    return WarningRun(cases=cases, messages=messages)


async def record_cases(
    session: AsyncSession, school_id: int, risks: Sequence[Risk], day: date
) -> None:
    """Insert the cases not reported yet this term (first seen ``day``); the rest stay as they
    were."""
    if not risks:
        return
    rows = [
        {
            "school_id": school_id,
            "student_id": r.student_id,
            "subject_id": r.subject_id,
            "term_id": r.term_id,
            "class_id": r.class_id,
            "kind": r.kind,
            "first_seen": day,
            "detail": r.detail,
        }
        for r in risks
    ]
    dialect = session.get_bind().dialect.name
    make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make_insert(RiskCase).on_conflict_do_nothing(
        index_elements=["student_id", "subject_id", "kind", "term_id"]
    )
    for start in range(0, len(rows), 1000):
        await session.execute(statement, rows[start : start + 1000])


def _active_staff_accounts(day: date) -> ColumnElement[bool]:
    return and_(
        Account.is_active.is_(True),
        Account.consent_given_at.is_not(None),
        or_(Staff.left_on.is_(None), Staff.left_on > day),
    )


async def _class_teacher_accounts(
    session: AsyncSession, class_ids: Collection[int], day: date
) -> list[int]:
    rows = await session.execute(
        select(AccountLink.account_id)
        .join(Account, Account.id == AccountLink.account_id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .join(SchoolClass, SchoolClass.class_teacher_id == Staff.id)
        .where(SchoolClass.id.in_(set(class_ids)), _active_staff_accounts(day))
        .distinct()
        .order_by(AccountLink.account_id)
    )
    return list(rows.scalars())


async def _social_pedagogue_accounts(session: AsyncSession, school_id: int, day: date) -> list[int]:
    rows = await session.execute(
        select(AccountLink.account_id)
        .join(Account, Account.id == AccountLink.account_id)
        .join(Staff, Staff.id == AccountLink.staff_id)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(
            Staff.school_id == school_id,
            StaffRole.role == Role.SOCIAL_PEDAGOGUE,
            _active_staff_accounts(day),
        )
        .distinct()
        .order_by(AccountLink.account_id)
    )
    return list(rows.scalars())


async def _guardian_accounts(session: AsyncSession, school_id: int, day: date) -> list[int]:
    """Guardians' accounts that opted in (an explicit row: the switch is off by default) with a
    child who has a new case about marks today."""
    rows = await session.execute(
        select(AccountLink.account_id)
        .join(Account, Account.id == AccountLink.account_id)
        .join(NotificationPreference, NotificationPreference.account_id == Account.id)
        .join(GuardianLink, GuardianLink.guardian_id == AccountLink.guardian_id)
        .join(RiskCase, RiskCase.student_id == GuardianLink.student_id)
        .where(
            RiskCase.school_id == school_id,
            RiskCase.first_seen == day,
            RiskCase.kind.in_(MARK_KINDS),
            NotificationPreference.risk_warnings.is_(True),
            Account.is_active.is_(True),
            Account.consent_given_at.is_not(None),
        )
        .distinct()
        .order_by(AccountLink.account_id)
    )
    return list(rows.scalars())


@dataclass(frozen=True, slots=True)
class SubjectOutlook:
    subject: str
    average: Decimal | None  # None: no numeric mark yet this term
    target: int | None  # the next mark up from the projected one; None at 5 or without marks
    needed: tuple[int, ...] | None  # the fewest marks that reach it; None: out of reach


@dataclass(frozen=True, slots=True)
class ChildOutlook:
    name: str
    subjects: tuple[SubjectOutlook, ...]


async def guardian_outlook(
    session: AsyncSession, account_id: int, day: date
) -> tuple[ChildOutlook, ...]:
    """What a guardian's message of ``day`` says, read now through the what-if as the guardian
    would read it (access-checked and audited there): per child, each subject with a new case
    about marks that day."""
    if not (await preferences_of(session, [account_id]))[account_id].kinds["risk_warnings"]:
        return ()  # switched off since it was planned
    view = await account_view(session, account_id, day)
    if view is None or not view.guardian_ids or not view.children:
        return ()
    reader = reader_of(view, "scheduler", day)
    rows = await session.execute(
        select(RiskCase.student_id, RiskCase.subject_id)
        .where(
            RiskCase.student_id.in_([child.student_id for child in view.children]),
            RiskCase.first_seen == day,
            RiskCase.kind.in_(MARK_KINDS),
        )
        .distinct()
    )
    subjects: dict[int, set[int]] = defaultdict(set)
    for student_id, subject_id in rows:
        subjects[student_id].add(subject_id)
    found = []
    for child in view.children:
        outlooks = []
        for subject_id in sorted(subjects.get(child.student_id, ())):
            try:
                found_if = await what_if(
                    session, child.student_id, subject_id, day, reader, targets=(3, 4, 5)
                )
            except AccessDenied:
                break
            outlooks.append(_outlook(found_if))
        if outlooks:
            outlooks.sort(key=lambda o: o.subject)
            found.append(ChildOutlook(child.name, tuple(outlooks)))
    return tuple(found)


def _outlook(found: WhatIf) -> SubjectOutlook:
    mark = found.suggested_mark
    target = mark + 1 if mark is not None and mark < 5 else None
    needed: tuple[int, ...] | None = None
    if target is not None:
        marks = found.needed.get(target)
        needed = tuple(value for value, _weight in marks) if marks is not None else None
    return SubjectOutlook(found.subject or "", found.average, target, needed)


async def risk_report(
    session: AsyncSession,
    account_id: int,
    kind: EventKind,
    day: date,
    now: datetime,
) -> RiskReport | None:
    """What a staff account's message of ``day`` lists, read now; ``None`` when nothing (the
    account's staff member left, no longer leads the class, holds no such role)."""
    staff = (
        await session.execute(
            select(Staff.id, Staff.school_id)
            .join(AccountLink, AccountLink.staff_id == Staff.id)
            .where(
                AccountLink.account_id == account_id,
                or_(Staff.left_on.is_(None), Staff.left_on > day),
            )
        )
    ).all()
    if not staff:
        return None
    staff_ids = {row[0] for row in staff}
    query = (
        select(
            RiskCase.student_id,
            RiskCase.school_id,
            Student.last_name,
            Student.first_name,
            Student.middle_name,
            SchoolClass.name,
            Subject.name,
            RiskCase.kind,
            RiskCase.detail,
        )
        .join(Student, Student.id == RiskCase.student_id)
        .join(SchoolClass, SchoolClass.id == RiskCase.class_id)
        .join(Subject, Subject.id == RiskCase.subject_id)
        .where(RiskCase.first_seen == day)
    )
    if kind == EventKind.RISK_CLASS_TEACHER:
        query = query.where(SchoolClass.class_teacher_id.in_(staff_ids))
    elif kind == EventKind.RISK_SOCIAL_PEDAGOGUE:
        pedagogues = (
            await session.execute(
                select(Staff.school_id)
                .join(StaffRole, StaffRole.staff_id == Staff.id)
                .where(Staff.id.in_(staff_ids), StaffRole.role == Role.SOCIAL_PEDAGOGUE)
            )
        ).scalars()
        query = query.where(
            RiskCase.school_id.in_(set(pedagogues)), RiskCase.kind.in_(ATTENDANCE_KINDS)
        )
    else:
        raise ValueError(f"not a staff risk message: {kind}")
    rows = (await session.execute(query)).all()
    # The access matrix decides, as for any read (a school may have narrowed a role's scope):
    # a mark case needs MARKS, an attendance case ATTENDANCE, of that pupil.
    allowed: dict[Permission, frozenset[int]] = {}
    for permission in (Permission.MARKS, Permission.ATTENDANCE):
        allowed[permission] = frozenset()
        for staff_id in sorted(staff_ids):
            reader = Reader(label="notifier", account_id=account_id, staff_id=staff_id, today=day)
            allowed[permission] |= await readable(
                session, reader, permission, {r[0] for r in rows}, day
            )
    rows = [r for r in rows if r[0] in allowed[_PERMISSION[RiskKind(r[7])]]]
    if not rows:
        return None
    lines = sorted(
        (RiskLine(short_name(r[2], r[3], r[4]), r[5], r[6], RiskKind(r[7]), r[8]) for r in rows),
        key=lambda line: (line.class_name, line.student, line.subject, line.kind),
    )
    pupils: dict[int, int] = defaultdict(int)
    for r in rows:
        pupils[r[0]] = r[1]
    await session.execute(
        insert(AuditRecord),
        [
            {
                "at": now,
                "school_id": school_id,
                "actor_account_id": account_id,
                "actor_label": "notifier",
                "action": "risk_report",
                "student_id": student_id,
                "details": {"kind": kind.value, "date": day.isoformat()},
            }
            for student_id, school_id in sorted(pupils.items())
        ],
    )
    return RiskReport(day=day, lines=tuple(lines))
