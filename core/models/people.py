"""Staff with roles, classes and groups, students with their movement, guardians."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, SchoolFedMixin, TimestampsMixin, fk, str_enum, utcnow
from core.models.enums import GuardianRelation, MovementKind, Role, TermKind


class PersonNameMixin:
    """Фамилия Имя Отчество; the patronymic may be empty."""

    last_name: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(64))
    middle_name: Mapped[str | None] = mapped_column(String(64))
    # E.164 ("+79123456789"); indexed because phone linking looks people up by it.
    phone: Mapped[str | None] = mapped_column(String(16), index=True)
    email: Mapped[str | None] = mapped_column(String(254))


class Staff(PersonNameMixin, TimestampsMixin, SchoolFedMixin, Base):
    __tablename__ = "staff"

    hired_on: Mapped[date | None]
    left_on: Mapped[date | None]  # access ends on this date

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class StaffRole(IdMixin, Base):
    """A role a staff member holds; one person may hold several."""

    __tablename__ = "staff_roles"

    staff_id: Mapped[int] = fk("staff.id")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("staff_id", "role"),)


class SchoolClass(SchoolFedMixin, Base):
    """A class such as 7А: grade number and a Cyrillic letter, in one academic year."""

    __tablename__ = "school_classes"

    academic_year_id: Mapped[int] = fk("academic_years.id")
    grade: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(16))  # grade + letter, kept for lookups by name
    shift: Mapped[int] = mapped_column(SmallInteger, default=1)
    class_teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL")
    term_kind: Mapped[TermKind] = mapped_column(
        str_enum(TermKind, "term_kind"), default=TermKind.QUARTER
    )
    room: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        UniqueConstraint("academic_year_id", "name"),
        CheckConstraint("grade BETWEEN 1 AND 11", name="grade"),
    )


class Group(SchoolFedMixin, Base):
    """A sub-group of a class for one subject (languages, informatics, technology, PE)."""

    __tablename__ = "class_groups"

    class_id: Mapped[int] = fk("school_classes.id")
    subject_id: Mapped[int | None] = fk("subjects.id", nullable=True, ondelete="SET NULL")
    name: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class Student(PersonNameMixin, TimestampsMixin, SchoolFedMixin, Base):
    __tablename__ = "students"

    birth_date: Mapped[date | None]
    # The current class; history lives in enrolments.
    class_id: Mapped[int | None] = fk("school_classes.id", nullable=True, ondelete="SET NULL")
    enrolled_on: Mapped[date | None]
    left_on: Mapped[date | None]  # the family's access to the child ends on this date

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class GroupMember(IdMixin, Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = fk("class_groups.id")
    student_id: Mapped[int] = fk("students.id")
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]

    __table_args__ = (UniqueConstraint("group_id", "student_id"),)


class Enrolment(SchoolFedMixin, Base):
    """One step of student movement: enrolled, moved to another class, left the school."""

    __tablename__ = "enrolments"

    student_id: Mapped[int] = fk("students.id", index=False)
    class_id: Mapped[int | None] = fk("school_classes.id", nullable=True, ondelete="SET NULL")
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind, "movement_kind"))
    happened_on: Mapped[date]
    order_ref: Mapped[str | None] = mapped_column(String(64))  # номер приказа
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "student_id", "happened_on"),
    )


class Guardian(PersonNameMixin, TimestampsMixin, SchoolFedMixin, Base):
    __tablename__ = "guardians"

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class GuardianLink(IdMixin, Base):
    """A guardian represents a student; a student may have several guardians and vice versa."""

    __tablename__ = "guardian_links"

    guardian_id: Mapped[int] = fk("guardians.id", index=False)
    student_id: Mapped[int] = fk("students.id")
    relation: Mapped[GuardianRelation] = mapped_column(
        str_enum(GuardianRelation, "guardian_relation"), default=GuardianRelation.GUARDIAN
    )
    is_legal_representative: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)


class TeachingAssignment(SchoolFedMixin, Base):
    """Учебная нагрузка: who teaches which subject to which class or group."""

    __tablename__ = "teaching_assignments"

    staff_id: Mapped[int] = fk("staff.id")
    class_id: Mapped[int] = fk("school_classes.id")
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int] = fk("subjects.id")

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class StudentAssignment(IdMixin, Base):
    """Students in the care of a social pedagogue or a psychologist."""

    __tablename__ = "student_assignments"

    staff_id: Mapped[int] = fk("staff.id", index=False)
    student_id: Mapped[int] = fk("students.id")
    assigned_on: Mapped[date | None]
    ended_on: Mapped[date | None]

    __table_args__ = (UniqueConstraint("staff_id", "student_id"),)
