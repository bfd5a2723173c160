"""`journal export`: the journal back in the exchange format, rows in a fixed order.

What the importer reads, the exporter writes in canonical form, so import → export → import
changes nothing and two exports of the same data are identical byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.collections import LESSON_HOMEWORK_PREFIX, attachment_refs
from core.exchange.mapping import MAPPINGS
from core.exchange.plans import stored_plans
from core.exchange.spec import ORDER, TABLES_BY_NAME, Kind
from core.exchange.values import format_cell
from core.models import (
    Enrolment,
    GroupMember,
    Guardian,
    GuardianLink,
    Homework,
    MovementKind,
    School,
    Staff,
    StaffRole,
    Student,
)

Rows = dict[str, list[dict[str, str]]]


async def export_tables(session: AsyncSession, school_id: int) -> Rows:
    keys: dict[str, dict[int, str]] = {}
    raw: dict[str, list[dict[str, Any]]] = {}
    for name in ORDER:
        model = MAPPINGS[name].model
        table = model.__table__
        if name == "school":
            query = select(table).where(table.c.id == school_id)
        elif model is GroupMember:
            continue  # written below, once groups and students have keys
        else:
            query = select(table).where(table.c.school_id == school_id)
        rows = [dict(r) for r in (await session.execute(query)).mappings()]
        keys[name] = {r["id"]: r["external_id"] or f"#{r['id']}" for r in rows}
        raw[name] = rows
    raw["group_members"] = [
        dict(r)
        for r in (
            await session.execute(
                select(GroupMember.__table__).where(GroupMember.group_id.in_(list(keys["groups"])))
            )
        ).mappings()
    ]
    extra = await _extras(session, school_id, keys)
    tables: Rows = {}
    for name in ORDER:
        rows = []
        for row in raw[name]:
            if row.get("deleted_at") is not None:
                continue
            if name == "homework" and (row["external_id"] or "").startswith(LESSON_HOMEWORK_PREFIX):
                continue  # written with its lesson
            rows.append(_cells(name, row, keys, extra))
        key_column = "id" if "id" in TABLES_BY_NAME[name].column_names else None
        if name == "plan":  # a plan as it is read: class, subject, lesson by lesson
            rows.sort(key=lambda c: (c["class"], c["group"], c["subject"], int(c["number"])))
        else:
            rows.sort(key=lambda cells: _sort_key(cells, key_column))
        tables[name] = rows
    return tables


def _sort_key(cells: dict[str, str], key_column: str | None) -> tuple[str, ...]:
    if key_column:
        return (cells[key_column],)
    return tuple(cells.values())


def _cells(
    name: str, row: dict[str, Any], keys: dict[str, dict[int, str]], extra: dict[str, Any]
) -> dict[str, str]:
    spec = TABLES_BY_NAME[name]
    mapping = MAPPINGS[name]
    cells: dict[str, str] = {}
    if "id" in spec.column_names:
        cells["id"] = keys[name][row["id"]]
    for column, attribute in mapping.fields.items():
        kind = spec.column(column).kind
        value = row.get(attribute)
        ref = spec.column(column).ref
        if kind is Kind.REF and ref and value is not None:
            cells[column] = keys[ref][value]
        elif kind is Kind.BOOL and name == "school":
            # A setting written out either way: an empty cell would mean the default, which is
            # yes for some of them.
            cells[column] = "1" if value else "0"
        else:
            cells[column] = format_cell(kind, value)
    if name == "staff":
        cells["roles"] = format_cell(Kind.ROLES, extra["roles"].get(row["id"], ()))
    elif name == "guardians":
        students, relation = extra["links"].get(row["id"], ((), None))
        cells["students"] = ";".join(sorted(keys["students"][s] for s in students))
        cells["relation"] = format_cell(Kind.RELATION, relation)
    elif name == "lessons":
        homework = extra["lesson_homework"].get(keys[name][row["id"]])
        cells["homework"] = homework.text if homework else ""
        cells["homework_due"] = format_cell(Kind.DATE, homework.due_on if homework else None)
    elif name == "plan":
        plan = extra["plans"][row["plan_id"]]
        cells["class"] = keys["classes"][plan.class_id]
        cells["group"] = keys["groups"][plan.group_id] if plan.group_id is not None else ""
        cells["subject"] = keys["subjects"][plan.subject_id]
        cells["teacher"] = keys["staff"][plan.teacher_id] if plan.teacher_id is not None else ""
    elif name == "homework":
        cells["attachments"] = ";".join(extra["attachments"].get(row["id"], ()))
    elif name == "students":
        cells["class_since"] = format_cell(Kind.DATE, extra["class_since"].get(row["id"]))
    return {c: cells.get(c, "") for c in spec.column_names if c != "deleted"}


async def _extras(
    session: AsyncSession, school_id: int, keys: dict[str, dict[int, str]]
) -> dict[str, Any]:
    roles: dict[int, set[str]] = defaultdict(set)
    for staff_id, role in await session.execute(
        select(StaffRole.staff_id, StaffRole.role)
        .join(Staff, Staff.id == StaffRole.staff_id)
        .where(Staff.school_id == school_id)
    ):
        roles[staff_id].add(role)
    links: dict[int, tuple[list[int], Any]] = {}
    for guardian_id, student_id, relation in await session.execute(
        select(GuardianLink.guardian_id, GuardianLink.student_id, GuardianLink.relation)
        .join(Guardian, Guardian.id == GuardianLink.guardian_id)
        .where(Guardian.school_id == school_id)
        .order_by(GuardianLink.id)
    ):
        students, first_relation = links.get(guardian_id, ([], relation))
        students.append(student_id)
        links[guardian_id] = (students, first_relation)
    lesson_homework = {
        row.external_id.removeprefix(LESSON_HOMEWORK_PREFIX): row
        for row in await session.execute(
            select(Homework.external_id, Homework.text, Homework.due_on).where(
                Homework.school_id == school_id,
                Homework.external_id.startswith(LESSON_HOMEWORK_PREFIX),
                Homework.deleted_at.is_(None),
            )
        )
    }
    attachments: dict[int, list[str]] = defaultdict(list)
    for homework_id, ref in await attachment_refs(session, school_id):
        attachments[homework_id].append(ref)
    plans = await stored_plans(session, school_id)
    return {
        "class_since": await _class_since(session, school_id),
        "plans": plans,
        "roles": roles,
        "links": links,
        "lesson_homework": lesson_homework,
        "attachments": attachments,
    }


async def _class_since(session: AsyncSession, school_id: int) -> dict[int, Any]:
    """Each student's date in their current class: the latest enrolment or transfer into it.

    The importer reads it back only when the class changes, so a re-import is a no-op; a
    student without movement (or in no class) gets an empty cell."""
    rows = await session.execute(
        select(Enrolment.student_id, func.max(Enrolment.happened_on))
        .join(Student, Student.id == Enrolment.student_id)
        .where(
            Student.school_id == school_id,
            Enrolment.class_id == Student.class_id,
            Enrolment.kind != MovementKind.LEFT,
        )
        .group_by(Enrolment.student_id)
    )
    return {student_id: since for student_id, since in rows}


async def only_school_id(session: AsyncSession) -> int | None:
    ids = (await session.execute(select(School.id).order_by(School.id))).scalars().all()
    return ids[0] if len(ids) == 1 else None
