"""Students in classes and their families, staff with roles: the demo school's people."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.demo.names import person
from core.demo.staffing import Klass, Teacher

PHONE_PREFIXES = ("912", "922", "932", "950", "982", "904", "908")


class Phones:
    """Unique, random-looking mobile numbers."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        body = (self.count * 7_919_033) % 10_000_000
        return f"+7{PHONE_PREFIXES[self.count % len(PHONE_PREFIXES)]}{body:07d}"


@dataclass
class Pupil:
    id: str
    klass: Klass
    last: str
    first: str
    middle: str
    female: bool
    birth: date
    ability: float  # the pupil's usual level, 2.5–5
    phone: str = ""


@dataclass
class Family:
    id: str
    children: list[Pupil] = field(default_factory=list)


def make_pupils(
    rng: random.Random, classes: list[Klass], year_start: date, students: int | None, phones: Phones
) -> tuple[list[Pupil], list[Family]]:
    per_class = 25 if students is None else max(10, round(students / len(classes)))
    seats: list[Klass] = []
    for klass in classes:
        seats += [klass] * (per_class + rng.randint(-2, 2))
    rng.shuffle(seats)
    pupils: list[Pupil] = []
    families: list[Family] = []
    while seats:
        family = Family(f"F{len(families) + 1:05d}")
        surname = person(rng, False)[0]
        size = 1 + (rng.random() < 0.10) + (rng.random() < 0.02)
        for _ in range(size):
            taken = {c.klass.id for c in family.children}
            index = next((i for i, k in enumerate(seats) if k.id not in taken), None)
            if index is None:
                break
            klass = seats.pop(index)
            female = rng.random() < 0.5
            last, first, middle = person(rng, female, surname)
            age = 6 + klass.grade
            birth = date(year_start.year - age, 1, 1) + timedelta(days=rng.randrange(300))
            pupil = Pupil(
                f"S{len(pupils) + 1:05d}",
                klass,
                last,
                first,
                middle,
                female,
                birth,
                ability=min(5.0, max(2.6, rng.gauss(4.0, 0.55))),
            )
            if klass.grade >= 7 and rng.random() < 0.6:
                pupil.phone = phones.next()
            pupils.append(pupil)
            family.children.append(pupil)
        families.append(family)
    pupils.sort(key=lambda p: (p.klass.id, p.last, p.first))
    return pupils, families


def guardian_rows(
    rng: random.Random, families: list[Family], phones: Phones
) -> list[dict[str, str]]:
    rows = []
    for family in families:
        surname_base = family.children[0].last.removesuffix("а")
        parents = [True] + ([False] if rng.random() < 0.55 else [])
        if rng.random() < 0.1:
            parents = [False]
        for index, female in enumerate(parents):
            last, first, middle = person(rng, female, surname_base)
            rows.append(
                {
                    "id": f"P{family.id[1:]}-{index + 1}",
                    "last_name": last,
                    "first_name": first,
                    "middle_name": middle,
                    "phone": phones.next(),
                    "students": ";".join(c.id for c in family.children),
                    "relation": "mother" if female else "father",
                }
            )
    return rows


def staff_rows(rng: random.Random, teachers: list[Teacher], phones: Phones) -> list[dict[str, str]]:
    """Teachers, some with a second role, and the staff who do not teach."""
    rows = []
    extra_roles: dict[str, str] = {}
    first_of: dict[str, str] = {}
    for teacher in teachers:
        first_of.setdefault(teacher.kind, teacher.id)
    extra_roles[first_of.get("informatics", teachers[0].id)] = "admin"
    extra_roles[first_of.get("math", teachers[1].id)] = "head_teacher"
    extra_roles[first_of.get("russian", teachers[2].id)] = "head_teacher"
    for teacher in teachers:
        last, first, middle = person(rng, teacher.female)
        roles = "teacher" + (f";{extra_roles[teacher.id]}" if teacher.id in extra_roles else "")
        rows.append(
            {
                "id": teacher.id,
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "phone": phones.next(),
                "roles": roles,
            }
        )
    for index, role in enumerate(("secretary", "social_pedagogue", "psychologist", "admin")):
        last, first, middle = person(rng, index != 3)
        rows.append(
            {
                "id": f"A{index + 1:03d}",
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "phone": phones.next(),
                "roles": role,
            }
        )
    return rows
