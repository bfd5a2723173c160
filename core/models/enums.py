"""Closed vocabularies of the journal. Values are stored, so never rename a value."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The eight categories of participants named in the regulation (item 7.1)."""

    ADMIN = "admin"
    HEAD_TEACHER = "head_teacher"
    TEACHER = "teacher"
    STUDENT = "student"
    GUARDIAN = "guardian"
    SECRETARY = "secretary"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    PSYCHOLOGIST = "psychologist"


STAFF_ROLES: frozenset[Role] = frozenset(
    {
        Role.ADMIN,
        Role.HEAD_TEACHER,
        Role.TEACHER,
        Role.SECRETARY,
        Role.SOCIAL_PEDAGOGUE,
        Role.PSYCHOLOGIST,
    }
)


class TermKind(StrEnum):
    QUARTER = "quarter"
    TRIMESTER = "trimester"
    HALF = "half"


class MovementKind(StrEnum):
    """Student movement (движение обучающихся)."""

    ENROLLED = "enrolled"
    TRANSFERRED = "transferred"
    LEFT = "left"


class GuardianRelation(StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    OTHER = "other"


class ChangeKind(StrEnum):
    SUBSTITUTION = "substitution"
    CANCELLATION = "cancellation"
    ROOM_CHANGE = "room_change"
    MOVED = "moved"
    EXTRA = "extra"


class AttendanceCode(StrEnum):
    """Н absent without reason, Б ill, У/П absent for a valid reason, ОП late."""

    ABSENT = "absent"
    ILL = "ill"
    EXCUSED = "excused"
    LATE = "late"


class AttestationKind(StrEnum):
    TERM = "term"
    YEAR = "year"
    EXAM = "exam"
    FINAL = "final"


class EventAudience(StrEnum):
    SCHOOL = "school"
    CLASS = "class"
    STAFF = "staff"


class LinkMethod(StrEnum):
    INVITE = "invite"
    PHONE = "phone"
    ADMIN = "admin"


class Messenger(StrEnum):
    TELEGRAM = "telegram"
    MAX = "max"
    CONSOLE = "console"


class PermissionScope(StrEnum):
    """How far a granted permission reaches."""

    NONE = "none"
    OWN = "own"  # the person themself, or a guardian's own children
    ASSIGNED = "assigned"  # students assigned to a social pedagogue or psychologist
    TAUGHT = "taught"  # classes and groups the teacher teaches
    CLASS = "class"  # the class a class teacher leads
    SCHOOL = "school"


class ThreadStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class AuthorKind(StrEnum):
    FAMILY = "family"
    STAFF = "staff"


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class AnnouncementAudience(StrEnum):
    GUARDIANS = "guardians"
    STUDENTS = "students"
    BOTH = "both"


class AnnouncementTarget(StrEnum):
    """How far an announcement reaches: the school, a parallel (grade), a class or a group."""

    SCHOOL = "school"
    GRADE = "grade"
    CLASS = "class"
    GROUP = "group"


class EventKind(StrEnum):
    """Domain events written to the outbox in the same transaction as the change."""

    MARK_ADDED = "mark_added"
    MARK_CHANGED = "mark_changed"
    MARK_DELETED = "mark_deleted"
    ABSENCE_RECORDED = "absence_recorded"
    TIMETABLE_CHANGED = "timetable_changed"
    HOMEWORK_ADDED = "homework_added"
    ATTESTATION_SET = "attestation_set"
    ANNOUNCEMENT = "announcement"
    THREAD_MESSAGE = "thread_message"
    # Scheduled messages: one event per account and day, their content read at send time.
    EVENING_DIGEST = "evening_digest"
    WEEKLY_SUMMARY = "weekly_summary"
    # The sender's delivery report, planned a minute after an announcement goes out.
    ANNOUNCEMENT_REPORT = "announcement_report"
    # A participant sent a thread to the administration ("Report").
    THREAD_REPORTED = "thread_reported"
    # Early warning (core.analytics.warnings): one message per account and day.
    RISK_CLASS_TEACHER = "risk_class_teacher"
    RISK_SOCIAL_PEDAGOGUE = "risk_social_pedagogue"
    RISK_GUARDIAN = "risk_guardian"  # to the guardians who opted in (/settings)


class RiskKind(StrEnum):
    """Why a pupil is at risk in a subject (core.analytics.risk)."""

    FAILING = "failing"  # the projected term mark is 2 or н/а
    FALLING = "falling"  # the average fell by 0.5 or more in three weeks
    MISSED_CONTROL = "missed_control"  # present at a control work without a mark for it
    FEW_MARKS = "few_marks"  # fewer than 3 marks with less than 3 weeks left
    ABSENCES = "absences"  # missed more than a share of the subject's lessons so far


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class PrivacyLevel(StrEnum):
    FULL = "full"
    MINIMAL = "minimal"
