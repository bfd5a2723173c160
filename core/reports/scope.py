"""What a report is asked about, found by the words people use: the year running on a day, a
class by its name (7А), a grade's classes, a subject by its name, the current term's number,
and the choices the chat offers a reader (school-wide readers: every class and grade; a
teacher: the classes they lead).

These are lookups, not reads of pupils' data: access and audit stay with the reports
themselves (:mod:`core.reports.roster`), which check the reader again on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.facts import held_scopes
from core.access.permissions import Permission
from core.access.policy import scope_of
from core.exchange.values import BadValue
from core.exchange.values import class_name as normal_class_name
from core.models import AcademicYear, SchoolClass, Subject, Term
from core.models.enums import PermissionScope
from core.reader import Reader
from core.services.naming import collation_key


class ScopeError(LookupError):
    """The school has no such year, class, grade or subject; ``what`` and ``value`` name it."""

    def __init__(self, what: str, value: object) -> None:
        self.what, self.value = what, value
        super().__init__(f"no {what} {value}")


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What the chat offers a reader: classes (id, name) and, school-wide, the grades."""

    classes: tuple[tuple[int, str], ...]
    grades: tuple[int, ...]
    school_wide: bool


async def year_on(session: AsyncSession, school_id: int, day: date) -> int:
    """The academic year running on ``day``, else the latest that started before it."""
    running = (AcademicYear.starts_on <= day) & (AcademicYear.ends_on >= day)
    found = await session.scalar(
        select(AcademicYear.id)
        .where(AcademicYear.school_id == school_id)
        .order_by(case((running, 0), else_=1), AcademicYear.starts_on.desc())
        .limit(1)
    )
    if found is None:
        raise ScopeError("academic year", day.isoformat())
    return int(found)


async def class_named(session: AsyncSession, school_id: int, year_id: int, text: str) -> int:
    try:
        name = normal_class_name(text)
    except BadValue:
        raise ScopeError("class", text) from None
    found = await session.scalar(
        select(SchoolClass.id).where(
            SchoolClass.school_id == school_id,
            SchoolClass.academic_year_id == year_id,
            SchoolClass.name == name,
        )
    )
    if found is None:
        raise ScopeError("class", name)
    return int(found)


async def subject_named(session: AsyncSession, school_id: int, text: str) -> int:
    """A subject by its name or short name, any case."""
    wanted = text.strip().casefold()
    for subject_id, name, short in await session.execute(
        select(Subject.id, Subject.name, Subject.short_name).where(Subject.school_id == school_id)
    ):
        if wanted in (name.casefold(), (short or "").casefold()):
            return int(subject_id)
    raise ScopeError("subject", text)


async def current_term(session: AsyncSession, class_id: int, day: date) -> int:
    """The number of the class's term running on ``day`` (in a holiday: the last one begun;
    before the first: 1)."""
    row = (
        await session.execute(
            select(SchoolClass.academic_year_id, SchoolClass.term_kind).where(
                SchoolClass.id == class_id
            )
        )
    ).one_or_none()
    if row is None:
        raise ScopeError("class", class_id)
    number = await session.scalar(
        select(func.max(Term.number)).where(
            Term.academic_year_id == row.academic_year_id,
            Term.kind == row.term_kind,
            Term.starts_on <= day,
        )
    )
    return int(number) if number else 1


async def report_choices(
    session: AsyncSession, reader: Reader, school_id: int, day: date
) -> ReportChoices:
    """The classes and grades the chat offers: the whole year's for the administration (the
    ``reports`` cell at school scope), the classes a teacher leads, nothing for anyone else."""
    held = await held_scopes(session, reader, Permission.REPORTS, (school_id,), day)
    scopes = {
        scope_of(held, school_id, role, Permission.REPORTS)
        for role in held.staff_roles.get(school_id, frozenset())
    }
    school_wide = reader.system or PermissionScope.SCHOOL in scopes
    if not school_wide and (reader.staff_id is None or not scopes - {PermissionScope.NONE}):
        return ReportChoices((), (), False)
    query = select(SchoolClass.id, SchoolClass.name, SchoolClass.grade).where(
        SchoolClass.school_id == school_id,
        SchoolClass.academic_year_id == await year_on(session, school_id, day),
    )
    if not school_wide:
        query = query.where(SchoolClass.class_teacher_id == reader.staff_id)
    rows = sorted(
        (await session.execute(query)).all(), key=lambda r: (r.grade, collation_key(r.name))
    )
    return ReportChoices(
        tuple((r.id, r.name) for r in rows),
        tuple(sorted({r.grade for r in rows})) if school_wide else (),
        school_wide,
    )
