"""``/report``: a school report for the head teacher and the administration (any class or
parallel) and a class teacher (the class they lead): pick the period, the form, the class or
grade; see a compact table; "📄 XLSX" sends the workbook (core.reports.files).

Buttons are wishes: the core checks the reader on every press (core.reports.requests)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from core.access.policy import AccessDenied
from core.reports import files
from core.reports.period import PeriodNotFoundError
from core.reports.requests import PeriodChoice, choices_for, class_report, parallel_report
from core.reports.scope import ScopeError
from handlers.family import not_available
from handlers.views import report as views
from handlers.views.report import ReportPick


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_report, Command("report"))
    r.callback_query.register(on_pick, ReportPick.filter())
    return r


async def on_report(message: Message, **data: Any) -> None:
    choices = await choices_for(data["session"], data["reader"], data["today"])
    if not choices.classes:
        await message.answer(views.refusal())
        return
    text, keyboard = views.periods()
    await message.answer(text, reply_markup=keyboard)


async def on_pick(query: CallbackQuery, callback_data: ReportPick, **data: Any) -> None:
    message, pick = query.message, callback_data
    periods = {p.value for p in PeriodChoice}
    forms = {"", views.FORM_CLASS, views.FORM_PARALLEL}
    if not isinstance(message, Message) or pick.per not in periods or pick.form not in forms:
        await query.answer(not_available(), show_alert=True)
        return
    if pick.id:
        await _report(query, message, pick, data)
        return
    choices = await choices_for(data["session"], data["reader"], data["today"])
    if not choices.classes:  # the pickers too are the core's to offer
        await query.answer(views.refusal(), show_alert=True)
        return
    step = views.targets(pick.per, pick.form, choices) if pick.form else None
    text, keyboard = step or views.forms(pick.per, choices)
    await query.answer()
    with contextlib.suppress(TelegramBadRequest):  # pressed twice: the message is unchanged
        await message.edit_text(text, reply_markup=keyboard)


async def _report(
    query: CallbackQuery, message: Message, pick: ReportPick, data: dict[str, Any]
) -> None:
    """The table for the class or grade the button names, or (``act`` x) the workbook."""
    session, reader, today = data["session"], data["reader"], data["today"]
    xlsx = pick.act == views.XLSX
    try:
        if pick.form == views.FORM_PARALLEL:
            grade = await parallel_report(session, reader, pick.id, PeriodChoice(pick.per), today)
            text, document = views.parallel_view(grade.grade, grade.marks), grade.document
        else:
            found = await class_report(
                session, reader, pick.id, PeriodChoice(pick.per), today, with_attendance=xlsx
            )
            text, document = views.class_view(found.marks, found.pupils), found.document
    except (AccessDenied, ScopeError, PeriodNotFoundError, ValueError):
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    if not xlsx:
        with contextlib.suppress(TelegramBadRequest):  # pressed twice: the message is unchanged
            await message.edit_text(text, reply_markup=views.xlsx_button(pick))
        return
    made = document()
    workbook = await asyncio.to_thread(files.to_xlsx, made)  # CPU work: off the event loop
    await message.answer_document(
        BufferedInputFile(workbook, filename=f"{made.stem}.xlsx"), caption=views.file_caption()
    )
