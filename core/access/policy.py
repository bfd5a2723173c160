"""The check every read of a student's data takes, and its audit record (152-FZ).

:func:`authorize` judges the reader on the school date ``reader.today`` (else the ``today``
argument; the core never asks the wall clock): which roles the reader holds there, the school's
matrix for the permission, and whether the student falls within the scope. It always writes
one audit record - granted or refused - and raises :class:`AccessDenied` when refused.

Roles: GUARDIAN when the reader carries verified guardian records, STUDENT when a student
record, and the ``staff_roles`` of their staff record unless that staff member has left
(``Staff.left_on <= today``). Nothing the client sent is trusted: the ``Reader`` is built by
the bot from the database for each update, everything else is read here.

Scopes: OWN - the student themself, a guardian's own children; ASSIGNED - students in a social
pedagogue's or psychologist's care on the date; TAUGHT - students of a class or group the staff
member teaches (teaching load, or the timetable valid on the date; a group teacher reaches the
group's members only) and of the class they lead; CLASS - only the class they lead (both for
the dates the pupil was in that class or group: the read's span of dates must lie within the
pupil's stay, see :func:`core.access.facts.student_facts`, or the read is limited to the part
that does, see :mod:`core.access.windows`); SCHOOL -
every student of the school (never for a family role, whatever the matrix says). A student
who has left (``Student.left_on <= today``) is out of every scope but SCHOOL: the family's
access ends on that date, the administration keeps the archive.

Cost: two set-based, index-backed statements (:mod:`core.access.facts`) however many roles
the reader holds - or however many students :func:`readable` is asked about - plus the audit
insert; one statement for a system reader, who is always allowed.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import HeldScopes, StudentFacts, held_scopes, student_facts
from core.access.permissions import DEFAULT_MATRIX, Permission
from core.audit import record_read
from core.models.enums import STAFF_ROLES, PermissionScope, Role
from core.reader import Reader

FAMILY_ROLES = frozenset({Role.GUARDIAN, Role.STUDENT})


class AccessDenied(PermissionError):  # noqa: N818 - the name the handlers and docs use
    """The reader may not read this; the message names the permission and ids only."""

    def __init__(
        self, permission: Permission, student_id: int | None, *, class_id: int | None = None
    ) -> None:
        whose = f"student #{student_id}" if student_id is not None else f"class #{class_id}"
        super().__init__(f"{permission.value} of {whose} refused")
        self.permission = permission
        self.student_id = student_id
        self.class_id = class_id


def reader_today(reader: Reader, today: date | None = None) -> date:
    """The date a read is judged on: the reader's, else the caller's."""
    on = reader.today or today
    if on is not None:
        return on
    if reader.system:
        return date.max  # the operator's tools are allowed whatever the date
    raise ValueError("a Reader without `today` needs the date of the read")


def scope_of(
    held: HeldScopes, school_id: int, role: Role, permission: Permission
) -> PermissionScope:
    """The school's cell for ``role`` × ``permission``: its own choice, else the regulation's."""
    default = DEFAULT_MATRIX[role].get(permission, PermissionScope.NONE)
    return held.overrides.get((school_id, role), default)


def reaches(reader: Reader, role: Role, scope: PermissionScope, student: StudentFacts) -> bool:
    """Whether ``scope`` held through ``role`` covers ``student`` (pure, no SQL)."""
    if scope == PermissionScope.NONE:
        return False
    if scope == PermissionScope.SCHOOL:
        return role not in FAMILY_ROLES  # a parent never reaches other people's children
    if student.left:
        return False
    if scope == PermissionScope.OWN:
        if role == Role.STUDENT:
            return reader.student_id == student.id
        return role == Role.GUARDIAN and student.linked
    if role not in STAFF_ROLES:
        # Staff scopes granted to a family role must not borrow the same person's staff record.
        return False
    if scope == PermissionScope.CLASS:
        return student.leads
    if scope == PermissionScope.ASSIGNED:
        return student.assigned
    return student.taught  # TAUGHT: includes the class they lead


def _roles(reader: Reader, held: HeldScopes, school_id: int) -> list[Role]:
    roles = [Role.GUARDIAN] if reader.guardian_ids else []
    if reader.student_id is not None:
        roles.append(Role.STUDENT)
    return roles + sorted(held.staff_roles.get(school_id, ()))


async def _decide(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_ids: Collection[int],
    today: date,
    period: tuple[date, date] | None = None,
) -> tuple[dict[int, StudentFacts], frozenset[int]]:
    """The students found, and those of them the reader may read. Two statements at most."""
    facts = await student_facts(session, reader, student_ids, today, period)
    if reader.system:
        return facts, frozenset(student_ids)  # unknown ids too: the service says "not found"
    if not facts or not (reader.guardian_ids or reader.student_id or reader.staff_id):
        return facts, frozenset()
    held = await held_scopes(
        session, reader, permission, {f.school_id for f in facts.values()}, today
    )
    return facts, allowed_among(reader, held, permission, facts.values())


def allowed_among(
    reader: Reader, held: HeldScopes, permission: Permission, facts: Collection[StudentFacts]
) -> frozenset[int]:
    """The students of ``facts`` some role of the reader reaches (pure, no SQL)."""
    return frozenset(
        f.id
        for f in facts
        if any(
            reaches(reader, role, scope_of(held, f.school_id, role, permission), f)
            for role in _roles(reader, held, f.school_id)
        )
    )


async def readable(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_ids: Collection[int],
    today: date | None = None,
    *,
    period: tuple[date, date] | None = None,
) -> frozenset[int]:
    """Which of ``student_ids`` the reader may read; two statements for any number. Not audited:
    use it to build a list, then :func:`authorize` each student whose data is shown.
    ``period`` (inclusive) names the dates of the data; by default the read's date."""
    if not student_ids:
        return frozenset()
    _facts, allowed = await _decide(
        session, reader, permission, student_ids, reader_today(reader, today), period
    )
    return allowed


async def can_read(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    today: date | None = None,
    *,
    period: tuple[date, date] | None = None,
) -> bool:
    """The decision alone, for menus; not audited, so never use it to show data."""
    return student_id in await readable(
        session, reader, permission, (student_id,), today, period=period
    )


async def authorize(
    session: AsyncSession,
    reader: Reader,
    permission: Permission,
    student_id: int,
    *,
    action: str,
    today: date | None = None,
    details: dict[str, Any] | None = None,
    period: tuple[date, date] | None = None,
) -> None:
    """Allow the read or raise :class:`AccessDenied`; either way one audit record is written.

    A refused read is recorded under the same ``action`` with ``details["granted"] = False``
    (and ``"permission"``), so one index scan of a student's trail shows reads and attempts
    side by side; ``journal audit`` marks the refused ones.

    ``period`` (inclusive, the read's date by default) is the span of dates the data read is
    dated in: a class or group scope reaches a pupil only when the whole span lies within the
    pupil's stay in the reader's class or group. A read that may be limited to the reader's
    part of the span instead (a week across a transfer) takes
    :func:`core.access.windows.authorize_span`.
    """
    on = reader_today(reader, today)
    facts, allowed = await _decide(session, reader, permission, (student_id,), on, period)
    granted = student_id in allowed
    found = facts.get(student_id)
    await record_read(
        session,
        reader,
        school_id=found.school_id if found else None,
        student_id=student_id,
        action=action,
        details={**(details or {}), "permission": permission.value, "granted": granted},
    )
    if not granted:
        raise AccessDenied(permission, student_id)
