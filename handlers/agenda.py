"""``/homework``, ``/changes``, ``/debts`` and ``/events`` for the child in focus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.services.calendar import next_school_day
from core.services.debts import debts
from core.services.events import upcoming_events
from core.services.homework import homework_by_subject
from core.services.timetable import student_timetable
from handlers.attachments import send_attachments
from handlers.family import focus_or_explain, not_available
from handlers.views import agenda as views

# Homework shown by /homework: what is due from today over the next two weeks.
HOMEWORK_DAYS = 14

Answer = Callable[[ChildRef, dict[str, Any]], Awaitable[str]]


def router() -> Router:
    r = Router(name=__name__)
    for command, answer in (
        ("changes", changes_text),
        ("debts", debts_text),
        ("events", events_text),
    ):
        r.message.register(_for_child(answer), Command(command))
    r.message.register(on_homework, Command("homework"))
    return r


def _for_child(answer: Answer) -> Callable[..., Awaitable[None]]:
    async def handler(message: Message, **data: Any) -> None:
        child = await focus_or_explain(message, data)
        if child is None:
            return
        try:
            text = await answer(child, data)
        except AccessDenied:
            text = not_available()
        await message.answer(text)

    return handler


async def changes_text(child: ChildRef, data: dict[str, Any]) -> str:
    session, reader, today = data["session"], data["reader"], data["today"]
    days = [await student_timetable(session, child.student_id, today, reader)]
    if days[0].class_id is not None:
        following = await next_school_day(session, days[0].class_id, today)
        if following is not None:
            days.append(await student_timetable(session, child.student_id, following, reader))
    return views.changes_view(child, days)


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
    await message.answer(views.homework_view(child, subjects))
    await send_attachments(message, (item for subject in subjects for item in subject.items))
