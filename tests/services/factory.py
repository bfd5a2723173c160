"""A tiny school built by hand with the ORM: one year, its terms, holidays, bells, a few classes.

The calendar (2026/2027, a five-day week):

* quarters 01.09–24.10, 04.11–27.12, 11.01–21.03, 30.03–31.05; halves 01.09–27.12, 11.01–31.05
* autumn holidays 26.10–03.11, winter 28.12–10.01, an extra week for grade 1 15.02–21.02
* shift 1 periods 1–5 from 08:00, shift 2 periods 1–2 from 13:00

Mondays used by the tests: 09.11, 16.11 and 23.11.2026.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import (
    AcademicYear,
    Attendance,
    AttendanceCode,
    AttestationKind,
    AttestationMark,
    Bell,
    ChangeKind,
    Enrolment,
    Group,
    GroupMember,
    Holiday,
    Homework,
    Lesson,
    Mark,
    MovementKind,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    Term,
    TermKind,
    TimetableChange,
    TimetableEntry,
    WorkType,
)
from core.reader import Reader

# The operator's trusted tools read everything (and are audited); the policy has its own tests.
READER = Reader(label="test", account_id=101, staff_id=None, system=True)
DELETED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
YEAR_START = date(2026, 9, 1)


def numeric(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@dataclass
class World:
    session: AsyncSession
    school: School
    year: AcademicYear
    quarters: list[Term]
    halves: list[Term]
    c7a: SchoolClass
    c7b: SchoolClass
    c1a: SchoolClass
    c10a: SchoolClass
    algebra: Subject
    english: Subject
    physics: Subject
    russian: Subject
    answer: WorkType  # weight 1
    control: WorkType  # weight 2, a control work
    petrova: Staff  # Петрова Мария Ивановна
    sidorov: Staff  # Сидоров Олег (no patronymic)
    yozhikov: Staff  # Ёжиков Иван Петрович
    extra: dict[str, Any] = field(default_factory=dict)

    async def add(self, *rows: Any) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def subject(self, name: str) -> Subject:
        subject = Subject(school_id=self.school.id, name=name)
        await self.add(subject)
        return subject

    async def student(
        self,
        last: str,
        first: str,
        school_class: SchoolClass | None,
        *,
        enrolled_on: date | None = None,
        left_on: date | None = None,
    ) -> Student:
        student = Student(
            school_id=self.school.id,
            last_name=last,
            first_name=first,
            class_id=school_class.id if school_class else None,
            enrolled_on=enrolled_on,
            left_on=left_on,
        )
        await self.add(student)
        return student

    async def move(
        self, student: Student, kind: MovementKind, on: date, to: SchoolClass | None = None
    ) -> None:
        await self.add(
            Enrolment(
                school_id=self.school.id,
                student_id=student.id,
                class_id=to.id if to else None,
                kind=kind,
                happened_on=on,
            )
        )

    async def group(self, school_class: SchoolClass, name: str, subject: Subject) -> Group:
        group = Group(
            school_id=self.school.id, class_id=school_class.id, subject_id=subject.id, name=name
        )
        await self.add(group)
        return group

    async def join(
        self, group: Group, student: Student, joined: date | None = None, left: date | None = None
    ) -> None:
        await self.add(
            GroupMember(group_id=group.id, student_id=student.id, joined_on=joined, left_on=left)
        )

    async def mark(
        self,
        student: Student,
        subject: Subject,
        day: date,
        value: str,
        *,
        work_type: WorkType | None = None,
        teacher: Staff | None = None,
        lesson: Lesson | None = None,
        comment: str | None = None,
        deleted: bool = False,
    ) -> Mark:
        mark = Mark(
            school_id=self.school.id,
            student_id=student.id,
            subject_id=subject.id,
            lesson_id=lesson.id if lesson else None,
            teacher_id=teacher.id if teacher else None,
            work_type_id=work_type.id if work_type else None,
            date=day,
            value=value,
            numeric_value=numeric(value),
            comment=comment,
            deleted_at=DELETED_AT if deleted else None,
        )
        await self.add(mark)
        return mark

    async def entry(
        self,
        school_class: SchoolClass,
        subject: Subject,
        weekday: int,
        period: int,
        *,
        teacher: Staff | None = None,
        group: Group | None = None,
        room: str | None = None,
        valid_from: date = YEAR_START,
        valid_to: date | None = None,
    ) -> TimetableEntry:
        entry = TimetableEntry(
            school_id=self.school.id,
            class_id=school_class.id,
            group_id=group.id if group else None,
            subject_id=subject.id,
            teacher_id=teacher.id if teacher else None,
            weekday=weekday,
            period=period,
            room=room,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        await self.add(entry)
        return entry

    async def change(
        self, kind: ChangeKind, school_class: SchoolClass, day: date, period: int, **fields: Any
    ) -> TimetableChange:
        change = TimetableChange(
            school_id=self.school.id, kind=kind, class_id=school_class.id, date=day, period=period
        )
        for name, value in fields.items():
            setattr(change, name, value)
        await self.add(change)
        return change

    async def lesson(
        self,
        school_class: SchoolClass,
        subject: Subject,
        day: date,
        period: int,
        *,
        group: Group | None = None,
        teacher: Staff | None = None,
        topic: str | None = None,
    ) -> Lesson:
        lesson = Lesson(
            school_id=self.school.id,
            class_id=school_class.id,
            group_id=group.id if group else None,
            subject_id=subject.id,
            teacher_id=teacher.id if teacher else None,
            date=day,
            period=period,
            topic=topic,
        )
        await self.add(lesson)
        return lesson

    async def homework(
        self,
        school_class: SchoolClass,
        subject: Subject,
        due: date,
        text: str,
        *,
        group: Group | None = None,
        student: Student | None = None,
        teacher: Staff | None = None,
        deleted: bool = False,
    ) -> Homework:
        homework = Homework(
            school_id=self.school.id,
            class_id=school_class.id,
            group_id=group.id if group else None,
            subject_id=subject.id,
            student_id=student.id if student else None,
            teacher_id=teacher.id if teacher else None,
            assigned_on=date(2026, 11, 10),
            due_on=due,
            text=text,
            deleted_at=DELETED_AT if deleted else None,
        )
        await self.add(homework)
        return homework

    async def absence(
        self,
        student: Student,
        day: date,
        period: int | None,
        code: AttendanceCode,
        *,
        subject: Subject | None = None,
        lesson: Lesson | None = None,
        comment: str | None = None,
        minutes_late: int | None = None,
        deleted: bool = False,
    ) -> Attendance:
        row = Attendance(
            school_id=self.school.id,
            student_id=student.id,
            subject_id=subject.id if subject else None,
            lesson_id=lesson.id if lesson else None,
            date=day,
            period=period,
            code=code,
            comment=comment,
            minutes_late=minutes_late,
            deleted_at=DELETED_AT if deleted else None,
        )
        await self.add(row)
        return row

    async def attest(
        self,
        student: Student,
        subject: Subject,
        kind: AttestationKind,
        value: str,
        *,
        term: Term | None = None,
        exam_name: str | None = None,
        exam_score: int | None = None,
        deleted: bool = False,
    ) -> AttestationMark:
        mark = AttestationMark(
            school_id=self.school.id,
            student_id=student.id,
            subject_id=subject.id,
            academic_year_id=self.year.id,
            term_id=term.id if term else None,
            kind=kind,
            value=value,
            numeric_value=numeric(value),
            exam_name=exam_name,
            exam_score=exam_score,
            deleted_at=DELETED_AT if deleted else None,
        )
        await self.add(mark)
        return mark


def _terms(year: AcademicYear, school: School) -> tuple[list[Term], list[Term]]:
    def term(kind: TermKind, number: int, name: str, start: date, end: date) -> Term:
        return Term(
            school_id=school.id,
            academic_year_id=year.id,
            kind=kind,
            number=number,
            name=name,
            starts_on=start,
            ends_on=end,
        )

    q = TermKind.QUARTER
    quarters = [
        term(q, 1, "1 четверть", date(2026, 9, 1), date(2026, 10, 24)),
        term(q, 2, "2 четверть", date(2026, 11, 4), date(2026, 12, 27)),
        term(q, 3, "3 четверть", date(2027, 1, 11), date(2027, 3, 21)),
        term(q, 4, "4 четверть", date(2027, 3, 30), date(2027, 5, 31)),
    ]
    h = TermKind.HALF
    halves = [
        term(h, 1, "1 полугодие", date(2026, 9, 1), date(2026, 12, 27)),
        term(h, 2, "2 полугодие", date(2027, 1, 11), date(2027, 5, 31)),
    ]
    return quarters, halves


async def build_world(
    session: AsyncSession, thresholds: tuple[str, str, str] | None = None
) -> World:
    school = School(name="Гимназия №6", short_name="Г6")
    if thresholds:
        school.threshold_5, school.threshold_4, school.threshold_3 = map(Decimal, thresholds)
    session.add(school)
    await session.flush()
    sid = school.id
    year = AcademicYear(
        school_id=sid, name="2026/2027", starts_on=YEAR_START, ends_on=date(2027, 5, 31)
    )
    session.add(year)
    await session.flush()
    quarters, halves = _terms(year, school)

    def school_class(grade: int, letter: str, **kw: Any) -> SchoolClass:
        return SchoolClass(
            school_id=sid,
            academic_year_id=year.id,
            grade=grade,
            letter=letter,
            name=f"{grade}{letter}",
            **kw,
        )

    def bell(shift: int, period: int, start: str, end: str) -> Bell:
        return Bell(
            school_id=sid,
            shift=shift,
            period=period,
            starts_at=time.fromisoformat(start),
            ends_at=time.fromisoformat(end),
        )

    def teacher(last: str, first: str, middle: str | None) -> Staff:
        return Staff(school_id=sid, last_name=last, first_name=first, middle_name=middle)

    world = World(
        session=session,
        school=school,
        year=year,
        quarters=quarters,
        halves=halves,
        c7a=school_class(7, "А", room="21"),
        c7b=school_class(7, "Б"),
        c1a=school_class(1, "А"),
        c10a=school_class(10, "А", shift=2, term_kind=TermKind.HALF),
        algebra=Subject(school_id=sid, name="Алгебра"),
        english=Subject(school_id=sid, name="Английский язык"),
        physics=Subject(school_id=sid, name="Физика"),
        russian=Subject(school_id=sid, name="Русский язык"),
        answer=WorkType(school_id=sid, name="Ответ на уроке", weight=Decimal(1)),
        control=WorkType(
            school_id=sid, name="Контрольная работа", weight=Decimal(2), is_control=True
        ),
        petrova=teacher("Петрова", "Мария", "Ивановна"),
        sidorov=teacher("Сидоров", "Олег", None),
        yozhikov=teacher("Ёжиков", "Иван", "Петрович"),
    )
    session.add_all(
        [
            *quarters,
            *halves,
            world.c7a,
            world.c7b,
            world.c1a,
            world.c10a,
            world.algebra,
            world.english,
            world.physics,
            world.russian,
            world.answer,
            world.control,
            world.petrova,
            world.sidorov,
            world.yozhikov,
            Holiday(
                school_id=sid,
                name="Осенние каникулы",
                starts_on=date(2026, 10, 26),
                ends_on=date(2026, 11, 3),
            ),
            Holiday(
                school_id=sid,
                name="Зимние каникулы",
                starts_on=date(2026, 12, 28),
                ends_on=date(2027, 1, 10),
            ),
            Holiday(
                school_id=sid,
                name="Дополнительные каникулы",
                starts_on=date(2027, 2, 15),
                ends_on=date(2027, 2, 21),
                grade_from=1,
                grade_to=1,
            ),
            bell(1, 1, "08:00", "08:40"),
            bell(1, 2, "08:50", "09:30"),
            bell(1, 3, "09:45", "10:25"),
            bell(1, 4, "10:40", "11:20"),
            bell(1, 5, "11:30", "12:10"),
            bell(2, 1, "13:00", "13:40"),
            bell(2, 2, "13:50", "14:30"),
        ]
    )
    await session.flush()
    return world
