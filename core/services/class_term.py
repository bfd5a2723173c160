"""The class teacher's term block of ``/class``: the report by pupils of the term running on a
day, and the pupils at risk in it.

The term is the class's term running on the day; in the holidays, the last one begun (the rule of
:func:`core.reports.scope.current_term`, so ``/class`` and ``/report`` speak of the same term).
The figures are :func:`core.reports.by_pupils.by_pupils` for that term, unchanged: its counts,
quality and success, the «с одной 4» and «с одной 3» names, and its source (term marks, or the
averages of the term's marks while none are given).

The at-risk list is the term's ``risk_cases`` (written by the daily early-warning job,
:mod:`core.analytics.warnings`) of the pupils the report covers, whichever class they were in
when a case was found; per pupil by name, each case with its subject, kind and detail (an
average, lessons missed of lessons had - never the reason of an absence).

Access: the class teacher of the class or a reader with the ``reports`` cell at SCHOOL scope
(the administration); a teacher who only teaches the class gets nothing here (their report is
limited to their subjects: ``/report``). Then the report's own check (the access matrix,
``read_report`` audited per pupil), and each case shown needs MARKS (ATTENDANCE for an
attendance case) of its pupil, as in the class teacher's daily message; every pupil listed is
audited as ``read_class_risks``. A refusal raises AccessDenied and leaves one audit record.

Statements, whatever the class's size: the class, the reader's roles (not for its class teacher),
the term's number, the class's terms, the report's (see :mod:`core.reports.by_pupils`), the
cases, at most two access decisions of two statements each, and the audit rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import AccessDenied, readable, scope_of
from core.analytics.warnings import ATTENDANCE_KINDS
from core.audit import record_read
from core.models import AuditRecord, RiskCase, SchoolClass, Subject
from core.models.enums import PermissionScope, RiskKind
from core.reader import Reader
from core.reports.by_pupils import PupilsReport, by_pupils
from core.reports.period import ReportPeriod
from core.reports.roster import Pupil
from core.reports.scope import current_term
from core.services.calendar import class_terms
from core.services.errors import NotFoundError
from core.services.naming import collation_key
from core.services.school_data import TermInfo

ACTION = "read_class_risks"
_KIND_ORDER = {kind: n for n, kind in enumerate(RiskKind)}


@dataclass(frozen=True, slots=True)
class RiskItem:
    subject: str
    kind: RiskKind
    detail: str | None  # as core.analytics.risk.Risk.detail: "2.40", "н/а", "3/8", …


@dataclass(frozen=True, slots=True)
class PupilAtRisk:
    student_id: int
    name: str  # Фамилия Имя
    cases: tuple[RiskItem, ...]  # by subject, then kind


@dataclass(frozen=True, slots=True)
class ClassTerm:
    class_id: int
    term: TermInfo
    figures: PupilsReport
    at_risk: tuple[PupilAtRisk, ...]  # by name


async def class_term(
    session: AsyncSession, class_id: int, on: date, reader: Reader
) -> ClassTerm | None:
    """The term block of class ``class_id`` on ``on``; None when its year has no terms."""
    school_id = await _check(session, reader, class_id, on)
    number = await current_term(session, class_id, on)
    term = next((t for t in await class_terms(session, class_id) if t.number == number), None)
    if term is None:
        return None
    figures = await by_pupils(session, class_id, ReportPeriod.term(number), reader, on=on)
    names = {p.id: p.name for p in _pupils(figures)}
    at_risk = await _at_risk(session, reader, school_id, term, names, on)
    return ClassTerm(class_id, term, figures, at_risk)


async def _check(session: AsyncSession, reader: Reader, class_id: int, on: date) -> int:
    """The class's school when the reader leads the class or holds SCHOOL scope of reports."""
    row = (
        await session.execute(
            select(SchoolClass.school_id, SchoolClass.class_teacher_id).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("class", class_id)
    school_id = int(row.school_id)
    if reader.system or (reader.staff_id is not None and row.class_teacher_id == reader.staff_id):
        return school_id
    if reader.staff_id is not None:
        today = reader.today or on
        held = await held_scopes(session, reader, Permission.REPORTS, (school_id,), today)
        roles = held.staff_roles.get(school_id, frozenset())
        if PermissionScope.SCHOOL in {
            scope_of(held, school_id, role, Permission.REPORTS) for role in roles
        }:
            return school_id
    details = {"class_id": class_id, "granted": False}
    await record_read(
        session, reader, school_id=school_id, student_id=None, action=ACTION, details=details
    )
    raise AccessDenied(Permission.REPORTS, None, class_id=class_id)


def _permission(kind: RiskKind) -> Permission:
    return Permission.ATTENDANCE if kind in ATTENDANCE_KINDS else Permission.MARKS


def _pupils(report: PupilsReport) -> tuple[Pupil, ...]:
    # Every pupil the report covers falls in exactly one of these.
    return (
        *report.excellent,
        *report.good,
        *report.satisfactory,
        *report.failing,
        *report.not_attested,
        *report.without_results,
    )


async def _at_risk(
    session: AsyncSession,
    reader: Reader,
    school_id: int,
    term: TermInfo,
    names: dict[int, str],
    on: date,
) -> tuple[PupilAtRisk, ...]:
    if not names:
        return ()
    rows = (
        await session.execute(
            select(RiskCase.student_id, Subject.name, RiskCase.kind, RiskCase.detail)
            .join(Subject, Subject.id == RiskCase.subject_id)
            .where(
                RiskCase.term_id == term.id,
                RiskCase.student_id.in_(list(names)),
                RiskCase.first_seen <= on,
            )
        )
    ).all()
    # What a case shows of its pupil: marks, or attendance (as the daily message decides).
    wanted: dict[Permission, set[int]] = {}
    for r in rows:
        wanted.setdefault(_permission(RiskKind(r.kind)), set()).add(r.student_id)
    allowed = {
        permission: await readable(session, reader, permission, pupils, on)
        for permission, pupils in wanted.items()
    }
    cases: dict[int, list[RiskItem]] = {}
    for r in rows:
        kind = RiskKind(r.kind)
        if r.student_id in allowed[_permission(kind)]:
            cases.setdefault(r.student_id, []).append(RiskItem(r.name, kind, r.detail))
    if not cases:
        return ()
    await session.execute(
        insert(AuditRecord),
        [
            {
                "school_id": school_id,
                "actor_account_id": reader.account_id,
                "actor_staff_id": reader.staff_id,
                "actor_label": reader.label[:64],
                "action": ACTION,
                "student_id": student_id,
                "details": {"term_id": term.id, "granted": True},
            }
            for student_id in sorted(cases)
        ],
    )
    return tuple(
        PupilAtRisk(
            student_id,
            names[student_id],
            tuple(
                sorted(
                    found, key=lambda item: (collation_key(item.subject), _KIND_ORDER[item.kind])
                )
            ),
        )
        for student_id, found in sorted(
            cases.items(), key=lambda kv: (collation_key(names[kv[0]]), kv[0])
        )
    )
