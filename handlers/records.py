"""``/attendance`` (the current term), ``/term`` (term, year, exam, final marks), ``/bells``."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.services.attendance import attendance
from core.services.attestation import attestation
from core.services.bells import class_bells
from core.services.calendar import student_class_on, term_on
from core.services.class_data import load_class
from handlers.callbacks import PageOf
from handlers.family import focus_or_explain, not_available
from handlers.paging import answer_paged
from handlers.views.attendance import attendance_view
from handlers.views.attestation import attestation_view
from handlers.views.bells import bells_view
from handlers.views.timetable import with_note


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_attendance, Command("attendance"))
    r.message.register(on_term, Command("term"))
    r.message.register(on_bells, Command("bells"))
    return r


async def on_attendance(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    try:
        text = await attendance_text(child, data)
    except AccessDenied:
        await message.answer(not_available())
        return
    # Paged, never cut: "pg1:attendance" pages are built again, access checked again.
    await answer_paged(message, text, PageOf(what="attendance", child=child.student_id))


async def attendance_text(child: ChildRef, data: dict[str, Any]) -> str:
    """The term's attendance of ``child`` so far, whole; AccessDenied propagates."""
    session, reader, today = data["session"], data["reader"], data["today"]
    placement = await student_class_on(session, child.student_id, today, reader)
    term = await term_on(session, placement.class_id, today) if placement.class_id else None
    start = term.starts_on if term else today.replace(day=1)
    report = await attendance(session, child.student_id, start, today, reader)
    return attendance_view(child, report, term)


async def on_term(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    try:
        text = await term_text(child, data)
    except AccessDenied:
        await message.answer(not_available())
        return
    # Paged, never cut: "pg1:term" pages are built again, access checked again.
    await answer_paged(message, text, PageOf(what="term", child=child.student_id))


async def term_text(child: ChildRef, data: dict[str, Any]) -> str:
    """The year's term, year, exam and final marks of ``child``, whole; AccessDenied
    propagates."""
    session, reader = data["session"], data["reader"]
    placement = await student_class_on(session, child.student_id, data["today"], reader)
    if placement.class_id is None:
        return not_available()
    info = await load_class(session, placement.class_id)
    marks = await attestation(session, child.student_id, info.academic_year_id, reader)
    return attestation_view(child, marks)


async def on_bells(message: Message, **data: Any) -> None:
    await answer_bells(message, data, data["today"])


async def answer_bells(
    message: Message, data: dict[str, Any], day: date, note: str | None = None
) -> None:
    """The bells of the focused child's class on ``day`` (a school may ring by weekday), under
    ``note`` (why "tomorrow" is another day)."""
    child = await focus_or_explain(message, data)
    if child is None:
        return
    try:
        placement = await student_class_on(data["session"], child.student_id, day, data["reader"])
    except AccessDenied:
        await message.answer(not_available())
        return
    if placement.class_id is None:
        await message.answer(not_available())
        return
    bells = await class_bells(data["session"], placement.class_id, day)
    await message.answer(with_note(note, bells_view(bells)))
