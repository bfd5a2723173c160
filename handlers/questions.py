"""Free text: a parsed question answered with the same views as the commands.

The parser lives in ``core.questions``; here a question is routed to the view that answers it.
What it does not understand gets a short hint and the menu (in ``handlers.fallback``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from aiogram.types import Message

from core.linking.dto import ChildRef
from core.questions import Question, Span, Topic
from core.services.calendar import next_school_day
from core.services.diary import diary
from core.services.homework import homework_by_subject, homework_due
from core.services.timetable import student_timetable
from handlers import agenda, records, topics
from handlers import timetable as timetable_handlers
from handlers.diary import monday_of
from handlers.family import not_available
from handlers.views import agenda as agenda_views
from handlers.views import diary as diary_views
from handlers.views import timetable as timetable_views
from handlers.views.limits import fit


async def answer(
    message: Message, question: Question, child: ChildRef, data: dict[str, Any]
) -> None:
    """Answer ``question`` about ``child``; AccessDenied propagates to the caller."""
    session, reader, today = data["session"], data["reader"], data["today"]
    question = await _tomorrow_as_the_next_school_day(question, child, data)
    day = question.day or today
    if question.topic == Topic.MARKS:
        start = monday_of(day)
        end = start + timedelta(days=6)
        if question.subject_id is not None:
            found = await diary(
                session,
                child.student_id,
                day - timedelta(days=190),
                day,
                reader,
                subject_id=question.subject_id,
            )
            text, keyboard = diary_views.subject_view(child, found, start)
        else:
            text, keyboard = diary_views.week_view(
                child, await diary(session, child.student_id, start, end, reader)
            )
        await message.answer(text, reply_markup=keyboard)
    elif question.topic == Topic.BELLS:
        await records.answer_bells(message, data, day)
    elif question.topic == Topic.TIMETABLE:
        await message.answer(await _timetable(question, child, data))
    elif question.topic == Topic.HOMEWORK:
        if question.day is not None:
            items = await homework_due(session, child.student_id, day, reader)
            if question.subject_id is not None:
                items = tuple(i for i in items if i.subject_id == question.subject_id)
            timetable = await student_timetable(session, child.student_id, day, reader)
            await message.answer(timetable_views.day_view(child, timetable, items))
        else:
            subjects = await homework_by_subject(
                session,
                child.student_id,
                today,
                today + timedelta(days=agenda.HOMEWORK_DAYS),
                reader,
                subject_id=question.subject_id,
            )
            await message.answer(fit(agenda_views.homework_view(child, subjects).split("\n")))
    elif question.topic == Topic.CHANGES and question.day is not None:
        timetable = await student_timetable(session, child.student_id, day, reader)
        await message.answer(fit(agenda_views.changes_view(child, [timetable]).split("\n")))
    elif question.topic == Topic.CHANGES:
        await message.answer(fit((await agenda.changes_text(child, data)).split("\n")))
    elif question.topic == Topic.ATTENDANCE:
        await records.on_attendance(message, **data)
    elif question.topic == Topic.TERM:
        await records.on_term(message, **data)
    elif question.topic == Topic.DEBTS:
        await message.answer(fit((await agenda.debts_text(child, data)).split("\n")))
    elif question.topic == Topic.TOPICS and question.subject_id is not None:
        topic_text = await topics.topics_text(child, question.subject_id, data)
        await message.answer(topic_text or not_available())
    elif question.topic == Topic.TOPICS:
        await topics.on_topics(message, **data)
    else:
        await message.answer(fit((await agenda.events_text(child, data)).split("\n")))


async def _tomorrow_as_the_next_school_day(
    question: Question, child: ChildRef, data: dict[str, Any]
) -> Question:
    """«Что задали на завтра» on a Saturday means Monday's lessons, as /tomorrow does."""
    today: date = data["today"]
    if not question.says_tomorrow or question.topic not in _NEXT_LESSONS_TOPICS:
        return question
    current = await student_timetable(data["session"], child.student_id, today, data["reader"])
    if current.class_id is None:
        return question
    following = await next_school_day(data["session"], current.class_id, today)
    return question if following is None else replace(question, day=following)


_NEXT_LESSONS_TOPICS = frozenset({Topic.HOMEWORK, Topic.TIMETABLE, Topic.CHANGES})


async def _timetable(question: Question, child: ChildRef, data: dict[str, Any]) -> str:
    session, reader = data["session"], data["reader"]
    day = question.day or data["today"]
    if question.span == Span.WEEK:
        return await timetable_handlers.week_text(child, day, data)
    timetable = await student_timetable(session, child.student_id, day, reader)
    text = timetable_views.day_view(child, timetable)
    if question.asks_presence and question.subject_id is not None:
        lessons = [
            lesson
            for lesson in timetable.lessons
            if lesson.subject_id == question.subject_id and not lesson.cancelled
        ]
        text = timetable_views.presence(lessons, day) + "\n\n" + text
    return text
