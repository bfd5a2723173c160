"""Classes of the demo school and the teachers who teach them (loads within limits)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from core.demo.curriculum import needs, teacher_kind

LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
MAX_LOAD = 24  # periods a week a teacher takes on
# How the classes of a school are spread over grades 1–11 (a gymnasium's usual shape).
GRADE_WEIGHTS = (3, 3, 3, 3, 3, 3, 2, 3, 2, 2, 2)
DEFAULT_CLASSES = sum(GRADE_WEIGHTS)  # 28 classes of about 25 students


@dataclass
class Klass:
    id: str
    grade: int
    letter: str
    shift: int
    room: str

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass
class Teacher:
    id: str
    kind: str
    female: bool
    load: int = 0
    classes: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Course:
    """What one teacher teaches one class (or one of its groups) of one subject."""

    klass: str
    subject: str
    group: int  # 0 for the whole class, else 1 or 2
    teacher: str
    hours: int


def _letters(count: int) -> list[str]:
    single = list(LETTERS)
    if count <= len(single):
        return single[:count]
    return single + [a + b for a in single for b in single][: count - len(single)]


def make_classes(students: int | None) -> list[Klass]:
    total = DEFAULT_CLASSES if students is None else max(11, round(students / 25))
    scale = total / DEFAULT_CLASSES
    per_grade = [max(1, round(w * scale)) for w in GRADE_WEIGHTS]
    classes, room = [], 100
    for grade, count in enumerate(per_grade, start=1):
        for index, letter in enumerate(_letters(count)):
            room += 1
            # Primary grades 2–4 study in the second shift, as in many crowded city schools.
            shift = 2 if 2 <= grade <= 4 else 1
            classes.append(Klass(f"C{grade:02d}-{index + 1}", grade, letter, shift, str(room)))
    return classes


def staff_classes(rng: random.Random, classes: list[Klass]) -> tuple[list[Teacher], list[Course]]:
    teachers: list[Teacher] = []
    courses: list[Course] = []
    by_kind: dict[str, list[Teacher]] = {}

    def hire(kind: str) -> Teacher:
        teacher = Teacher(f"T{len(teachers) + 1:04d}", kind, female=rng.random() < 0.8)
        teachers.append(teacher)
        by_kind.setdefault(kind, []).append(teacher)
        return teacher

    for klass in classes:
        own = hire("primary") if klass.grade <= 4 else None
        for need in needs(klass.grade):
            kind = teacher_kind(need.subject, klass.grade)
            taken: set[str] = set()  # the two groups of a split subject meet at the same time
            for group in range(1, need.groups + 1) if need.groups > 1 else (0,):
                if kind == "primary" and own is not None:
                    teacher = own
                else:
                    pool = [t for t in by_kind.get(kind, []) if t.id not in taken]
                    teacher = _pick(pool, klass, need.hours) or hire(kind)
                taken.add(teacher.id)
                teacher.load += need.hours
                teacher.classes.add(klass.id)
                courses.append(Course(klass.id, need.subject, group, teacher.id, need.hours))
    return teachers, courses


def _pick(candidates: list[Teacher], klass: Klass, hours: int) -> Teacher | None:
    """A teacher with room in their load: one who already teaches this class first."""
    fitting = [t for t in candidates if t.load + hours <= MAX_LOAD]
    if not fitting:
        return None
    fitting.sort(key=lambda t: (klass.id not in t.classes, -t.load))
    return fitting[0]
