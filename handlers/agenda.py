"""``/homework``, ``/changes``, ``/debts`` and ``/events`` for the child in focus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.services.debts import debts
from core.services.events import upcoming_events
from core.services.homework import homework_by_subject
from core.services.timetable import student_days_ahead
from handlers import records
from handlers.attachments import send_attachments
from handlers.callbacks import PageOf
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.paging import answer_paged, edit_paged
from handlers.views import agenda as views

# Homework shown by /homework: what is due from today over the next two weeks.
HOMEWORK_DAYS = 14

Answer = Callable[[ChildRef, dict[str, Any]], Awaitable[str]]


def router() -> Router:
    r = Router(name=__name__)
    for command in ("changes", "debts", "events"):
        r.message.register(_for_child(command), Command(command))
    r.message.register(on_homework, Command("homework"))
    r.callback_query.register(on_page, PageOf.filter(F.what.in_(PAGED)))
    return r


def _for_child(what: str) -> Callable[..., Awaitable[None]]:
    async def handler(message: Message, **data: Any) -> None:
        child = await focus_or_explain(message, data)
        if child is None:
            return
        try:
            text = await PAGED[what](child, data)
        except AccessDenied:
            await message.answer(not_available())
            return
        await answer_paged(message, text, PageOf(what=what, child=child.student_id))

    return handler


async def on_page(query: CallbackQuery, callback_data: PageOf, **data: Any) -> None:
    """Another page of a long answer: computed again, access checked again."""
    child = child_in_focus(data["account"], callback_data.child)
    if child is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        text = await PAGED[callback_data.what](child, data)
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await edit_paged(query, text, callback_data)


async def changes_text(child: ChildRef, data: dict[str, Any]) -> str:
    today, following = await student_days_ahead(
        data["session"], child.student_id, data["today"], data["reader"], with_today=True
    )
    return views.changes_view(child, [today] if following is None else [today, following])


async def debts_text(child: ChildRef, data: dict[str, Any]) -> str:
    found = await debts(data["session"], child.student_id, data["today"], data["reader"])
    return views.debts_view(child, found)


async def events_text(child: ChildRef, data: dict[str, Any]) -> str:
    found = await upcoming_events(data["session"], child.student_id, data["today"], data["reader"])
    return views.events_view(child, found)


async def on_homework(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    today = data["today"]
    try:
        subjects = await homework_by_subject(
            data["session"],
            child.student_id,
            today,
            today + timedelta(days=HOMEWORK_DAYS),
            data["reader"],
        )
    except AccessDenied:
        await message.answer(not_available())
        return
    text = views.homework_view(child, subjects)
    await answer_paged(message, text, PageOf(what="homework", child=child.student_id))
    await send_attachments(
        message, (item for subject in subjects for item in subject.items), data["files"]
    )


async def homework_text(child: ChildRef, data: dict[str, Any]) -> str:
    today = data["today"]
    subjects = await homework_by_subject(
        data["session"],
        child.student_id,
        today,
        today + timedelta(days=HOMEWORK_DAYS),
        data["reader"],
    )
    return views.homework_view(child, subjects)


PAGED: dict[str, Answer] = {
    "attendance": records.attendance_text,
    "changes": changes_text,
    "debts": debts_text,
    "events": events_text,
    "homework": homework_text,
    "term": records.term_text,
}
