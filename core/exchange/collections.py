"""What an exchange row carries beyond its own table, and the events its changes record.

A staff row's roles, a guardian's children, a lesson's general homework and a homework's
attachments live in tables of their own; a student's class change is a step of student movement.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.bulk import insert_rows
from core.exchange.refs import Registry
from core.exchange.rules import next_weekday
from core.files import export_ref, parse_ref
from core.models import (
    Enrolment,
    EventKind,
    GuardianLink,
    GuardianRelation,
    Homework,
    HomeworkAttachment,
    MovementKind,
    Staff,
    StaffRole,
)
from core.outbox import Outbox

if TYPE_CHECKING:
    from core.exchange.parsing import Row

Changed = list[tuple["Row", dict[str, Any] | None, dict[str, Any]]]
LESSON_HOMEWORK_PREFIX = "lesson:"
BATCH = 2000  # ids per IN (...) and rows per INSERT of the collections


def _merged(old: dict[str, Any] | None, attrs: dict[str, Any]) -> dict[str, Any]:
    return {**(old or {}), **attrs}


async def attachment_refs(session: AsyncSession, school_id: int) -> list[tuple[int, str]]:
    """Each homework attachment as the ``attachments`` cell names it: the school's link, or a
    file the journal keeps as ``files/<storage path>#<name>`` (:func:`core.files.export_ref`)."""
    rows = await session.execute(
        select(
            HomeworkAttachment.homework_id,
            HomeworkAttachment.url,
            HomeworkAttachment.storage_path,
            HomeworkAttachment.file_name,
        )
        .join(Homework, Homework.id == HomeworkAttachment.homework_id)
        .where(Homework.school_id == school_id)
        .order_by(HomeworkAttachment.id)
    )
    found = []
    for row in rows:
        if row.storage_path:
            found.append((row.homework_id, export_ref(row.storage_path, row.file_name)))
        elif row.url:
            found.append((row.homework_id, row.url))
    return found


def attachment_row(homework_id: int, ref: str) -> dict[str, Any]:
    """The ``homework_attachments`` row an ``attachments`` cell's item stands for. A kept file
    is taken at its word: whether ``FILES_DIR`` has it is seen when it is sent."""
    kept = parse_ref(ref)
    if kept is not None:
        path, name = kept
        return {"homework_id": homework_id, "storage_path": path, "file_name": name}
    return {
        "homework_id": homework_id,
        "url": ref,
        "file_name": ref.rsplit("/", 1)[-1][:255] or ref[:255],
    }


