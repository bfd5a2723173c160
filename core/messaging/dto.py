"""What the mail's use cases return: frozen DTOs a messenger adapter renders, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.models.enums import (
    AnnouncementAudience,
    AnnouncementTarget,
    AttachmentKind,
    AuthorKind,
    Messenger,
    ThreadStatus,
)


class Addressee(StrEnum):
    """Why a staff member is offered to a family: stored in ``message_threads.addressed_as``."""

    TEACHER = "teacher"  # teaches the child a subject now
    CLASS_TEACHER = "class_teacher"
    HEAD_TEACHER = "head_teacher"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    PSYCHOLOGIST = "psychologist"
    ADMIN = "admin"
    SECRETARY = "secretary"


class Side(StrEnum):
    """How the reader takes part in a thread."""

    FAMILY = "family"  # the asker, or a guardian of the child the thread was shared with
    STAFF = "staff"  # the staff member it is addressed to
    ADMIN = "admin"  # the administration, reading (THREADS permission)


@dataclass(frozen=True, slots=True)
class RecipientOption:
    """A person a family may write to about one child, and why."""

    staff_id: int
    name: str  # Фамилия Имя Отчество
    addressed_as: Addressee
    subject_id: int | None = None
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file as the messenger gave it to us (its own id of the file, never its bytes)."""

    kind: AttachmentKind
    file_key: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None
    # Whose file id ``file_key`` is: only that messenger can send the file again.
    messenger: Messenger | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A message accepted: its thread, and when its recipient will get it.

    ``deliver_at`` is None when it goes out now; otherwise the next opening of the staff
    member's office hours. ``recipient_linked`` is False when the staff member has no account
    yet: the question waits for them in the journal (and reaches them when they link)."""

    thread_id: int
    message_id: int
    recipient: str
    deliver_at: datetime | None
    recipient_linked: bool = True


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    author_kind: AuthorKind
    author: str  # a family member "Ольга Иванова" or staff "Крылова Н. П."
    text: str
    created_at: datetime
    read_at: datetime | None
    to_all_guardians: bool
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class ThreadView:
    """One thread as the reader may see it, messages oldest first."""

    id: int
    side: Side
    status: ThreadStatus
    child: str  # "Анна Иванова"
    class_name: str | None
    staff: str  # the recipient, Фамилия И. О.
    addressed_as: Addressee
    subject: str | None
    asker: str
    title: str
    shared_with_guardians: bool
    created_at: datetime
    messages: tuple[MessageView, ...]
    muted_until: datetime | None = None  # the asker is muted by this staff member until then
    reported: bool = False

    @property
    def closed(self) -> bool:
        return self.status == ThreadStatus.CLOSED


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A line of the inbox."""

    id: int
    status: ThreadStatus
    child: str
    counterpart: str  # the staff member for a family, the asker for staff
    title: str
    last_message_at: datetime
    unread: bool  # for staff: a family message not opened yet; for a family: an unseen answer
    waiting_for_read: bool = False  # for a family: their last message is not read yet


@dataclass(frozen=True, slots=True)
class InboxPage:
    items: tuple[ThreadSummary, ...]
    page: int
    pages: int
    total: int
    side: Side


@dataclass(frozen=True, slots=True)
class TargetOption:
    """Whom an announcement can go to: the school, a parallel, a class or a group."""

    target: AnnouncementTarget
    label: str  # "7А", "7А · Английский язык (гр. 1)", "7", "" for the school
    grade: int | None = None
    class_id: int | None = None
    group_id: int | None = None


@dataclass(frozen=True, slots=True)
class AnnouncementReceipt:
    announcement_id: int
    people: int  # persons in the audience
    report_at: datetime | None  # when the sender's delivery report is planned


@dataclass(frozen=True, slots=True)
class AnnouncementReport:
    """Where an announcement got to, by person; the counts add up to ``people``.

    Each person is counted once, in the first that applies: delivered (to one of their accounts
    at least), waiting (quiet hours, or still in the queue), turned off (in /settings),
    blocked the bot, failed, not linked (no account when it went out)."""

    announcement_id: int
    target: AnnouncementTarget
    label: str
    audience: AnnouncementAudience
    created_at: datetime
    people: int
    delivered: int
    acknowledged: int
    waiting: int
    turned_off: int
    blocked: int
    failed: int
    not_linked: int
    ask_ack: bool
    urgent: bool

    @property
    def adds_up(self) -> bool:
        parts = (
            self.delivered,
            self.waiting,
            self.turned_off,
            self.blocked,
            self.failed,
            self.not_linked,
        )
        return sum(parts) == self.people


@dataclass(frozen=True, slots=True)
class UnreachedPerson:
    name: str  # Фамилия Имя Отчество of the guardian or the student
    children: str  # "Анна Иванова (7А)" for a guardian; the class for a student
    reason: str  # "not_linked" | "blocked" | "failed" | "turned_off"


@dataclass(frozen=True, slots=True)
class Unreached:
    """The people an announcement did not reach, named where the reader may read people data."""

    announcement_id: int
    people: tuple[UnreachedPerson, ...]
    hidden: int  # not named: outside the reader's PEOPLE scope
