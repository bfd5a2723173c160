"""The demo school's people: students and their families, guardians, staff with their roles."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.demo.calendar import Year
from core.demo.classes import Klass
from core.demo.names import MEN, SURNAMES, adult, child, latin, patronymic, surname
from core.demo.staffing import Teacher

# Mobile codes of the operators in Khanty-Mansi Okrug and around.
PHONE_PREFIXES = ("902", "904", "908", "912", "922", "932", "950", "982")
FAMILY_MAIL = "mail.example"
SCHOOL_MAIL = "gym6.example"


class Contacts:
    """Unique mobile numbers (E.164) and e-mail addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def phone(self) -> str:
        while True:
            number = f"+7{self.rng.choice(PHONE_PREFIXES)}{self.rng.randrange(10**7):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, local: str, domain: str) -> str:
        address, n = f"{local}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address


@dataclass
class Pupil:
    id: str
    klass: Klass
    last: str
    first: str
    middle: str
    female: bool
    birth: date
    ability: float  # the usual level of the pupil's marks, 2.6–5
    enrolled: date
    phone: str = ""
    pe_exempt: bool = False  # a medical certificate: physical education marked осв


@dataclass
class Family:
    surname: str  # masculine form
    father: str  # the father's first name, the children's patronymic
    children: list[Pupil] = field(default_factory=list)


def _take_seat(seats: list[Klass], grades: set[int], classes: set[str]) -> Klass | None:
    """A free seat, for a sibling in another class (of another grade when one is near)."""
    fallback = None
    for index in range(len(seats) - 1, max(-1, len(seats) - 400), -1):
        klass = seats[index]
        if klass.id in classes:
            continue
        if klass.grade not in grades:
            fallback = index
            break
        if fallback is None:
            fallback = index
    if fallback is None:
        return None
    seats[fallback], seats[-1] = seats[-1], seats[fallback]
    return seats.pop()


def make_pupils(
    rng: random.Random, classes: list[Klass], year: Year, contacts: Contacts
) -> tuple[list[Pupil], list[Family]]:
    """Every seat of every class filled; about one family in ten has two or three children."""
    seats = [klass for klass in classes for _ in range(klass.size)]
    rng.shuffle(seats)
    start = year.span.start
    pupils: list[Pupil] = []
    families: list[Family] = []
    while seats:
        family = Family(rng.choice(SURNAMES), rng.choice(MEN))
        size = 1 + (rng.random() < 0.09) + (rng.random() < 0.015)
        for _ in range(size):
            klass = _take_seat(
                seats,
                {c.klass.grade for c in family.children},
                {c.klass.id for c in family.children},
            )
            if klass is None:
                break
            female = rng.random() < 0.5
            last, first, middle = child(rng, female, family.surname, family.father)
            birth = date(start.year - 6 - klass.grade, 3, 1) + timedelta(days=rng.randrange(366))
            enrolled = date(start.year - klass.grade + 1, 9, 1)
            if klass.grade > 1 and rng.random() < 0.08:  # came from another school since
                enrolled += timedelta(days=rng.randrange((start - enrolled).days))
            pupil = Pupil(
                id="",
                klass=klass,
                last=last,
                first=first,
                middle=middle,
                female=female,
                birth=birth,
                ability=min(5.0, max(2.6, rng.gauss(4.0, 0.55))),
                enrolled=enrolled,
                pe_exempt=rng.random() < 0.02,
            )
            if klass.grade >= 7 and rng.random() < 0.6:
                pupil.phone = contacts.phone()
            family.children.append(pupil)
            pupils.append(pupil)
        families.append(family)
    pupils.sort(key=lambda p: (p.klass.grade, p.klass.letter, p.last, p.first, p.middle))
    for number, pupil in enumerate(pupils, start=1):
        pupil.id = f"S{number:05d}"
    return pupils, families


def guardian_rows(
    rng: random.Random, families: list[Family], contacts: Contacts
) -> list[dict[str, str]]:
    """One or two guardians per family; a family's guardians are linked to all its children."""
    rows: list[dict[str, str]] = []
    for family in families:
        children = ";".join(c.id for c in sorted(family.children, key=lambda c: c.id))
        roll = rng.random()
        if roll < 0.60:
            relations = ["mother", "father"]
        elif roll < 0.88:
            relations = ["mother"]
        elif roll < 0.93:
            relations = ["father"]
        elif roll < 0.97:
            relations = ["mother", "other"]  # and a grandmother who collects the children
        else:
            relations = ["guardian"]  # a grandmother as the legal guardian
        for relation in relations:
            if relation == "father":
                last, first = surname(family.surname, False), family.father
                middle = patronymic(rng.choice(MEN), False)
            elif relation == "mother":
                name = family.surname if rng.random() < 0.9 else rng.choice(SURNAMES)
                last, first, middle = adult(rng, True, name)
            else:
                last, first, middle = adult(rng, True, family.surname)
            row = {
                "id": f"P{len(rows) + 1:05d}",
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "phone": contacts.phone(),
                "students": children,
                "relation": relation,
            }
            if rng.random() < 0.35:
                local = f"{latin(first)}.{latin(last)}{rng.randint(75, 95)}"
                row["email"] = contacts.email(local, FAMILY_MAIL)
            rows.append(row)
    return rows


def _initials(first: str, middle: str) -> str:
    return latin(first[0] + middle[0])


def staff_rows(
    rng: random.Random,
    teachers: list[Teacher],
    class_teacher: dict[str, str],
    students: int,
    year: Year,
    contacts: Contacts,
) -> list[dict[str, str]]:
    """Teachers (a few also head teacher or admin) and the staff who do not teach."""
    leading = set(class_teacher.values())
    extra: dict[str, str] = {}
    heads = 2 + students // 1500
    for speciality, role, count in (
        (("ALG", "GEOM"), "head_teacher", (heads + 1) // 2),
        (("RUS", "LIT"), "head_teacher", heads // 2),
        (("INF",), "admin", 1),
    ):
        pool = [t for t in teachers if t.speciality == speciality and t.id not in extra]
        pool.sort(key=lambda t: (t.id in leading, t.id))  # not a class teacher, if possible
        for teacher in pool[:count]:
            extra[teacher.id] = role
    start = year.span.start
    rows: list[dict[str, str]] = []

    def person(staff_id: str, female: bool, roles: str, years: int) -> None:
        last, first, middle = adult(rng, female)
        row = {
            "id": staff_id,
            "last_name": last,
            "first_name": first,
            "middle_name": middle,
            "phone": contacts.phone(),
            "roles": roles,
            "hired": (
                date(start.year - years, 8, 20) + timedelta(days=rng.randrange(12))
            ).isoformat(),
        }
        if rng.random() < 0.8:
            row["email"] = contacts.email(f"{latin(last)}.{_initials(first, middle)}", SCHOOL_MAIL)
        rows.append(row)

    for teacher in teachers:
        roles = ";".join(sorted({"teacher", extra.get(teacher.id, "teacher")}))
        years = min(35, int(rng.expovariate(1 / 9)))
        person(teacher.id, teacher.female, roles, years)
    others = (
        ["admin"]
        + ["secretary"] * (1 + students // 2500)
        + ["social_pedagogue"] * (1 + students // 1500)
        + ["psychologist"] * (1 + students // 1200)
    )
    for number, role in enumerate(others, start=1):
        person(f"A{number:03d}", role != "admin" or rng.random() < 0.3, role, rng.randint(0, 20))
    return rows
