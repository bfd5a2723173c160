"""The weekly timetable, clash-free by actual bell times: no teacher, room or class in two places.

Class by class (senior grades first): teachers are chosen for the class's subjects (see
`staffing`), then its week is laid out period by period, day by day — every subject's weekly
hours, periods contiguous from 1, a subject on as many different days as it can and twice a day
only as a double lesson, demanding subjects at periods 2–4, PE not first — where the teachers
are free (across shifts, by the bells' times) and a special room (gym, computer lab, language
room) is left. The best of a few random tries wins; a lesson that still does not fit goes at the
end of the shortest day, its course handed to a teacher free then (or a new one). Rooms are given
out last.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from core.demo.calendar import OVERLAP, periods_in
from core.demo.classes import Klass
from core.demo.curriculum import HOURS, MAX_PERIODS, SPECIAL_ROOMS, SPLIT_FROM, is_primary_own
from core.demo.staffing import PRIMARY, Staff, Teacher, Time, load_cap

DAYS = (1, 2, 3, 4, 5)
ATTEMPTS = 12
# Subjects that tire most (after the СанПиН difficulty scale): best at periods 2–4.
DEMANDING = frozenset({"MATH", "ALG", "GEOM", "PHYS", "CHEM", "RUS", "ENG", "INF", "STAT"})
LIGHT = frozenset({"MUS", "ART", "TECH", "PE", "ORKSE"})

Week = dict[int, list[str]]  # weekday → subjects by period (period 1 first)


@dataclass(frozen=True, slots=True)
class Course:
    """What one teacher teaches one class (or one of its two groups) of one subject."""

    klass: str
    subject: str
    group: int  # 0 for the whole class, else 1 or 2
    teacher: str
    hours: int


@dataclass(frozen=True, slots=True)
class Slot:
    """One entry of the weekly timetable."""

    id: str
    klass: Klass
    weekday: int
    period: int
    course: Course
    room: str

    @property
    def time(self) -> Time:
        return (self.weekday, self.klass.shift, self.period)


@dataclass
class Timetable:
    slots: list[Slot]
    courses: dict[tuple[str, str, int], Course]  # (class, subject, group) → course
    teachers: list[Teacher]
    class_teacher: dict[str, str]  # class id → teacher id


def groups_of(klass: Klass, subject: str) -> tuple[int, ...]:
    return (1, 2) if klass.grade >= SPLIT_FROM.get(subject, 99) else (0,)


def max_periods(klass: Klass) -> int:
    return min(MAX_PERIODS[klass.grade], periods_in(klass.shift))


def rooms_needed(klass: Klass, subject: str) -> tuple[str, int] | None:
    """The kind of special room a lesson needs, and how many of them."""
    if subject not in SPECIAL_ROOMS:
        return None
    groups = len(groups_of(klass, subject))
    if subject == "ENG":
        return (subject, 1) if groups == 2 else None  # one group stays in the class's room
    return subject, groups


def room_pools(classes: list[Klass]) -> dict[str, int]:
    """How many rooms of each special kind the school has for its weekly hours."""
    hours: Counter[str] = Counter()
    for klass in classes:
        for subject, count in HOURS[klass.grade].items():
            need = rooms_needed(klass, subject)
            if need:
                hours[need[0]] += count * need[1]
    return {kind: -(-hours[kind] // per_room) + 1 for kind, (_, per_room) in SPECIAL_ROOMS.items()}


class Demand:
    """How many special rooms of each kind are taken at each time, across shifts."""

    def __init__(self, pools: dict[str, int]) -> None:
        self.pools = pools
        self.used: Counter[tuple[str, int, int, int]] = Counter()

    def fits(
        self, kind: str, count: int, time: Time, extra: Counter[tuple[str, int, int, int]]
    ) -> bool:
        day, shift, period = time
        taken = max(
            self.used[(kind, day, s, p)] + extra[(kind, day, s, p)]
            for s, p in OVERLAP[(shift, period)]
        )
        return taken + count <= self.pools[kind]


class _Attempt:
    """One try at a class's week, given its teachers."""

    def __init__(
        self,
        rng: random.Random,
        klass: Klass,
        teachers: dict[str, list[Teacher]],
        demand: Demand,
    ) -> None:
        self.rng, self.klass, self.teachers, self.demand = rng, klass, teachers, demand
        self.hours = HOURS[klass.grade]
        self.remaining = dict(self.hours)
        self.week: Week = {d: [] for d in DAYS}
        self.local: Counter[tuple[str, int, int, int]] = Counter()

    @property
    def missing(self) -> int:
        return sum(self.remaining.values())

    @property
    def score(self) -> int:
        """Lower is better: every lesson placed, then days of even length."""
        lengths = [len(self.week[d]) for d in DAYS]
        return self.missing * 100 + max(lengths) - min(lengths)

    def fits(self, subject: str, day: int, period: int) -> bool:
        shift = self.klass.shift
        if not all(t.free(day, shift, period) for t in self.teachers[subject]):
            return False
        need = rooms_needed(self.klass, subject)
        return need is None or self.demand.fits(need[0], need[1], (day, shift, period), self.local)

    def put(self, subject: str, day: int) -> None:
        self.week[day].append(subject)
        self.remaining[subject] -= 1
        need = rooms_needed(self.klass, subject)
        if need:
            self.local[(need[0], day, self.klass.shift, len(self.week[day]))] += need[1]

    def run(self) -> None:
        total = sum(self.hours.values())
        lengths = [total // 5 + (1 if i < total % 5 else 0) for i in range(5)]
        self.rng.shuffle(lengths)
        for index, day in enumerate(DAYS):
            days_left = len(DAYS) - index
            for period in range(1, lengths[index] + 1):
                subject = self._pick(day, period, days_left)
                if subject is None:
                    break
                self.put(subject, day)
        limit = max_periods(self.klass)
        for subject in sorted(self.remaining, key=lambda s: -self.remaining[s]):
            while self.remaining[subject]:
                fitting = next(
                    (
                        d
                        for d in sorted(DAYS, key=lambda d: (len(self.week[d]), d))
                        if len(self.week[d]) < limit
                        and self.week[d].count(subject) < 2
                        and self.fits(subject, d, len(self.week[d]) + 1)
                    ),
                    None,
                )
                if fitting is None:
                    break
                self.put(subject, fitting)

    def _pick(self, day: int, period: int, days_left: int) -> str | None:
        today = self.week[day]
        best: tuple[float, str] | None = None
        for subject, left in self.remaining.items():
            if not left:
                continue
            count = today.count(subject)
            if count >= 2 or (count == 1 and today[-1] != subject):
                continue  # twice a day only as a double lesson
            cost = self.rng.random() * 1.5 - left * 0.4
            if count:
                cost += 0 if left > days_left else 6
            elif left >= days_left:
                cost -= 4  # must be on every remaining day
            if subject in DEMANDING and not 2 <= period <= 4:
                cost += 2
            if subject in LIGHT and period <= 2:
                cost += 4 if subject == "PE" and period == 1 else 1.5
            if (best is None or cost < best[0]) and self.fits(subject, day, period):
                best = (cost, subject)
        return best[1] if best else None


def course_times(week: Week, subject: str, shift: int) -> list[Time]:
    return [
        (day, shift, period)
        for day, subjects in week.items()
        for period, name in enumerate(subjects, start=1)
        if name == subject
    ]


def plan(rng: random.Random, classes: list[Klass]) -> Timetable:
    staff = Staff(rng, load_cap(classes))
    pools = room_pools(classes)
    demand = Demand(pools)
    own: dict[str, Teacher] = {}
    week_of: dict[str, Week] = {}
    courses: dict[tuple[str, str, int], Course] = {}
    for klass in sorted(classes, key=lambda k: -k.grade):
        teachers: dict[str, list[Teacher]] = {}
        if klass.grade <= 4:
            own[klass.id] = staff.hire(PRIMARY)
        for subject, hours in HOURS[klass.grade].items():
            chosen: list[Teacher] = []
            for _group in groups_of(klass, subject):
                if is_primary_own(subject, klass.grade):
                    teacher = own[klass.id]
                else:
                    teacher = staff.choose(subject, klass, hours, exclude=tuple(chosen))
                teacher.reserve(klass, hours)
                chosen.append(teacher)
            teachers[subject] = chosen
        best = _Attempt(rng, klass, teachers, demand)
        best.run()
        for _ in range(ATTEMPTS - 1):
            if best.score <= 1:
                break
            attempt = _Attempt(rng, klass, teachers, demand)
            attempt.run()
            if attempt.score < best.score:
                best = attempt
        if best.missing:
            _rescue(staff, klass, best)
        week_of[klass.id] = best.week
        demand.used.update(best.local)
        for subject, chosen in teachers.items():
            times = course_times(best.week, subject, klass.shift)
            for group, teacher in zip(groups_of(klass, subject), chosen, strict=True):
                teacher.busy.update(times)
                courses[(klass.id, subject, group)] = Course(
                    klass.id, subject, group, teacher.id, len(times)
                )
    ordered = {k.id: week_of[k.id] for k in classes}
    return Timetable(
        _rooms(classes, ordered, courses, pools),
        courses,
        staff.teachers,
        staff.class_teachers(classes, own),
    )


def _rescue(staff: Staff, klass: Klass, attempt: _Attempt) -> None:
    """Place what is left at the ends of the shortest days, with teachers free then."""
    limit = max_periods(klass)
    for subject in sorted(s for s, left in attempt.remaining.items() if left):
        while attempt.remaining[subject]:
            day = min(
                (d for d in DAYS if len(attempt.week[d]) < limit),
                key=lambda d: (attempt.week[d].count(subject) >= 2, len(attempt.week[d]), d),
            )
            period = len(attempt.week[day]) + 1
            times = [*course_times(attempt.week, subject, klass.shift), (day, klass.shift, period)]
            hours = attempt.hours[subject]
            chosen = attempt.teachers[subject]
            for index, teacher in enumerate(chosen):
                if not teacher.free(day, klass.shift, period):
                    teacher.unreserve(klass, hours)
                    chosen[index] = staff.choose(subject, klass, hours, times, tuple(chosen))
                    chosen[index].reserve(klass, hours)
            attempt.put(subject, day)


def _rooms(
    classes: list[Klass],
    week_of: dict[str, Week],
    courses: dict[tuple[str, str, int], Course],
    pools: dict[str, int],
) -> list[Slot]:
    """The timetable's entries with rooms: home rooms, and special rooms free at the time."""
    taken: dict[str, set[Time]] = defaultdict(set)
    names = {
        kind: [f"{name} {n}" for n in range(1, pools[kind] + 1)]
        for kind, (name, _) in SPECIAL_ROOMS.items()
    }
    slots: list[Slot] = []
    for klass in classes:
        for day in DAYS:
            for period, subject in enumerate(week_of[klass.id][day], start=1):
                time = (day, klass.shift, period)
                for group in groups_of(klass, subject):
                    room = klass.room
                    if subject in SPECIAL_ROOMS and not (subject == "ENG" and group <= 1):
                        room = _free_room(names[subject], SPECIAL_ROOMS[subject][0], taken, time)
                    taken[room].add(time)
                    course = courses[(klass.id, subject, group)]
                    slots.append(Slot(f"TT{len(slots) + 1:05d}", klass, day, period, course, room))
    return slots


def _free_room(pool: list[str], name: str, taken: dict[str, set[Time]], time: Time) -> str:
    day, shift, period = time
    for room in pool:
        if not any((day, s, p) in taken[room] for s, p in OVERLAP[(shift, period)]):
            return room
    pool.append(f"{name} {len(pool) + 1}")  # one more room of the kind
    return pool[-1]
