"""Student movement for a period (regulation §13.4, движение обучающихся): who arrived, moved
between classes and left, and each class's roll at the start and the end.

A pupil's class on a day comes from their enrolment history (core.services.school_data), so the
report and every other read agree on where a pupil was. A change happens on the day the
history says: the class of the day before and of that day differ. A report is a school-wide
list of names, so it is for the administration (the ``reports`` cell at school scope) and the
secretary who keeps the pupils' files and the orders (``people`` at school scope); every report
is audited. Two statements for the data, whatever the school's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import AccessDenied, scope_of
from core.audit import record_read
from core.grading import Thresholds
from core.models import Enrolment, SchoolClass, Student
from core.models.enums import PermissionScope
from core.movement import Movement
from core.reader import Reader
from core.services.naming import collation_key
from core.services.school_data import StudentHistory

# Either cell at school scope reads the movement (see the module's docstring).
_READ_BY = (Permission.REPORTS, Permission.PEOPLE)


class Change(StrEnum):
    ARRIVED = "arrived"  # into the school (a class)
    MOVED = "moved"  # from one class to another
    LEFT = "left"  # out of the school


@dataclass(frozen=True, slots=True)
class MovementRow:
    student_id: int
    student: str  # Фамилия Имя
    day: date
    change: Change
    from_class: str | None
    to_class: str | None
    order_ref: str | None  # номер приказа, when the history names one


@dataclass(frozen=True, slots=True)
class ClassMovement:
    class_id: int
    class_name: str
    at_start: int  # pupils the day before the period
    arrived: int  # into the school
    moved_in: int  # from another class
    moved_out: int  # to another class
    left: int  # out of the school
    at_end: int  # pupils on the period's last day

    @property
    def balanced(self) -> bool:
        """The roll adds up: what came and went explains the change."""
        return self.at_start + self.arrived + self.moved_in - self.moved_out - self.left == (
            self.at_end
        )


@dataclass(frozen=True, slots=True)
class MovementReport:
    start: date
    end: date
    classes: tuple[ClassMovement, ...]  # by grade and letter
    rows: tuple[MovementRow, ...]  # by day, then name


async def movement_report(
    session: AsyncSession, reader: Reader, school_id: int, start: date, end: date
) -> MovementReport:
    """The school's movement from ``start`` to ``end`` (inclusive); :class:`AccessDenied` for
    a reader without the school-wide ``reports`` right."""
    today = reader.today or end
    scopes: set[PermissionScope] = set()
    for permission in _READ_BY:
        held = await held_scopes(session, reader, permission, (school_id,), today)
        scopes |= {
            scope_of(held, school_id, role, permission)
            for role in held.staff_roles.get(school_id, frozenset())
        }
    granted = reader.system or PermissionScope.SCHOOL in scopes
    await record_read(
        session,
        reader,
        school_id=school_id,
        student_id=None,
        action="read_movement",
        details={"start": start.isoformat(), "end": end.isoformat(), "granted": granted},
    )
    if not granted:
        raise AccessDenied(Permission.REPORTS, None)
    classes = {
        row.id: row
        for row in await session.execute(
            select(SchoolClass.id, SchoolClass.name, SchoolClass.grade, SchoolClass.letter).where(
                SchoolClass.school_id == school_id
            )
        )
    }
    histories, names, orders = await _histories(session, school_id)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows: list[MovementRow] = []
    before = start - timedelta(days=1)
    for student_id, history in histories.items():
        first, last = history.class_on(before), history.class_on(end)
        if first is not None:
            counts[first]["at_start"] += 1
        if last is not None:
            counts[last]["at_end"] += 1
        for day in _change_days(history, start, end):
            was, now = history.class_on(day - timedelta(days=1)), history.class_on(day)
            if was == now:
                continue
            change = Change.ARRIVED if was is None else Change.LEFT if now is None else Change.MOVED
            if was is not None:
                counts[was]["left" if now is None else "moved_out"] += 1
            if now is not None:
                counts[now]["arrived" if was is None else "moved_in"] += 1
            rows.append(
                MovementRow(
                    student_id=student_id,
                    student=names[student_id],
                    day=day,
                    change=change,
                    from_class=classes[was].name if was in classes else None,
                    to_class=classes[now].name if now in classes else None,
                    order_ref=orders.get((student_id, day)),
                )
            )
    by_class = tuple(
        ClassMovement(
            class_id=class_id,
            class_name=info.name,
            **{
                key: counts[class_id][key]
                for key in ("at_start", "arrived", "moved_in", "moved_out", "left", "at_end")
            },
        )
        for class_id, info in sorted(classes.items(), key=lambda c: (c[1].grade, c[1].letter))
        if class_id in counts
    )
    rows.sort(key=lambda r: (r.day, collation_key(r.student)))
    return MovementReport(start, end, by_class, tuple(rows))


async def _histories(
    session: AsyncSession, school_id: int
) -> tuple[dict[int, StudentHistory], dict[int, str], dict[tuple[int, date], str]]:
    """Every pupil's history (thresholds are not needed here), name and the orders by day."""
    students = (
        await session.execute(
            select(
                Student.id,
                Student.last_name,
                Student.first_name,
                Student.class_id,
                Student.enrolled_on,
                Student.left_on,
            ).where(Student.school_id == school_id)
        )
    ).all()
    steps: dict[int, list[Movement]] = defaultdict(list)
    orders: dict[tuple[int, date], str] = {}
    for row in await session.execute(
        select(
            Enrolment.student_id,
            Enrolment.happened_on,
            Enrolment.kind,
            Enrolment.class_id,
            Enrolment.order_ref,
        )
        .where(Enrolment.school_id == school_id)
        .order_by(Enrolment.student_id, Enrolment.happened_on, Enrolment.id)
    ):
        steps[row.student_id].append(Movement(row.happened_on, row.kind, row.class_id))
        if row.order_ref:
            orders[(row.student_id, row.happened_on)] = row.order_ref
    histories = {
        s.id: StudentHistory(
            student_id=s.id,
            school_id=school_id,
            class_id=s.class_id,
            enrolled_on=s.enrolled_on,
            left_on=s.left_on,
            thresholds=Thresholds(),
            movements=tuple(steps.get(s.id, ())),
        )
        for s in students
    }
    names = {s.id: f"{s.last_name} {s.first_name}" for s in students}
    return histories, names, orders


def _change_days(history: StudentHistory, start: date, end: date) -> list[date]:
    """The days in ``start..end`` on which the pupil's class may have changed."""
    days = {m.happened_on for m in history.movements}
    days |= {d for d in (history.enrolled_on, history.left_on) if d is not None}
    return sorted(d for d in days if start <= d <= end)
