"""Timetable changes for today and the next school day, as a head teacher would post them.

Each day one subject teacher is ill (the same one both days when they teach on both): their
lessons go to free colleagues of the same subject, and their last lesson is cancelled. One other
lesson moves to another room, one class's first lesson moves to after its last, and a
graduating class gets an extra consultation before its exams.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from core.demo.calendar import OVERLAP, Year
from core.demo.classes import Klass
from core.demo.curriculum import SPECIAL_ROOMS
from core.demo.staffing import PRIMARY, Teacher, Time
from core.demo.timetable import Slot, Timetable, max_periods

HALLS = ("Актовый зал", "Библиотека")  # rooms no lesson is timetabled in
CONSULTATION = {9: ("RUS", "Консультация к ОГЭ"), 11: ("RUS", "Консультация к ЕГЭ")}


@dataclass(frozen=True, slots=True)
class Change:
    day: date
    kind: str
    klass: Klass
    period: int
    slot: Slot | None  # the timetable entry it changes (None for an extra lesson)
    teacher: str  # who teaches the lesson now ("" when cancelled)
    room: str
    moved_to: int | None  # the new period of a moved lesson
    subject: str
    row: dict[str, str]


def change_days(year: Year, today: date) -> list[date]:
    """Today (if a school day) and the next school day, within the year."""
    days = [today] if year.is_school_day(today, 5) else []
    following = year.next_school_day(today)
    return days + ([following] if following else [])


class _Day:
    """Who is where on one day, while changes are made."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = sorted(slots, key=lambda s: (s.klass.id, s.period, s.course.group))
        self.busy: set[tuple[str, Time]] = {(s.course.teacher, s.time) for s in slots}
        self.last: dict[str, int] = defaultdict(int)
        for slot in slots:
            self.last[slot.klass.id] = max(self.last[slot.klass.id], slot.period)
        self.changed: set[str] = set()  # slot ids
        self.classes: set[str] = set()  # classes given a moved or extra lesson
        self.absent = ""  # the teacher who is ill

    def free(self, teacher: str, time: Time) -> bool:
        day, shift, period = time
        return not any((teacher, (day, s, p)) in self.busy for s, p in OVERLAP[(shift, period)])


def plan_changes(
    rng: random.Random,
    year: Year,
    today: date,
    timetable: Timetable,
    group_ids: dict[tuple[str, str, int], str],
) -> list[Change]:
    teachers = {t.id: t for t in timetable.teachers}
    changes: list[Change] = []
    ill: Teacher | None = None
    for day in change_days(year, today):
        slots = [
            s
            for s in timetable.slots
            if s.weekday == day.isoweekday() and year.is_school_day(day, s.klass.grade)
        ]
        state = _Day(slots)
        by_teacher: dict[str, list[Slot]] = defaultdict(list)
        for slot in state.slots:
            by_teacher[slot.course.teacher].append(slot)
        if ill is None or len(by_teacher.get(ill.id, [])) < 2:
            candidates = [
                teachers[t]
                for t, taught in sorted(by_teacher.items())
                if len(taught) >= 3 and teachers[t].speciality != PRIMARY
            ]
            ill = rng.choice(candidates) if candidates else None
        if ill is not None:
            state.absent = ill.id
            changes += _absence(day, ill, by_teacher[ill.id], teachers, state, group_ids)
        changes += _room_change(rng, day, state)
        changes += _moved(rng, day, state)
        changes += _extra(rng, day, state, timetable)
    return changes


def _row(
    day: date, slot: Slot, kind: str, group_ids: dict[tuple[str, str, int], str]
) -> dict[str, str]:
    course = slot.course
    row = {
        "id": f"CH{day:%y%m%d}-{slot.id}",
        "date": day.isoformat(),
        "period": str(slot.period),
        "class": slot.klass.id,
        "kind": kind,
        "subject": course.subject,
    }
    group = group_ids.get((slot.klass.id, course.subject, course.group))
    return row | {"group": group} if group else row


