"""``/ask``: a guardian or a student writes to the school about a child.

The child first (a guardian of several), then a recipient from the core's list for that child
(the people who teach the child now, the class teacher, the school's roles), then the draft.
A pressed child or recipient is only a wish: the list is read again and must contain it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from core.linking.dto import AccountView, ChildRef
from core.messaging.access import asker_for
from core.messaging.compose import Draft, DraftKind
from core.messaging.recipients import find_option, recipient_options
from handlers.callbacks import AskAbout, AskTo, NewQuestion
from handlers.compose import start_draft
from handlers.family import child_in_focus, nobody_to_show, not_available
from handlers.menu import main_keyboard
from handlers.views import compose as views
from handlers.views.formatting import child_line, esc


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_ask, Command("ask"))
    r.callback_query.register(on_new_question, NewQuestion.filter())
    r.callback_query.register(on_child, AskAbout.filter())
    r.callback_query.register(on_recipient, AskTo.filter())
    return r


async def on_ask(message: Message, **data: Any) -> None:
    await _choose_child(message, data)


async def on_new_question(query: CallbackQuery, **data: Any) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _choose_child(query.message, data)


async def _choose_child(message: Message, data: dict[str, Any]) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.children:
        await message.answer(nobody_to_show(account), reply_markup=main_keyboard(account))
        return
    if len(account.children) == 1:
        await _recipients(message, account.children[0], data, edit=False)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=f"{child.name}" + (f", {child.class_name}" if child.class_name else ""),
                callback_data=AskAbout(child=child.student_id).pack(),
            )
        ]
        for child in account.children
    ]
    await message.answer(
        _("Which child is your question about?"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def on_child(query: CallbackQuery, callback_data: AskAbout, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    if child is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await _recipients(query.message, child, data, edit=True)


async def _recipients(
    message: Message, child: ChildRef, data: dict[str, Any], *, edit: bool
) -> None:
    session, today = data["session"], data["today"]
    if await asker_for(session, data["reader"], child.student_id, today) is None:
        await message.answer(not_available())
        return
    options = await recipient_options(session, child.student_id, today)
    text, keyboard = views.recipients_view(child.student_id, child_line(child), options)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def on_recipient(
    query: CallbackQuery, callback_data: AskTo, state: FSMContext, **data: Any
) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    message = query.message
    if child is None or not isinstance(message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    session, today = data["session"], data["today"]
    allowed = await asker_for(session, data["reader"], child.student_id, today) is not None
    options = await recipient_options(session, child.student_id, today) if allowed else []
    subject = callback_data.subject or None
    option = find_option(options, callback_data.staff, callback_data.role, subject)
    if option is None:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    heading = _("To: {recipient}\nAbout: {child}").format(
        recipient=esc(views.option_label(option)), child=child_line(child)
    )
    draft = Draft(
        kind=DraftKind.ASK,
        heading=heading,
        child=child.student_id,
        staff=option.staff_id,
        role=option.addressed_as.value,
        subject=option.subject_id or 0,
    )
    await start_draft(message, state, draft, data)
