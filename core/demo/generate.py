"""`generate()`: the whole demo gymnasium as exchange-format rows, deterministic."""

from __future__ import annotations

import random
from datetime import date

from core.demo.calendar import Year, bells, year_of
from core.demo.changes import change_days, plan_changes
from core.demo.classes import Klass, make_classes
from core.demo.curriculum import HOURS, SUBJECTS, WORK_TYPES
from core.demo.events import events
from core.demo.journal import Journal, Key
from core.demo.people import Contacts, Pupil, guardian_rows, make_pupils, staff_rows
from core.demo.plans import plan_rows
from core.demo.timetable import groups_of, plan
from core.exchange.spec import ORDER

Rows = dict[str, list[dict[str, str]]]
SCHOOL = {
    "id": "GYM6",
    "name": "Гимназия №6 (демо)",
    "short_name": "Гимназия №6",
    "timezone": "Asia/Yekaterinburg",
    "days_per_week": "5",
    "threshold_5": "4.5",
    "threshold_4": "3.5",
    "threshold_3": "2.5",
}


def generate(*, seed: int = 1, students: int | None = None, today: date) -> Rows:
    """The demo school around ``today``, as rows per exchange table keyed by canonical columns.

    Deterministic for a given ``seed`` and ``today``. ``students`` sets the school's size
    (about 725 students in 29 classes by default; classes of about 25 whatever the size).
    """
    rng = random.Random(seed)
    year = year_of(today)
    tables: Rows = {name: [] for name in ORDER}
    tables["school"] = [dict(SCHOOL)]
    tables["years"] = [
        {
            "id": year.id,
            "name": year.name,
            "start": year.span.start.isoformat(),
            "end": year.span.end.isoformat(),
        }
    ]
    tables["terms"] = [
        {
            "id": term.id,
            "year": year.id,
            "kind": term.kind,
            "number": str(term.number),
            "name": term.name,
            "start": term.dates.start.isoformat(),
            "end": term.dates.end.isoformat(),
        }
        for term in year.quarters + year.halves
    ]
    for holiday in year.holidays:
        row = {
            "id": holiday.id,
            "name": holiday.name,
            "start": holiday.dates.start.isoformat(),
            "end": holiday.dates.end.isoformat(),
        }
        if holiday.grade is not None:
            row |= {"grade_from": str(holiday.grade), "grade_to": str(holiday.grade)}
        tables["holidays"].append(row)
    tables["bells"] = [
        {
            "shift": str(shift),
            "period": str(period),
            "start": f"{begins:%H:%M}",
            "end": f"{ends:%H:%M}",
        }
        for (shift, period), (begins, ends) in sorted(bells().items())
    ]
    tables["subjects"] = [
        {"id": subject, "name": name, "short_name": short}
        for subject, (name, short) in SUBJECTS.items()
    ]
    tables["work_types"] = [
        {"id": i, "name": name, "short_name": short, "weight": weight, "control": control}
        for i, name, short, weight, control in WORK_TYPES
    ]

    classes = make_classes(rng, students)
    timetable = plan(rng, classes)
    contacts = Contacts(rng)
    pupils, families = make_pupils(rng, classes, year, contacts)
    size = len(pupils)
    tables["staff"] = staff_rows(
        rng, timetable.teachers, timetable.class_teacher, size, year, contacts
    )
    tables["classes"] = [
        {
            "id": klass.id,
            "name": klass.name,
            "year": year.id,
            "shift": str(klass.shift),
            "class_teacher": timetable.class_teacher[klass.id],
            "term_kind": "quarter" if klass.grade <= 9 else "half",
            "room": klass.room,
        }
        for klass in classes
    ]
    members, group_ids = _groups(classes, pupils, year, tables)
    for pupil in pupils:
        row = {
            "id": pupil.id,
            "last_name": pupil.last,
            "first_name": pupil.first,
            "middle_name": pupil.middle,
            "birth_date": pupil.birth.isoformat(),
            "class": pupil.klass.id,
            "class_since": max(pupil.enrolled, year.span.start).isoformat(),
            "enrolled": pupil.enrolled.isoformat(),
        }
        if pupil.phone:
            row["phone"] = pupil.phone
        tables["students"].append(row)
    tables["guardians"] = guardian_rows(rng, families, contacts)
    for slot in timetable.slots:
        row = {
            "id": slot.id,
            "class": slot.klass.id,
            "subject": slot.course.subject,
            "teacher": slot.course.teacher,
            "weekday": str(slot.weekday),
            "period": str(slot.period),
            "room": slot.room,
            "valid_from": year.span.start.isoformat(),
        }
        group = group_ids.get((slot.klass.id, slot.course.subject, slot.course.group))
        if group:
            row["group"] = group
        tables["timetable"].append(row)

    tables["plan"] = plan_rows(classes, timetable)
    changes = plan_changes(rng, year, today, timetable, group_ids)
    tables["timetable_changes"] = [c.row for c in changes]
    journal = Journal(rng, year, today, timetable, pupils, members, group_ids)
    days = change_days(year, today)
    journal.build(changes, max([today, *days]))
    for name, rows in journal.rows.items():
        tables[name] = rows
    tables["events"] = events(rng, year, today, classes)
    return tables


def _groups(
    classes: list[Klass], pupils: list[Pupil], year: Year, tables: Rows
) -> tuple[dict[Key, list[Pupil]], dict[Key, str]]:
    """Two groups per split subject: English by the list's halves, informatics by turns."""
    members: dict[Key, list[Pupil]] = {}
    group_ids: dict[Key, str] = {}
    by_class: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        by_class.setdefault(pupil.klass.id, []).append(pupil)
    for klass in classes:
        roster = by_class.get(klass.id, [])
        for subject in HOURS[klass.grade]:
            if groups_of(klass, subject) != (1, 2):
                continue
            order = roster if subject == "ENG" else roster[::2] + roster[1::2]
            half = (len(order) + 1) // 2
            for group, part in ((1, order[:half]), (2, order[half:])):
                key = (klass.id, subject, group)
                group_ids[key] = f"{klass.id}-{subject}-{group}"
                members[key] = part
                tables["groups"].append(
                    {
                        "id": group_ids[key],
                        "class": klass.id,
                        "subject": subject,
                        "name": f"{group} группа",
                    }
                )
                tables["group_members"] += [
                    {
                        "group": group_ids[key],
                        "student": p.id,
                        "joined": max(p.enrolled, year.span.start).isoformat(),
                    }
                    for p in part
                ]
    return members, group_ids
