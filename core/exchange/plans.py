"""The `plan` table (КТП): one row per planned lesson; its plan is the row's class, group, subject.

A row's class, group and subject name its :class:`LessonPlan` — one per class (or group) and
subject; the class belongs to one academic year, so the plan is that year's. The plan is made
on the first import of one of its rows; a teacher named in a row becomes the plan's teacher (an
empty cell keeps it). The row itself is a :class:`LessonPlanItem` at position ``number``.

What a one-to-one mapping cannot check is checked here, located on the rows' lines: two rows of
one plan naming different teachers, and two items (of the file, or of the journal) at one number
of one plan. Moving items about (a topic put in between) is written without tripping the
plan's unique (plan, position): the items that move or go are first parked on negative
positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.problems import Problem, problem
from core.exchange.refs import Registry
from core.i18n import N_
from core.models import Group, LessonPlan, LessonPlanItem, SchoolClass, Subject

if TYPE_CHECKING:
    from core.exchange.parsing import Row

Identity = tuple[str, str, str]  # the keys of class, group ("" for none), subject
# A lesson number and a topic's hours, as a plan can have them (a year has about 200 lessons).
MOST_NUMBER, MOST_HOURS = 999, 99


@dataclass(frozen=True, slots=True)
class StoredPlan:
    id: int
    class_id: int
    group_id: int | None
    subject_id: int
    teacher_id: int | None


def _within(value: int | None, most: int) -> bool:
    return value is None or 1 <= value <= most


def identity(values: dict[str, Any]) -> Identity:
    return (str(values.get("class")), str(values.get("group") or ""), str(values.get("subject")))


async def stored_plans(session: AsyncSession, school_id: int) -> dict[int, StoredPlan]:
    query = select(
        LessonPlan.id,
        LessonPlan.class_id,
        LessonPlan.group_id,
        LessonPlan.subject_id,
        LessonPlan.teacher_id,
    ).where(LessonPlan.school_id == school_id)
    return {
        row.id: StoredPlan(row.id, row.class_id, row.group_id, row.subject_id, row.teacher_id)
        for row in await session.execute(query.order_by(LessonPlan.id))
    }


def _stored_identities(
    plans: dict[int, StoredPlan], registry: Registry
) -> dict[int, Identity | None]:
    classes, groups = registry.reverse("classes"), registry.reverse("groups")
    subjects = registry.reverse("subjects")
    found: dict[int, Identity | None] = {}
    for plan in plans.values():
        klass, subject = classes.get(plan.class_id), subjects.get(plan.subject_id)
        group = groups.get(plan.group_id) if plan.group_id is not None else ""
        found[plan.id] = (
            (klass, group, subject) if klass and subject and group is not None else None
        )
    return found


def plan_problems(
    rows: Sequence[Row],
    existing: dict[str, dict[str, Any]],
    plans: dict[int, StoredPlan],
    registry: Registry,
) -> list[Problem]:
    """Numbers and hours out of range; rows of one plan naming two teachers; two items at one
    number of a plan."""
    found: list[Problem] = [
        problem(
            row.source,
            row.line,
            column,
            N_("{value} is outside {low}–{high}"),
            value=row.values[column],
            low=1,
            high=most,
        )
        for row in rows
        for column, most in (("number", MOST_NUMBER), ("hours", MOST_HOURS))
        if not row.deleted and not _within(row.values.get(column), most)
    ]
    of_plan = _stored_identities(plans, registry)
    # Where each item ends up: the journal's items the file leaves alone, then the file's rows.
    places: dict[str, tuple[Identity | None, int, str]] = {
        key: (of_plan.get(old["plan_id"]), old["position"], key) for key, old in existing.items()
    }
    teachers: dict[Identity, tuple[str, str]] = {}
    for row in rows:
        if row.deleted:
            places.pop(row.key, None)
            continue
        plan = identity(row.values)
        where = f"{row.source}:{row.line}"
        places[row.key] = (plan, row.values["number"], where)
        teacher = row.values.get("teacher")
        if teacher is None:
            continue
        first = teachers.setdefault(plan, (teacher, where))
        if first[0] != teacher:
            found.append(
                problem(
                    row.source,
                    row.line,
                    "teacher",
                    N_("the plan of this class and subject has another teacher on {other}"),
                    other=first[1],
                )
            )
    taken: dict[tuple[Identity, int], str] = {}
    lines = {row.key: row for row in rows if not row.deleted}
    order = {key: index for index, key in enumerate(lines, 1)}
    # The journal's own items first, then the file's in its order: a message names a later line.
    for key in sorted(places, key=lambda k: order.get(k, 0)):
        place, number, where = places[key]
        if place is None:
            continue
        other = taken.setdefault((place, number), where)
        if other != where and key in lines:
            found.append(
                problem(
                    lines[key].source,
                    lines[key].line,
                    "number",
                    N_("lesson {number} of this plan is already on {other}"),
                    number=number,
                    other=other,
                )
            )
    return found


async def make_plans(
    session: AsyncSession,
    school_id: int,
    rows: Sequence[Row],
    plans: dict[int, StoredPlan],
    registry: Registry,
) -> tuple[dict[Identity, int], set[Identity]]:
    """The plan of every row (made when missing), and the plans made or given a new teacher."""
    wanted: dict[Identity, str | None] = {}
    for row in rows:
        if not row.deleted:
            plan = identity(row.values)
            wanted[plan] = wanted.get(plan) or row.values.get("teacher")
    by_ids = {(p.class_id, p.group_id, p.subject_id): p for p in reversed(plans.values())}
    ids: dict[Identity, int] = {}
    changed: set[Identity] = set()
    for plan, teacher_key in wanted.items():
        class_id = registry.id_of("classes", plan[0])
        group_id = registry.id_of("groups", plan[1]) if plan[1] else None
        subject_id = registry.id_of("subjects", plan[2])
        teacher_id = registry.id_of("staff", teacher_key) if teacher_key else None
        stored = by_ids.get((class_id, group_id, subject_id))
        if stored is None:
            ids[plan] = await _new_plan(
                session, school_id, plan, class_id, group_id, subject_id, teacher_id
            )
            changed.add(plan)
            continue
        ids[plan] = stored.id
        if teacher_id is not None and teacher_id != stored.teacher_id:
            await session.execute(
                update(LessonPlan).where(LessonPlan.id == stored.id).values(teacher_id=teacher_id)
            )
            changed.add(plan)
    return ids, changed


async def _new_plan(
    session: AsyncSession,
    school_id: int,
    plan: Identity,
    class_id: int,
    group_id: int | None,
    subject_id: int,
    teacher_id: int | None,
) -> int:
    klass = (
        await session.execute(
            select(SchoolClass.name, SchoolClass.academic_year_id).where(SchoolClass.id == class_id)
        )
    ).one()
    subject = (
        await session.execute(select(Subject.name).where(Subject.id == subject_id))
    ).scalar_one()
    group = (
        (await session.execute(select(Group.name).where(Group.id == group_id))).scalar_one()
        if group_id is not None
        else None
    )
    name = " · ".join(part for part in (klass.name, group, subject) if part)
    key = "|".join(plan)
    result = await session.execute(
        insert(LessonPlan).returning(LessonPlan.id),
        [
            {
                "school_id": school_id,
                "external_id": key if len(key) <= 64 else None,
                "academic_year_id": klass.academic_year_id,
                "teacher_id": teacher_id,
                "class_id": class_id,
                "group_id": group_id,
                "subject_id": subject_id,
                "name": name[:255],
            }
        ],
    )
    return int(result.scalar_one())


def plan_of(values: dict[str, Any], defaults: dict[str, Any]) -> int:
    plan_id: int = defaults["plans"][identity(values)]
    return plan_id


def plan_changed(row: Row, defaults: dict[str, Any]) -> bool:
    return not row.deleted and identity(row.values) in defaults.get("plans_changed", set())


async def park(
    session: AsyncSession, updates: Sequence[dict[str, Any]], removals: Sequence[dict[str, Any]]
) -> None:
    """Move the items that change place or go to negative positions, so that no write of the
    import meets an item still standing where it is going."""
    ids = [u["id"] for u in updates if "position" in u or "plan_id" in u]
    ids += [r["id"] for r in removals]
    if ids:
        parked = [{"id": item_id, "position": -place} for place, item_id in enumerate(ids, 1)]
        await session.execute(update(LessonPlanItem), parked)