def _absence(
    day: date,
    ill: Teacher,
    taught: list[Slot],
    teachers: dict[str, Teacher],
    state: _Day,
    group_ids: dict[tuple[str, str, int], str],
) -> list[Change]:
    result: list[Change] = []
    ordered = sorted(taught, key=lambda s: (s.klass.shift, s.period))
    for index, slot in enumerate(ordered):
        state.changed.add(slot.id)
        row = _row(day, slot, "cancellation", group_ids)
        row |= {"absent_teacher": ill.id, "reason": "Больничный лист"}
        substitute = None
        if index < len(ordered) - 1:  # the day's last lesson is cancelled
            substitute = _substitute(slot, ill, teachers, state)
        if substitute is None:
            row["note"] = "Урок отменён"
            result.append(
                Change(
                    day,
                    "cancellation",
                    slot.klass,
                    slot.period,
                    slot,
                    "",
                    "",
                    None,
                    slot.course.subject,
                    row,
                )
            )
            continue
        state.busy.add((substitute.id, slot.time))
        row |= {"kind": "substitution", "teacher": substitute.id}
        result.append(
            Change(
                day,
                "substitution",
                slot.klass,
                slot.period,
                slot,
                substitute.id,
                slot.room,
                None,
                slot.course.subject,
                row,
            )
        )
    return result


def _substitute(
    slot: Slot, ill: Teacher, teachers: dict[str, Teacher], state: _Day
) -> Teacher | None:
    """A free colleague of the same subject, else any free subject teacher (one of the class's
    own first), the least loaded."""
    free = [
        t
        for t in teachers.values()
        if t.speciality != PRIMARY and t.id != ill.id and state.free(t.id, slot.time)
    ]
    if not free:
        return None
    return min(
        free,
        key=lambda t: (
            slot.course.subject not in t.speciality,
            slot.klass.id not in t.classes,
            t.load,
            t.id,
        ),
    )


def _plain(state: _Day, rng: random.Random) -> list[Slot]:
    """Whole-class lessons in the class's own room that no change touches yet."""
    slots = [
        s
        for s in state.slots
        if s.course.group == 0
        and s.room == s.klass.room
        and s.course.subject not in SPECIAL_ROOMS
        and s.id not in state.changed
        and s.klass.id not in state.classes
    ]
    rng.shuffle(slots)
    return slots


def _room_change(rng: random.Random, day: date, state: _Day) -> list[Change]:
    for slot in _plain(state, rng):
        room = HALLS[day.toordinal() % len(HALLS)]
        state.changed.add(slot.id)
        row = _row(day, slot, "room_change", {})
        row |= {"room": room, "reason": f"Ремонт в кабинете {slot.room}"}
        return [
            Change(
                day,
                "room_change",
                slot.klass,
                slot.period,
                slot,
                slot.course.teacher,
                room,
                None,
                slot.course.subject,
                row,
            )
        ]
    return []


def _moved(rng: random.Random, day: date, state: _Day) -> list[Change]:
    """A class's first lesson moves to after its last (the teacher is away in the morning)."""
    for slot in _plain(state, rng):
        later = state.last[slot.klass.id] + 1
        time = (slot.weekday, slot.klass.shift, later)
        if slot.period != 1 or later > max_periods(slot.klass):
            continue
        if slot.course.teacher == state.absent or not state.free(slot.course.teacher, time):
            continue
        state.changed.add(slot.id)
        state.classes.add(slot.klass.id)
        state.busy.add((slot.course.teacher, time))
        state.last[slot.klass.id] = later
        row = _row(day, slot, "moved", {})
        row |= {
            "moved_to_date": day.isoformat(),
            "moved_to_period": str(later),
            "reason": "Учитель на курсах повышения квалификации до обеда",
        }
        return [
            Change(
                day,
                "moved",
                slot.klass,
                slot.period,
                slot,
                slot.course.teacher,
                slot.room,
                later,
                slot.course.subject,
                row,
            )
        ]
    return []


def _extra(rng: random.Random, day: date, state: _Day, timetable: Timetable) -> list[Change]:
    """A consultation before the state exams for a class of grade 9 or 11."""
    classes = sorted(
        {s.klass for s in state.slots if s.klass.grade in CONSULTATION},
        key=lambda k: k.id,
    )
    rng.shuffle(classes)
    for klass in classes:
        if klass.id in state.classes:
            continue
        subject, note = CONSULTATION[klass.grade]
        teacher = timetable.courses[(klass.id, subject, 0)].teacher
        period = state.last[klass.id] + 1
        time = (day.isoweekday(), klass.shift, period)
        if teacher == state.absent or period > max_periods(klass) or not state.free(teacher, time):
            continue
        state.classes.add(klass.id)
        state.busy.add((teacher, time))
        state.last[klass.id] = period
        row = {
            "id": f"CH{day:%y%m%d}-{klass.id}-{period}",
            "date": day.isoformat(),
            "period": str(period),
            "class": klass.id,
            "kind": "extra",
            "subject": subject,
            "teacher": teacher,
            "room": klass.room,
            "note": note,
        }
        return [Change(day, "extra", klass, period, None, teacher, klass.room, None, subject, row)]
    return []
