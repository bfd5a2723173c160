"""Whom invite codes are for: a class's guardians, students or class teacher, or one person.

Operators name people by the school's own ids (the exchange files' ``id`` column) and classes
as they write them (``7A`` with a Latin A is 7А).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.values import BadValue
from core.exchange.values import class_name as normal_class_name
from core.i18n import N_
from core.linking.people import PersonKind, staff_present, student_present
from core.models import (
    AcademicYear,
    Guardian,
    GuardianLink,
    School,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
)
from core.models.enums import STAFF_ROLES, Role
from core.services.naming import collation_key


class InviteTargetError(ValueError):
    """Unknown class, person or role combination.

    ``message`` is an N_-marked English template naming what is wrong (ids and class names,
    never personal data); ``params`` fill it. ``str()`` gives the English text.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(message.format(**self.params))


@dataclass(frozen=True, slots=True)
class Target:
    kind: PersonKind
    person_id: int
    external_id: str
    name: str  # "Фамилия Имя Отчество"
    role: Role
    students: tuple[str, ...] = ()  # a guardian's children, "Фамилия Имя, 7А"
    class_names: tuple[str, ...] = ()


def kind_for(role: Role | None) -> PersonKind | None:
    """GUARDIAN and STUDENT name their tables; every staff role selects the staff table."""
    if role is None:
        return None
    if role == Role.GUARDIAN:
        return "guardian"
    if role == Role.STUDENT:
        return "student"
    if role in STAFF_ROLES:
        return "staff"
    raise InviteTargetError(N_("unknown role {role}"), role=role.value)


def _full_name(last: str, first: str, middle: str | None) -> str:
    return " ".join(part for part in (last, first, middle) if part)


async def resolve_school(session: AsyncSession, school: str | None) -> int:
    if school is not None:
        found = (
            await session.execute(select(School.id).where(School.external_id == school))
        ).scalar_one_or_none()
        if found is None:
            raise InviteTargetError(N_("there is no school with id {school}"), school=school)
        return found
    ids = list((await session.execute(select(School.id).order_by(School.id).limit(2))).scalars())
    if not ids:
        raise InviteTargetError(N_("there is no school in the database yet: import one first"))
    if len(ids) > 1:
        raise InviteTargetError(N_("the database holds several schools: give --school ID"))
    return ids[0]


async def _find_class(
    session: AsyncSession, school_id: int, text: str, today: date | None
) -> SchoolClass:
    try:
        name = normal_class_name(text)
    except BadValue:
        raise InviteTargetError(N_("{value!r} is not a class name like 7А"), value=text) from None
    query = (
        select(SchoolClass)
        .join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id)
        .where(SchoolClass.school_id == school_id, SchoolClass.name == name)
    )
    if today is not None:  # the class of the year running today, else the latest year's
        running = and_(AcademicYear.starts_on <= today, AcademicYear.ends_on >= today)
        query = query.order_by(case((running, 0), else_=1))
    found = (
        await session.execute(query.order_by(AcademicYear.starts_on.desc()).limit(1))
    ).scalar_one_or_none()
    if found is None:
        raise InviteTargetError(N_("there is no class {name} in this school"), name=name)
    return found


async def _guardians(
    session: AsyncSession, guardian_ids: list[int], today: date | None
) -> list[Target]:
    if not guardian_ids:
        return []
    children = (
        select(
            GuardianLink.guardian_id,
            Student.last_name,
            Student.first_name,
            SchoolClass.name,
        )
        .join(Student, Student.id == GuardianLink.student_id)
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(GuardianLink.guardian_id.in_(guardian_ids))
        .order_by(Student.last_name, Student.first_name)
    )
    if today is not None:
        children = children.where(student_present(today))
    wards: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for guardian_id, last, first, class_name in await session.execute(children):
        wards[guardian_id].append((f"{last} {first}", class_name))
    rows = await session.execute(select(Guardian).where(Guardian.id.in_(guardian_ids)))
    return [
        Target(
            kind="guardian",
            person_id=g.id,
            external_id=g.external_id or "",
            name=_full_name(g.last_name, g.first_name, g.middle_name),
            role=Role.GUARDIAN,
            students=tuple(f"{name}, {cls}" if cls else name for name, cls in wards.get(g.id, [])),
            class_names=tuple(sorted({cls for _, cls in wards.get(g.id, []) if cls})),
        )
        for g in rows.scalars()
    ]