class Collections:
    def __init__(
        self,
        session: AsyncSession,
        school_id: int,
        registry: Registry,
        outbox: Outbox,
        now: datetime,
    ) -> None:
        self.session = session
        self.school_id = school_id
        self.registry = registry
        self.outbox = outbox
        self.now = now
        self.current: dict[int | str, Any] = {}

    async def load(self, table: str, existing: dict[str, dict[str, Any]]) -> None:
        """Read the current collections of the rows that exist, in one query per table."""
        query: Any
        if table == "staff":
            query = (
                select(StaffRole.staff_id, StaffRole.role)
                .join(Staff, Staff.id == StaffRole.staff_id)
                .where(Staff.school_id == self.school_id)
            )
            for staff_id, role in await self.session.execute(query):
                self.current.setdefault(staff_id, set()).add(role)
        elif table == "guardians":
            from core.models import Guardian

            query = (
                select(GuardianLink.guardian_id, GuardianLink.student_id, GuardianLink.relation)
                .join(Guardian, Guardian.id == GuardianLink.guardian_id)
                .where(Guardian.school_id == self.school_id)
            )
            for guardian_id, student_id, relation in await self.session.execute(query):
                students, _ = self.current.get(guardian_id, (set(), relation))
                students.add(student_id)
                self.current[guardian_id] = (students, relation)
        elif table == "lessons":
            query = select(
                Homework.id,
                Homework.external_id,
                Homework.text,
                Homework.due_on,
                Homework.deleted_at,
            ).where(
                Homework.school_id == self.school_id,
                Homework.external_id.startswith(LESSON_HOMEWORK_PREFIX),
            )
            for row in await self.session.execute(query):
                key = row.external_id.removeprefix(LESSON_HOMEWORK_PREFIX)
                self.current[key] = row
        elif table == "homework":
            for homework_id, ref in await attachment_refs(self.session, self.school_id):
                self.current.setdefault(homework_id, []).append(ref)

    def _wanted(self, table: str, row: Row) -> Any:
        values = row.values
        if table == "staff" and "roles" in row.present:
            return set(values.get("roles") or ())
        if table == "guardians" and "students" in row.present:
            ids = {self.registry.id_of("students", k) for k in values.get("students") or ()}
            return ids, values.get("relation") or GuardianRelation.GUARDIAN
        if table == "homework" and "attachments" in row.present:
            return list(values.get("attachments") or ())
        return None

    def differs(self, table: str, row: Row, old: dict[str, Any] | None) -> bool:
        if table == "lessons" and "homework" in row.present:
            current = self.current.get(row.key)
            text = row.values.get("homework")
            if current is None or current.deleted_at is not None:
                return text is not None
            if text is None:
                return True
            due = row.values.get("homework_due")
            return bool(
                current.text != text
                or ("homework_due" in row.present and due and current.due_on != due)
            )
        wanted = self._wanted(table, row)
        if wanted is None:
            return False
        have = self.current.get(old["id"]) if old else None
        if table == "guardians":
            if have is None:
                return bool(wanted[0])
            students_changed = wanted[0] != have[0]
            relation_changed = "relation" in row.present and wanted[1] != have[1]
            return students_changed or relation_changed
        return bool(wanted != (have or type(wanted)()))

    async def sync(self, table: str, changed: Changed) -> None:
        if table == "staff":
            await self._sync_roles(changed)
        elif table == "guardians":
            await self._sync_links(changed)
        elif table == "homework":
            await self._sync_attachments(changed)
        elif table == "lessons":
            await self._sync_lesson_homework(changed)
        elif table == "students":
            await self._record_movement(changed)

    async def _sync_roles(self, changed: Changed) -> None:
        for row, old, _attrs in changed:
            wanted = self._wanted("staff", row)
            if wanted is None:
                continue
            staff_id = self.registry.id_of("staff", row.key)
            have = self.current.get(old["id"], set()) if old else set()
            if have - wanted:
                await self.session.execute(
                    delete(StaffRole).where(
                        StaffRole.staff_id == staff_id, StaffRole.role.in_(have - wanted)
                    )
                )
            if wanted - have:
                await self.session.execute(
                    insert(StaffRole),
                    [
                        {"staff_id": staff_id, "role": r, "granted_at": self.now}
                        for r in sorted(wanted - have)
                    ],
                )

    async def _sync_links(self, changed: Changed) -> None:
        """Replace the links of the changed guardians: one DELETE and one INSERT per batch."""
        guardians: list[int] = []
        links: list[dict[str, Any]] = []
        for row, _old, _attrs in changed:
            wanted = self._wanted("guardians", row)
            if wanted is None:
                continue
            guardian_id = self.registry.id_of("guardians", row.key)
            guardians.append(guardian_id)
            students, relation = wanted
            links += [
                {"guardian_id": guardian_id, "student_id": s, "relation": relation}
                for s in sorted(students)
            ]
        for start in range(0, len(guardians), BATCH):
            batch = guardians[start : start + BATCH]
            await self.session.execute(
                delete(GuardianLink).where(GuardianLink.guardian_id.in_(batch))
            )
        for start in range(0, len(links), BATCH):
            await self.session.execute(
                insert(cast(Table, GuardianLink.__table__)), links[start : start + BATCH]
            )

    async def _sync_attachments(self, changed: Changed) -> None:
        homework: list[int] = []
        attachments: list[dict[str, Any]] = []
        for row, _old, _attrs in changed:
            wanted = self._wanted("homework", row)
            if wanted is None:
                continue
            homework_id = self.registry.id_of("homework", row.key)
            homework.append(homework_id)
            attachments += [attachment_row(homework_id, r) for r in wanted]
        for start in range(0, len(homework), BATCH):
            batch = homework[start : start + BATCH]
            await self.session.execute(
                delete(HomeworkAttachment).where(HomeworkAttachment.homework_id.in_(batch))
            )
        # Grouped by shape: a kept file and a link fill different columns.
        by_shape: dict[frozenset[str], list[dict[str, Any]]] = {}
        for item in attachments:
            by_shape.setdefault(frozenset(item), []).append(item)
        for rows in by_shape.values():
            for start in range(0, len(rows), BATCH):
                await self.session.execute(
                    insert(cast(Table, HomeworkAttachment.__table__)), rows[start : start + BATCH]
                )

    async def _sync_lesson_homework(self, changed: Changed) -> None:
        inserts: list[dict[str, Any]] = []
        for row, old, attrs in changed:
            if "homework" not in row.present:
                continue
            lesson = _merged(old, attrs)
            lesson_id = self.registry.id_of("lessons", row.key)
            text = row.values.get("homework")
            current = self.current.get(row.key)
            due = (
                row.values.get("homework_due")
                or (current.due_on if current is not None and current.due_on else None)
                or next_weekday(lesson["date"])
            )
            if text is None:
                if current is not None and current.deleted_at is None:
                    await self.session.execute(
                        update(Homework)
                        .where(Homework.id == current.id)
                        .values(deleted_at=self.now, updated_at=self.now)
                    )
                continue
            values = {
                "lesson_id": lesson_id,
                "class_id": lesson["class_id"],
                "group_id": lesson.get("group_id"),
                "subject_id": lesson["subject_id"],
                "teacher_id": lesson.get("teacher_id"),
                "assigned_on": lesson["date"],
                "due_on": due,
                "text": text,
                "deleted_at": None,
            }
            if current is None:
                inserts.append(
                    {
                        **values,
                        "school_id": self.school_id,
                        "external_id": LESSON_HOMEWORK_PREFIX + row.key,
                    }
                )
            else:
                await self.session.execute(
                    update(Homework)
                    .where(Homework.id == current.id)
                    .values(**values, updated_at=self.now)
                )
            if current is None or current.deleted_at is not None:
                self.outbox.add(
                    EventKind.HOMEWORK_ADDED,
                    about=due,
                    object_type="homework",
                    object_id=lesson_id,
                    class_id=lesson["class_id"],
                    group_id=lesson.get("group_id"),
                    payload={"subject_id": lesson["subject_id"], "due": due.isoformat()},
                )
        await insert_rows(self.session, cast(Table, Homework.__table__), inserts)

    async def _record_movement(self, changed: Changed) -> None:
        steps: list[dict[str, Any]] = []
        for row, old, attrs in changed:
            student = _merged(old, attrs)
            since = row.values.get("class_since")
            class_changed = "class_id" in attrs and (
                old is None or old["class_id"] != attrs["class_id"]
            )
            if class_changed and student.get("class_id") is not None:
                kind = MovementKind.ENROLLED if old is None else MovementKind.TRANSFERRED
                day = (
                    since
                    or (student.get("enrolled_on") if old is None else None)
                    or self.now.date()
                )
                steps.append(self._step(row.key, student, kind, day))
            left = attrs.get("left_on")
            if left is not None and (old is None or old.get("left_on") != left):
                steps.append(self._step(row.key, student, MovementKind.LEFT, left))
        if steps:
            await insert_rows(self.session, cast(Table, Enrolment.__table__), steps)

    def _step(
        self, key: str, student: dict[str, Any], kind: MovementKind, day: Any
    ) -> dict[str, Any]:
        class_id = student.get("class_id") if kind is not MovementKind.LEFT else None
        return {
            "school_id": self.school_id,
            "external_id": f"{key}:{kind}:{day.isoformat()}:{class_id or ''}",
            "student_id": self.registry.id_of("students", key),
            "class_id": class_id,
            "kind": kind,
            "happened_on": day,
            "created_at": self.now,
        }


