"""Classes, students, families and staff look like a real Russian gymnasium's."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date

import pytest

from core.demo.names import latin, patronymic, surname
from tests.demo.conftest import School, class_of, grades


def test_grades_one_to_eleven_with_two_or_three_classes_of_about_25(school: School) -> None:
    grade = grades(school)
    per_grade = Counter(grade.values())
    assert sorted(per_grade) == list(range(1, 12))
    assert all(2 <= n <= 3 for n in per_grade.values())
    per_class = Counter(s["class"] for s in school["students"])
    assert set(per_class) == set(grade)
    assert all(22 <= n <= 28 for n in per_class.values())
    assert 650 <= len(school["students"]) <= 800
    names = [c["name"] for c in school["classes"]]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"\d{1,2}[АБВ]", n) for n in names)  # Cyrillic letters


def test_classes_shifts_terms_and_year(school: School) -> None:
    grade = grades(school)
    year = school["years"][0]["id"]
    shifts: dict[int, set[str]] = defaultdict(set)
    for klass in school["classes"]:
        g = grade[klass["id"]]
        assert klass["year"] == year
        assert klass["term_kind"] == ("quarter" if g <= 9 else "half")
        shifts[g].add(klass["shift"])
    for g in (1, 5, 7, 8, 9, 10, 11):
        assert shifts[g] == {"1"}
    for g in (2, 3, 4):
        assert shifts[g] == {"2"}
    assert shifts[6] == {"1", "2"}
    rooms = [c["room"] for c in school["classes"]]
    assert len(rooms) == len(set(rooms))


def test_all_eight_roles(school: School) -> None:
    roles = Counter(r for s in school["staff"] for r in s["roles"].split(";"))
    assert set(roles) == {
        "admin",
        "head_teacher",
        "teacher",
        "secretary",
        "social_pedagogue",
        "psychologist",
    }
    assert 1 <= roles["head_teacher"] <= 2
    assert school["students"]  # the seventh role
    assert school["guardians"]  # and the eighth
    assert any(";" in s["roles"] for s in school["staff"])  # someone holds two roles


def test_families_with_children_in_different_classes(school: School) -> None:
    klass = class_of(school)
    grade = grades(school)
    families = {g["students"] for g in school["guardians"]}
    several = [f.split(";") for f in families if ";" in f]
    assert 0.06 <= len(several) / len(families) <= 0.15  # about one family in ten
    assert max(len(f) for f in several) <= 3
    for children in several:
        assert len({klass[c] for c in children}) == len(children)
        assert len({grade[klass[c]] for c in children}) == len(children)  # different ages
    guardians_of = Counter(c for g in school["guardians"] for c in g["students"].split(";"))
    assert set(guardians_of) == set(klass)
    assert set(guardians_of.values()) == {1, 2}
    assert {g["relation"] for g in school["guardians"]} == {"mother", "father", "guardian", "other"}


def test_siblings_and_fathers_share_names(school: School) -> None:
    students = {s["id"]: s for s in school["students"]}
    for guardian in school["guardians"]:
        children = [students[c] for c in guardian["students"].split(";")]
        stems = {c["middle_name"].removesuffix("на").removesuffix("ич") for c in children}
        assert len(stems) <= 2  # Сергеевич and Сергеевна share «Сергеев»
        if guardian["relation"] == "father":
            for kid in children:
                female = kid["middle_name"].endswith("на")
                assert kid["middle_name"] == patronymic(guardian["first_name"], female)
                assert kid["last_name"] == surname(guardian["last_name"], female)


def test_phones_are_unique_and_where_they_belong(school: School) -> None:
    grade = grades(school)
    people = [*school["staff"], *school["guardians"], *school["students"]]
    phones = [p["phone"] for p in people if p.get("phone")]
    assert len(phones) == len(set(phones))
    assert all(re.fullmatch(r"\+79\d{9}", p) for p in phones)
    assert all(p.get("phone") for p in [*school["staff"], *school["guardians"]])
    with_phone = [s for s in school["students"] if s.get("phone")]
    assert with_phone
    assert all(grade[s["class"]] >= 7 for s in with_phone)
    emails = [p["email"] for p in people if p.get("email")]
    assert len(emails) == len(set(emails))
    assert all(e.endswith(".example") for e in emails)  # reserved domains: nobody's real mail


def test_students_ages_fit_their_grades(school: School) -> None:
    grade = grades(school)
    start = date.fromisoformat(school["years"][0]["start"])
    for student in school["students"]:
        age = (start - date.fromisoformat(student["birth_date"])).days / 365.25
        assert 5.5 + grade[student["class"]] <= age <= 7.6 + grade[student["class"]]
        assert student["enrolled"] <= student["class_since"]


@pytest.mark.parametrize(
    ("father", "son", "daughter"),
    [
        ("Сергей", "Сергеевич", "Сергеевна"),
        ("Иван", "Иванович", "Ивановна"),
        ("Дмитрий", "Дмитриевич", "Дмитриевна"),
        ("Василий", "Васильевич", "Васильевна"),
        ("Юрий", "Юрьевич", "Юрьевна"),
        ("Николай", "Николаевич", "Николаевна"),
        ("Игорь", "Игоревич", "Игоревна"),
        ("Илья", "Ильич", "Ильинична"),
        ("Никита", "Никитич", "Никитична"),
        ("Михаил", "Михайлович", "Михайловна"),
    ],
)
def test_patronymics(father: str, son: str, daughter: str) -> None:
    assert patronymic(father, False) == son
    assert patronymic(father, True) == daughter


def test_surnames_and_transliteration() -> None:
    assert surname("Иванов", True) == "Иванова"
    assert surname("Ильин", True) == "Ильина"
    assert surname("Островский", True) == "Островская"
    assert surname("Толстой", True) == "Толстая"
    assert surname("Шевченко", True) == "Шевченко"
    assert surname("Черных", True) == "Черных"
    assert surname("Иванов", False) == "Иванов"
    assert latin("Щукина") == "shchukina"
    assert latin("Юлия") == "iuliia"
