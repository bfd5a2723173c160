"""The teaching staff: one or two subjects each (primary teachers: their own class), loads capped.

Teachers are found class by class while the timetable is laid out (see `timetable`): a course
(a class's or a group's subject) goes first to a teacher of that speciality who already teaches
the class, then to one who teaches the same grade, then to the busiest who still has room; a new
teacher is hired when nobody has room.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from core.demo.calendar import OVERLAP
from core.demo.classes import Klass
from core.demo.curriculum import FEMALE_SHARE, SPECIALITY, is_primary_own, needs

PRIMARY = ("PRIMARY",)
STUDENTS_PER_TEACHER = 12
MIN_LOAD, MAX_LOAD = 16, 27  # the load cap for a subject teacher, periods a week

Time = tuple[int, int, int]  # (weekday, shift, period)


@dataclass(eq=False)  # a teacher is themself, whatever the load
class Teacher:
    id: str
    speciality: tuple[str, ...]
    female: bool
    load: int = 0
    busy: set[Time] = field(default_factory=set)
    classes: dict[str, int] = field(default_factory=dict)  # class id → periods in it
    grades: set[int] = field(default_factory=set)

    def free(self, day: int, shift: int, period: int) -> bool:
        return not any((day, s, p) in self.busy for s, p in OVERLAP[(shift, period)])

    def free_at(self, times: list[Time]) -> bool:
        return all(self.free(*time) for time in times)

    def reserve(self, klass: Klass, hours: int) -> None:
        """Take on a course of ``hours`` a week (its times are booked once laid out)."""
        self.load += hours
        self.classes[klass.id] = self.classes.get(klass.id, 0) + hours
        self.grades.add(klass.grade)

    def unreserve(self, klass: Klass, hours: int) -> None:
        self.load -= hours
        self.classes[klass.id] -= hours
        if not self.classes[klass.id]:
            del self.classes[klass.id]


def load_cap(classes: list[Klass]) -> int:
    """The subject teachers' load cap that gives about one teacher per 12 students."""
    students = sum(k.size for k in classes)
    primary = sum(1 for k in classes if k.grade <= 4)
    subject_hours = sum(
        need.hours * need.groups
        for k in classes
        for need in needs(k.grade)
        if not is_primary_own(need.subject, k.grade)
    )
    wanted = max(1, students // STUDENTS_PER_TEACHER - primary)
    return max(MIN_LOAD, min(MAX_LOAD, -(-subject_hours // wanted)))


class Staff:
    def __init__(self, rng: random.Random, cap: int) -> None:
        self.rng = rng
        self.cap = cap
        self.teachers: list[Teacher] = []
        self._open: dict[str, list[Teacher]] = {}  # subject → teachers who may take more

    def hire(self, speciality: tuple[str, ...]) -> Teacher:
        share = 0.85 if speciality == PRIMARY else FEMALE_SHARE.get(speciality[0], 0.8)
        teacher = Teacher(f"T{len(self.teachers) + 1:04d}", speciality, self.rng.random() < share)
        self.teachers.append(teacher)
        if speciality != PRIMARY:
            for subject in speciality:
                self._open.setdefault(subject, []).append(teacher)
        return teacher

    def choose(
        self,
        subject: str,
        klass: Klass,
        hours: int,
        times: list[Time] | None = None,
        exclude: tuple[Teacher, ...] = (),
    ) -> Teacher:
        """The best teacher with room for ``hours`` (free at ``times`` if given), or a new one."""
        candidates = self._open.setdefault(subject, [])
        candidates[:] = [t for t in candidates if t.load < self.cap]
        best: tuple[tuple[bool, bool, int], Teacher] | None = None
        for teacher in candidates:
            if teacher.load + hours > self.cap or teacher in exclude:
                continue
            rank = (
                klass.id not in teacher.classes,
                klass.grade not in teacher.grades,
                -teacher.load,
            )
            if (best is None or rank < best[0]) and (times is None or teacher.free_at(times)):
                best = (rank, teacher)
        return best[1] if best else self.hire(SPECIALITY[subject])

    def class_teachers(self, classes: list[Klass], own: dict[str, Teacher]) -> dict[str, str]:
        """A primary class's own teacher; else a free teacher with the most periods in the class."""
        taken = {t.id for t in own.values()}
        result = {class_id: t.id for class_id, t in own.items()}
        subject_teachers = [t for t in self.teachers if t.speciality != PRIMARY]
        for klass in classes:
            if klass.id in result:
                continue
            ranked = sorted(
                subject_teachers,
                key=lambda t: (-t.classes.get(klass.id, 0), klass.grade not in t.grades, t.id),
            )
            choice = next((t for t in ranked if t.id not in taken), ranked[0])
            taken.add(choice.id)
            result[klass.id] = choice.id
        return result