def record_events(
    outbox: Outbox,
    table: str,
    changed: Changed,
    removals: list[dict[str, Any]],
    registry: Registry,
    defaults: dict[str, Any],
) -> None:
    """The family-facing events of a table's changes (see core.outbox)."""
    for row, old, attrs in changed:
        item = _merged(old, attrs)
        item_id = registry.id_of(table, row.key) if table != "group_members" else 0
        _event(outbox, table, item, item_id, old, defaults)
    for old in removals:
        if table == "marks":
            outbox.add(
                EventKind.MARK_DELETED,
                about=old["date"],
                object_type="marks",
                object_id=old["id"],
                student_id=old["student_id"],
                payload={
                    "subject_id": old["subject_id"],
                    "value": old["value"],
                    "date": old["date"].isoformat(),
                },
            )
        elif table == "timetable_changes":
            _event(outbox, table, old, old["id"], old, defaults, deleted=True)


def _event(
    outbox: Outbox,
    table: str,
    item: dict[str, Any],
    item_id: int,
    old: dict[str, Any] | None,
    defaults: dict[str, Any],
    deleted: bool = False,
) -> None:
    if table == "marks":
        kind = EventKind.MARK_ADDED if old is None else EventKind.MARK_CHANGED
        payload = {
            "subject_id": item["subject_id"],
            "value": item["value"],
            "date": item["date"].isoformat(),
            "work_type_id": item.get("work_type_id"),
        }
        if old is not None:
            payload["previous"] = old["value"]
        outbox.add(
            kind,
            about=item["date"],
            object_type="marks",
            object_id=item_id,
            student_id=item["student_id"],
            payload=payload,
        )
    elif table == "attendance" and old is None:
        # No comment in the payload: absence reasons are health data.
        outbox.add(
            EventKind.ABSENCE_RECORDED,
            about=item["date"],
            object_type="attendance",
            object_id=item_id,
            student_id=item["student_id"],
            payload={
                "date": item["date"].isoformat(),
                "period": item.get("period"),
                "code": str(item["code"]),
                "subject_id": item.get("subject_id"),
            },
        )
    elif table == "timetable_changes":
        outbox.add(
            EventKind.TIMETABLE_CHANGED,
            about=item["date"],
            object_type="timetable_changes",
            object_id=item_id,
            class_id=item["class_id"],
            group_id=item.get("group_id"),
            payload={
                "date": item["date"].isoformat(),
                "period": item["period"],
                "kind": str(item["kind"]),
                "deleted": deleted,
            },
        )
    elif table == "homework" and old is None:
        outbox.add(
            EventKind.HOMEWORK_ADDED,
            about=item["due_on"],
            object_type="homework",
            object_id=item_id,
            student_id=item.get("student_id"),
            class_id=item["class_id"],
            group_id=item.get("group_id"),
            payload={"subject_id": item["subject_id"], "due": item["due_on"].isoformat()},
        )
    elif table == "attestation":
        term_end = defaults.get("term_end", {}).get(item.get("term_id"))
        about = term_end or defaults.get("year_end", {}).get(item["academic_year_id"])
        outbox.add(
            EventKind.ATTESTATION_SET,
            about=about or outbox.now.date(),
            object_type="attestation_marks",
            object_id=item_id,
            student_id=item["student_id"],
            payload={
                "subject_id": item["subject_id"],
                "kind": str(item["kind"]),
                "value": item["value"],
                "term_id": item.get("term_id"),
            },
        )
