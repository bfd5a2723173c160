"""What a free-text question asks: a topic, a day or the week, a subject."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.questions.dates import NEXT_WORDS, WEEK_WORDS, find_day, says_tomorrow
from core.questions.subjects import find_subject


class Topic(StrEnum):
    MARKS = "marks"
    TERM = "term"
    TIMETABLE = "timetable"
    HOMEWORK = "homework"
    CHANGES = "changes"
    ATTENDANCE = "attendance"
    TOPICS = "topics"
    DEBTS = "debts"
    EVENTS = "events"
    BELLS = "bells"


class Span(StrEnum):
    DAY = "day"
    WEEK = "week"


# Checked in order: the first topic with a matching stem wins, so the more specific come first
# («четвертные оценки» is TERM, not MARKS; «замены в расписании» is CHANGES).
_TOPIC_STEMS: tuple[tuple[Topic, tuple[str, ...]], ...] = (
    (
        Topic.TERM,
        ("четвертн", "полугодов", "годов", "итогов", "аттестац", "term mark", "final mark"),
    ),
    (Topic.CHANGES, ("замен", "изменени", "отмен", "перенес", "change", "substitut", "cancel")),
    (Topic.HOMEWORK, ("задал", "задани", "домашк", "домашн", "дз", "homework", "assignment")),
    (Topic.DEBTS, ("долг", "задолж", "debt")),
    (
        Topic.ATTENDANCE,
        ("пропус", "прогул", "посещ", "опозд", "absen", "attendance", "late", "missed"),
    ),
    (Topic.MARKS, ("оценк", "отметк", "балл", "средн", "mark", "grade", "average")),
    (Topic.TOPICS, ("темы", "тема", "тему", "проходил", "topic", "studied", "covered")),
    (Topic.EVENTS, ("мероприят", "событи", "собрани", "праздник", "event", "meeting")),
    (Topic.BELLS, ("звонк", "перемен", "bell", "break")),
    (Topic.TIMETABLE, ("расписан", "урок", "пар", "timetable", "schedule", "lesson", "class")),
)
_ASK_PRESENCE = ("есть ли", "будет ли", "is there", "do we have", "do they have", "have we got")
_WORD = re.compile(r"[a-zа-я0-9]+")


@dataclass(frozen=True, slots=True)
class Question:
    topic: Topic
    day: date | None = None  # the day asked about; None: the default of the topic
    span: Span = Span.DAY
    subject_id: int | None = None
    asks_presence: bool = False  # «есть ли физика в среду»: answer yes or no, then the day
    # «завтра» said, not a date: on a Saturday the family means the next school day.
    says_tomorrow: bool = False


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е").strip()


def _topic(words: list[str], text: str) -> Topic | None:
    for topic, stems in _TOPIC_STEMS:
        for stem in stems:
            if " " in stem:
                if stem in text:
                    return topic
            # Short stems (дз, пар, тем) must be the whole word: «дзюдо», «парк» are not.
            elif (len(stem) > 3 and any(w.startswith(stem) for w in words)) or stem in words:
                return topic
    return None


def parse_question(text: str, today: date, subjects: Mapping[int, str]) -> Question | None:
    """Understand ``text`` relative to ``today``; ``subjects`` maps ids to the school's names."""
    clean = normalise(text)
    words = _WORD.findall(clean)
    if not words:
        return None
    subject_id = find_subject(words, subjects)
    day = find_day(clean, today)
    topic = _topic(words, clean)
    presence = any(phrase in clean for phrase in _ASK_PRESENCE)
    if topic is None:
        if presence and subject_id is not None:
            topic = Topic.TIMETABLE  # «есть ли физика в среду»
        elif subject_id is not None:
            topic = Topic.MARKS  # «алгебра?» — families ask about marks most
        elif day is not None:
            topic = Topic.TIMETABLE  # «а на пятницу?»
        else:
            return None
    week = any(w.startswith(WEEK_WORDS) for w in words)
    if week and day is None:
        return Question(topic, None, Span.WEEK, subject_id, presence)
    if week and any(w.startswith(NEXT_WORDS) for w in words):
        return Question(topic, day, Span.WEEK, subject_id, presence)
    return Question(
        topic,
        day,
        Span.DAY,
        subject_id,
        presence and subject_id is not None,
        says_tomorrow=says_tomorrow(clean),
    )
