"""A small school built with the ORM for the linking tests.

Ольга Иванова (guardian G1, 8 912 345-67-89) has Анна (7А) and Борис (5Б, leaves on LEFT_ON).
Павел Петров (G2) is Дмитрий's father (7А); Мария Смирнова (G3) is Анна's second guardian.
Дмитрий has a phone of his own. Нина Крылова (T1) teaches and leads 7А; Орлов (T9) has left.
The id X1 is both a guardian's and a staff member's (ids collide across tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    AcademicYear,
    Guardian,
    GuardianLink,
    School,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
)
from core.models.enums import Role

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 10:00 in Yekaterinburg
LEFT_ON = date(2026, 12, 7)
OLGA_PHONE = "+79123456789"
DMITRY_PHONE = "+79220000012"
TEACHER_PHONE = "+79220000021"
GONE_TEACHER_PHONE = "+79220000029"


@dataclass(frozen=True)
class Ids:
    school: int
    c7a: int
    c5b: int
    anna: int
    boris: int
    dmitry: int
    olga: int
    pavel: int
    maria: int
    teacher: int
    gone_teacher: int


async def build(session: AsyncSession) -> Ids:
    school = School(external_id="SCH", name="Гимназия", short_name="Гимназия")
    session.add(school)
    await session.flush()
    sid = school.id
    year = AcademicYear(
        school_id=sid,
        external_id="Y",
        name="2026/2027",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 5, 31),
    )
    teacher = Staff(
        school_id=sid,
        external_id="T1",
        last_name="Крылова",
        first_name="Нина",
        middle_name="Петровна",
        phone=TEACHER_PHONE,
    )
    gone = Staff(
        school_id=sid,
        external_id="T9",
        last_name="Орлов",
        first_name="Пётр",
        middle_name=None,
        phone=GONE_TEACHER_PHONE,
        left_on=date(2026, 11, 1),
    )
    clash = Staff(school_id=sid, external_id="X1", last_name="Зуев", first_name="Иван")
    session.add_all([year, teacher, gone, clash])
    await session.flush()
    session.add_all(
        [
            StaffRole(staff_id=teacher.id, role=Role.TEACHER),
            StaffRole(staff_id=teacher.id, role=Role.HEAD_TEACHER),
            StaffRole(staff_id=gone.id, role=Role.TEACHER),
            StaffRole(staff_id=clash.id, role=Role.SECRETARY),
        ]
    )
    c7a = SchoolClass(
        school_id=sid,
        external_id="C7A",
        academic_year_id=year.id,
        grade=7,
        letter="А",
        name="7А",
        class_teacher_id=teacher.id,
    )
    c5b = SchoolClass(
        school_id=sid, external_id="C5B", academic_year_id=year.id, grade=5, letter="Б", name="5Б"
    )
    session.add_all([c7a, c5b])
    await session.flush()

    def student(key: str, last: str, first: str, class_id: int, **extra: object) -> Student:
        return Student(
            school_id=sid,
            external_id=key,
            last_name=last,
            first_name=first,
            class_id=class_id,
            **extra,
        )

    anna = student("S1", "Иванова", "Анна", c7a.id)
    boris = student("S2", "Иванов", "Борис", c5b.id, left_on=LEFT_ON)
    dmitry = student("S3", "Петров", "Дмитрий", c7a.id, phone=DMITRY_PHONE)

    def guardian(key: str, last: str, first: str, phone: str) -> Guardian:
        return Guardian(
            school_id=sid, external_id=key, last_name=last, first_name=first, phone=phone
        )

    olga = guardian("G1", "Иванова", "Ольга", OLGA_PHONE)
    pavel = guardian("G2", "Петров", "Павел", "+79220000002")
    maria = guardian("G3", "Смирнова", "Мария", "+79220000003")
    x1 = guardian("X1", "Зуева", "Алла", "+79220000004")
    session.add_all([anna, boris, dmitry, olga, pavel, maria, x1])
    await session.flush()
    session.add_all(
        [
            GuardianLink(guardian_id=olga.id, student_id=anna.id),
            GuardianLink(guardian_id=olga.id, student_id=boris.id),
            GuardianLink(guardian_id=pavel.id, student_id=dmitry.id),
            GuardianLink(guardian_id=maria.id, student_id=anna.id),
            GuardianLink(guardian_id=x1.id, student_id=dmitry.id),
        ]
    )
    await session.commit()
    return Ids(
        school=sid,
        c7a=c7a.id,
        c5b=c5b.id,
        anna=anna.id,
        boris=boris.id,
        dmitry=dmitry.id,
        olga=olga.id,
        pavel=pavel.id,
        maria=maria.id,
        teacher=teacher.id,
        gone_teacher=gone.id,
    )
