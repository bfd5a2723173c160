"""Reading a whole class at once (a class summary): one check, an audit row per student.

The class is read over a span of dates: its pupils are those in it on some day of the span by
their class history (a pupil transferred in on 16 November belongs to the new class from that
day, to the old one up to the day before), each with the days they were in it
(:class:`ClassSpan`); the services count a pupil's data only on those days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import exists, insert, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes, timetabled_on
from core.access.permissions import Permission
from core.access.policy import AccessDenied, reader_today, scope_of
from core.access.windows import Clamp, Window
from core.audit import record_read
from core.models import (
    AuditRecord,
    Enrolment,
    SchoolClass,
    Student,
    TeachingAssignment,
    TimetableEntry,
)
from core.models.enums import MovementKind, PermissionScope
from core.movement import Movement, class_on
from core.reader import Reader

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ClassSpan:
    """A class read over ``requested``: its pupils then, each with their days in the class."""

    class_id: int
    requested: Window
    windows: Mapping[int, Clamp]  # pupil id → their days in the class within the span

    @property
    def students(self) -> tuple[int, ...]:
        return tuple(sorted(self.windows))

    def covers(self, student_id: int, day: date) -> bool:
        """Whether ``day``'s data of the pupil belongs to this class's read."""
        window = self.windows.get(student_id)
        return window is not None and window.covers(day)


async def authorize_class_span(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    start: date,
    end: date,
    *,
    action: str,
    today: date | None = None,
) -> ClassSpan:
    """:func:`authorize_class` over the dates ``start..end`` (inclusive): the pupils in the class
    on some day of them, each audited with their window (``start``/``end`` in the details)."""
    return await _authorize(
        session, reader, permission, class_id, (start, end), action=action, today=today
    )


async def authorize_class(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    *,
    action: str,
    today: date | None = None,
    period: Window | None = None,
) -> tuple[int, ...]:
    """Allow reading ``permission`` of a whole class on the date, or raise AccessDenied.

    Granted to SCHOOL scope, and to CLASS and TAUGHT scope when the reader leads the class
    (TAUGHT also when they teach the whole class, not only a group of it); families read
    children one by one, never a class. Returns the class's students on the date - or, with
    ``period``, on some day of it by their class history (:func:`authorize_class_span` gives
    each one's days); each gets its own audit record, written in one statement; a refusal
    leaves one record. At most five statements: the class, the roles and matrix, whether the
    reader teaches the whole class, the students, the audit rows.
    """
    found = await _authorize(
        session, reader, permission, class_id, period, action=action, today=today
    )
    return found.students


async def _authorize(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    period: Window | None,
    *,
    action: str,
    today: date | None,
) -> ClassSpan:
    on = reader_today(reader, today)
    row = (
        await session.execute(
            select(SchoolClass.school_id, SchoolClass.class_teacher_id).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    school_id = row.school_id if row else None
    granted = row is not None and (
        reader.system
        or await _reaches_class(
            session, reader, permission, class_id, row.school_id, row.class_teacher_id, on
        )
    )
    details = {"permission": permission.value, "class_id": class_id, "granted": granted}
    if not granted:
        await record_read(
            session, reader, school_id=school_id, student_id=None, action=action, details=details
        )
        raise AccessDenied(permission, None, class_id=class_id)
    start, end = period or (on, on)
    windows = await _members(session, class_id, start, end)
    dated: dict[int, dict[str, Any]] = {
        student: {**details, "start": w.start.isoformat(), "end": w.end.isoformat()}
        if period is not None
        else details
        for student, w in windows.items()
    }
    if windows:
        await session.execute(
            insert(AuditRecord),
            [
                {
                    "school_id": school_id,
                    "actor_account_id": reader.account_id,
                    "actor_staff_id": reader.staff_id,
                    "actor_label": reader.label[:64],
                    "action": action,
                    "student_id": student,
                    "details": dated[student],
                }
                for student in sorted(windows)
            ],
        )
    return ClassSpan(class_id, (start, end), MappingProxyType(windows))


async def _members(
    session: AsyncSession, class_id: int, start: date, end: date
) -> dict[int, Clamp]:
    """The pupils in the class on some day of ``start..end`` by their class history (one
    statement), each with those days."""
    candidates = union(
        select(Student.id).where(Student.class_id == class_id),
        select(Enrolment.student_id).where(
            Enrolment.class_id == class_id, Enrolment.happened_on <= end
        ),
    ).subquery()
    rows = await session.execute(
        select(
            Student.id,
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
    stays: dict[int, _Stay] = {}
    for sid, current, enrolled, left, day, kind, moved_to in rows:
        stay = stays.setdefault(sid, _Stay(current, enrolled, left, []))
        if day is not None:
            stay.moves.append(Movement(day, MovementKind(kind), moved_to))
    found: dict[int, Clamp] = {}
    for sid, stay in stays.items():
        windows = _days_in(stay, class_id, start, end)
        if windows:
            found[sid] = Clamp((start, end), windows)
    return found


@dataclass(frozen=True, slots=True)
class _Stay:
    """A pupil's class history, judged by the movement rule (:mod:`core.movement`)."""

    class_id: int | None
    enrolled_on: date | None
    left_on: date | None
    moves: list[Movement]  # in the order they happened

    def class_on(self, day: date) -> int | None:
        return class_on(
            day,
            current=self.class_id,
            enrolled_on=self.enrolled_on,
            left_on=self.left_on,
            movements=self.moves,
        )


def _days_in(history: _Stay, class_id: int, start: date, end: date) -> tuple[Window, ...]:
    """The runs of days of ``start..end`` the pupil was in the class: the span cut where the
    pupil's class changes, each piece judged on its first day."""
    cuts = sorted(
        {move.happened_on for move in history.moves if start < move.happened_on <= end}
        | ({history.left_on} if history.left_on and start < history.left_on <= end else set())
        | (
            {history.enrolled_on}
            if history.enrolled_on and start < history.enrolled_on <= end
            else set()
        )
    )
    windows: list[Window] = []
    firsts = [start, *cuts]
    for n, low in enumerate(firsts):
        # Never a day past ``end``: the operator's reads are judged on date.max.
        high = firsts[n + 1] - _DAY if n + 1 < len(firsts) else end
        if history.class_on(low) != class_id:
            continue
        if windows and windows[-1][1] + _DAY == low:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return tuple(windows)


async def _reaches_class(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    class_id: int,
    school_id: int,
    class_teacher_id: int | None,
    on: date,
) -> bool:
    if reader.staff_id is None:
        return False
    held = await held_scopes(session, reader, permission, (school_id,), on)
    roles = held.staff_roles.get(school_id, frozenset())
    scopes = {scope_of(held, school_id, role, permission) for role in roles}
    if PermissionScope.SCHOOL in scopes:
        return True
    leads = class_teacher_id == reader.staff_id
    if leads and scopes & {PermissionScope.CLASS, PermissionScope.TAUGHT}:
        return True
    if PermissionScope.TAUGHT not in scopes:
        return False
    whole_class = select(TimetableEntry.id).where(
        TimetableEntry.teacher_id == reader.staff_id,
        TimetableEntry.class_id == class_id,
        TimetableEntry.group_id.is_(None),
        timetabled_on(on),
    )
    loaded = select(TeachingAssignment.id).where(
        TeachingAssignment.staff_id == reader.staff_id,
        TeachingAssignment.class_id == class_id,
        TeachingAssignment.group_id.is_(None),
    )
    return bool(await session.scalar(select(or_(exists(whole_class), exists(loaded)))))
