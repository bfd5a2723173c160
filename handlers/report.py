"""``/report``: a school report for the head teacher and the administration (any class,
parallel, subject over the school or a grade, teacher; the student movement), a class teacher
(the class they lead), a teacher (their own classes and subjects), the secretary (the
movement): pick the period, the form, the target; see a compact table; "📄 XLSX", "📄 PDF"
and "📄 CSV" send the files (core.reports.files; the CSV files in one ZIP archive).

Buttons are wishes: the core checks the reader on every press (core.reports.requests). A long
report is paged, never cut: its ``pg`` names the page, and each page is the report built again.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import zipfile
from datetime import date
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.policy import AccessDenied
from core.reader import Reader
from core.reports import files
from core.reports.period import PeriodNotFoundError
from core.reports.requests import (
    PeriodChoice,
    choices_for,
    class_report,
    movement_for,
    parallel_report,
    subject_report,
    teacher_report_for,
)
from core.reports.scope import ScopeError
from core.services.errors import NotFoundError
from handlers.family import not_available
from handlers.paging import page_of
from handlers.views import report as views
from handlers.views.report import ReportPick


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_report, Command("report"))
    r.callback_query.register(on_pick, ReportPick.filter())
    return r


async def on_report(message: Message, **data: Any) -> None:
    choices = await choices_for(data["session"], data["reader"], data["today"])
    if not choices.anything:
        await message.answer(views.refusal())
        return
    text, keyboard = views.periods()
    await message.answer(text, reply_markup=keyboard)


def _valid(pick: ReportPick) -> bool:
    return (
        pick.per in {p.value for p in PeriodChoice}
        and (pick.form in views.FORMS or (pick.form == "" and not pick.id))
        and pick.act in views.ACTS
        and (pick.g in ("", views.WHOLE_SCHOOL) or pick.g.isdigit())
        and pick.pg >= 0
        and pick.id >= 0
    )


async def on_pick(query: CallbackQuery, callback_data: ReportPick, **data: Any) -> None:
    message, pick = query.message, callback_data
    if not isinstance(message, Message) or not _valid(pick):
        await query.answer(not_available(), show_alert=True)
        return
    asks_scope = pick.form == views.FORM_SUBJECT and not pick.g
    if pick.form == views.FORM_MOVEMENT or (pick.id and not asks_scope):
        await _report(query, message, pick, data)
        return
    choices = await choices_for(data["session"], data["reader"], data["today"])
    if not choices.anything:  # the pickers too are the core's to offer
        await query.answer(views.refusal(), show_alert=True)
        return
    if not pick.form:
        text, keyboard = views.forms(pick.per, choices, data["reader"].staff_id)
    elif asks_scope and pick.id:
        subject = dict(choices.subjects).get(pick.id)
        if subject is None:
            await query.answer(not_available(), show_alert=True)
            return
        text, keyboard = views.subject_scopes(pick, subject, choices)
    else:
        text, keyboard = views.targets(pick, choices)
    await query.answer()
    with contextlib.suppress(TelegramBadRequest):  # pressed twice: the message is unchanged
        await message.edit_text(text, reply_markup=keyboard)


async def _build(
    session: AsyncSession, reader: Reader, pick: ReportPick, today: date
) -> tuple[list[str], files.Document]:
    """The chat's lines and the files' document for the report the button names."""
    choice = PeriodChoice(pick.per)
    if pick.form == views.FORM_PARALLEL:
        grade = await parallel_report(session, reader, pick.id, choice, today)
        return views.parallel_view(grade.grade, grade.marks), grade.document()
    if pick.form == views.FORM_SUBJECT:
        scope = None if pick.g == views.WHOLE_SCHOOL else int(pick.g)
        subject = await subject_report(session, reader, pick.id, scope, choice, today)
        return views.subject_view(subject), subject.document()
    if pick.form == views.FORM_TEACHER:
        teacher = await teacher_report_for(session, reader, pick.id, choice, today)
        return views.teacher_view(teacher), teacher.document()
    if pick.form == views.FORM_MOVEMENT:
        movement = await movement_for(session, reader, choice, today)
        return views.movement_view(movement), files.movement_document(movement)
    found = await class_report(
        session, reader, pick.id, choice, today, with_attendance=bool(pick.act)
    )
    return views.class_view(found.marks, found.pupils), found.document()


async def _report(
    query: CallbackQuery, message: Message, pick: ReportPick, data: dict[str, Any]
) -> None:
    """The table the button names, or (``act``) one of its files."""
    try:
        lines, document = await _build(data["session"], data["reader"], pick, data["today"])
    except (AccessDenied, NotFoundError, ScopeError, PeriodNotFoundError, ValueError):
        await query.answer(not_available(), show_alert=True)
        return
    printable = document.marks is not None
    if pick.act == views.PDF and not printable:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    if not pick.act:
        below = views.file_buttons(pick, pdf=printable).inline_keyboard
        text, keyboard = page_of(lines, pick, below, field="pg")
        with contextlib.suppress(TelegramBadRequest):  # pressed twice: the message is unchanged
            await message.edit_text(text, reply_markup=keyboard)
        return
    content, name = await asyncio.to_thread(_render, document, pick.act)  # CPU work
    caption = views.file_caption(
        pick.act,
        movement=pick.form == views.FORM_MOVEMENT,
        class_report=pick.form == views.FORM_CLASS,
    )
    await message.answer_document(BufferedInputFile(content, filename=name), caption=caption)


def _safe(name: str) -> str:
    """A file name without folders (a subject may be called «ИЗО/Музыка»)."""
    return name.replace("/", "-").replace("\\", "-")


def _render(document: files.Document, act: str) -> tuple[bytes, str]:
    """The file's bytes and name: the workbook, the printed report, or the CSV files zipped."""
    stem = _safe(document.stem)
    if act == views.XLSX:
        return files.to_xlsx(document), f"{stem}.xlsx"
    if act == views.PDF:
        printed = files.to_pdf(document)
        if printed is None:  # checked before: the movement has no PDF
            raise ValueError("no printed version")
        return printed, f"{stem}.pdf"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.to_csv(document).items():
            archive.writestr(_safe(name), content)
    return out.getvalue(), f"{stem}-csv.zip"
