"""Announcements from staff to the families of a class, a group, a parallel or the school."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, fk, str_enum, utcnow
from core.models.enums import AnnouncementAudience, AnnouncementTarget


class Announcement(IdMixin, Base):
    __tablename__ = "announcements"

    school_id: Mapped[int] = fk("schools.id", index=False)
    author_staff_id: Mapped[int] = fk("staff.id")
    author_account_id: Mapped[int | None] = fk(
        "accounts.id", nullable=True, ondelete="SET NULL", index=False
    )
    target: Mapped[AnnouncementTarget] = mapped_column(
        str_enum(AnnouncementTarget, "announcement_target")
    )
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    class_id: Mapped[int | None] = fk(
        "school_classes.id", nullable=True, ondelete="SET NULL", index=False
    )
    group_id: Mapped[int | None] = fk(
        "class_groups.id", nullable=True, ondelete="SET NULL", index=False
    )
    audience: Mapped[AnnouncementAudience] = mapped_column(
        str_enum(AnnouncementAudience, "announcement_audience")
    )
    text: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)  # past quiet hours and switches
    ask_ack: Mapped[bool] = mapped_column(default=False)  # an "Acknowledge" button
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnnouncementRecipient(IdMixin, Base):
    """One person the announcement is for, fixed when it was sent; the report counts these."""

    __tablename__ = "announcement_recipients"

    announcement_id: Mapped[int] = fk("announcements.id", index=False)
    guardian_id: Mapped[int | None] = fk(
        "guardians.id", nullable=True, ondelete="SET NULL", index=False
    )
    student_id: Mapped[int | None] = fk(
        "students.id", nullable=True, ondelete="SET NULL", index=False
    )
    acknowledged_at: Mapped[datetime | None]

    __table_args__ = (
        Index(None, "announcement_id"),
        Index(None, "guardian_id"),
        Index(None, "student_id"),
        CheckConstraint("guardian_id IS NULL OR student_id IS NULL", name="at_most_one_person"),
    )
