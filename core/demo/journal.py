"""The current term's journal: lessons with topics and homework, marks, attendance, changes."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from core.demo.calendar import Year, school_days
from core.demo.curriculum import TOPICS
from core.demo.people import Pupil
from core.demo.scheduler import Slot

NON_NUMERIC_SUBJECTS = {"MUS", "ART", "PE", "ORKSE"}  # where зач/осв are sometimes given


@dataclass(frozen=True, slots=True)
class Held:
    """A lesson of the journal: a timetable slot on a date, after that day's changes."""

    id: str
    day: date
    slot: Slot
    teacher: str


def iso(day: date) -> str:
    return day.isoformat()


def mark_value(rng: random.Random, ability: float) -> str:
    value = round(rng.gauss(ability, 0.7))
    return str(min(5, max(2, value)) if rng.random() > 0.004 else 1)


class JournalBuilder:
    def __init__(
        self,
        rng: random.Random,
        year: Year,
        today: date,
        slots: list[Slot],
        pupils: list[Pupil],
        grade_of: dict[str, int],
        members: dict[tuple[str, str, int], set[str]],
        group_ids: dict[tuple[str, str, int], str],
        entry_ids: dict[Slot, str],
    ) -> None:
        self.rng, self.year, self.today = rng, year, today
        self.slots, self.grade_of = slots, grade_of
        self.members, self.group_ids, self.entry_ids = members, group_ids, entry_ids
        self.by_class: dict[str, list[Pupil]] = defaultdict(list)
        for pupil in pupils:
            self.by_class[pupil.klass.id].append(pupil)
        self.tables: dict[str, list[dict[str, str]]] = defaultdict(list)

    def audience(self, slot: Slot) -> list[Pupil]:
        pupils = self.by_class[slot.klass]
        if slot.course.group == 0:
            return pupils
        ids = self.members[(slot.klass, slot.course.subject, slot.course.group)]
        return [p for p in pupils if p.id in ids]

    def build(
        self, term_start: date, end: date, changes: dict[tuple[date, Slot], dict[str, str]]
    ) -> None:
        held = self.lessons(term_start, end, changes)
        self.homework(held)
        absent = self.attendance(held)
        self.marks(held, absent)

    def lessons(
        self, start: date, end: date, changes: dict[tuple[date, Slot], dict[str, str]]
    ) -> list[Held]:
        by_weekday: dict[int, list[Slot]] = defaultdict(list)
        for slot in self.slots:
            by_weekday[slot.weekday].append(slot)
        counters: dict[tuple[str, str, int], int] = defaultdict(int)
        held: list[Held] = []
        day = start
        while day <= end:
            for slot in by_weekday.get(day.isoweekday(), []):
                if day not in school_days(self.year, day, day, self.grade_of[slot.klass]):
                    continue
                change = changes.get((day, slot))
                if change and change["kind"] in {"cancellation", "moved"}:
                    continue
                teacher = (
                    change["teacher"] if change and change.get("teacher") else slot.course.teacher
                )
                key = (slot.klass, slot.course.subject, slot.course.group)
                counters[key] += 1
                topics = TOPICS[slot.course.subject]
                number = counters[key]
                lesson = Held(f"L{day:%y%m%d}-{self.entry_ids[slot]}", day, slot, teacher)
                held.append(lesson)
                self.tables["lessons"].append(
                    {
                        "id": lesson.id,
                        "date": iso(day),
                        "period": str(slot.period),
                        "class": slot.klass,
                        "group": self.group_ids.get(key, ""),
                        "subject": slot.course.subject,
                        "teacher": teacher,
                        "room": change.get("room", slot.room) if change else slot.room,
                        "topic": f"{topics[(number - 1) % len(topics)]}. Урок {number}",
                    }
                )
            day += timedelta(days=1)
        return held

    def homework(self, held: list[Held]) -> None:
        following: dict[tuple[str, str, int], list[Held]] = defaultdict(list)
        for lesson in held:
            following[
                (lesson.slot.klass, lesson.slot.course.subject, lesson.slot.course.group)
            ].append(lesson)
        rows = {row["id"]: row for row in self.tables["lessons"]}
        for series in following.values():
            for current, nxt in pairwise(series):
                if current.slot.course.subject in {"PE", "MUS"} or current.day > self.today:
                    continue
                row = rows[current.id]
                row["homework"] = f"§ {self.rng.randint(1, 40)}, упр. {self.rng.randint(1, 300)}"
                row["homework_due"] = iso(nxt.day)
                if self.rng.random() < 0.05:
                    pupil = self.rng.choice(
                        self.audience(current.slot) or self.by_class[current.slot.klass]
                    )
                    self.tables["homework"].append(
                        {
                            "id": f"HW-{current.id}-{pupil.id}",
                            "class": current.slot.klass,
                            "group": row["group"],
                            "subject": current.slot.course.subject,
                            "teacher": current.teacher,
                            "student": pupil.id,
                            "assigned": iso(current.day),
                            "due": iso(nxt.day),
                            "text": f"Индивидуальное задание: карточка № {self.rng.randint(1, 30)}",
                            "lesson": current.id,
                        }
                    )

    def attendance(self, held: list[Held]) -> set[tuple[str, date]]:
        days = sorted({lesson.day for lesson in held if lesson.day <= self.today})
        absent: set[tuple[str, date]] = set()
        for pupils in self.by_class.values():
            for pupil in pupils:
                if days and self.rng.random() < 0.12:  # a few days ill
                    first = self.rng.randrange(len(days))
                    for day in days[first : first + self.rng.randint(2, 4)]:
                        absent.add((pupil.id, day))
                        self.tables["attendance"].append(
                            {
                                "id": f"A-{pupil.id}-{day:%y%m%d}",
                                "student": pupil.id,
                                "date": iso(day),
                                "code": "Б",
                                "comment": "справка",
                            }
                        )
        for lesson in held:
            if lesson.day > self.today:
                continue
            for pupil in self.audience(lesson.slot):
                if (pupil.id, lesson.day) in absent:
                    continue
                roll = self.rng.random()
                code = (
                    "Н" if roll < 0.004 else "У" if roll < 0.007 else "ОП" if roll < 0.010 else ""
                )
                if not code:
                    continue
                row = {
                    "id": f"A-{pupil.id}-{lesson.id}",
                    "student": pupil.id,
                    "date": iso(lesson.day),
                    "period": str(lesson.slot.period),
                    "code": code,
                    "subject": lesson.slot.course.subject,
                    "lesson": lesson.id,
                }
                if code == "ОП":
                    row["minutes_late"] = str(self.rng.randint(3, 15))
                self.tables["attendance"].append(row)
        return absent

    def marks(self, held: list[Held], absent: set[tuple[str, date]]) -> None:
        per_subject: dict[tuple[str, str, int], int] = defaultdict(int)
        for lesson in held:
            per_subject[
                (lesson.slot.klass, lesson.slot.course.subject, lesson.slot.course.group)
            ] += 1
        number = 0
        for lesson in held:
            if lesson.day > self.today or self.grade_of[lesson.slot.klass] == 1:
                continue  # first-graders get no marks
            subject = lesson.slot.course.subject
            control = subject not in NON_NUMERIC_SUBJECTS and self.rng.random() < 0.08
            chance = 1.0 if control else 0.18
            for pupil in self.audience(lesson.slot):
                if (pupil.id, lesson.day) in absent or self.rng.random() > chance:
                    continue
                number += 1
                value = mark_value(self.rng, pupil.ability)
                if subject in NON_NUMERIC_SUBJECTS and self.rng.random() < 0.1:
                    value = "зач"
                work = "TEST" if control else self.rng.choice(("ANS", "ANS", "HOME", "IND", "SELF"))
                row = {
                    "id": f"M{number:07d}",
                    "student": pupil.id,
                    "subject": subject,
                    "date": iso(lesson.day),
                    "value": value,
                    "work_type": work,
                    "teacher": lesson.teacher,
                    "lesson": lesson.id,
                }
                if value in {"2", "1"} and self.rng.random() < 0.5:
                    row["comment"] = "Не выполнено домашнее задание"
                self.tables["marks"].append(row)
