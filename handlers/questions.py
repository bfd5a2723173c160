"""Free text: a parsed question answered with the same views as the commands.

The parser lives in ``core.questions``; here a question is routed to the view that answers it.
What it does not understand gets a short hint and the menu (in ``handlers.fallback``).

Long answers are paged, never cut: the page buttons (:class:`AnswerPage`) carry the question
and the day it was asked on, so each page is the same answer built again, access checked again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.questions import Question, Span, Topic
from core.services.calendar import next_school_day_of
from core.services.diary import diary
from core.services.homework import homework_by_subject, homework_due
from core.services.timetable import student_timetable
from handlers import agenda, records, topics
from handlers import timetable as timetable_handlers
from handlers.callbacks import AnswerPage, day_of
from handlers.diary import monday_of
from handlers.family import child_in_focus, not_available
from handlers.paging import answer_paged, edit_paged
from handlers.views import agenda as agenda_views
from handlers.views import diary as diary_views
from handlers.views import timetable as timetable_views

# Topics answered here as text, paged with AnswerPage; the others answer as their commands do.
_PAGED_TOPICS = frozenset(
    {Topic.TIMETABLE, Topic.HOMEWORK, Topic.CHANGES, Topic.DEBTS, Topic.EVENTS}
)
# «Завтра» on a Saturday or before holidays means the next school day for these.
_NEXT_LESSONS_TOPICS = frozenset({Topic.HOMEWORK, Topic.TIMETABLE, Topic.CHANGES, Topic.BELLS})


def router() -> Router:
    r = Router(name=__name__)
    r.callback_query.register(on_page, AnswerPage.filter())
    return r


async def answer(
    message: Message, question: Question, child: ChildRef, data: dict[str, Any]
) -> None:
    """Answer ``question`` about ``child``; AccessDenied propagates to the caller."""
    if question.topic in _PAGED_TOPICS:
        shown = _page_of(question, child, data["today"])
        await answer_paged(message, await answer_text(question, child, data), shown)
        return
    session, reader = data["session"], data["reader"]
    day = question.day or data["today"]
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
        question, note = await _tomorrow_as_the_next_school_day(question, child, data)
        await records.answer_bells(message, data, question.day or day, note)
    elif question.topic == Topic.ATTENDANCE:
        await records.on_attendance(message, **data)
    elif question.topic == Topic.TERM:
        await records.on_term(message, **data)
    elif question.topic == Topic.TOPICS and question.subject_id is not None:
        topic_text = await topics.topics_text(child, question.subject_id, data)
        if topic_text is None:
            await message.answer(not_available())
            return
        page, keyboard = topics.paged_topics(child, question.subject_id, topic_text)
        await message.answer(page, reply_markup=keyboard)
    else:
        await topics.on_topics(message, **data)


async def on_page(query: CallbackQuery, callback_data: AnswerPage, **data: Any) -> None:
    """Another page of a typed question's answer: built again as asked, access checked again."""
    child = child_in_focus(data["account"], callback_data.child)
    question = _question_of(callback_data)
    on = day_of(callback_data.on)
    if child is None or question is None or on is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        text = await answer_text(question, child, {**data, "today": on})
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await edit_paged(query, text, callback_data)


def _page_of(question: Question, child: ChildRef, today: date) -> AnswerPage:
    return AnswerPage(
        topic=question.topic.value,
        child=child.student_id,
        on=today.toordinal(),
        day=question.day.toordinal() if question.day else 0,
        subject=question.subject_id or 0,
        week=question.span == Span.WEEK,
        presence=question.asks_presence,
        tomorrow=question.says_tomorrow,
    )


def _question_of(shown: AnswerPage) -> Question | None:
    """The question a page button carries, or None when it cannot be one (never trusted)."""
    try:
        topic = Topic(shown.topic)
    except ValueError:
        return None
    day = day_of(shown.day) if shown.day else None
    if topic not in _PAGED_TOPICS or (shown.day and day is None):
        return None
    return Question(
        topic,
        day,
        Span.WEEK if shown.week else Span.DAY,
        shown.subject or None,
        shown.presence,
        says_tomorrow=shown.tomorrow,
    )


async def answer_text(question: Question, child: ChildRef, data: dict[str, Any]) -> str:
    """The whole answer to a question of :data:`_PAGED_TOPICS` (the caller pages it)."""
    session, reader, today = data["session"], data["reader"], data["today"]
    question, note = await _tomorrow_as_the_next_school_day(question, child, data)
    day = question.day or today
    if question.topic == Topic.TIMETABLE:
        text = await _timetable(question, child, data)
    elif question.topic == Topic.HOMEWORK and question.day is not None:
        items = await homework_due(session, child.student_id, day, reader)
        if question.subject_id is not None:
            items = tuple(i for i in items if i.subject_id == question.subject_id)
        timetable = await student_timetable(session, child.student_id, day, reader)
        text = "\n".join(timetable_views.day_lines(child, timetable, items, homework_asked=True))
    elif question.topic == Topic.HOMEWORK:
        subjects = await homework_by_subject(
            session,
            child.student_id,
            today,
            today + timedelta(days=agenda.HOMEWORK_DAYS),
            reader,
            subject_id=question.subject_id,
        )
        text = agenda_views.homework_view(child, subjects)
    elif question.topic == Topic.CHANGES and question.day is not None:
        timetable = await student_timetable(session, child.student_id, day, reader)
        text = agenda_views.changes_view(child, [timetable])
    elif question.topic == Topic.CHANGES:
        text = await agenda.changes_text(child, data)
    elif question.topic == Topic.DEBTS:
        text = await agenda.debts_text(child, data)
    else:
        text = await agenda.events_text(child, data)
    return timetable_views.with_note(note, text)


async def _tomorrow_as_the_next_school_day(
    question: Question, child: ChildRef, data: dict[str, Any]
) -> tuple[Question, str | None]:
    """«Что задали на завтра» on a Saturday means Monday's lessons, as /tomorrow does; the
    answer then says so (and names the holidays skipped)."""
    today: date = data["today"]
    if not question.says_tomorrow or question.topic not in _NEXT_LESSONS_TOPICS:
        return question, None
    current = await student_timetable(data["session"], child.student_id, today, data["reader"])
    if current.class_id is None:
        return question, None
    following = await next_school_day_of(data["session"], current.class_id, today)
    if following.day is None:
        return question, None
    note = timetable_views.day_off_note(following) if following.skips else None
    return replace(question, day=following.day), note


async def _timetable(question: Question, child: ChildRef, data: dict[str, Any]) -> str:
    session, reader = data["session"], data["reader"]
    day = question.day or data["today"]
    if question.span == Span.WEEK:
        return await timetable_handlers.week_text(child, day, data)
    timetable = await student_timetable(session, child.student_id, day, reader)
    text = "\n".join(timetable_views.day_lines(child, timetable))
    if question.asks_presence and question.subject_id is not None:
        lessons = [
            lesson
            for lesson in timetable.lessons
            if lesson.subject_id == question.subject_id and not lesson.cancelled
        ]
        text = timetable_views.presence(lessons, day) + "\n\n" + text
    return text
