"""The weekly timetable template and its dated changes (substitutions and the rest)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, SchoolFedMixin, TimestampsMixin, fk, str_enum
from core.models.enums import ChangeKind


class TimetableEntry(SchoolFedMixin, Base):
    """One slot of a weekly timetable, valid over a date range (templates change mid-year)."""

    __tablename__ = "timetable_entries"

    class_id: Mapped[int] = fk("school_classes.id", index=False)
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int] = fk("subjects.id")
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL", index=False)
    weekday: Mapped[int] = mapped_column(SmallInteger)  # ISO: 1 Monday … 7 Sunday
    period: Mapped[int] = mapped_column(SmallInteger)
    room: Mapped[str | None] = mapped_column(String(32))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("period BETWEEN 0 AND 12", name="period"),
        Index(None, "class_id", "weekday", "period"),
        Index(None, "teacher_id", "weekday", "period"),
    )


class TimetableChange(TimestampsMixin, SchoolFedMixin, Base):
    """A dated change: substitution, cancellation, room change, moved or extra lesson.

    ``subject_id``/``absent_teacher_id`` describe the lesson as planned; ``new_subject_id``,
    ``teacher_id`` and ``room`` what actually happens. A moved lesson names its new date and period.
    """

    __tablename__ = "timetable_changes"

    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, "change_kind"))
    date: Mapped[dt.date] = mapped_column(index=True)
    period: Mapped[int] = mapped_column(SmallInteger)
    class_id: Mapped[int] = fk("school_classes.id", index=False)
    group_id: Mapped[int | None] = fk("class_groups.id", nullable=True)
    subject_id: Mapped[int | None] = fk("subjects.id", nullable=True, index=False)
    new_subject_id: Mapped[int | None] = fk("subjects.id", nullable=True, index=False)
    absent_teacher_id: Mapped[int | None] = fk(
        "staff.id", nullable=True, ondelete="SET NULL", index=False
    )
    teacher_id: Mapped[int | None] = fk("staff.id", nullable=True, ondelete="SET NULL", index=False)
    room: Mapped[str | None] = mapped_column(String(32))
    moved_to_date: Mapped[dt.date | None]
    moved_to_period: Mapped[int | None] = mapped_column(SmallInteger)
    reason: Mapped[str | None] = mapped_column(String(255))  # основание
    note: Mapped[str | None] = mapped_column(Text)
    timetable_entry_id: Mapped[int | None] = fk(
        "timetable_entries.id", nullable=True, ondelete="SET NULL"
    )

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "class_id", "date"),
        Index(None, "teacher_id", "date"),
    )
