"""Conversations: the notices the notifier sends, a thread as its reader sees it.

A thread too long for one message is paged, never cut: it opens on its newest messages, and
"◀ Page" goes back to earlier ones (each press opens the thread again: the core checks the
reader every time). A message longer than a page is split between pages, never left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.messaging.dto import (
    MessageView,
    Side,
    ThreadView,
)
from core.messaging.notices import ReportedNotice, ThreadNotice
from core.models.enums import AuthorKind
from handlers.callbacks import ThreadAction
from handlers.views.formatting import esc, local_time
from handlers.views.limits import MESSAGE_LIMIT, RAW_LIMIT, split_long, visible_length
from handlers.views.mail import (
    STATUS_LABELS,
    button,
    context_line,
    files_line,
    fit_text,
    role_phrase,
)


def staff_notice(notice: ThreadNotice) -> tuple[str, InlineKeyboardMarkup]:
    """The question as its recipient first sees it: the context, the text behind "Open"."""
    head = (
        _("📩 <b>New question #{thread}</b>")
        if notice.first
        else _("📩 <b>New message in conversation #{thread}</b>")
    ).format(thread=notice.thread_id)
    lines = [
        head,
        context_line(notice.child, notice.class_name, notice.subject),
        _("From: {asker}").format(asker=esc(notice.asker)),
        _("To you as: {role}").format(role=esc(role_phrase(notice.addressed_as, notice.subject))),
    ]
    if notice.attachments:
        lines.append(files_line(notice.attachments))
    lines.append(_("Open it to read; a reply to this message answers it."))
    return "\n".join(lines), _staff_keyboard(notice.thread_id, opened=False)


def family_notice(notice: ThreadNotice, *, full: bool = True) -> tuple[str, InlineKeyboardMarkup]:
    """A staff answer in the family's chat: in full, or (minimal privacy) only whose answer it
    is, the text behind the "Conversation" button."""
    head = _("💬 <b>Answer in conversation #{thread}</b>").format(thread=notice.thread_id)
    if notice.to_all_guardians:
        head = _("💬 <b>Message to all guardians of {child}</b> (conversation #{thread})").format(
            child=esc(notice.child), thread=notice.thread_id
        )
    lines = [head, context_line(notice.child, notice.class_name, notice.subject)]
    if full:
        lines += [f"<b>{esc(notice.staff)}</b>:", esc(notice.text)]
    else:
        lines.append(
            _("From {staff} — open the conversation to read it.").format(staff=esc(notice.staff))
        )
    if notice.attachments:
        lines.append(files_line(notice.attachments))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(
                    _("↩️ Write back"), ThreadAction(thread=notice.thread_id, act="reply").pack()
                ),
                button(
                    _("🗂 Conversation"), ThreadAction(thread=notice.thread_id, act="open").pack()
                ),
            ]
        ]
    )
    more = _("… the rest does not fit into one message; 🗂 Conversation shows it all.")
    return fit_text("\n".join(lines), more), keyboard


def reported_notice(notice: ReportedNotice) -> tuple[str, InlineKeyboardMarkup]:
    text = "\n".join(
        [
            _("⚠️ <b>Conversation #{thread} was reported to the administration</b>").format(
                thread=notice.thread_id
            ),
            context_line(notice.child, notice.class_name, None),
            _("Between {asker} and {staff}").format(
                asker=esc(notice.asker), staff=esc(notice.staff)
            ),
        ]
    )
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🗂 Open"), ThreadAction(thread=notice.thread_id, act="open").pack())]
        ]
    )
    return text, keyboard


def _staff_keyboard(thread_id: int, *, opened: bool, files: bool = False) -> InlineKeyboardMarkup:
    def act(name: str, arg: int = 0) -> str:
        return ThreadAction(thread=thread_id, act=name, arg=arg).pack()

    rows = []
    if not opened:
        rows.append([button(_("📖 Open"), act("open")), button(_("↩️ Reply"), act("reply"))])
    else:
        rows.append([button(_("↩️ Reply"), act("reply"))])
    rows.append([button(_("✅ Answered"), act("answered")), button(_("🔒 Close"), act("close"))])
    if opened:
        extra = [button(_("🔇 Mute sender"), act("mute")), button(_("⚠️ Report"), act("report"))]
        if files:
            extra.append(button(_("📎 Files"), act("files")))
        rows.append(extra)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def mute_keyboard(thread_id: int, days: Sequence[int]) -> InlineKeyboardMarkup:
    buttons = [
        button(
            ngettext("{n} day", "{n} days", n).format(n=n),
            ThreadAction(thread=thread_id, act="muted", arg=n).pack(),
        )
        for n in days
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            buttons,
            [button(_("◀ Back"), ThreadAction(thread=thread_id, act="open").pack())],
        ]
    )


def muted_text(until: datetime, timezone: ZoneInfo, now: datetime) -> str:
    return _(
        "🔇 You take no messages from this sender until {when}. The administration can see this."
    ).format(when=local_time(until, timezone, today=now))


def thread_view(
    view: ThreadView, timezone: ZoneInfo, now: datetime, page: int = 0
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The thread's page ``page`` (0: its newest messages) and its buttons."""
    head = [
        _("🗂 <b>Conversation #{thread}</b> · {status}").format(
            thread=view.id, status=_(STATUS_LABELS[view.status])
        ),
        context_line(view.child, view.class_name, view.subject),
        _("{asker} ↔ {staff} ({role})").format(
            asker=esc(view.asker),
            staff=esc(view.staff),
            role=esc(role_phrase(view.addressed_as, view.subject)),
        ),
    ]
    if view.muted_until is not None:
        head.append(
            _("🔇 The sender is muted until {when}.").format(
                when=local_time(view.muted_until, timezone, today=now)
            )
        )
    if view.reported:
        head.append(_("⚠️ Reported to the administration."))
    blocks = [_message_block(m, view, timezone, now) for m in view.messages]
    chunks = _pages_from_the_end(head, blocks)
    page = min(max(page, 0), len(chunks) - 1)
    lines = [*head, "", "\n\n".join(chunks[page])]
    rows: list[list[InlineKeyboardButton]] = []
    if len(chunks) > 1:
        # Numbered oldest first, as read; page 0 of the buttons is the newest.
        number = len(chunks) - page
        lines += ["", _("Page {page} of {count}").format(page=number, count=len(chunks))]
        rows.append(_thread_nav(view.id, page, number, len(chunks)))
    files = any(m.attachments for m in view.messages)
    keyboard = thread_keyboard(view, files=files)
    rows += keyboard.inline_keyboard if keyboard is not None else []
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _thread_nav(thread: int, page: int, number: int, count: int) -> list[InlineKeyboardButton]:
    row = []
    if page < count - 1:
        earlier = ThreadAction(thread=thread, act="page", arg=page + 1).pack()
        row.append(button(_("◀ Page {page}").format(page=number - 1), earlier))
    if page > 0:
        later = ThreadAction(thread=thread, act="page", arg=page - 1).pack()
        row.append(button(_("Page {page} ▶").format(page=number + 1), later))
    return row


