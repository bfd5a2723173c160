"""``/topics``: what was studied in a subject over the last weeks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.questions.vocabulary import school_subjects
from core.services.topics import student_topics
from handlers.callbacks import TopicsOf, TopicsPage
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.paging import page_of
from handlers.views import topics as views

# Topics shown: the last four weeks up to today.
TOPICS_DAYS = 28


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_topics, Command("topics"))
    r.callback_query.register(on_subject, TopicsOf.filter())
    r.callback_query.register(on_subject, TopicsPage.filter())
    return r


async def on_topics(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    subjects = await school_subjects(data["session"], child.student_id)
    text, keyboard = views.subject_picker(child, subjects)
    await message.answer(text, reply_markup=keyboard)


async def topics_text(child: ChildRef, subject_id: int, data: dict[str, Any]) -> str | None:
    subjects = await school_subjects(data["session"], child.student_id)
    if subject_id not in subjects:
        return None
    today = data["today"]
    found = await student_topics(
        data["session"],
        child.student_id,
        subject_id,
        today - timedelta(days=TOPICS_DAYS),
        today,
        data["reader"],
    )
    return views.topics_view(child, subjects[subject_id], found)


def paged_topics(
    child: ChildRef, subject_id: int, text: str, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of the topics and the buttons to the others (never cut)."""
    return page_of(text, TopicsPage(child=child.student_id, subject=subject_id, page=page))


async def on_subject(
    query: CallbackQuery, callback_data: TopicsOf | TopicsPage, **data: Any
) -> None:
    """The topics of a subject (a new message), or another page of them (edited in place)."""
    child = child_in_focus(data["account"], callback_data.child)
    text = None
    if child is not None:
        try:
            text = await topics_text(child, callback_data.subject, data)
        except AccessDenied:
            text = None
    if child is None or text is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    if isinstance(callback_data, TopicsPage):
        page, keyboard = paged_topics(child, callback_data.subject, text, callback_data.page)
        await query.message.edit_text(page, reply_markup=keyboard)
        return
    page, keyboard = paged_topics(child, callback_data.subject, text)
    await query.message.answer(page, reply_markup=keyboard)
