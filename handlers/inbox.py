"""``/inbox`` and everything done to a thread: open, answer, write back, mark answered, close,
mute the sender, report, files - and a plain reply to a delivered message, which answers too.

Each press names a thread; the core decides again whether the presser may see or do it, so a
forged or stale button gets the same "not available" as a stranger's thread number.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from core.linking.dto import AccountView
from core.messaging.compose import Draft, DraftKind, with_file, with_text
from core.messaging.dto import Side, ThreadView
from core.messaging.errors import MessagingRefused
from core.messaging.inbox import has_family_side, inbox
from core.messaging.threads import MUTE_DAYS, mute_asker, open_thread, report, set_status
from core.messaging.waiting import thread_of_message
from core.models.enums import AttachmentKind, Messenger, ThreadStatus
from handlers.callbacks import InboxShow, ThreadAction
from handlers.compose import attachment_of, start_draft
from handlers.family import nobody_to_show
from handlers.menu import BUTTON_MESSAGES, main_keyboard
from handlers.views import compose as compose_views
from handlers.views import threads as views
from handlers.views.inbox import inbox_view

# Files sent on one press; a thread keeps at most a few messages of five each.
MAX_FILES = 10


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_inbox, Command("inbox"))
    r.message.register(on_inbox, F.text == BUTTON_MESSAGES)
    r.message.register(on_reply, F.reply_to_message.from_user.is_bot)
    r.callback_query.register(on_page, InboxShow.filter())
    r.callback_query.register(on_thread, ThreadAction.filter())
    return r


async def on_inbox(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.linked:
        await message.answer(nobody_to_show(account), reply_markup=main_keyboard(account))
        return
    side = Side.STAFF if account.staff_id is not None else Side.FAMILY
    text, keyboard = await _inbox(data, side, 0)
    await message.answer(text, reply_markup=keyboard)


async def on_page(query: CallbackQuery, callback_data: InboxShow, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.linked or not isinstance(query.message, Message):
        await query.answer(compose_views.no_draft(), show_alert=True)
        return
    side = Side.STAFF if callback_data.side == Side.STAFF.value else Side.FAMILY
    text, keyboard = await _inbox(data, side, callback_data.page)
    await query.answer()
    await query.message.edit_text(text, reply_markup=keyboard)


async def _inbox(data: dict[str, Any], side: Side, page: int) -> tuple[str, Any]:
    reader = data["reader"]
    found = await inbox(data["session"], reader, side, page, data["today"])
    both = reader.staff_id is not None and has_family_side(reader)
    return inbox_view(found, data["timezone"], data["now"], other_side=both)


async def on_thread(
    query: CallbackQuery, callback_data: ThreadAction, state: FSMContext, **data: Any
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    session, reader, rules, now = data["session"], data["reader"], data["mail_rules"], data["now"]
    thread_id, act = callback_data.thread, callback_data.act
    try:
        if act == "answered":
            view = await set_status(session, reader, rules, thread_id, ThreadStatus.ANSWERED, now)
        elif act == "close":
            view = await set_status(session, reader, rules, thread_id, ThreadStatus.CLOSED, now)
        elif act == "muted":
            until = await mute_asker(session, reader, rules, thread_id, callback_data.arg, now)
            view = await open_thread(session, reader, rules, thread_id, now)
            await message.answer(views.muted_text(until, data["timezone"], now))
        elif act == "report":
            await report(session, reader, rules, thread_id, now)
            view = await open_thread(session, reader, rules, thread_id, now)
            await message.answer(views.reported_text())
        else:
            view = await open_thread(session, reader, rules, thread_id, now)
    except MessagingRefused as refused:
        await query.answer(
            compose_views.refusal_text(refused, data["timezone"], now), show_alert=True
        )
        return
    await query.answer()
    if act == "mute" and view.side == Side.STAFF:
        await message.edit_reply_markup(reply_markup=views.mute_keyboard(thread_id, MUTE_DAYS))
        return
    if act == "view":
        text, keyboard = views.thread_view(view, data["timezone"], now)
        await message.answer(text, reply_markup=keyboard)
    else:  # "page": an earlier or later page of a long thread, opened (and judged) again
        await _show(message, view, data, callback_data.arg if act == "page" else 0)
    if act == "files":
        await _send_files(message, view, data["messenger"])
    elif act == "reply":
        await _start_reply(message, state, view, data)


async def _show(message: Message, view: ThreadView, data: dict[str, Any], page: int = 0) -> None:
    text, keyboard = views.thread_view(view, data["timezone"], data["now"], page)
    with contextlib.suppress(TelegramBadRequest):  # nothing changed since it was shown
        await message.edit_text(text, reply_markup=keyboard)


async def _start_reply(
    message: Message,
    state: FSMContext,
    view: ThreadView,
    data: dict[str, Any],
    draft: Draft | None = None,
) -> None:
    if view.closed or view.side == Side.ADMIN:
        await message.answer(views.cannot_write(view))
        return
    kind = DraftKind.ANSWER if view.side == Side.STAFF else DraftKind.POST
    given = draft or Draft(kind=kind)
    aimed = replace(given, kind=kind, heading=views.reply_heading(view), thread=view.id)
    await start_draft(message, state, aimed, data)


async def _send_files(message: Message, view: ThreadView, messenger: Messenger) -> None:
    files = [f for m in view.messages for f in m.attachments][:MAX_FILES]
    for attachment in files:
        if attachment.messenger not in (None, messenger):
            # Another messenger's file id: this one cannot send it.
            await message.answer(views.file_elsewhere(attachment.file_name))
            continue
        try:
            if attachment.kind == AttachmentKind.PHOTO:
                await message.answer_photo(attachment.file_key)
            else:
                await message.answer_document(attachment.file_key)
        except TelegramBadRequest:
            await message.answer(views.file_gone(attachment.file_name))


# The thread a bot message names: its views start with a marker and "#<number>".
_THREAD_MARK = re.compile(r"^(?:🗂|📩|💬|⚠️)\D*#(\d{1,12})")


def _named_thread(text: str | None) -> int | None:
    """A thread view the bot sent in answer to a press is no delivery; its text names it."""
    found = _THREAD_MARK.match(text or "")
    return int(found.group(1)) if found else None


async def on_reply(message: Message, state: FSMContext, **data: Any) -> None:
    """A plain reply to a message the bot delivered: the thread it belongs to gets it."""
    account: AccountView | None = data["account"]
    replied = message.reply_to_message
    if account is None or replied is None:
        await message.answer(compose_views.foreign_reply())
        return
    session = data["session"]
    thread_id = await thread_of_message(session, account.account_id, str(replied.message_id))
    if thread_id is None:
        thread_id = _named_thread(replied.text)
    if thread_id is None:
        await message.answer(compose_views.foreign_reply())
        return
    rules, now = data["mail_rules"], data["now"]
    try:
        view = await open_thread(session, data["reader"], rules, thread_id, now)
        draft = Draft(kind=DraftKind.POST)
        attachment = attachment_of(message)
        if attachment is not None:
            draft = with_file(draft, attachment, rules)
        text = message.text or message.caption or ""
        if text:
            draft = with_text(draft, text, rules)
        if attachment is None and not text:
            await message.answer(compose_views.not_text())
            return
    except MessagingRefused as refused:
        await message.answer(compose_views.refusal_text(refused, data["timezone"], now))
        return
    await _start_reply(message, state, view, data, draft)
