"""``/announce``: a teacher to the classes and groups they teach, a class teacher to their class,
the administration to a parallel or the school; then "Acknowledge" and the delivery report.

The target and the audience are chosen with buttons and kept in the chat's state; the core
checks both again when the announcement is sent, so a forged target is refused there.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from core.messaging import announcements
from core.messaging.audience import announcer, find_target, target_options
from core.messaging.compose import Draft, DraftKind
from core.messaging.errors import MessagingRefused
from core.models.enums import AnnouncementAudience, AnnouncementTarget
from handlers.callbacks import Acknowledge, AnnounceFor, AnnouncementShow, AnnounceTo
from handlers.compose import start_draft
from handlers.family import not_available
from handlers.states import Mail
from handlers.views import announce as views


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_announce, Command("announce"))
    r.callback_query.register(on_target, AnnounceTo.filter())
    r.callback_query.register(on_audience, AnnounceFor.filter(), Mail.announcing)
    r.callback_query.register(on_acknowledge, Acknowledge.filter())
    r.callback_query.register(on_report, AnnouncementShow.filter())
    return r


async def on_announce(message: Message, **data: Any) -> None:
    session, reader, today = data["session"], data["reader"], data["today"]
    who = await announcer(session, reader, today)
    if who is None:
        await message.answer(not_available())
        return
    text, keyboard = views.targets_view(await target_options(session, who, today))
    await message.answer(text, reply_markup=keyboard)
    latest = await announcements.recent(session, reader)
    keyboard = views.recent_view(latest, data["timezone"], data["now"])
    if keyboard is not None:
        await message.answer(views.recent_title(), reply_markup=keyboard)


async def on_target(
    query: CallbackQuery, callback_data: AnnounceTo, state: FSMContext, **data: Any
) -> None:
    session, today = data["session"], data["today"]
    who = await announcer(session, data["reader"], today)
    option = None
    if who is not None and isinstance(query.message, Message):
        option = find_target(
            await target_options(session, who, today),
            callback_data.target,
            grade=callback_data.grade or None,
            class_id=callback_data.cls or None,
            group_id=callback_data.grp or None,
        )
    if who is None or option is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    await state.set_state(Mail.announcing)
    label = views.target_label(option.target, option.label)
    await state.set_data(
        {
            "target": option.target.value,
            "grade": option.grade or 0,
            "class_id": option.class_id or 0,
            "group_id": option.group_id or 0,
            "label": label,
            "may_urgent": who.urgent,
        }
    )
    await query.answer()
    text, keyboard = views.audience_view(label)
    await query.message.edit_text(text, reply_markup=keyboard)


async def on_audience(
    query: CallbackQuery, callback_data: AnnounceFor, state: FSMContext, **data: Any
) -> None:
    chosen = await state.get_data()
    message = query.message
    try:
        audience = AnnouncementAudience(callback_data.audience)
        target = AnnouncementTarget(chosen["target"])
    except (KeyError, ValueError):
        await query.answer(not_available(), show_alert=True)
        return
    if not isinstance(message, Message):
        await query.answer()
        return
    await query.answer()
    heading = views.heading(str(chosen.get("label", "")), audience)
    draft = Draft(
        kind=DraftKind.ANNOUNCE,
        heading=heading,
        target=target.value,
        grade=int(chosen.get("grade", 0)),
        class_id=int(chosen.get("class_id", 0)),
        group_id=int(chosen.get("group_id", 0)),
        audience=audience.value,
        may_urgent=bool(chosen.get("may_urgent", False)),
    )
    await message.edit_reply_markup(reply_markup=None)
    await start_draft(message, state, draft, data)


async def on_acknowledge(query: CallbackQuery, callback_data: Acknowledge, **data: Any) -> None:
    done = await announcements.acknowledge(
        data["session"], data["reader"], callback_data.announcement, data["now"]
    )
    if not done:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer(views.acknowledged())
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def on_report(query: CallbackQuery, callback_data: AnnouncementShow, **data: Any) -> None:
    session, reader = data["session"], data["reader"]
    timezone, now, today = data["timezone"], data["now"], data["today"]
    message = query.message
    try:
        if callback_data.names:
            found = await announcements.unreached(
                session, reader, callback_data.announcement, now, today
            )
        else:
            report = await announcements.report(session, reader, callback_data.announcement, today)
    except MessagingRefused:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    if not isinstance(message, Message):
        return
    if callback_data.names:
        text, keyboard = views.unreached_view(found, callback_data.page)
        if callback_data.edit:
            await message.edit_text(text, reply_markup=keyboard)
        else:
            await message.answer(text, reply_markup=keyboard)
        return
    text, keyboard = views.report_view(report, timezone, now)
    if callback_data.edit:
        with contextlib.suppress(TelegramBadRequest):  # unchanged since the last refresh
            await message.edit_text(text, reply_markup=keyboard)
        return
    await message.answer(text, reply_markup=keyboard)
