"""What can be read about a student, and the regulation's default matrix of who may read it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from core.models.enums import PermissionScope, Role


class Permission(StrEnum):
    """Stored in ``role_permissions.permission``: never rename a value."""

    MARKS = "marks"
    ATTESTATION = "attestation"
    ATTENDANCE = "attendance"
    TIMETABLE = "timetable"
    HOMEWORK = "homework"
    TOPICS = "topics"
    DEBTS = "debts"
    EVENTS = "events"
    PEOPLE = "people"  # names, contacts, birth dates of a student and their family
    # The journal's built-in mail (docs/messaging.md):
    ASK = "ask"  # write to the school about a student (families: their own children)
    RECEIVE_QUESTIONS = "receive_questions"  # be offered to families as a recipient
    THREADS = "threads"  # read every conversation about a student (the administration)
    ANNOUNCE = "announce"  # announcements to the families of classes
    ANNOUNCE_URGENT = "announce_urgent"  # announcements past quiet hours and switches
    # Teachers keep the journal (core/teaching): TAUGHT is the lessons they give that day
    # (substitutions in, replaced lessons out) within the edit window; SCHOOL any lesson.
    KEEP_JOURNAL = "keep_journal"
    # The reason of an absence (Б ill, У excused; back to Н): health data, never pushed.
    # CLASS is the class teacher's class; ASSIGNED the social pedagogue's pupils in care.
    SET_ABSENCE_REASON = "set_absence_reason"
    # School reports (core/reports, docs/reports.md): a whole class's figures. TAUGHT: the class
    # led (every subject) and the classes taught whole (the subjects taught); SCHOOL: any class.
    REPORTS = "reports"


# What a student's journal shows; PEOPLE and the messaging permissions are set cell by cell.
JOURNAL = (
    Permission.MARKS,
    Permission.ATTESTATION,
    Permission.ATTENDANCE,
    Permission.TIMETABLE,
    Permission.HOMEWORK,
    Permission.TOPICS,
    Permission.DEBTS,
    Permission.EVENTS,
)
_ALL = (*JOURNAL, Permission.PEOPLE)
MESSAGING = (
    Permission.ASK,
    Permission.RECEIVE_QUESTIONS,
    Permission.THREADS,
    Permission.ANNOUNCE,
    Permission.ANNOUNCE_URGENT,
)


def _row(
    scope: PermissionScope, permissions: tuple[Permission, ...] = _ALL
) -> dict[Permission, PermissionScope]:
    return dict.fromkeys(permissions, scope)


_NONE = PermissionScope.NONE
_SCHOOL = PermissionScope.SCHOOL
_TAUGHT = PermissionScope.TAUGHT
_OWN = PermissionScope.OWN
_CLASS = PermissionScope.CLASS


def _mail(
    ask: PermissionScope = _NONE,
    receive: PermissionScope = _NONE,
    threads: PermissionScope = _NONE,
    announce: PermissionScope = _NONE,
    urgent: PermissionScope = _NONE,
) -> dict[Permission, PermissionScope]:
    return {
        Permission.ASK: ask,
        Permission.RECEIVE_QUESTIONS: receive,
        Permission.THREADS: threads,
        Permission.ANNOUNCE: announce,
        Permission.ANNOUNCE_URGENT: urgent,
    }


# The regulation (item 7): families see their own; a teacher the classes and groups taught (and
# the class led); the administration the school; the secretary people data; the social
# pedagogue and the psychologist attendance of all and everything of the students in their care.
# The built-in mail (items 14.5, 15.2, 16.3): families write about their own children to those
# who teach them and to the school's roles; teachers announce to the classes they teach, the
# administration to the school and reads every conversation.
DEFAULT_MATRIX: Mapping[Role, Mapping[Permission, PermissionScope]] = MappingProxyType(
    {
        Role.GUARDIAN: _row(PermissionScope.OWN) | _mail(ask=_OWN),
        Role.STUDENT: _row(PermissionScope.OWN) | _mail(ask=_OWN),
        Role.TEACHER: _row(PermissionScope.TAUGHT, JOURNAL)
        | {Permission.PEOPLE: PermissionScope.CLASS}
        | _mail(receive=_TAUGHT, announce=_TAUGHT)
        | {Permission.KEEP_JOURNAL: _TAUGHT, Permission.SET_ABSENCE_REASON: _CLASS}
        | {Permission.REPORTS: _TAUGHT},
        Role.HEAD_TEACHER: _row(PermissionScope.SCHOOL)
        | _mail(receive=_SCHOOL, threads=_SCHOOL, announce=_SCHOOL, urgent=_SCHOOL)
        | {Permission.KEEP_JOURNAL: _SCHOOL, Permission.SET_ABSENCE_REASON: _SCHOOL}
        | {Permission.REPORTS: _SCHOOL},
        Role.ADMIN: _row(PermissionScope.SCHOOL)
        | _mail(receive=_SCHOOL, threads=_SCHOOL, announce=_SCHOOL, urgent=_SCHOOL)
        | {Permission.KEEP_JOURNAL: _SCHOOL, Permission.SET_ABSENCE_REASON: _SCHOOL}
        | {Permission.REPORTS: _SCHOOL},
        Role.SECRETARY: _row(PermissionScope.NONE, JOURNAL)
        | {Permission.PEOPLE: PermissionScope.SCHOOL}
        | _mail(),
        Role.SOCIAL_PEDAGOGUE: _row(PermissionScope.ASSIGNED)
        | {Permission.ATTENDANCE: PermissionScope.SCHOOL}
        | _mail(receive=_SCHOOL)
        | {Permission.SET_ABSENCE_REASON: PermissionScope.ASSIGNED},
        Role.PSYCHOLOGIST: _row(PermissionScope.ASSIGNED)
        | {Permission.ATTENDANCE: PermissionScope.SCHOOL}
        | _mail(receive=_SCHOOL),
    }
)
