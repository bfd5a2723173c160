"""A clash-free weekly timetable: no teacher and no room in two places at overlapping times.

Greedy, class by class, day by day, period by period: each period takes the first lesson still
to place whose teachers and rooms are free then, preferring subjects not yet on that day. The two
groups of a split subject meet at the same time, each with its own teacher and room.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from core.demo.calendar import bells, overlapping
from core.demo.curriculum import MAX_PERIODS
from core.demo.staffing import Course, Klass

DAYS = (1, 2, 3, 4, 5)
ATTEMPTS = 40
SPECIAL_ROOMS = {
    "PE": "Спортзал",
    "INF": "Кабинет информатики",
    "ENG": "Кабинет иностранного языка",
}


@dataclass(frozen=True, slots=True)
class Slot:
    klass: str
    weekday: int
    period: int
    course: Course
    room: str


class Busy:
    def __init__(self) -> None:
        self._taken: set[tuple[str, int, int, int]] = set()
        self._overlap = overlapping(bells())
        self.journal: list[tuple[str, int, int, int]] = []

    def free(self, who: str, day: int, shift: int, period: int) -> bool:
        return all((who, day, s, p) not in self._taken for s, p in self._overlap[(shift, period)])

    def take(self, who: str, day: int, shift: int, period: int) -> None:
        self._taken.add((who, day, shift, period))
        self.journal.append((who, day, shift, period))

    def mark(self) -> int:
        return len(self.journal)

    def undo_to(self, mark: int) -> None:
        while len(self.journal) > mark:
            self._taken.discard(self.journal.pop())


def schedule(
    rng: random.Random, classes: list[Klass], courses: list[Course]
) -> tuple[list[Slot], int]:
    """The week's slots, and how many lessons could not be placed (0 in a good run)."""
    by_class: dict[str, dict[str, list[Course]]] = defaultdict(dict)
    for course in courses:
        by_class[course.klass].setdefault(course.subject, []).append(course)
    pools = _room_pools(classes, courses)
    busy = Busy()
    slots: list[Slot] = []
    unplaced = 0
    for klass in sorted(classes, key=lambda k: (-k.grade, k.id)):
        best: tuple[int, list[Slot]] | None = None
        for _attempt in range(ATTEMPTS):
            mark, start = busy.mark(), len(slots)
            missing = _schedule_class(rng, klass, by_class[klass.id], pools, busy, slots)
            if best is None or missing < best[0]:
                best = (missing, slots[start:])
            if missing == 0:
                break
            busy.undo_to(mark)
            del slots[start:]
        if best is not None and best[0]:
            for slot in best[1]:  # replay the best attempt
                busy.take(klass.id, slot.weekday, klass.shift, slot.period)
                busy.take(slot.course.teacher, slot.weekday, klass.shift, slot.period)
                busy.take("room:" + slot.room, slot.weekday, klass.shift, slot.period)
            slots.extend(best[1])
        unplaced += best[0] if best else 0
    return slots, unplaced


def _schedule_class(
    rng: random.Random,
    klass: Klass,
    subjects: dict[str, list[Course]],
    pools: dict[str, list[str]],
    busy: Busy,
    slots: list[Slot],
) -> int:
    start = len(slots)
    remaining = {s: cs[0].hours for s, cs in subjects.items()}
    total = sum(remaining.values())
    lengths = [total // 5 + (1 if i < total % 5 else 0) for i in range(5)]
    rng.shuffle(lengths)
    order = list(remaining)
    rng.shuffle(order)
    for day, length in zip(DAYS, lengths, strict=True):
        today: list[str] = []
        for period in range(1, length + 1):
            if not _place(
                klass, day, period, order, remaining, today, subjects, pools, busy, slots
            ):
                break
    missing = 0
    for subject in order:  # whatever did not fit goes at the end of the shortest days
        while remaining[subject]:
            if not _append(klass, subject, subjects, pools, busy, slots, start):
                missing += remaining[subject]
                break
            remaining[subject] -= 1
    return missing


def _rooms_for(klass: Klass, course: Course, pools: dict[str, list[str]]) -> list[str]:
    pool = pools.get(course.subject)
    if pool is None:
        return [klass.room]
    if course.subject == "ENG" and course.group == 1:
        return [klass.room]  # one group stays in its own room
    return pool


def _try(
    klass: Klass,
    day: int,
    period: int,
    courses: list[Course],
    pools: dict[str, list[str]],
    busy: Busy,
) -> list[str] | None:
    if not busy.free(klass.id, day, klass.shift, period):
        return None
    rooms: list[str] = []
    for course in courses:
        if not busy.free(course.teacher, day, klass.shift, period):
            return None
        room = next(
            (
                r
                for r in _rooms_for(klass, course, pools)
                if r not in rooms and busy.free("room:" + r, day, klass.shift, period)
            ),
            None,
        )
        if room is None:
            return None
        rooms.append(room)
    return rooms


def _commit(
    klass: Klass,
    day: int,
    period: int,
    courses: list[Course],
    rooms: list[str],
    busy: Busy,
    slots: list[Slot],
) -> None:
    busy.take(klass.id, day, klass.shift, period)
    for course, room in zip(courses, rooms, strict=True):
        busy.take(course.teacher, day, klass.shift, period)
        busy.take("room:" + room, day, klass.shift, period)
        slots.append(Slot(klass.id, day, period, course, room))


def _place(
    klass: Klass,
    day: int,
    period: int,
    order: list[str],
    remaining: dict[str, int],
    today: list[str],
    subjects: dict[str, list[Course]],
    pools: dict[str, list[str]],
    busy: Busy,
    slots: list[Slot],
) -> bool:
    candidates = sorted(
        (s for s in order if remaining[s]),
        key=lambda s: (today.count(s), -remaining[s]),
    )
    for subject in candidates:
        if today.count(subject) >= 2:
            continue
        rooms = _try(klass, day, period, subjects[subject], pools, busy)
        if rooms is not None:
            _commit(klass, day, period, subjects[subject], rooms, busy, slots)
            remaining[subject] -= 1
            today.append(subject)
            order.append(order.pop(order.index(subject)))  # rotate, so days differ
            return True
    return False


def _append(
    klass: Klass,
    subject: str,
    subjects: dict[str, list[Course]],
    pools: dict[str, list[str]],
    busy: Busy,
    slots: list[Slot],
    start: int,
) -> bool:
    lengths = {
        d: sum(1 for s in slots[start:] if s.weekday == d and s.course.group <= 1) for d in DAYS
    }
    for day in sorted(DAYS, key=lambda d: lengths[d]):
        period = lengths[day] + 1
        if period > MAX_PERIODS[klass.grade]:
            continue
        rooms = _try(klass, day, period, subjects[subject], pools, busy)
        if rooms is not None:
            _commit(klass, day, period, subjects[subject], rooms, busy, slots)
            return True
    return False


def _room_pools(classes: list[Klass], courses: list[Course]) -> dict[str, list[str]]:
    """Special rooms, enough of each for the school's weekly hours in them."""
    hours: dict[str, int] = defaultdict(int)
    for course in courses:
        if course.subject in SPECIAL_ROOMS:
            hours[course.subject] += course.hours
    pools = {}
    for subject, name in SPECIAL_ROOMS.items():
        count = max(2, -(-hours[subject] // 20) + 1)
        pools[subject] = [f"{name} {i}" for i in range(1, count + 1)]
    return pools
