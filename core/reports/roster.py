"""Who a class report covers, and whether the reader may see it.

The class rule for a pupil who moved (docs/reports.md): a pupil counts in the class they were
in on the report's day - the last day of the period, or the reader's ``today`` when that comes
first - by the movement history :class:`core.services.school_data.StudentHistory` applies
everywhere else. All of their marks in the period count there, those given in the previous
class included: a term mark is one per pupil and subject, whichever class it was given in.
A pupil who left the school before that day is in no class's report.

Access: :func:`authorize_class` with ``Permission.REPORTS`` (SCHOOL scope, or the class the
teacher leads, or a class the teacher teaches whole); a teacher who neither leads the class nor
holds SCHOOL scope sees only the subjects they teach there. Every pupil covered gets an audit
record ``read_report``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from sqlalchemy import insert, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.classes import authorize_class
from core.access.facts import held_scopes, timetabled_on
from core.access.permissions import Permission
from core.access.policy import scope_of
from core.grading import DEFAULT_THRESHOLDS
from core.models import (
    AuditRecord,
    Enrolment,
    SchoolClass,
    Student,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import PermissionScope
from core.movement import Movement
from core.reader import Reader
from core.services.naming import collation_key
from core.services.school_data import StudentHistory

ACTION = "read_report"


@dataclass(frozen=True, slots=True)
class Pupil:
    id: int
    name: str  # Фамилия Имя


@dataclass(frozen=True, slots=True)
class Grant:
    """The class's pupils on ``on`` (by name) and the subjects the reader may see (None: all)."""

    class_id: int
    on: date
    pupils: tuple[Pupil, ...]
    subject_ids: frozenset[int] | None
    histories: Mapping[int, StudentHistory]  # pupil id → movement history

    def in_class(self, pupil_id: int, day: date) -> bool:
        """Whether the pupil was in this class on ``day``."""
        return self.histories[pupil_id].class_on(day) == self.class_id


async def grant(
    session: AsyncSession, reader: Reader, class_id: int, on: date, *, details: dict[str, str]
) -> Grant:
    """Check the reader, find the pupils, audit them. Raises AccessDenied when refused."""
    current = await authorize_class(
        session, reader, Permission.REPORTS, class_id, action=ACTION, today=reader.today or on
    )
    subjects = await _subject_filter(session, reader, class_id, on)
    pupils, histories = await _roster(session, class_id, on)
    seen = set(current)
    extra = [p.id for p in pupils if p.id not in seen]
    if extra:
        school_id = await session.scalar(
            select(SchoolClass.school_id).where(SchoolClass.id == class_id)
        )
        await session.execute(
            insert(AuditRecord),
            [
                {
                    "school_id": school_id,
                    "actor_account_id": reader.account_id,
                    "actor_staff_id": reader.staff_id,
                    "actor_label": reader.label[:64],
                    "action": ACTION,
                    "student_id": student,
                    "details": {**details, "class_id": class_id, "granted": True},
                }
                for student in extra
            ],
        )
    return Grant(class_id, on, pupils, subjects, MappingProxyType(histories))


async def class_roster(session: AsyncSession, class_id: int, on: date) -> tuple[Pupil, ...]:
    """The pupils in the class on ``on`` by their movement history: one statement."""
    return (await _roster(session, class_id, on))[0]


async def _roster(
    session: AsyncSession, class_id: int, on: date
) -> tuple[tuple[Pupil, ...], dict[int, StudentHistory]]:
    candidates = union(
        select(Student.id).where(Student.class_id == class_id),
        select(Enrolment.student_id).where(Enrolment.class_id == class_id),
    ).subquery()
    rows = (
        await session.execute(
            select(
                Student.id,
                Student.last_name,
                Student.first_name,
                Student.school_id,
                Student.class_id,
                Student.enrolled_on,
                Student.left_on,
                Enrolment.happened_on,
                Enrolment.kind,
                Enrolment.class_id,
            )
            .outerjoin(Enrolment, Enrolment.student_id == Student.id)
            .where(Student.id.in_(select(candidates.c[0])))
            .order_by(Student.id, Enrolment.happened_on, Enrolment.id)
        )
    ).all()
    names: dict[int, str] = {}
    facts: dict[int, tuple[int, int | None, date | None, date | None]] = {}
    moves: dict[int, list[Movement]] = {}
    for sid, last, first, school, current, enrolled, left, day, kind, moved_to in rows:
        names[sid] = f"{last} {first}"
        facts[sid] = (school, current, enrolled, left)
        moves.setdefault(sid, [])
        if day is not None:
            moves[sid].append(Movement(day, kind, moved_to))
    pupils = []
    histories = {}
    for sid, (school, current, enrolled, left) in facts.items():
        history = StudentHistory(
            sid, school, current, enrolled, left, DEFAULT_THRESHOLDS, tuple(moves[sid])
        )
        if history.class_on(on) == class_id:
            pupils.append(Pupil(sid, names[sid]))
            histories[sid] = history
    return tuple(sorted(pupils, key=lambda p: (collation_key(p.name), p.id))), histories


async def _subject_filter(
    session: AsyncSession, reader: Reader, class_id: int, on: date
) -> frozenset[int] | None:
    """None for the administration and the class teacher; else the subjects the reader teaches."""
    if reader.system or reader.staff_id is None:
        return None
    row = (
        await session.execute(
            select(SchoolClass.class_teacher_id, SchoolClass.school_id).where(
                SchoolClass.id == class_id
            )
        )
    ).one()
    if row.class_teacher_id == reader.staff_id:
        return None
    school_id = row.school_id
    held = await held_scopes(session, reader, Permission.REPORTS, (school_id,), reader.today or on)
    roles = held.staff_roles.get(school_id, frozenset())
    scopes = {scope_of(held, school_id, role, Permission.REPORTS) for role in roles}
    if PermissionScope.SCHOOL in scopes:
        return None
    taught = union(
        select(TeachingAssignment.subject_id).where(
            TeachingAssignment.staff_id == reader.staff_id,
            TeachingAssignment.class_id == class_id,
        ),
        select(TimetableEntry.subject_id).where(
            TimetableEntry.teacher_id == reader.staff_id,
            TimetableEntry.class_id == class_id,
            timetabled_on(reader.today or on),
        ),
    )
    return frozenset((await session.execute(taught)).scalars())
