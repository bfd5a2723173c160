"""`generate()`: the whole demo gymnasium as exchange-format rows, deterministic per seed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import chain

from core.demo.calendar import Year, bells, is_school_day, year_of
from core.demo.curriculum import MAX_PERIODS, SUBJECTS, needs
from core.demo.journal import JournalBuilder, iso, mark_value
from core.demo.people import Phones, Pupil, guardian_rows, make_pupils, staff_rows
from core.demo.scheduler import Busy, Slot, schedule
from core.demo.staffing import Course, Klass, Teacher, make_classes, staff_classes

Rows = dict[str, list[dict[str, str]]]
WORK_TYPES = (
    ("ANS", "Ответ на уроке", "1", ""),
    ("SELF", "Самостоятельная работа", "1", ""),
    ("HOME", "Домашняя работа", "1", ""),
    ("IND", "Проверочная работа", "1.5", ""),
    ("TEST", "Контрольная работа", "2", "1"),
    ("DICT", "Диктант", "2", "1"),
)


def generate(*, seed: int = 1, students: int | None = None, today: date) -> Rows:
    """The demo school around ``today``; ``students`` scales it (default about 700)."""
    rng = random.Random(seed)
    year = year_of(today)
    span = year.span
    phones = Phones()
    classes = make_classes(students)
    teachers, courses = staff_classes(rng, classes)
    slots, _unplaced = schedule(rng, classes, courses)
    pupils, families = make_pupils(rng, classes, span.start, students, phones)
    grade_of = {k.id: k.grade for k in classes}

    tables: Rows = {
        name: []
        for name in (
            "school",
            "years",
            "terms",
            "holidays",
            "bells",
            "subjects",
            "work_types",
            "staff",
            "classes",
            "groups",
            "students",
            "group_members",
            "guardians",
            "timetable",
            "timetable_changes",
            "lessons",
            "homework",
            "marks",
            "attendance",
            "attestation",
            "events",
        )
    }
    tables["school"].append(
        {
            "id": "DEMO6",
            "name": "Гимназия №6 (демо)",
            "short_name": "Гимназия №6",
            "timezone": "Asia/Yekaterinburg",
            "days_per_week": "5",
            "threshold_5": "4.5",
            "threshold_4": "3.5",
            "threshold_3": "2.5",
        }
    )
    year_id = f"Y{year.start_year}"
    tables["years"].append(
        {"id": year_id, "name": year.name, "start": iso(span.start), "end": iso(span.end)}
    )
    for kind, periods, prefix in (("quarter", year.quarters(), "Q"), ("half", year.halves(), "H")):
        for number, dates in enumerate(periods, start=1):
            tables["terms"].append(
                {
                    "id": f"{prefix}{number}",
                    "year": year_id,
                    "kind": kind,
                    "number": str(number),
                    "start": iso(dates.start),
                    "end": iso(dates.end),
                }
            )
    for hid, holiday, dates, only in year.holidays():
        row = {"id": hid, "name": holiday, "start": iso(dates.start), "end": iso(dates.end)}
        if only:
            row |= {"grade_from": str(only), "grade_to": str(only)}
        tables["holidays"].append(row)
    for (shift, period), (begins, ends) in sorted(bells().items()):
        tables["bells"].append(
            {
                "shift": str(shift),
                "period": str(period),
                "start": f"{begins:%H:%M}",
                "end": f"{ends:%H:%M}",
            }
        )
    used = sorted({c.subject for c in courses})
    tables["subjects"] = [
        {"id": s, "name": SUBJECTS[s][0], "short_name": SUBJECTS[s][1]} for s in used
    ]
    tables["work_types"] = [
        {"id": i, "name": n, "weight": w, "control": c} for i, n, w, c in WORK_TYPES
    ]
    tables["staff"] = staff_rows(rng, teachers, phones)

    class_teacher = _class_teachers(classes, courses)
    for klass in classes:
        tables["classes"].append(
            {
                "id": klass.id,
                "name": klass.name,
                "year": year_id,
                "shift": str(klass.shift),
                "class_teacher": class_teacher[klass.id],
                "term_kind": "quarter" if klass.grade <= 9 else "half",
                "room": klass.room,
            }
        )
    for pupil in pupils:
        tables["students"].append(
            {
                "id": pupil.id,
                "last_name": pupil.last,
                "first_name": pupil.first,
                "middle_name": pupil.middle,
                "birth_date": iso(pupil.birth),
                "class": pupil.klass.id,
                "phone": pupil.phone,
                "enrolled": iso(date(span.start.year - pupil.klass.grade + 1, 9, 1)),
            }
        )
    members, group_ids = _groups(classes, pupils, tables)
    tables["guardians"] = guardian_rows(rng, families, phones)

    entry_ids: dict[Slot, str] = {}
    for number, slot in enumerate(
        sorted(slots, key=lambda s: (s.klass, s.weekday, s.period, s.course.group)), start=1
    ):
        entry_ids[slot] = f"TT{number:05d}"
        key = (slot.klass, slot.course.subject, slot.course.group)
        tables["timetable"].append(
            {
                "id": entry_ids[slot],
                "class": slot.klass,
                "group": group_ids.get(key, ""),
                "subject": slot.course.subject,
                "teacher": slot.course.teacher,
                "weekday": str(slot.weekday),
                "period": str(slot.period),
                "room": slot.room,
                "valid_from": iso(span.start),
            }
        )

    days = _change_days(year, today)
    changes = _changes(rng, slots, teachers_by_kind(teachers), days, group_ids, classes, tables)
    term = next((q for q in year.quarters() if q.start <= today <= q.end), None)
    term_start = (
        term.start
        if term
        else max((q.start for q in year.quarters() if q.start <= today), default=span.start)
    )
    end = days[-1] if days else today
    builder = JournalBuilder(
        rng, year, today, slots, pupils, grade_of, members, group_ids, entry_ids
    )
    builder.build(term_start, end, changes)
    for name in ("lessons", "homework", "marks", "attendance"):
        tables[name] = builder.tables[name]
    tables["attestation"] = _attestation(rng, year, today, pupils, courses, members, year_id)
    tables["events"] = _events(today, classes)
    return tables


def teachers_by_kind(teachers: list[Teacher]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for teacher in teachers:
        result.setdefault(teacher.kind, []).append(teacher.id)
    return result


def _class_teachers(classes: list[Klass], courses: list[Course]) -> dict[str, str]:
    taken: set[str] = set()
    result: dict[str, str] = {}
    for klass in classes:
        teaching = [c.teacher for c in courses if c.klass == klass.id]
        # The first course of a primary class is its own teacher's.
        choice = next((t for t in teaching if t not in taken), teaching[0])
        taken.add(choice)
        result[klass.id] = choice
    return result


def _groups(
    classes: list[Klass], pupils: list[Pupil], tables: Rows
) -> tuple[dict[tuple[str, str, int], set[str]], dict[tuple[str, str, int], str]]:
    members: dict[tuple[str, str, int], set[str]] = {}
    group_ids: dict[tuple[str, str, int], str] = {}
    by_class: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        by_class.setdefault(pupil.klass.id, []).append(pupil)
    for klass in classes:
        roster = by_class.get(klass.id, [])
        for need in needs(klass.grade):
            if need.groups == 1:
                continue
            # English splits alphabetically, informatics by turns: the two lists differ.
            order = roster if need.subject == "ENG" else roster[::2] + roster[1::2]
            half = (len(order) + 1) // 2
            for group, part in ((1, order[:half]), (2, order[half:])):
                key = (klass.id, need.subject, group)
                group_ids[key] = f"{klass.id}-{need.subject}-{group}"
                members[key] = {p.id for p in part}
                tables["groups"].append(
                    {
                        "id": group_ids[key],
                        "class": klass.id,
                        "subject": need.subject,
                        "name": f"Группа {group}",
                    }
                )
                tables["group_members"] += [
                    {"group": group_ids[key], "student": p.id} for p in part
                ]
    return members, group_ids


def _change_days(year: Year, today: date) -> list[date]:
    """Today (if a school day) and the next school day."""
    days = [today] if is_school_day(year, today, 5) else []
    day = today + timedelta(days=1)
    while not is_school_day(year, day, 5) and day <= year.span.end:
        day += timedelta(days=1)
    return days + ([day] if day <= year.span.end else [])


def _changes(
    rng: random.Random,
    slots: list[Slot],
    by_kind: dict[str, list[str]],
    days: list[date],
    group_ids: dict[tuple[str, str, int], str],
    classes: list[Klass],
    tables: Rows,
) -> dict[tuple[date, Slot], dict[str, str]]:
    busy = Busy()
    shift_of = {k.id: k.shift for k in classes}
    grade_of = {k.id: k.grade for k in classes}
    for slot in slots:
        busy.take(slot.course.teacher, slot.weekday, shift_of[slot.klass], slot.period)
        busy.take(slot.klass, slot.weekday, shift_of[slot.klass], slot.period)
    changes: dict[tuple[date, Slot], dict[str, str]] = {}
    for day in days:
        todays = sorted(
            (s for s in slots if s.weekday == day.isoweekday() and s.course.group == 0),
            key=lambda s: (s.klass, s.period),
        )
        picks = rng.sample(todays, min(len(todays), 6))
        for kind, slot in zip(
            (
                "substitution",
                "substitution",
                "substitution",
                "cancellation",
                "room_change",
                "moved",
            ),
            picks,
            strict=False,
        ):
            shift = shift_of[slot.klass]
            row = {
                "id": f"CH-{day:%y%m%d}-{slot.klass}-{slot.period}",
                "date": iso(day),
                "period": str(slot.period),
                "class": slot.klass,
                "kind": kind,
                "subject": slot.course.subject,
                "absent_teacher": slot.course.teacher,
            }
            if kind == "substitution":
                pool = [
                    t
                    for t in by_kind.get(_kind_of(slot, by_kind), [])
                    + list(chain.from_iterable(by_kind.values()))
                    if t != slot.course.teacher and busy.free(t, slot.weekday, shift, slot.period)
                ]
                if not pool:
                    continue
                row |= {"teacher": pool[0], "reason": "Больничный лист"}
                busy.take(pool[0], slot.weekday, shift, slot.period)
            elif kind == "cancellation":
                row["reason"] = "Курсы повышения квалификации"
                row["note"] = "Урок отменён"
            elif kind == "room_change":
                row |= {"room": "Актовый зал", "reason": "Ремонт кабинета"}
                del row["absent_teacher"]
            else:
                later = (
                    max(
                        s.period
                        for s in slots
                        if s.klass == slot.klass and s.weekday == slot.weekday
                    )
                    + 1
                )
                if later > MAX_PERIODS[grade_of[slot.klass]] or not busy.free(
                    slot.course.teacher, slot.weekday, shift, later
                ):
                    continue
                row |= {
                    "moved_to_date": iso(day),
                    "moved_to_period": str(later),
                    "reason": "Перенос по заявлению учителя",
                }
                del row["absent_teacher"]
            changes[(day, slot)] = row
            tables["timetable_changes"].append(row)
    return changes


def _kind_of(slot: Slot, by_kind: dict[str, list[str]]) -> str:
    return next((k for k, ids in by_kind.items() if slot.course.teacher in ids), "")


def _attestation(
    rng: random.Random,
    year: Year,
    today: date,
    pupils: list[Pupil],
    courses: list[Course],
    members: dict[tuple[str, str, int], set[str]],
    year_id: str,
) -> list[dict[str, str]]:
    rows = []
    subjects_of: dict[str, list[Course]] = {}
    for course in courses:
        subjects_of.setdefault(course.klass, []).append(course)
    for number, quarter in enumerate(year.quarters(), start=1):
        if quarter.end >= today:
            continue
        for pupil in pupils:
            grade = pupil.klass.grade
            if grade >= 10 or grade == 1 or (grade == 2 and number == 1):
                continue  # seniors have halves; no marks in grade 1 and the first quarter of 2
            for course in subjects_of[pupil.klass.id]:
                key = (pupil.klass.id, course.subject, course.group)
                if course.group and pupil.id not in members[key]:
                    continue
                rows.append(
                    {
                        "id": f"AT-Q{number}-{pupil.id}-{course.subject}",
                        "student": pupil.id,
                        "subject": course.subject,
                        "kind": "term",
                        "term": f"Q{number}",
                        "year": year_id,
                        "value": mark_value(rng, pupil.ability).replace("1", "2"),
                    }
                )
    return rows


def _events(today: date, classes: list[Klass]) -> list[dict[str, str]]:
    rows = [
        {
            "id": "EV-CONCERT",
            "title": "Новогодний концерт",
            "start": iso(today + timedelta(days=24)),
            "time": "17:00",
            "audience": "school",
            "place": "Актовый зал",
        },
        {
            "id": "EV-OLYMP",
            "title": "Школьный этап олимпиады по математике",
            "start": iso(today + timedelta(days=3)),
            "time": "14:30",
            "audience": "school",
            "place": "Кабинеты 201–205",
        },
        {
            "id": "EV-MOTHERS",
            "title": "Праздник ко Дню матери",
            "start": iso(today - timedelta(days=1)),
            "audience": "school",
        },
    ]
    for klass in classes:
        if klass.grade in (9, 11):
            rows.append(
                {
                    "id": f"EV-MEET-{klass.id}",
                    "title": "Родительское собрание: подготовка к ГИА",
                    "start": iso(today + timedelta(days=7)),
                    "time": "18:00",
                    "class": klass.id,
                    "audience": "class",
                    "place": f"Кабинет {klass.room}",
                }
            )
    return rows
