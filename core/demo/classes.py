"""The demo school's classes: how many per grade, their size, shift and home room."""

from __future__ import annotations

import random
from dataclasses import dataclass

LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
# Classes per grade of a gymnasium of about 725 students (29 classes of about 25).
GRADE_WEIGHTS = (3, 3, 3, 3, 3, 3, 2, 3, 2, 2, 2)
CLASS_SIZE = 25
MIN_CLASS_SIZE = 2


@dataclass(frozen=True, slots=True)
class Klass:
    id: str
    grade: int
    letter: str
    shift: int
    room: str
    size: int

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


def letters(count: int) -> list[str]:
    """А, Б, В, … then АА, АБ, … for a school with more classes in a grade than letters."""
    single = list(LETTERS)
    if count <= len(single):
        return single[:count]
    return single + [a + b for a in single for b in single][: count - len(single)]


def _spread(total: int, weights: tuple[int, ...]) -> list[int]:
    """``total`` classes over grades in proportion to ``weights``, at least one each."""
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: -(weights[i] * scale - counts[i]))
    for index in by_remainder[: max(0, total - sum(counts))]:
        counts[index] += 1
    return counts


def make_classes(rng: random.Random, students: int | None) -> list[Klass]:
    """Classes of grades 1–11; with ``students``, as many as make classes of about 25."""
    if students is None:
        per_grade = list(GRADE_WEIGHTS)
        sizes = [CLASS_SIZE + rng.randint(-2, 2) for _ in range(sum(per_grade))]
    else:
        students = max(students, MIN_CLASS_SIZE * len(GRADE_WEIGHTS))
        total = max(len(GRADE_WEIGHTS), round(students / CLASS_SIZE))
        per_grade = _spread(total, GRADE_WEIGHTS)
        total = sum(per_grade)
        sizes = [students // total + (1 if i < students % total else 0) for i in range(total)]
        for i in range(0, total - 1, 2):  # a little variety, keeping the sum
            shift = min(rng.randint(0, 2), sizes[i + 1] - MIN_CLASS_SIZE)
            sizes[i] += shift
            sizes[i + 1] -= shift
    classes: list[Klass] = []
    rooms = {1: 0, 2: 0, 3: 0}
    for grade, count in enumerate(per_grade, start=1):
        for index, letter in enumerate(letters(count)):
            # Grades 2–4 and the last third of grade 6 study in the second shift (СанПиН keeps
            # grades 1, 5, 9, 10 and 11 in the first).
            shift = 2 if 2 <= grade <= 4 or (grade == 6 and index >= count - count // 3) else 1
            floor = 1 if grade <= 4 else 2 if grade <= 8 else 3
            rooms[floor] += 1
            number = rooms[floor]
            room = f"{floor}{number:02d}" if number < 100 else f"{floor}{number:03d}"
            classes.append(
                Klass(f"C{grade:02d}-{index + 1}", grade, letter, shift, room, sizes[len(classes)])
            )
    return classes
