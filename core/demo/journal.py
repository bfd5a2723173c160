"""The current term's journal: lessons with topics and homework, attendance, marks; term marks.

Lessons run from the start of each class's current term (a quarter in grades 1–9, a half in
10–11) to the next school day, after that day's timetable changes. Marks come about three a month
per student and subject (everybody present at a unit's control work), drawn around each
student's level in the subject; grade 1 gets none, grade 2 none in its first quarter.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from core.demo.calendar import Term, Year
from core.demo.changes import Change
from core.demo.classes import Klass
from core.demo.curriculum import HOURS, PASS_FAIL, WEEKS
from core.demo.people import Pupil
from core.demo.timetable import Course, Slot, Timetable
from core.demo.topics import CLOSING, LessonText, homework_text, lesson_text, units

Rows = list[dict[str, str]]
Key = tuple[str, str, int]  # (class, subject, group)
DIGITS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
MARKS_A_MONTH = 3.3  # a little over 3: absences take some away
ORDINARY_WORK = ("ANS", "ANS", "ANS", "HOME", "HOME", "SELF", "SELF", "CHECK")
# Subjects whose everyday marks are of other kinds.
ORDINARY_WORK_OF = {
    "PE": ("ANS", "ANS", "NORM"),
    "MUS": ("ANS",),
    "ART": ("ANS", "PRAC", "PRAC"),
    "TECH": ("ANS", "PRAC", "PRAC"),
    "ORKSE": ("ANS", "SELF"),
}
BIAS = {"TEST": -0.25, "DICT": -0.3, "ESSAY": -0.15, "CHECK": -0.1, "HOME": 0.2, "ANS": 0.1}
COMMENTS = {
    "1": ("Работа не выполнена",),
    "2": (
        "Не выполнено домашнее задание",
        "Не готов к уроку",
        "Много ошибок, нужна работа над ошибками",
        "Не выучено правило",
    ),
    "3": ("Невнимательно, есть ошибки", "Нужно повторить тему"),
    "5": ("Отличная работа!", "Молодец!", "Лучшая работа в классе"),
}
COMMENT_CHANCE = {"1": 0.6, "2": 0.5, "3": 0.05, "5": 0.03}
INDIVIDUAL = (
    "Индивидуальное задание: карточка № {n}",
    "Работа над ошибками в тетради",
    "Подготовить доклад по теме «{unit}»",
    "Олимпиадные задачи: задания {n}–{m}",
)
ILL_COMMENTS = ("Справка из поликлиники", "ОРВИ, справка", "Справка от врача")
EXCUSED_COMMENTS = (
    "Соревнования по лыжным гонкам",
    "По заявлению родителей (семейные обстоятельства)",
    "Муниципальный этап олимпиады",
)


@dataclass(slots=True)
class Held:
    """A lesson of the journal: a timetabled (or moved, or extra) lesson on a date."""

    id: str
    day: date
    period: int
    klass: Klass
    course: Course
    teacher: str
    room: str
    text: LessonText
    row: dict[str, str]


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


class Journal:
    def __init__(
        self,
        rng: random.Random,
        year: Year,
        today: date,
        timetable: Timetable,
        pupils: list[Pupil],
        members: dict[Key, list[Pupil]],
        group_ids: dict[Key, str],
    ) -> None:
        self.rng, self.year, self.today = rng, year, today
        self.timetable, self.members, self.group_ids = timetable, members, group_ids
        self.member_ids = {key: {p.id for p in group} for key, group in members.items()}
        self.by_class: dict[str, list[Pupil]] = defaultdict(list)
        for pupil in pupils:
            self.by_class[pupil.klass.id].append(pupil)
        self.pupils = pupils
        self.aptitude: dict[tuple[str, str], float] = {}
        self.rows: dict[str, Rows] = {
            name: [] for name in ("lessons", "homework", "marks", "attendance", "attestation")
        }
        self.absent: set[tuple[str, date]] = set()  # (student, day) away all day
        self._iso: dict[date, str] = {}

    def iso(self, day: date) -> str:
        """The day as ISO text, one string per day (rows share their strings)."""
        if day not in self._iso:
            self._iso[day] = day.isoformat()
        return self._iso[day]

    # Who is in a lesson.
    def audience(self, klass: Klass, course: Course) -> list[Pupil]:
        if course.group == 0:
            return self.by_class[klass.id]
        return self.members[(klass.id, course.subject, course.group)]

    def level(self, pupil: Pupil, subject: str) -> float:
        key = (pupil.id, subject)
        if key not in self.aptitude:
            self.aptitude[key] = pupil.ability + self.rng.gauss(0, 0.35)
        return self.aptitude[key]

    def build(self, changes: list[Change], end: date) -> None:
        held = self.lessons(changes, end)
        self.homework(held)
        self.attendance(held)
        self.marks(held)
        self.attestation()

    # Lessons.
    def lessons(self, changes: list[Change], end: date) -> list[Held]:
        by_slot = {(c.day, c.slot.id): c for c in changes if c.slot is not None}
        added: dict[tuple[date, str], list[Change]] = defaultdict(list)
        for one in changes:
            if one.kind in ("moved", "extra"):
                added[(one.day, one.klass.id)].append(one)
        slots_of: dict[str, dict[int, list[Slot]]] = defaultdict(lambda: defaultdict(list))
        for each in self.timetable.slots:
            slots_of[each.klass.id][each.weekday].append(each)
        held: list[Held] = []
        for klass in sorted({s.klass for s in self.timetable.slots}, key=lambda k: k.id):
            term = self.year.term_of(klass.grade, self.today)
            days = self.year.school_days(term.dates.start, end, klass.grade)
            counter = self._lessons_before(klass, slots_of[klass.id], term.dates.start)
            for day in days:
                todays: list[tuple[int, Slot | None, Change | None]] = []
                for entry in slots_of[klass.id][day.isoweekday()]:
                    found = by_slot.get((day, entry.id))
                    if found and found.kind in ("cancellation", "moved"):
                        continue
                    todays.append((entry.period, entry, found))
                for extra in added.get((day, klass.id), []):
                    todays.append((extra.moved_to or extra.period, extra.slot, extra))
                todays.sort(key=lambda t: (t[0], t[1].id if t[1] else ""))
                for period, slot, change in todays:
                    held.append(self._lesson(day, period, klass, slot, change, counter))
        self.rows["lessons"] = [h.row for h in held]
        return held

    def _lessons_before(
        self, klass: Klass, slots: dict[int, list[Slot]], start: date
    ) -> dict[Key, int]:
        """How many lessons each course had this year before ``start``."""
        weekdays: dict[int, int] = defaultdict(int)
        for day in self.year.school_days(
            self.year.span.start, start - timedelta(days=1), klass.grade
        ):
            weekdays[day.isoweekday()] += 1
        counter: dict[Key, int] = defaultdict(int)
        for weekday, entries in slots.items():
            for slot in entries:
                key = (klass.id, slot.course.subject, slot.course.group)
                counter[key] += weekdays[weekday]
        return counter

    def _lesson(
        self,
        day: date,
        period: int,
        klass: Klass,
        slot: Slot | None,
        change: Change | None,
        counter: dict[Key, int],
    ) -> Held:
        if slot is not None:
            course, teacher, room = slot.course, slot.course.teacher, slot.room
            lesson_id = f"L{day:%y%m%d}-{slot.id}"
        elif change is not None:
            course = self.timetable.courses[(klass.id, change.subject, 0)]
            teacher, room = change.teacher, change.room
            lesson_id = f"L{day:%y%m%d}-{klass.id}-{period}"
        else:
            raise ValueError("a lesson comes from a timetable entry or a change")
        if change is not None:
            teacher, room = change.teacher or teacher, change.room or room
        key = (klass.id, course.subject, course.group)
        counter[key] += 1
        text = lesson_text(course.subject, klass.grade, counter[key])
        if change is not None and change.kind == "extra":
            text = LessonText(change.row["note"], 0, text.index, text.unit, None, False)
        row = {
            "id": lesson_id,
            "date": self.iso(day),
            "period": DIGITS[period],
            "class": klass.id,
            "subject": course.subject,
            "teacher": teacher,
            "room": room,
            "topic": text.topic,
        }
        group = self.group_ids.get(key)
        if group:
            row["group"] = group
        return Held(lesson_id, day, period, klass, course, teacher, room, text, row)

    # Homework: set at each lesson up to today, due at the course's next lesson.
    def homework(self, held: list[Held]) -> None:
        series: dict[Key, list[Held]] = defaultdict(list)
        for lesson in held:
            series[(lesson.klass.id, lesson.course.subject, lesson.course.group)].append(lesson)
        weekdays: dict[Key, set[int]] = defaultdict(set)
        for slot in self.timetable.slots:
            weekdays[(slot.klass.id, slot.course.subject, slot.course.group)].add(slot.weekday)
        for key, lessons in series.items():
            for index, lesson in enumerate(lessons):
                if lesson.day > self.today:
                    break
                if index + 1 < len(lessons) and lessons[index + 1].day == lesson.day:
                    continue  # a double lesson: homework comes at the second
                grade = lesson.klass.grade
                text = homework_text(self.rng, lesson.course.subject, grade, lesson.text)
                if text is None:
                    continue
                due = (
                    lessons[index + 1].day
                    if index + 1 < len(lessons)
                    else self._next_day(lesson.day, weekdays[key], grade)
                )
                if due is None:
                    continue
                lesson.row["homework"] = text
                lesson.row["homework_due"] = self.iso(due)
                if self.rng.random() < 0.03:
                    self._individual(lesson, due)

    def _next_day(self, day: date, weekdays: set[int], grade: int) -> date | None:
        following = self.year.next_school_day(day, grade)
        while following is not None and following.isoweekday() not in weekdays:
            following = self.year.next_school_day(following, grade)
        return following

    def _individual(self, lesson: Held, due: date) -> None:
        audience = self.audience(lesson.klass, lesson.course)
        if not audience:
            return
        pupil = self.rng.choice(audience)
        n = self.rng.randint(1, 30)
        text = self.rng.choice(INDIVIDUAL).format(n=n, m=n + 3, unit=lesson.text.unit)
        row = {
            "id": f"HW{lesson.id[1:]}-{pupil.id}",
            "class": lesson.klass.id,
            "subject": lesson.course.subject,
            "teacher": lesson.teacher,
            "student": pupil.id,
            "assigned": lesson.day.isoformat(),
            "due": due.isoformat(),
            "text": text,
            "lesson": lesson.id,
        }
        if "group" in lesson.row:
            row["group"] = lesson.row["group"]
        self.rows["homework"].append(row)

    # Attendance: illnesses of a few days (Б), excused days (У), and per lesson Н, ОП, У.
    def attendance(self, held: list[Held]) -> None:
        rows = self.rows["attendance"]
        past: dict[str, list[date]] = defaultdict(list)  # class → its school days up to today
        for lesson in held:
            days = past[lesson.klass.id]
            if lesson.day <= self.today and (not days or days[-1] != lesson.day):
                days.append(lesson.day)
        for pupil in self.pupils:
            days = past[pupil.klass.id]
            if not days:
                continue
            for code, rate, length, comments in (
                ("Б", 0.12, (2, 5), ILL_COMMENTS),
                ("У", 0.02, (1, 2), EXCUSED_COMMENTS),
            ):
                episodes = sum(1 for _ in range(4) if self.rng.random() < rate * len(days) / 20 / 4)
                for _ in range(episodes):
                    first = self.rng.randrange(len(days))
                    comment = self.rng.choice(comments)
                    for day in days[first : first + self.rng.randint(*length)]:
                        if (pupil.id, day) in self.absent:
                            continue
                        self.absent.add((pupil.id, day))
                        rows.append(
                            {
                                "id": f"A{day:%y%m%d}-{pupil.id}",
                                "student": pupil.id,
                                "date": self.iso(day),
                                "code": code,
                                "comment": comment,
                            }
                        )
        for lesson in held:
            if lesson.day > self.today:
                continue
            audience = self.audience(lesson.klass, lesson.course)
            senior = lesson.klass.grade >= 9
            noted: set[str] = set()
            for code, chance in (
                ("Н", len(audience) * (0.006 if senior else 0.002)),
                ("ОП", len(audience) * (0.012 if lesson.period == 1 else 0.002)),
                ("У", len(audience) * 0.001),
            ):
                if not audience or self.rng.random() >= chance:
                    continue
                pupil = self.rng.choice(audience)
                if (pupil.id, lesson.day) in self.absent or pupil.id in noted:
                    continue
                noted.add(pupil.id)
                row = {
                    "id": f"A{lesson.id[1:]}-{pupil.id}",
                    "student": pupil.id,
                    "date": lesson.row["date"],
                    "period": lesson.row["period"],
                    "code": code,
                    "subject": lesson.course.subject,
                    "lesson": lesson.id,
                }
                if code == "ОП":
                    row["minutes_late"] = str(self.rng.choice((2, 3, 5, 5, 7, 10, 15, 20)))
                elif code == "У":
                    row["comment"] = "Медицинский осмотр"
                rows.append(row)

    # Marks.
    def _ordinary_chance(self, grade: int, subject: str) -> float:
        """The share of a lesson's students marked outside control works, for ~3 a month."""
        hours = HOURS[grade][subject]
        lessons_a_month = hours * 4.3
        per = max(1, -(-hours * (WEEKS - (grade == 1)) // len(units(subject, grade))))
        closing = lessons_a_month / per if subject in CLOSING and per >= 3 else 0.0
        return min(0.7, max(0.08, (MARKS_A_MONTH - closing) / lessons_a_month))

    def marks(self, held: list[Held]) -> None:
        rows = self.rows["marks"]
        chance: dict[tuple[int, str], float] = {}
        exempt_marked: set[str] = set()
        for lesson in held:
            grade, subject = lesson.klass.grade, lesson.course.subject
            if lesson.day > self.today or grade == 1:
                continue
            if grade == 2 and lesson.day <= self.year.quarters[0].dates.end:
                continue  # marks in grade 2 begin with the second quarter
            present = [
                p
                for p in self.audience(lesson.klass, lesson.course)
                if (p.id, lesson.day) not in self.absent
            ]
            if subject == "PE":
                for pupil in [p for p in present if p.pe_exempt and p.id not in exempt_marked]:
                    exempt_marked.add(pupil.id)
                    rows.append(self._mark(lesson, pupil, "осв", ""))
                present = [p for p in present if not p.pe_exempt]
            work = lesson.text.work
            if lesson.text.closing:
                chosen = present
            else:
                key = (grade, subject)
                if key not in chance:
                    chance[key] = self._ordinary_chance(grade, subject)
                p = chance[key]
                n = len(present)
                k = half_up(self.rng.gauss(n * p, math.sqrt(n * p * (1 - p)) or 0.1))
                chosen = self.rng.sample(present, max(0, min(n, k)))
            kinds = ORDINARY_WORK_OF.get(subject, ORDINARY_WORK)
            for pupil in chosen:
                kind = work or self.rng.choice(kinds)
                rows.append(self._mark(lesson, pupil, self._value(pupil, subject, kind), kind))

    def _value(self, pupil: Pupil, subject: str, kind: str) -> str:
        if subject in PASS_FAIL:
            return "зач" if self.rng.random() < 0.98 else "незач"
        if (kind == "NORM" and self.rng.random() < 0.2) or (
            subject == "MUS" and self.rng.random() < 0.05
        ):
            return "зач"
        value = half_up(self.rng.gauss(self.level(pupil, subject) + BIAS.get(kind, 0), 0.75))
        value = min(5, max(2, value))
        if value == 2 and self.rng.random() < 0.06:
            value = 1
        return DIGITS[value]

    def _mark(self, lesson: Held, pupil: Pupil, value: str, kind: str) -> dict[str, str]:
        row = {
            "id": f"M{len(self.rows['marks']) + 1:07d}",
            "student": pupil.id,
            "subject": lesson.course.subject,
            "date": lesson.row["date"],  # rows share their strings: a big school has millions
            "value": value,
            "teacher": lesson.teacher,
            "lesson": lesson.id,
        }
        if kind:
            row["work_type"] = kind
        if value in COMMENT_CHANCE and self.rng.random() < COMMENT_CHANCE[value]:
            row["comment"] = self.rng.choice(COMMENTS[value])
        elif value == "осв":
            row["comment"] = "Освобождён по медицинской справке"
        return row

    # Term marks of the terms already over.
    def attestation(self) -> None:
        rows = self.rows["attestation"]
        courses: dict[str, list[Course]] = defaultdict(list)
        for course in self.timetable.courses.values():
            courses[course.klass].append(course)
        for pupil in self.pupils:
            grade = pupil.klass.grade
            if grade == 1:
                continue  # no marks in grade 1
            for term in self.year.terms_for(grade):
                if term.dates.end >= self.today or (grade == 2 and term.number == 1):
                    continue
                for course in courses[pupil.klass.id]:
                    if (
                        course.group
                        and pupil.id
                        not in self.member_ids[(pupil.klass.id, course.subject, course.group)]
                    ):
                        continue
                    rows.append(self._term_mark(pupil, course.subject, term))

    def _term_mark(self, pupil: Pupil, subject: str, term: Term) -> dict[str, str]:
        if subject in PASS_FAIL:
            value = "зач"
        elif subject == "PE" and pupil.pe_exempt:
            value = "осв"
        elif self.rng.random() < 0.002:
            value = "н/а"  # missed most of the term
        else:
            value = DIGITS[min(5, max(2, half_up(self.rng.gauss(self.level(pupil, subject), 0.3))))]
        return {
            "id": f"{term.id}-{pupil.id}-{subject}",
            "student": pupil.id,
            "subject": subject,
            "kind": "term",
            "term": term.id,
            "year": self.year.id,
            "value": value,
        }
