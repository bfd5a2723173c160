"""Writing to the school: recipients on offer, the draft's preview, receipts and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.messaging.dto import (
    Attachment,
    Receipt,
    RecipientOption,
)
from core.messaging.errors import MessagingRefused, Refusal
from handlers.callbacks import AskTo, DraftAction
from handlers.labels import N_
from handlers.views.formatting import esc, local_time
from handlers.views.mail import (
    button,
    files_line,
    fit_text,
    role_label,
)


def option_label(option: RecipientOption) -> str:
    return f"{role_label(option.addressed_as, option.subject)} — {option.name}"


def recipients_view(
    child_id: int, child: str, options: Sequence[RecipientOption]
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not options:
        return _("There is nobody I can pass a question about {child} to.").format(
            child=esc(child)
        ), None
    rows = [
        [
            button(
                option_label(o)[:64],
                AskTo(
                    child=child_id,
                    staff=o.staff_id,
                    role=o.addressed_as.value,
                    subject=o.subject_id or 0,
                ).pack(),
            )
        ]
        for o in options
    ]
    text = _("Who is your question about {child} for?").format(child=esc(child))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def write_prompt(limit: int, files: int) -> str:
    return _(
        "Write your message (up to {limit} characters). You can add up to {files} photos or "
        "documents (PDF, images, office files; 10 MB each). I will show it to you before "
        "sending."
    ).format(limit=limit, files=files)


@dataclass(frozen=True, slots=True)
class DraftPreview:
    heading: str  # "To: … · About: …" (already escaped)
    text: str
    files: Sequence[Attachment]
    answer: bool = False  # a staff answer: may go to all guardians
    announcement_toggles: tuple[bool, bool, bool] | None = None  # (ack, urgent, may urgent)


def preview_view(draft: DraftPreview) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("<b>Preview</b>"), draft.heading, ""]
    lines.append(esc(draft.text) if draft.text else _("(no text yet)"))
    if draft.files:
        lines += ["", files_line(draft.files)]
    lines += ["", _("Send another message to replace the text, or add files.")]
    rows: list[list[InlineKeyboardButton]] = []
    if draft.announcement_toggles is not None:
        ack, urgent, may_urgent = draft.announcement_toggles
        toggles = [
            button(
                ("☑️ " if ack else "⬜ ") + _("Ask to acknowledge"),
                DraftAction(act="ack").pack(),
            )
        ]
        if may_urgent:
            toggles.append(
                button(("☑️ " if urgent else "⬜ ") + _("Urgent"), DraftAction(act="urgent").pack())
            )
        rows.append(toggles)
    send = [button(_("✅ Send"), DraftAction(act="send").pack())]
    if draft.answer:
        send.append(button(_("👪 Send to all guardians"), DraftAction(act="all").pack()))
    rows.append(send)
    rows.append([button(_("✖️ Cancel"), DraftAction(act="cancel").pack())])
    return fit_text("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def receipt_text(receipt: Receipt, timezone: ZoneInfo, now: datetime) -> str:
    lines = [
        _("✅ Sent: question #{thread} to {name}").format(
            thread=receipt.thread_id, name=esc(receipt.recipient)
        )
        if receipt.recipient
        else _("✅ Sent in conversation #{thread}").format(thread=receipt.thread_id)
    ]
    if not receipt.recipient_linked:
        lines.append(
            _(
                "{name} does not use the bot yet: the message waits in the school's journal and "
                "reaches them as soon as they link."
            ).format(name=esc(receipt.recipient))
        )
    elif receipt.deliver_at is not None:
        lines.append(
            _(
                "It is outside their office hours now: they will get it on {when}. You will see "
                "«read» in /inbox once they open it."
            ).format(when=local_time(receipt.deliver_at, timezone, today=now))
        )
    else:
        lines.append(_("You will see «read» in /inbox once they open it."))
    return "\n".join(lines)


def answer_sent(to_all: bool) -> str:
    if to_all:
        return _("✅ Your answer went to the asker and every guardian of the child.")
    return _("✅ Your answer went to the asker.")


def refusal_text(refused: MessagingRefused, timezone: ZoneInfo, now: datetime) -> str:
    reason = refused.reason
    if reason == Refusal.TOO_LONG:
        return _("The message is too long: at most {limit} characters.").format(limit=refused.limit)
    if reason == Refusal.TOO_MANY_FILES:
        return _("At most {limit} files per message.").format(limit=refused.limit)
    if reason == Refusal.FILE_TOO_BIG:
        return _("This file is too big: at most {mb} MB.").format(
            mb=(refused.limit or 0) // (1024 * 1024)
        )
    limit = refused.limit or 0
    if reason == Refusal.TOO_MANY_OPEN:
        return ngettext(
            "You already have {limit} open question to this person. Wait for an answer, or "
            "continue it in /inbox.",
            "You already have {limit} open questions to this person. Wait for an answer, or "
            "continue one of them in /inbox.",
            limit,
        ).format(limit=limit)
    if reason == Refusal.DAILY_LIMIT:
        return ngettext(
            "You have sent {limit} message today, the daily limit. Try again tomorrow.",
            "You have sent {limit} messages today, the daily limit. Try again tomorrow.",
            limit,
        ).format(limit=limit)
    if reason == Refusal.MUTED and refused.until is not None:
        return _("This person does not accept your messages until {when}.").format(
            when=local_time(refused.until, timezone, today=now)
        )
    messages = {
        Refusal.EMPTY: N_("The message is empty: write some text or add a file."),
        Refusal.FILE_TYPE: N_(
            "I can pass on photos, PDF, images and office documents (Word, Excel, PowerPoint, "
            "LibreOffice, RTF, text). This file type is not accepted."
        ),
        Refusal.CLOSED: N_("This conversation is closed. Start a new question with /ask."),
        Refusal.ALREADY_REPORTED: N_(
            "This conversation has already been sent to the administration."
        ),
        Refusal.NOT_ALLOWED: N_("You cannot write this message."),
        Refusal.NOT_FOUND: N_("This conversation is not available to you."),
    }
    return _(messages.get(reason, N_("You cannot write this message.")))


def not_text() -> str:
    return _(
        "I can pass on text, photos and documents only; stickers, voice and video messages "
        "cannot be sent to the school. Please write it as text."
    )


def no_draft() -> str:
    return _("This draft is no longer open. Start again with /ask or /inbox.")


def foreign_reply() -> str:
    return _(
        "This message is not part of a conversation I can continue. Open your conversations "
        "with /inbox."
    )


def cancelled() -> str:
    return _("Cancelled: nothing was sent.")


def urgent_not_allowed() -> str:
    return _("Only the administration can mark an announcement urgent.")