async def _students(
    session: AsyncSession, student_ids: list[int] | None, class_id: int | None, today: date | None
) -> list[Target]:
    query = select(Student, SchoolClass.name).outerjoin(
        SchoolClass, SchoolClass.id == Student.class_id
    )
    if student_ids is not None:
        query = query.where(Student.id.in_(student_ids))
    if class_id is not None:
        query = query.where(Student.class_id == class_id)
    if today is not None:
        query = query.where(student_present(today))
    return [
        Target(
            kind="student",
            person_id=s.id,
            external_id=s.external_id or "",
            name=_full_name(s.last_name, s.first_name, s.middle_name),
            role=Role.STUDENT,
            class_names=(cls,) if cls else (),
        )
        for s, cls in await session.execute(query)
    ]


async def _staff(session: AsyncSession, staff_id: int, today: date | None) -> Target | None:
    query = select(Staff).where(Staff.id == staff_id)
    if today is not None:
        query = query.where(staff_present(today))
    person = (await session.execute(query)).scalar_one_or_none()
    if person is None:
        return None
    roles = sorted(
        (await session.execute(select(StaffRole.role).where(StaffRole.staff_id == staff_id)))
        .scalars()
        .all(),
        key=lambda role: role.value,
    )
    led = select(SchoolClass.name).where(SchoolClass.class_teacher_id == staff_id)
    if today is not None:
        led = led.join(AcademicYear, AcademicYear.id == SchoolClass.academic_year_id).where(
            AcademicYear.starts_on <= today, AcademicYear.ends_on >= today
        )
    return Target(
        kind="staff",
        person_id=person.id,
        external_id=person.external_id or "",
        name=_full_name(person.last_name, person.first_name, person.middle_name),
        role=roles[0] if roles else Role.TEACHER,
        class_names=tuple(sorted((await session.execute(led)).scalars())),
    )


async def class_targets(
    session: AsyncSession, school_id: int, text: str, kind: PersonKind, today: date | None
) -> list[Target]:
    school_class = await _find_class(session, school_id, text, today)
    if kind == "student":
        return await _students(session, None, school_class.id, today)
    if kind == "staff":
        teacher = (
            await _staff(session, school_class.class_teacher_id, today)
            if school_class.class_teacher_id is not None
            else None
        )
        if teacher is None:
            raise InviteTargetError(N_("class {name} has no class teacher"), name=school_class.name)
        return [teacher]
    pupils = select(Student.id).where(Student.class_id == school_class.id)
    if today is not None:
        pupils = pupils.where(student_present(today))
    guardian_ids = (
        await session.execute(
            select(GuardianLink.guardian_id).where(GuardianLink.student_id.in_(pupils)).distinct()
        )
    ).scalars()
    return await _guardians(session, sorted(guardian_ids), today)


async def person_targets(
    session: AsyncSession,
    school_id: int,
    external_id: str,
    kind: PersonKind | None,
    today: date | None,
) -> list[Target]:
    """The one person with that id (among ``kind``, or all three kinds when None)."""
    models: dict[str, type[Guardian | Student | Staff]] = {
        "guardian": Guardian,
        "student": Student,
        "staff": Staff,
    }
    found: list[tuple[PersonKind, int]] = []
    for name in ("guardian", "student", "staff"):
        if kind is not None and kind != name:
            continue
        model = models[name]
        query = select(model.id).where(
            model.school_id == school_id, model.external_id == external_id
        )
        person_id = (await session.execute(query)).scalar_one_or_none()
        if person_id is not None:
            found.append((kind_of(name), person_id))
    if not found:
        if kind is None:
            raise InviteTargetError(N_("nobody has the id {id}"), id=external_id)
        raise InviteTargetError(N_("no {kind} has the id {id}"), kind=kind, id=external_id)
    if len(found) > 1:
        kinds = ", ".join(k for k, _ in found)
        raise InviteTargetError(
            N_("the id {id} belongs to several people ({kinds}): give --role"),
            id=external_id,
            kinds=kinds,
        )
    return [await target_of(session, *found[0], today=today)]


def kind_of(name: str) -> PersonKind:
    kinds: dict[str, PersonKind] = {"guardian": "guardian", "student": "student", "staff": "staff"}
    return kinds[name]


async def target_of(
    session: AsyncSession, kind: PersonKind, person_id: int, *, today: date | None
) -> Target:
    if kind == "guardian":
        return (await _guardians(session, [person_id], today))[0]
    if kind == "student":
        students = await _students(session, [person_id], None, today)
        if not students:
            raise InviteTargetError(N_("this student has left the school"))
        return students[0]
    staff = await _staff(session, person_id, today)
    if staff is None:
        raise InviteTargetError(N_("this staff member has left the school"))
    return staff


def in_name_order(targets: list[Target]) -> list[Target]:
    # "Фамилия Имя Отчество" in collation order sorts by last, first, then middle name.
    return sorted(targets, key=lambda t: (collation_key(t.name), t.person_id))