def thread_keyboard(view: ThreadView, *, files: bool) -> InlineKeyboardMarkup | None:
    if view.side == Side.STAFF and not view.closed:
        return _staff_keyboard(view.id, opened=True, files=files)
    rows: list[list[InlineKeyboardButton]] = []
    if view.side == Side.FAMILY:
        row = []
        if not view.closed:
            row.append(button(_("↩️ Write"), ThreadAction(thread=view.id, act="reply").pack()))
        if not view.reported:
            row.append(button(_("⚠️ Report"), ThreadAction(thread=view.id, act="report").pack()))
        if row:
            rows.append(row)
    if files:
        rows.append([button(_("📎 Files"), ThreadAction(thread=view.id, act="files").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _message_block(
    message: MessageView, view: ThreadView, timezone: ZoneInfo, now: datetime
) -> str:
    when = local_time(message.created_at, timezone, today=now)
    header = f"<b>{esc(message.author)}</b>, {when}"
    if message.to_all_guardians:
        header += " · " + _("to all guardians")
    mine = (message.author_kind == AuthorKind.FAMILY) == (view.side == Side.FAMILY)
    if mine and view.side != Side.ADMIN:
        header += " · " + (_("✓✓ read") if message.read_at else _("✓ sent"))
    lines = [header, esc(message.text)] if message.text else [header]
    if message.attachments:
        lines.append(files_line(message.attachments))
    return "\n".join(lines)


def _pages_from_the_end(head: list[str], blocks: list[str]) -> list[list[str]]:
    """The message blocks in pages under ``head``, the newest page first, each page oldest
    message first; a block longer than a page is split into plain parts."""
    shown = "\n".join(head)
    budget = MESSAGE_LIMIT - visible_length(shown) - 120
    raw_budget = RAW_LIMIT - len(shown) - 60
    parts: list[str] = []
    for block in blocks:
        if visible_length(block) + 2 <= budget and len(block) + 2 <= raw_budget:
            parts.append(block)
        else:
            parts += [p for line in block.split("\n") for p in split_long(line, raw_budget - 2)]
    chunks: list[list[str]] = [[]]
    used = raw = 0
    for part in reversed(parts):
        size, raw_size = visible_length(part) + 2, len(part) + 2
        if chunks[-1] and (used + size > budget or raw + raw_size > raw_budget):
            chunks.append([])
            used = raw = 0
        chunks[-1].insert(0, part)
        used += size
        raw += raw_size
    return chunks


def reported_text() -> str:
    return _("⚠️ The conversation was sent to the school's administration.")


def cannot_write(view: ThreadView) -> str:
    if view.closed:
        return _("This conversation is closed. Start a new question with /ask.")
    return _("The administration reads conversations but does not write in them.")


def reply_heading(view: ThreadView) -> str:
    if view.side == Side.STAFF:
        return _("Answer in conversation #{thread}\nTo: {asker} · About: {child}").format(
            thread=view.id, asker=esc(view.asker), child=esc(view.child)
        )
    return _("Conversation #{thread}\nTo: {staff} · About: {child}").format(
        thread=view.id, staff=esc(view.staff), child=esc(view.child)
    )


def file_gone(name: str | None) -> str:
    return _("The file {name} is no longer available.").format(name=esc(name or _("photo")))


def file_elsewhere(name: str | None) -> str:
    return _(
        "The file {name} was sent from another messenger and opens only there; "
        "ask the sender for it again if you need it here."
    ).format(name=esc(name or _("photo")))
