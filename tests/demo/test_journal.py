"""The calendar, the current term's journal, today's and tomorrow's changes, and events."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise

from core.demo.calendar import Year, year_of
from tests.demo.conftest import TODAY, School, class_of, grades

TOMORROW = TODAY + timedelta(days=1)


def test_the_year_contains_today_or_starts_next_september() -> None:
    assert year_of(date(2026, 11, 30)).start_year == 2026
    assert year_of(date(2027, 5, 31)).start_year == 2026
    assert year_of(date(2027, 6, 1)).start_year == 2027
    assert year_of(date(2026, 8, 31)).start_year == 2026


def test_terms_and_holidays_tile_the_year() -> None:
    for start_year in range(2024, 2031):
        year = Year(start_year)
        quarters = [q.dates for q in year.quarters]
        assert quarters[0].start == date(start_year, 9, 1)
        assert quarters[-1].end <= year.span.end == date(start_year + 1, 5, 31)
        for before, after in pairwise(quarters):
            gap = (after.start - before.end).days - 1
            assert 7 <= gap <= 16  # a holiday between terms
            assert before.end.isoweekday() <= 5
        assert [h.dates for h in year.halves] == [
            type(quarters[0])(quarters[0].start, quarters[1].end),
            type(quarters[0])(quarters[2].start, quarters[3].end),
        ]
        for quarter in quarters:
            weeks = len(year.school_days(quarter.start, quarter.end, 5)) / 5
            assert 7 <= weeks <= 11
        first_grade = [h for h in year.holidays if h.grade == 1]
        assert len(first_grade) == 1
        february = first_grade[0].dates
        assert february.start.month == 2
        assert not year.is_school_day(february.start, 1)
        assert year.is_school_day(february.start, 2)
        for holiday in year.holidays:
            assert all(not year.is_school_day(d, 1) for d in holiday.dates.days())


def test_lessons_cover_the_current_term_up_to_the_next_school_day(school: School) -> None:
    grade = grades(school)
    terms = {t["id"]: t for t in school["terms"]}
    first: dict[str, str] = {}
    for lesson in school["lessons"]:
        first[lesson["class"]] = min(first.get(lesson["class"], "9999"), lesson["date"])
        day = date.fromisoformat(lesson["date"])
        assert day.isoweekday() <= 5
        assert day <= TOMORROW
    for class_id, first_day in first.items():
        kind = "Q2" if grade[class_id] <= 9 else "H1"
        assert first_day == terms[f"Y2026-{kind}"]["start"]
    holidays = [h for h in school["holidays"] if not h.get("grade_from")]
    for lesson in school["lessons"]:
        for holiday in holidays:
            assert not holiday["start"] <= lesson["date"] <= holiday["end"]
    dates = {lesson["date"] for lesson in school["lessons"]}
    assert {TODAY.isoformat(), TOMORROW.isoformat()} <= dates


def test_topics_and_homework(school: School) -> None:
    grade = grades(school)
    lessons = school["lessons"]
    assert all(lesson["topic"] for lesson in lessons)
    assert any(lesson["topic"].startswith("§") for lesson in lessons)
    assert any(lesson["topic"].startswith("Контрольная работа") for lesson in lessons)
    for lesson in lessons:
        if lesson.get("homework"):
            assert lesson["date"] <= TODAY.isoformat()
            assert lesson["homework_due"] > lesson["date"]
            assert grade[lesson["class"]] > 1  # no homework in grade 1
    # Homework is due at the course's next lesson.
    series: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for lesson in sorted(lessons, key=lambda x: (x["date"], x["period"])):
        series[(lesson["class"], lesson["subject"], lesson.get("group", ""))].append(lesson)
    for course in series.values():
        for index, current in enumerate(course):
            if current.get("homework"):
                later = [x["date"] for x in course[index + 1 :] if x["date"] > current["date"]]
                assert current["homework_due"] == (later[0] if later else current["homework_due"])
    individual = school["homework"]
    assert individual
    klass = class_of(school)
    lesson_of = {lesson["id"]: lesson for lesson in lessons}
    for homework in individual:
        assert klass[homework["student"]] == homework["class"]
        assert lesson_of[homework["lesson"]]["homework_due"] == homework["due"]


def test_changes_for_today_and_tomorrow(school: School) -> None:
    changes = school["timetable_changes"]
    kinds = Counter((c["date"], c["kind"]) for c in changes)
    for day in (TODAY.isoformat(), TOMORROW.isoformat()):
        assert kinds[(day, "substitution")] >= 2
        assert kinds[(day, "cancellation")] == 1
        assert kinds[(day, "room_change")] == 1
        assert kinds[(day, "moved")] == 1
    assert {c["date"] for c in changes} == {TODAY.isoformat(), TOMORROW.isoformat()}
    lessons = {
        (x["date"], x["class"], x["period"], x.get("group", "")): x for x in school["lessons"]
    }
    for change in changes:
        key = (change["date"], change["class"], change["period"], change.get("group", ""))
        if change["kind"] == "substitution":
            assert change["absent_teacher"] != change["teacher"]
            assert lessons[key]["teacher"] == change["teacher"]
        elif change["kind"] in ("cancellation", "moved"):
            assert key not in lessons
        elif change["kind"] == "room_change":
            assert lessons[key]["room"] == change["room"]
        if change["kind"] == "moved":
            moved = (change["moved_to_date"], change["class"], change["moved_to_period"], "")
            assert lessons[moved]["subject"] == change["subject"]
        if change["kind"] == "extra":
            assert lessons[key]["teacher"] == change["teacher"]
    absent = {(c["date"], c["absent_teacher"]) for c in changes if c.get("absent_teacher")}
    assert len(absent) == 2  # one teacher ill each day
    for day, teacher in absent:
        assert not [x for x in school["lessons"] if x["date"] == day and x["teacher"] == teacher]


def test_marks_are_believable(school: School) -> None:
    grade = grades(school)
    klass = class_of(school)
    marks = school["marks"]
    values = Counter(m["value"] for m in marks)
    assert set(values) <= {"1", "2", "3", "4", "5", "зач", "незач", "н/а", "осв"}
    numeric = sum(values[v] for v in "12345")
    assert values["5"] + values["4"] > 0.6 * numeric
    assert 0 < values["1"] < values["2"] < values["3"] < values["4"]
    assert values["1"] < 0.01 * numeric
    assert values["зач"]
    assert values["осв"]
    assert not [m for m in marks if grade[klass[m["student"]]] == 1]  # no marks in grade 1
    assert all(m["date"] <= TODAY.isoformat() for m in marks)
    work_types = {w["id"]: w for w in school["work_types"]}
    assert {"TEST", "DICT"} <= {w for w, row in work_types.items() if row.get("control") == "1"}
    assert {m["work_type"] for m in marks if m.get("work_type")} <= set(work_types)
    assert any(m.get("comment") for m in marks)
    lessons = {lesson["id"]: lesson for lesson in school["lessons"]}
    for mark in marks[::97]:
        lesson = lessons[mark["lesson"]]
        assert (lesson["date"], lesson["subject"], lesson["teacher"]) == (
            mark["date"],
            mark["subject"],
            mark["teacher"],
        )
        assert lesson["class"] == klass[mark["student"]]


def test_about_three_marks_a_month_per_student_and_subject(school: School) -> None:
    grade = grades(school)
    per_pair = Counter((m["student"], m["subject"]) for m in school["marks"])
    taught = {(e["class"], e["subject"]) for e in school["timetable"]}
    term_start = {g: date(2026, 11, 9) if g <= 9 else date(2026, 9, 1) for g in range(2, 12)}
    year = year_of(TODAY)
    rates = []
    for student in school["students"]:
        g = grade[student["class"]]
        if g == 1:
            continue
        months = len(year.school_days(term_start[g], TODAY, g)) / 21
        for class_id, subject in taught:
            if class_id == student["class"] and subject != "ORKSE":
                rates.append(per_pair[(student["id"], subject)] / months)
    assert 2.5 <= statistics.mean(rates) <= 3.5


def test_attendance_has_all_four_codes(school: School) -> None:
    rows = school["attendance"]
    codes = Counter(a["code"] for a in rows)
    assert set(codes) == {"Н", "Б", "У", "ОП"}
    assert all(a.get("minutes_late") for a in rows if a["code"] == "ОП")
    assert not [a for a in rows if a["code"] != "ОП" and a.get("minutes_late")]
    ill = defaultdict(list)
    for row in rows:
        if row["code"] == "Б":
            assert "period" not in row  # whole days
            ill[row["student"]].append(row["date"])
        assert row["date"] <= TODAY.isoformat()
    assert any(len(days) >= 2 for days in ill.values())  # illnesses run for days
    # Mostly nothing: a record for a few percent of the (student, lesson) pairs.
    sizes = Counter(s["class"] for s in school["students"])
    groups = Counter(m["group"] for m in school["group_members"])
    pairs = sum(
        groups[x["group"]] if x.get("group") else sizes[x["class"]]
        for x in school["lessons"]
        if x["date"] <= TODAY.isoformat()
    )
    away = sum(1 if a.get("period") else 6 for a in rows)  # a whole day is about six lessons
    assert away < 0.04 * pairs
    marked = {(m["student"], m["date"]) for m in school["marks"]}
    assert not [a for a in rows if a["code"] == "Б" and (a["student"], a["date"]) in marked]


def test_term_marks_for_finished_terms_only(school: School) -> None:
    grade = grades(school)
    klass = class_of(school)
    rows = school["attestation"]
    assert {a["term"] for a in rows} == {"Y2026-Q1"}  # H1 and Q2 are not over yet
    assert {a["kind"] for a in rows} == {"term"}
    assert {grade[klass[a["student"]]] for a in rows} == set(range(3, 10))
    values = Counter(a["value"] for a in rows)
    assert set(values) <= {"2", "3", "4", "5", "зач", "н/а", "осв"}
    assert values["зач"]  # ОРКСЭ in grade 4


def test_events_around_today(school: School) -> None:
    events = school["events"]
    assert {e["audience"] for e in events} == {"school", "class", "staff"}
    near = [e for e in events if abs((date.fromisoformat(e["start"]) - TODAY).days) <= 14]
    assert {e["audience"] for e in near} == {"school", "class", "staff"}
    for event in events:
        if event["audience"] == "class":
            assert event["class"]
        else:
            assert "class" not in event
