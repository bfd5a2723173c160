"""The journal proper: lessons, lesson plans, homework, marks, attendance, attestation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, SchoolFedMixin, TimestampsMixin, fk, str_enum
from core.models.enums import AttendanceCode, AttestationKind


class LessonPlan(SchoolFedMixin, Base):
    """Календарно-тематический план (КТП) of one teacher for one class or group and subject."""

    __tablename__ = "lesson_plans"

    academic_year_id: Mapped[int] = fk("academic_years.id")
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL")
    class_id: Mapped[int] = fk("school_classes.id")
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int] = fk("subjects.id")
    name: Mapped[str] = mapped_column(String(255))

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class LessonPlanItem(SchoolFedMixin, Base):
    __tablename__ = "lesson_plan_items"

    plan_id: Mapped[int] = fk("lesson_plans.id", index=False)
    position: Mapped[int] = mapped_column(SmallInteger)
    topic: Mapped[str] = mapped_column(Text)
    hours: Mapped[int] = mapped_column(SmallInteger, default=1)
    planned_on: Mapped[date | None]
    homework: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        UniqueConstraint("plan_id", "position"),
    )


class Lesson(TimestampsMixin, SchoolFedMixin, Base):
    """One dated lesson: class (or group), subject, teacher, period and topic."""

    __tablename__ = "lessons"

    class_id: Mapped[int] = fk("school_classes.id", index=False)
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int] = fk("subjects.id")
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL", index=False)
    date: Mapped[date]
    period: Mapped[int] = mapped_column(SmallInteger)
    room: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(Text)
    plan_item_id: Mapped[int | None] = fk(
        "lesson_plan_items.id", nullable=True, ondelete="SET NULL"
    )

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "class_id", "date", "period"),
        Index(None, "teacher_id", "date"),
    )


class Homework(TimestampsMixin, SchoolFedMixin, Base):
    """Homework for a whole class or group, or an individual task (``student_id`` set)."""

    __tablename__ = "homework"

    lesson_id: Mapped[int | None] = fk("lessons.id", nullable=True, ondelete="SET NULL")
    class_id: Mapped[int] = fk("school_classes.id", index=False)
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int] = fk("subjects.id")
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL")
    student_id: Mapped[int | None] = fk("students.id", nullable=True, index=False)
    assigned_on: Mapped[date]
    due_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "class_id", "due_on"),
        Index(None, "student_id", "due_on"),
    )


class HomeworkAttachment(IdMixin, Base):
    __tablename__ = "homework_attachments"

    homework_id: Mapped[int] = fk("homework.id")
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(128))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    storage_path: Mapped[str | None] = mapped_column(String(1024))  # a file we keep
    url: Mapped[str | None] = mapped_column(String(2048))  # or a link the school gave


class Mark(TimestampsMixin, SchoolFedMixin, Base):
    """A mark: 1–5 or a non-numeric value (зач, незач, н/а, осв), which never enters averages.

    ``numeric_value`` is the value when it counts in an average, else NULL, so that averages are
    plain SQL. A deleted mark keeps its row with ``deleted_at`` set, so a correction is traceable.
    """

    __tablename__ = "marks"

    student_id: Mapped[int] = fk("students.id", index=False)
    subject_id: Mapped[int] = fk("subjects.id", index=False)
    lesson_id: Mapped[int | None] = fk("lessons.id", nullable=True, ondelete="SET NULL")
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL")
    work_type_id: Mapped[int | None] = fk("work_types.id", nullable=True, ondelete="SET NULL")
    date: Mapped[date]  # the lesson's date, which is what a diary sorts by
    value: Mapped[str] = mapped_column(String(8))
    numeric_value: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        CheckConstraint("numeric_value IS NULL OR numeric_value BETWEEN 1 AND 5", name="scale"),
        Index(None, "student_id", "date"),
        Index(None, "student_id", "subject_id", "date"),
    )


class Attendance(TimestampsMixin, SchoolFedMixin, Base):
    """An absence or a late arrival, per lesson (period) or for the whole day (period NULL)."""

    __tablename__ = "attendance"

    student_id: Mapped[int] = fk("students.id", index=False)
    lesson_id: Mapped[int | None] = fk("lessons.id", nullable=True, ondelete="SET NULL")
    subject_id: Mapped[int | None] = fk("subjects.id", nullable=True, ondelete="SET NULL")
    date: Mapped[date]
    period: Mapped[int | None] = mapped_column(SmallInteger)
    code: Mapped[AttendanceCode] = mapped_column(str_enum(AttendanceCode, "attendance_code"))
    minutes_late: Mapped[int | None] = mapped_column(SmallInteger)
    # Absence reasons are health data: never put them into a push or a log.
    comment: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "student_id", "date"),
    )


class AttestationMark(TimestampsMixin, SchoolFedMixin, Base):
    """Term, year, exam (ОГЭ/ЕГЭ) or final mark of a student in a subject."""

    __tablename__ = "attestation_marks"

    student_id: Mapped[int] = fk("students.id", index=False)
    subject_id: Mapped[int] = fk("subjects.id", index=False)
    academic_year_id: Mapped[int] = fk("academic_years.id", index=False)
    term_id: Mapped[int | None] = fk("terms.id", nullable=True)
    kind: Mapped[AttestationKind] = mapped_column(str_enum(AttestationKind, "attestation_kind"))
    value: Mapped[str] = mapped_column(String(8))
    numeric_value: Mapped[int | None] = mapped_column(SmallInteger)
    exam_name: Mapped[str | None] = mapped_column(String(32))
    exam_score: Mapped[int | None] = mapped_column(SmallInteger)  # primary/test points
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "student_id", "academic_year_id"),
    )


class Debt(TimestampsMixin, SchoolFedMixin, Base):
    """Задолженность: missing required work or an unsatisfactory term mark to be made good."""

    __tablename__ = "debts"

    student_id: Mapped[int] = fk("students.id")
    subject_id: Mapped[int] = fk("subjects.id", index=False)
    term_id: Mapped[int | None] = fk("terms.id", nullable=True, index=False)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    resolved_on: Mapped[date | None]

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)
