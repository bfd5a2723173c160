"""Writing a message in the chat: text, photos and documents gather in a draft with a preview.

The draft lives in the chat's state (``Mail.writing``) as :class:`core.messaging.compose.Draft`;
each text replaces its text, each photo or document is added after the core's checks, and every
change shows a fresh preview (the previous one loses its buttons). "Send" hands the draft to the
core, which checks everything again; "Cancel" drops it. Stickers, voice and video notes get a
polite refusal and change nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from core.messaging.compose import Draft, DraftKind, send_draft, with_file, with_text
from core.messaging.dto import AnnouncementReceipt, Attachment
from core.messaging.errors import MessagingRefused, Refusal
from core.models.enums import AttachmentKind
from handlers.callbacks import DraftAction
from handlers.states import Mail
from handlers.views import announce as announce_views
from handlers.views import compose as views

# Refusals after which the draft cannot succeed: it is dropped.
_FINAL = (Refusal.NOT_FOUND, Refusal.NOT_ALLOWED, Refusal.CLOSED, Refusal.MUTED)


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_text, Mail.writing, F.text & ~F.text.startswith("/"))
    r.message.register(on_file, Mail.writing, F.photo | F.document)
    r.message.register(
        on_not_text,
        Mail.writing,
        F.sticker | F.voice | F.video_note | F.video | F.audio | F.animation,
    )
    r.callback_query.register(on_action, DraftAction.filter())
    return r


async def start_draft(
    message: Message, state: FSMContext, draft: Draft, data: dict[str, Any]
) -> None:
    """Open a draft and say what to write; a text or files already given show a preview."""
    await state.set_state(Mail.writing)
    await _store(state, draft)
    if draft.text or draft.files:
        await show_preview(message, state, draft)
        return
    rules = data["mail_rules"]
    prompt = views.write_prompt(rules.max_chars, rules.max_files)
    await message.answer(f"{draft.heading}\n\n{prompt}" if draft.heading else prompt)


async def current_draft(state: FSMContext) -> Draft | None:
    if await state.get_state() != Mail.writing:
        return None
    return Draft.from_state(await state.get_data())


async def _store(state: FSMContext, draft: Draft) -> None:
    await state.set_data(draft.to_state())


async def show_preview(message: Message, state: FSMContext, draft: Draft) -> None:
    old = draft.extra.get("preview")
    if isinstance(old, int):
        with contextlib.suppress(TelegramBadRequest):
            await message.bot.edit_message_reply_markup(  # type: ignore[union-attr]
                chat_id=message.chat.id, message_id=old, reply_markup=None
            )
    text, keyboard = views.preview_view(_preview(draft))
    sent = await message.answer(text, reply_markup=keyboard)
    await _store(state, replace(draft, extra={**draft.extra, "preview": sent.message_id}))


def _preview(draft: Draft) -> views.DraftPreview:
    toggles = (
        (draft.ack, draft.urgent, draft.may_urgent) if draft.kind == DraftKind.ANNOUNCE else None
    )
    return views.DraftPreview(
        heading=draft.heading,
        text=draft.text,
        files=draft.files,
        answer=draft.kind == DraftKind.ANSWER,
        announcement_toggles=toggles,
    )


def attachment_of(message: Message) -> Attachment | None:
    if message.photo:
        photo = message.photo[-1]  # the largest size Telegram made
        return Attachment(AttachmentKind.PHOTO, photo.file_id, None, "image/jpeg", photo.file_size)
    if message.document:
        doc = message.document
        return Attachment(
            AttachmentKind.DOCUMENT, doc.file_id, doc.file_name, doc.mime_type, doc.file_size
        )
    return None


async def on_text(message: Message, state: FSMContext, **data: Any) -> None:
    draft = await current_draft(state)
    if draft is None:
        await state.clear()
        await message.answer(views.no_draft())
        return
    try:
        draft = with_text(draft, message.text or "", data["mail_rules"])
    except MessagingRefused as refused:
        await message.answer(views.refusal_text(refused, data["timezone"], data["now"]))
        return
    await show_preview(message, state, draft)


async def on_file(message: Message, state: FSMContext, **data: Any) -> None:
    draft = await current_draft(state)
    attachment = attachment_of(message)
    if draft is None or attachment is None:
        await state.clear()
        await message.answer(views.no_draft())
        return
    try:
        draft = with_file(draft, attachment, data["mail_rules"])
        if message.caption:
            # A caption labels its file; it adds to the text written so far.
            text = f"{draft.text}\n{message.caption}" if draft.text else message.caption
            draft = with_text(draft, text, data["mail_rules"])
    except MessagingRefused as refused:
        await message.answer(views.refusal_text(refused, data["timezone"], data["now"]))
        return
    await show_preview(message, state, draft)


async def on_not_text(message: Message, **data: Any) -> None:
    await message.answer(views.not_text())


async def on_action(
    query: CallbackQuery, callback_data: DraftAction, state: FSMContext, **data: Any
) -> None:
    message = query.message
    draft = await current_draft(state)
    if draft is None or not isinstance(message, Message):
        await query.answer(views.no_draft(), show_alert=True)
        return
    if draft.extra.get("preview") != message.message_id:
        await query.answer(views.no_draft(), show_alert=True)  # an older preview's button
        return
    act = callback_data.act
    if act == "cancel":
        await state.clear()
        await query.answer()
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(views.cancelled())
        return
    if act in ("ack", "urgent") and draft.kind == DraftKind.ANNOUNCE:
        await _toggle(query, message, state, draft, act)
        return
    if act not in ("send", "all"):
        await query.answer()
        return
    await _send(query, message, state, draft, to_all=act == "all", data=data)


async def _toggle(
    query: CallbackQuery, message: Message, state: FSMContext, draft: Draft, act: str
) -> None:
    """An announcement's "Ask to acknowledge" or "Urgent" (only for those who may)."""
    if act == "urgent" and not draft.may_urgent:
        await query.answer(views.urgent_not_allowed(), show_alert=True)
        return
    if act == "ack":
        draft = replace(draft, ack=not draft.ack)
    else:
        draft = replace(draft, urgent=not draft.urgent)
    await _store(state, draft)
    await query.answer()
    text, keyboard = views.preview_view(_preview(draft))
    await message.edit_text(text, reply_markup=keyboard)


async def _send(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    draft: Draft,
    *,
    to_all: bool,
    data: dict[str, Any],
) -> None:
    timezone, now = data["timezone"], data["now"]
    try:
        sent = await send_draft(
            data["session"],
            data["reader"],
            data["mail_rules"],
            draft,
            messenger=data["messenger"],
            now=now,
            to_all_guardians=to_all,
        )
    except MessagingRefused as refused:
        await query.answer()
        if refused.reason in _FINAL:
            await state.clear()
            await message.edit_reply_markup(reply_markup=None)
        await message.answer(views.refusal_text(refused, timezone, now))
        return
    await state.clear()
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    if isinstance(sent, AnnouncementReceipt):
        await message.answer(announce_views.sent_text(sent.people, sent.report_at, timezone, now))
    elif draft.kind == DraftKind.ANSWER:
        await message.answer(views.answer_sent(to_all))
    else:
        await message.answer(views.receipt_text(sent, timezone, now))
