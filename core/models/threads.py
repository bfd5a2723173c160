"""Conversations between families and staff: threads, their messages and files, office hours,
mutes. Threads are the school's record: never deleted; a family's /logout only unlinks them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, TimestampsMixin, fk, str_enum, utcnow
from core.models.enums import AttachmentKind, AuthorKind, Messenger, ThreadStatus

# Exactly one of the two asker columns is set while the asker's record exists.
_AT_MOST_ONE_ASKER = "asker_guardian_id IS NULL OR asker_student_id IS NULL"


class MessageThread(TimestampsMixin, IdMixin, Base):
    """A question from a guardian or a student to a staff member about one child, and its answers.

    ``account_id`` is the account that asked (NULL after its /logout); the asker as a person is
    ``asker_guardian_id`` or ``asker_student_id``, so the thread keeps its author when accounts
    come and go. ``addressed_as`` says why the recipient was offered ("teacher", "class_teacher",
    or a staff role such as "psychologist"); ``subject_id`` the subject they teach the child.
    """

    __tablename__ = "message_threads"

    school_id: Mapped[int] = fk("schools.id", index=False)
    account_id: Mapped[int | None] = fk("accounts.id", nullable=True, ondelete="SET NULL")
    student_id: Mapped[int | None] = fk("students.id", nullable=True, index=False)
    staff_id: Mapped[int] = fk("staff.id", index=False)
    subject: Mapped[str] = mapped_column(String(255))  # a short title: the question's opening
    status: Mapped[ThreadStatus] = mapped_column(
        str_enum(ThreadStatus, "thread_status"), default=ThreadStatus.OPEN
    )
    asker_guardian_id: Mapped[int | None] = fk(
        "guardians.id", nullable=True, ondelete="SET NULL", index=False
    )
    asker_student_id: Mapped[int | None] = fk(
        "students.id", nullable=True, ondelete="SET NULL", index=False
    )
    subject_id: Mapped[int | None] = fk(
        "subjects.id", nullable=True, ondelete="SET NULL", index=False
    )
    addressed_as: Mapped[str] = mapped_column(String(32))
    # The staff member sent an answer "to all guardians": every guardian of the child shares it.
    shared_with_guardians: Mapped[bool] = mapped_column(default=False)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_staff_id: Mapped[int | None] = fk(
        "staff.id", nullable=True, ondelete="SET NULL", index=False
    )
    reported_at: Mapped[datetime | None]
    reported_by_account_id: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index(None, "school_id", "status"),
        Index(None, "staff_id", "last_message_at"),
        Index(None, "asker_guardian_id", "last_message_at"),
        Index(None, "asker_student_id", "last_message_at"),
        Index(None, "student_id", "last_message_at"),
        CheckConstraint(_AT_MOST_ONE_ASKER, name="one_asker"),
    )


class ThreadMessage(IdMixin, Base):
    """One message of a thread. ``read_at``: when the other side first opened it."""

    __tablename__ = "thread_messages"

    thread_id: Mapped[int] = fk("message_threads.id", index=False)
    author_kind: Mapped[AuthorKind] = mapped_column(str_enum(AuthorKind, "author_kind"))
    author_account_id: Mapped[int | None] = fk(
        "accounts.id", nullable=True, ondelete="SET NULL", index=False
    )
    author_staff_id: Mapped[int | None] = fk(
        "staff.id", nullable=True, ondelete="SET NULL", index=False
    )
    # The family author as a person: counts the daily limit and names the writer in the record.
    author_guardian_id: Mapped[int | None] = fk(
        "guardians.id", nullable=True, ondelete="SET NULL", index=False
    )
    author_student_id: Mapped[int | None] = fk(
        "students.id", nullable=True, ondelete="SET NULL", index=False
    )
    text: Mapped[str] = mapped_column(Text)
    to_all_guardians: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        Index(None, "thread_id", "created_at"),
        Index(None, "author_guardian_id", "created_at"),
        Index(None, "author_student_id", "created_at"),
    )


class MessageAttachment(IdMixin, Base):
    """A photo or a document sent with a thread message or an announcement.

    ``file_key`` is the messenger's own id of the file (Telegram's ``file_id``): the file stays
    with the messenger, which can send it again by that id to any chat of the same bot.
    """

    __tablename__ = "message_attachments"

    message_id: Mapped[int | None] = fk("thread_messages.id", nullable=True)
    announcement_id: Mapped[int | None] = fk("announcements.id", nullable=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    messenger: Mapped[Messenger] = mapped_column(str_enum(Messenger, "messenger"))
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind, "attachment_kind"))
    file_key: Mapped[str] = mapped_column(String(255))
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("(message_id IS NULL) <> (announcement_id IS NULL)", name="one_owner"),
    )


class OfficeHours(IdMixin, Base):
    """When a staff member takes questions; without a row, school days 08:00-18:00."""

    __tablename__ = "office_hours"

    staff_id: Mapped[int] = fk("staff.id", index=False)
    spec: Mapped[str] = mapped_column(String(255))  # "пн-пт 08:00-18:00", "always"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(32))  # "chat" | "cli"

    __table_args__ = (Index(None, "staff_id", unique=True),)


class MessageMute(IdMixin, Base):
    """A staff member does not take messages from one family member until ``until``."""

    __tablename__ = "message_mutes"

    school_id: Mapped[int] = fk("schools.id", index=False)
    staff_id: Mapped[int] = fk("staff.id", index=False)
    guardian_id: Mapped[int | None] = fk("guardians.id", nullable=True, index=False)
    student_id: Mapped[int | None] = fk("students.id", nullable=True, index=False)
    thread_id: Mapped[int | None] = fk(
        "message_threads.id", nullable=True, ondelete="SET NULL", index=False
    )
    until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index(None, "staff_id", "until"),
        Index(None, "school_id", "until"),
        CheckConstraint("(guardian_id IS NULL) <> (student_id IS NULL)", name="one_person"),
    )
