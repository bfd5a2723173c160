"""Attendance over a period for a class (or some pupils of it): lessons missed by code, the
share of lessons attended, late arrivals.

Counting is the diary's (:mod:`core.services.attendance`): an entry with a period is one lesson;
an entry without one is a whole-day absence and counts every lesson the journal holds for the
pupil that day (their class's, and their groups') not already counted; ОП is a late arrival,
not an absence. Lessons held = the lessons of the class in the period the pupil takes (whole
class, or a group they belong to on the day). attended % = (held − missed)·100 / held, half-up
to two places. Only the days the pupil was in this class count (lessons and absences alike):
a pupil who moved in mid-period brings no lessons or absences of the former class.

Four statements besides the access check: the lessons, the memberships, the entries; any size.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Attendance, AttendanceCode, GroupMember, Lesson
from core.reader import Reader
from core.reports.period import ReportPeriod, resolve
from core.reports.roster import Pupil, grant
from core.reports.rules import ReportRules, load_rules
from core.services.class_data import load_classes
from core.services.errors import NotFoundError
from core.services.groups import Membership, Memberships


@dataclass(frozen=True, slots=True)
class PupilAttendance:
    pupil: Pupil
    lessons: int  # held for the pupil
    absent: int  # Н
    ill: int  # Б
    excused: int  # У/П
    late: int  # ОП
    attended: Decimal | None  # percent of lessons held

    @property
    def missed(self) -> int:
        return self.absent + self.ill + self.excused


@dataclass(frozen=True, slots=True)
class AttendanceReport:
    class_id: int
    period: ReportPeriod
    starts_on: date
    ends_on: date
    pupils: tuple[PupilAttendance, ...]  # by name
    lessons: int
    absent: int
    ill: int
    excused: int
    late: int
    attended: Decimal | None


async def class_attendance(
    session: AsyncSession,
    class_id: int,
    period: ReportPeriod,
    reader: Reader,
    *,
    on: date | None = None,
    pupil_ids: Collection[int] | None = None,
    rules: ReportRules | None = None,
) -> AttendanceReport:
    """The class's attendance (or of ``pupil_ids`` among its pupils) over the period."""
    infos = await load_classes(session, {class_id})
    if class_id not in infos:
        raise NotFoundError("class", class_id)
    rules = rules or await load_rules(session, infos[class_id].school_id)
    span = await resolve(session, period, infos[class_id])
    report_day = on or reader.today
    day = min(report_day, span.ends_on) if report_day else span.ends_on
    allowed = await grant(session, reader, class_id, day, details={"report": "attendance"})
    pupils = [p for p in allowed.pupils if pupil_ids is None or p.id in set(pupil_ids)]
    ids = [p.id for p in pupils]
    lessons = (
        await session.execute(
            select(Lesson.date, Lesson.period, Lesson.group_id)
            .where(Lesson.class_id == class_id, Lesson.date.between(span.starts_on, span.ends_on))
            .distinct()
        )
    ).all()
    groups: dict[int, list[Membership]] = {i: [] for i in ids}
    entries: list[tuple[int, date, int | None, AttendanceCode]] = []
    if ids:
        for pupil_id, group, joined, left in await session.execute(
            select(
                GroupMember.student_id,
                GroupMember.group_id,
                GroupMember.joined_on,
                GroupMember.left_on,
            ).where(GroupMember.student_id.in_(ids))
        ):
            groups[pupil_id].append(Membership(group, joined, left))
        entries = [
            (pupil_id, day_, period_, AttendanceCode(code))
            for pupil_id, day_, period_, code in await session.execute(
                select(
                    Attendance.student_id,
                    Attendance.date,
                    func.coalesce(Attendance.period, Lesson.period),
                    Attendance.code,
                )
                .outerjoin(Lesson, Lesson.id == Attendance.lesson_id)
                .where(
                    Attendance.student_id.in_(ids),
                    Attendance.date.between(span.starts_on, span.ends_on),
                    Attendance.deleted_at.is_(None),
                )
                .order_by(Attendance.date, Attendance.id)
            )
        ]
    rows = []
    for pupil in pupils:
        member = Memberships(tuple(groups[pupil.id]))
        held = {
            (d, p) for d, p, g in lessons if member.sees(g, d) and allowed.in_class(pupil.id, d)
        }
        mine = [(d, p, c) for s, d, p, c in entries if s == pupil.id and allowed.in_class(s, d)]
        rows.append(_pupil(pupil, held, mine, rules))
    totals = [sum(getattr(r, name) for r in rows) for name in ("lessons", "absent", "ill")]
    excused = sum(r.excused for r in rows)
    missed = totals[1] + totals[2] + excused
    return AttendanceReport(
        class_id,
        period,
        span.starts_on,
        span.ends_on,
        tuple(rows),
        totals[0],
        totals[1],
        totals[2],
        excused,
        sum(r.late for r in rows),
        rules.percent(totals[0] - missed, totals[0]),
    )


def _pupil(
    pupil: Pupil,
    held: set[tuple[date, int]],
    entries: list[tuple[date, int | None, AttendanceCode]],
    rules: ReportRules,
) -> PupilAttendance:
    missed = dict.fromkeys(AttendanceCode, 0)
    counted: set[tuple[date, int]] = set()
    whole_days: dict[date, AttendanceCode] = {}
    for day, period, code in entries:
        if code == AttendanceCode.LATE:
            missed[code] += 1
        elif period is None:
            whole_days.setdefault(day, code)
        elif (day, period) not in counted:
            counted.add((day, period))
            missed[code] += 1
    for day, period in sorted(held):
        if day in whole_days and (day, period) not in counted:
            counted.add((day, period))
            missed[whole_days[day]] += 1
    lost = missed[AttendanceCode.ABSENT] + missed[AttendanceCode.ILL]
    lost += missed[AttendanceCode.EXCUSED]
    return PupilAttendance(
        pupil,
        len(held),
        missed[AttendanceCode.ABSENT],
        missed[AttendanceCode.ILL],
        missed[AttendanceCode.EXCUSED],
        missed[AttendanceCode.LATE],
        rules.percent(len(held) - lost, len(held)) if held else None,
    )
