"""Free-text questions, in Russian and English, as families type them.

Today is Monday 30 November 2026 in every case; expectations are worked out by hand.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.questions import Question, Span, Topic, parse_question

TODAY = date(2026, 11, 30)  # Monday
SUBJECTS = {
    1: "Алгебра",
    2: "Геометрия",
    3: "Физика",
    4: "Русский язык",
    5: "Литература",
    6: "Английский язык",
    7: "Физическая культура",
    8: "Информатика",
    9: "Математика",
    10: "История",
    11: "Химия",
}
TUE, WED, THU, FRI, SAT = (date(2026, 12, d) for d in (1, 2, 3, 4, 5))
NEXT_MON = date(2026, 12, 7)

CASES: list[tuple[str, Question]] = [
    ("оценки по алгебре", Question(Topic.MARKS, subject_id=1)),
    ("Оценки", Question(Topic.MARKS)),
    ("какие оценки за неделю", Question(Topic.MARKS, span=Span.WEEK)),
    ("средний балл по физике", Question(Topic.MARKS, subject_id=3)),
    ("что по русскому?", Question(Topic.MARKS, subject_id=4)),
    ("алгебра", Question(Topic.MARKS, subject_id=1)),
    ("отметки по английскому", Question(Topic.MARKS, subject_id=6)),
    ("что задали на завтра", Question(Topic.HOMEWORK, day=TUE, says_tomorrow=True)),
    ("что задали", Question(Topic.HOMEWORK)),
    ("дз на пятницу", Question(Topic.HOMEWORK, day=FRI)),
    ("домашка по литре", Question(Topic.HOMEWORK, subject_id=5)),
    ("домашнее задание по геометрии на среду", Question(Topic.HOMEWORK, day=WED, subject_id=2)),
    ("что задали по матеше на послезавтра", Question(Topic.HOMEWORK, day=WED, subject_id=9)),
    ("расписание на понедельник", Question(Topic.TIMETABLE, day=TODAY)),
    ("расписание на следующий понедельник", Question(Topic.TIMETABLE, day=NEXT_MON)),
    ("расписание на завтра", Question(Topic.TIMETABLE, day=TUE, says_tomorrow=True)),
    ("какие уроки в четверг", Question(Topic.TIMETABLE, day=THU)),
    ("уроки 12 декабря", Question(Topic.TIMETABLE, day=date(2026, 12, 12))),
    ("расписание на 3.12", Question(Topic.TIMETABLE, day=THU)),
    ("расписание на неделю", Question(Topic.TIMETABLE, span=Span.WEEK)),
    ("а на субботу?", Question(Topic.TIMETABLE, day=SAT)),
    (
        "есть ли физика в среду",
        Question(Topic.TIMETABLE, day=WED, subject_id=3, asks_presence=True),
    ),
    (
        "будет ли физра завтра",
        Question(Topic.TIMETABLE, day=TUE, subject_id=7, asks_presence=True, says_tomorrow=True),
    ),
    ("замены", Question(Topic.CHANGES)),
    ("замены на завтра", Question(Topic.CHANGES, day=TUE, says_tomorrow=True)),
    ("изменения в расписании", Question(Topic.CHANGES)),
    ("отменили ли уроки сегодня", Question(Topic.CHANGES, day=TODAY)),
    ("пропуски", Question(Topic.ATTENDANCE)),
    ("сколько пропусков за четверть", Question(Topic.ATTENDANCE)),
    ("опоздания", Question(Topic.ATTENDANCE)),
    ("четвертные оценки", Question(Topic.TERM)),
    ("итоговые отметки", Question(Topic.TERM)),
    ("долги", Question(Topic.DEBTS)),
    ("есть задолженности по химии?", Question(Topic.DEBTS, subject_id=11)),
    ("темы уроков по истории", Question(Topic.TOPICS, subject_id=10)),
    (
        "что проходили по информатике вчера",
        Question(Topic.TOPICS, day=date(2026, 11, 29), subject_id=8),
    ),
    ("мероприятия", Question(Topic.EVENTS)),
    ("когда родительское собрание", Question(Topic.EVENTS)),
    ("звонки", Question(Topic.BELLS)),
    ("расписание звонков", Question(Topic.BELLS)),
    ("homework for Friday", Question(Topic.HOMEWORK, day=FRI)),
    ("homework for tomorrow", Question(Topic.HOMEWORK, day=TUE, says_tomorrow=True)),
    ("marks in algebra", Question(Topic.MARKS, subject_id=1)),
    ("my grades", Question(Topic.MARKS)),
    ("timetable for Wednesday", Question(Topic.TIMETABLE, day=WED)),
    ("schedule for December 12", Question(Topic.TIMETABLE, day=date(2026, 12, 12))),
    (
        "is there physics on Thursday",
        Question(Topic.TIMETABLE, day=THU, subject_id=3, asks_presence=True),
    ),
    ("any substitutions today", Question(Topic.CHANGES, day=TODAY)),
    ("absences this term", Question(Topic.ATTENDANCE)),
    ("debts", Question(Topic.DEBTS)),
    ("bells", Question(Topic.BELLS)),
    ("events", Question(Topic.EVENTS)),
    ("maths homework", Question(Topic.HOMEWORK, subject_id=9)),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_phrasings_are_understood(text: str, expected: Question) -> None:
    assert parse_question(text, TODAY, SUBJECTS) == expected


def test_there_are_at_least_forty_phrasings() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("text", ["привет", "как дела", "спасибо!", "", "   ", "🙂", "ok"])
def test_what_is_not_a_question_is_not_understood(text: str) -> None:
    assert parse_question(text, TODAY, SUBJECTS) is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("расписание на 31.02", None),  # no such date: not a day at all
        ("уроки 5 января", date(2027, 1, 5)),  # the school year runs over New Year
        ("оценки 1 сентября", date(2026, 9, 1)),
        ("расписание на 30.11.2026", TODAY),
    ],
)
def test_dates_fall_in_the_school_year(text: str, day: date | None) -> None:
    question = parse_question(text, TODAY, SUBJECTS)
    assert question is not None
    assert question.day == day


@given(st.text(max_size=200))
def test_any_text_is_parsed_without_error(text: str) -> None:
    result = parse_question(text, TODAY, SUBJECTS)
    assert result is None or isinstance(result.topic, Topic)
