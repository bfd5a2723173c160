"""What the linking use cases return: frozen DTOs, no ORM object leaves ``core.linking``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.models.enums import Role


@dataclass(frozen=True, slots=True)
class ChildRef:
    """A child the account may see today."""

    student_id: int
    name: str  # "Имя Фамилия", as a family says it
    class_name: str | None  # "7А"; None when the student has no class today


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account and everything it is verifiably linked to, judged on one school date.

    Links to a student who has left (``left_on <= today``) or to a staff member who has left are
    not reported; ``children`` lists, in Russian collation by name, the guardians' children who
    have not left, or the student themself; ``current_student_id`` is always one of
    ``children`` (the remembered choice when still valid, else the first child) or None.
    """

    account_id: int
    locale: str | None
    consent_given: bool
    is_active: bool
    guardian_ids: tuple[int, ...]
    student_id: int | None
    staff_id: int | None
    staff_roles: tuple[Role, ...]  # sorted by value; empty unless staff_id
    children: tuple[ChildRef, ...]
    current_student_id: int | None

    @property
    def linked(self) -> bool:
        return bool(self.guardian_ids or self.student_id or self.staff_id)


class LinkOutcome(StrEnum):
    LINKED = "linked"  # new links were made
    ALREADY = "already"  # everything found was already linked to this account
    INVALID = "invalid"  # unknown, used, revoked or expired code (not told apart: no oracle)
    LOCKED = "locked"  # too many failures; ``locked_until`` says until when
    NOT_FOUND = "not_found"  # phone: nobody in the school's records has it
    # A school's own bot links that school's people only; the code (left unused) or the
    # number belongs to another school, whose bot (or the shared one) can link it.
    OTHER_SCHOOL = "other_school"


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    account_id: int | None = None
    # What the account now sees through the new links (for the bot's answer):
    children: tuple[ChildRef, ...] = ()
    roles: tuple[Role, ...] = ()  # roles gained: GUARDIAN, STUDENT and/or staff roles
    locked_until: datetime | None = None  # UTC, set when outcome is LOCKED
    failures_left: int | None = field(default=None)  # after an INVALID code


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    """One freshly issued code; the plain code exists only in this object."""

    invite_id: int
    role: Role  # GUARDIAN, STUDENT, or the staff member's first role (TEACHER, ...)
    person_kind: str  # "guardian" | "student" | "staff"
    person_id: int
    person_external_id: str
    person_name: str  # "Фамилия Имя Отчество"
    students: tuple[str, ...]  # for a guardian: their children "Фамилия Имя, 7А"
    code: str
    expires_at: datetime
    # Added: the classes to print on the person's card (a student's own class, a guardian's
    # children's classes, the classes a class teacher leads).
    class_names: tuple[str, ...] = ()
