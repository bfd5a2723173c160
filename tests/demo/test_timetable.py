"""The weekly timetable is clash-free by real bell times, complete, and taught by sensible staff."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import time

from core.demo.calendar import OVERLAP, bells
from core.demo.curriculum import HOURS, MAX_PERIODS, PRIMARY_OWN
from tests.demo.conftest import School, clashes, grades, spans


def test_bells_for_two_shifts() -> None:
    times = bells()
    assert times[(1, 1)] == (time(8, 0), time(8, 45))
    assert times[(2, 1)][0] == time(13, 0)
    for (shift, period), (start, end) in times.items():
        assert (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) == 45
        following = times.get((shift, period + 1))
        if following:
            gap = (following[0].hour * 60 + following[0].minute) - (end.hour * 60 + end.minute)
            assert 10 <= gap <= 20
    # The second shift's first periods overlap the first shift's last ones.
    assert (1, 6) in OVERLAP[(2, 1)]
    assert (1, 7) in OVERLAP[(2, 2)]
    assert (1, 5) not in OVERLAP[(2, 1)]


def test_the_timetable_is_clash_free_by_real_bell_times(school: School) -> None:
    times = spans(school)
    entries = school["timetable"]
    for who in ("teacher", "room"):
        found = clashes(
            (e[who], e["weekday"], *times[(e["class"], e["period"])], e["id"]) for e in entries
        )
        assert found == [], who
    # A class is in two places at once only as the two groups of one split subject.
    found = clashes(
        (e["class"], e["weekday"], *times[(e["class"], e["period"])], e["subject"]) for e in entries
    )
    assert found == []
    # Cross-shift overlaps do occur in the data, so the check above has work to do.
    shifts = {c["id"]: c["shift"] for c in school["classes"]}
    teachers_in_both = defaultdict(set)
    for entry in entries:
        teachers_in_both[entry["teacher"]].add(shifts[entry["class"]])
    assert any(len(s) == 2 for s in teachers_in_both.values())


def test_the_dated_lessons_are_clash_free_too(school: School) -> None:
    """After substitutions, moved and extra lessons, nobody is in two places on any day."""
    times = spans(school)
    lessons = school["lessons"]
    for who in ("teacher", "room"):
        found = clashes(
            (e[who], e["date"], *times[(e["class"], e["period"])], e["id"]) for e in lessons
        )
        assert found == [], who
    found = clashes(
        (e["class"], e["date"], *times[(e["class"], e["period"])], e["subject"]) for e in lessons
    )
    assert found == []


def test_every_class_gets_its_weekly_hours_in_days_without_gaps(school: School) -> None:
    grade = grades(school)
    hours: Counter[tuple[str, str]] = Counter()
    periods: dict[tuple[str, str], set[int]] = defaultdict(set)
    group_two = {g["id"] for g in school["groups"] if g["id"].endswith("-2")}
    for entry in school["timetable"]:
        assert entry["weekday"] in {"1", "2", "3", "4", "5"}
        assert entry["valid_from"] == school["years"][0]["start"]
        if entry.get("group") in group_two:
            continue  # the other group meets at the same time
        hours[(entry["class"], entry["subject"])] += 1
        periods[(entry["class"], entry["weekday"])].add(int(entry["period"]))
    for class_id, g in grade.items():
        assert {s: hours[(class_id, s)] for s in HOURS[g]} == HOURS[g]
        lengths = []
        for weekday in "12345":
            taken = periods[(class_id, weekday)]
            assert taken == set(range(1, len(taken) + 1)), (class_id, weekday, taken)
            assert len(taken) <= MAX_PERIODS[g]
            lengths.append(len(taken))
        assert max(lengths) - min(lengths) <= 2


def test_split_subjects_meet_at_once_with_two_teachers_and_rooms(school: School) -> None:
    grade = grades(school)
    by_time: dict[tuple[str, str, str, str], list[dict[str, str]]] = defaultdict(list)
    for entry in school["timetable"]:
        if entry.get("group"):
            by_time[(entry["class"], entry["subject"], entry["weekday"], entry["period"])].append(
                entry
            )
    assert by_time
    for key, pair in by_time.items():
        assert len(pair) == 2, key
        assert pair[0]["group"] != pair[1]["group"]
        assert pair[0]["teacher"] != pair[1]["teacher"]
        assert pair[0]["room"] != pair[1]["room"]
    split = {(c, s) for c, s, _, _ in by_time}
    for class_id, g in grade.items():
        expected = {"ENG"} if g >= 2 else set()
        if g >= 7:
            expected.add("INF")
        assert {s for c, s in split if c == class_id} == expected


def test_each_student_is_in_exactly_one_group_per_split_subject(school: School) -> None:
    groups = {g["id"]: (g["class"], g["subject"]) for g in school["groups"]}
    assert len(groups) == len(school["groups"])
    klass = {s["id"]: s["class"] for s in school["students"]}
    grade = grades(school)
    membership: dict[str, Counter[str]] = defaultdict(Counter)
    for member in school["group_members"]:
        class_id, subject = groups[member["group"]]
        assert klass[member["student"]] == class_id
        membership[member["student"]][subject] += 1
    for student, class_id in klass.items():
        expected = {"ENG"} if grade[class_id] >= 2 else set()
        if grade[class_id] >= 7:
            expected.add("INF")
        assert set(membership[student]) == expected
        assert all(n == 1 for n in membership[student].values())
    sizes = Counter(m["group"] for m in school["group_members"])
    for group_id, (class_id, _) in groups.items():
        half = sum(1 for c in klass.values() if c == class_id) / 2
        assert abs(sizes[group_id] - half) <= 1


def test_teachers_teach_one_or_two_subjects_within_sensible_loads(school: School) -> None:
    grade = grades(school)
    subjects: dict[str, set[str]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    load: Counter[str] = Counter()
    for entry in school["timetable"]:
        subjects[entry["teacher"]].add(entry["subject"])
        classes[entry["teacher"]].add(entry["class"])
        load[entry["teacher"]] += 1
    own = {c["class_teacher"] for c in school["classes"] if grade[c["id"]] <= 4}
    for teacher, taught in subjects.items():
        if teacher in own:  # a primary class's own teacher teaches its core subjects
            assert len(classes[teacher]) == 1
            assert taught <= PRIMARY_OWN
        else:
            assert len(taught) <= 2, (teacher, taught)
        assert load[teacher] <= 30
    teachers = [s for s in school["staff"] if "teacher" in s["roles"].split(";")]
    assert {s["id"] for s in teachers} == set(load)
    ratio = len(school["students"]) / len(teachers)
    assert 10 <= ratio <= 14  # about one teacher per 12 students


def test_class_teachers_teach_and_lead_one_class_each(school: School) -> None:
    leaders = [c["class_teacher"] for c in school["classes"]]
    assert len(leaders) == len(set(leaders))
    teaching = {(e["teacher"], e["class"]) for e in school["timetable"]}
    teachers = {e["teacher"] for e in school["timetable"]}
    for klass in school["classes"]:
        assert klass["class_teacher"] in teachers
        if klass["name"][0] in "1234" and len(klass["name"]) == 2:
            assert (klass["class_teacher"], klass["id"]) in teaching  # their own class
