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


JOURNAL = tuple(p for p in Permission if p is not Permission.PEOPLE)
_ALL = tuple(Permission)


def _row(
    scope: PermissionScope, permissions: tuple[Permission, ...] = _ALL
) -> dict[Permission, PermissionScope]:
    return dict.fromkeys(permissions, scope)


# The regulation (item 7): families see their own; a teacher the classes and groups taught (and
# the class led); the administration the school; the secretary people data; the social
# pedagogue and the psychologist attendance of all and everything of the students in their care.
DEFAULT_MATRIX: Mapping[Role, Mapping[Permission, PermissionScope]] = MappingProxyType(
    {
        Role.GUARDIAN: _row(PermissionScope.OWN),
        Role.STUDENT: _row(PermissionScope.OWN),
        Role.TEACHER: _row(PermissionScope.TAUGHT, JOURNAL)
        | {Permission.PEOPLE: PermissionScope.CLASS},
        Role.HEAD_TEACHER: _row(PermissionScope.SCHOOL),
        Role.ADMIN: _row(PermissionScope.SCHOOL),
        Role.SECRETARY: _row(PermissionScope.NONE, JOURNAL)
        | {Permission.PEOPLE: PermissionScope.SCHOOL},
        Role.SOCIAL_PEDAGOGUE: _row(PermissionScope.ASSIGNED)
        | {Permission.ATTENDANCE: PermissionScope.SCHOOL},
        Role.PSYCHOLOGIST: _row(PermissionScope.ASSIGNED)
        | {Permission.ATTENDANCE: PermissionScope.SCHOOL},
    }
)
