"""The demo school is deterministic, consistent and realistic (no database needed)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time

import pytest

from core.demo import generate
from core.demo.calendar import bells, overlapping
from core.exchange.spec import TABLES_BY_NAME, Kind

TODAY = date(2026, 11, 30)  # a Monday in the second quarter


@pytest.fixture(scope="module")
def school() -> dict[str, list[dict[str, str]]]:
    return generate(seed=1, today=TODAY)


def test_same_seed_same_school_other_seed_other_school(
    school: dict[str, list[dict[str, str]]],
) -> None:
    assert generate(seed=1, today=TODAY) == school
    other = generate(seed=2, today=TODAY)
    assert other["students"] != school["students"]


def test_every_reference_resolves(school: dict[str, list[dict[str, str]]]) -> None:
    ids = {name: {r["id"] for r in rows if "id" in r} for name, rows in school.items()}
    for name, rows in school.items():
        for column in TABLES_BY_NAME[name].columns:
            if not column.ref:
                continue
            for row in rows:
                cell = row.get(column.name, "")
                keys = cell.split(";") if column.kind is Kind.REFS else [cell]
                missing = [k for k in keys if k and k not in ids[column.ref]]
                assert missing == [], f"{name}.{column.name} -> {missing}"


def test_the_timetable_is_clash_free_by_real_bell_times(
    school: dict[str, list[dict[str, str]]],
) -> None:
    shift = {c["id"]: int(c["shift"]) for c in school["classes"]}
    overlap = overlapping(bells())
    for who in ("teacher", "room", "class"):
        seen: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        for entry in school["timetable"]:
            key = (entry[who], entry["weekday"])
            sp = (shift[entry["class"]], int(entry["period"]))
            for other_sp, group in [(o[:2], o[2]) for o in seen[key]]:
                # A class is in two places at once only as two groups of one split subject.
                same_split = who == "class" and group and entry["group"] and group != entry["group"]
                assert other_sp not in overlap[sp] or same_split, (who, key, sp)
            seen[key].append((*sp, entry["group"]))


def test_every_class_gets_its_weekly_hours(school: dict[str, list[dict[str, str]]]) -> None:
    from core.demo.curriculum import HOURS

    grade = {c["id"]: int(c["name"][:-1]) for c in school["classes"]}
    hours: Counter[tuple[str, str]] = Counter()
    for entry in school["timetable"]:
        if entry["group"] in ("", f"{entry['class']}-{entry['subject']}-1"):
            hours[(entry["class"], entry["subject"])] += 1
    for class_id, g in grade.items():
        assert {s: hours[(class_id, s)] for s in HOURS[g]} == HOURS[g]


def test_size_grades_and_classes(school: dict[str, list[dict[str, str]]]) -> None:
    per_grade = Counter(int(c["name"][:-1]) for c in school["classes"])
    assert sorted(per_grade) == list(range(1, 12))
    assert all(2 <= n <= 3 for n in per_grade.values())
    per_class = Counter(s["class"] for s in school["students"])
    assert all(22 <= n <= 28 for n in per_class.values())
    assert len({c["name"] for c in school["classes"]}) == len(school["classes"])


def test_each_student_is_in_exactly_one_group_per_split_subject(
    school: dict[str, list[dict[str, str]]],
) -> None:
    group_subject = {g["id"]: (g["class"], g["subject"]) for g in school["groups"]}
    membership = Counter(
        (m["student"], group_subject[m["group"]][1]) for m in school["group_members"]
    )
    klass = {s["id"]: s["class"] for s in school["students"]}
    grade = {c["id"]: int(c["name"][:-1]) for c in school["classes"]}
    for student, class_id in klass.items():
        expected = {"ENG"} if grade[class_id] >= 2 else set()
        if grade[class_id] >= 7:
            expected.add("INF")
        assert {s for (st, s), n in membership.items() if st == student and n == 1} == expected


def test_all_eight_roles_and_families(school: dict[str, list[dict[str, str]]]) -> None:
    roles = {r for s in school["staff"] for r in s["roles"].split(";")}
    assert roles == {
        "admin",
        "head_teacher",
        "teacher",
        "secretary",
        "social_pedagogue",
        "psychologist",
    }
    assert school["students"] and school["guardians"]  # the other two of the eight
    assert any(";" in s["roles"] for s in school["staff"])  # someone holds two roles
    klass = {s["id"]: s["class"] for s in school["students"]}
    siblings = [g for g in school["guardians"] if ";" in g["students"]]
    assert len(siblings) >= 10
    for guardian in siblings:
        children = guardian["students"].split(";")
        assert len({klass[c] for c in children}) == len(children)
    phones = [
        p["phone"] for t in ("staff", "guardians", "students") for p in school[t] if p.get("phone")
    ]
    assert len(phones) == len(set(phones))


def test_changes_today_and_tomorrow(school: dict[str, list[dict[str, str]]]) -> None:
    kinds = Counter((c["date"], c["kind"]) for c in school["timetable_changes"])
    for day in ("2026-11-30", "2026-12-01"):
        assert kinds[(day, "substitution")] >= 1
        assert kinds[(day, "cancellation")] == 1
        assert kinds[(day, "room_change")] == 1
    lessons = {(lesson["date"], lesson["class"], lesson["period"]) for lesson in school["lessons"]}
    for change in school["timetable_changes"]:
        key = (change["date"], change["class"], change["period"])
        assert (key in lessons) == (change["kind"] in {"substitution", "room_change"})


def test_marks_and_attendance_are_believable(school: dict[str, list[dict[str, str]]]) -> None:
    grade = {c["id"]: int(c["name"][:-1]) for c in school["classes"]}
    klass = {s["id"]: s["class"] for s in school["students"]}
    values = Counter(m["value"] for m in school["marks"])
    assert set(values) <= {"1", "2", "3", "4", "5", "зач", "незач", "н/а", "осв"}
    assert values["5"] + values["4"] > 0.6 * sum(values.values())
    assert 0 < values["2"] < values["3"] < values["4"]
    assert not [m for m in school["marks"] if grade[klass[m["student"]]] == 1]
    assert {a["code"] for a in school["attendance"]} == {"Н", "Б", "У", "ОП"}
    assert all(date.fromisoformat(m["date"]) <= TODAY for m in school["marks"])
    assert {a["term"] for a in school["attestation"]} == {"Q1"}


def test_bells_for_two_shifts() -> None:
    times = bells()
    assert times[(1, 1)] == (time(8, 0), time(8, 45))
    assert times[(2, 1)][0] == time(13, 30)


@pytest.mark.slow
def test_twenty_thousand_students() -> None:
    big = generate(seed=1, students=20_000, today=TODAY)
    assert len(big["students"]) >= 20_000
    assert len(big["classes"]) >= 11 * 60
