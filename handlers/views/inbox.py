"""``/inbox``: a person's open conversations, a page at a time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.messaging.dto import (
    InboxPage,
    Side,
)
from handlers.callbacks import InboxShow, NewQuestion, ThreadAction
from handlers.views.formatting import esc, local_time
from handlers.views.mail import (
    STATUS_LABELS,
    button,
)


def inbox_view(
    page: InboxPage, timezone: ZoneInfo, now: datetime, *, other_side: bool
) -> tuple[str, InlineKeyboardMarkup]:
    family = page.side == Side.FAMILY
    if not page.items:
        text = (
            _("You have no open conversations. /ask writes to a teacher or the school.")
            if family
            else _("No open questions are addressed to you.")
        )
    else:
        title = (
            _("📨 <b>Your conversations</b> ({n})")
            if family
            else _("📨 <b>Questions to you</b> ({n})")
        )
        lines = [title.format(n=page.total), ""]
        for item in page.items:
            marks = " 🆕" if item.unread else ""
            if item.waiting_for_read:
                marks += " · " + _("not read yet")
            lines.append(
                f"<b>#{item.id}</b> · {esc(item.child)} · {esc(item.counterpart)}{marks}\n"
                f"   {local_time(item.last_message_at, timezone, today=now)} · "
                f"{_(STATUS_LABELS[item.status])} · «{esc(item.title)}»"
            )
        text = "\n".join(lines)
    rows = [
        [button(f"#{item.id} · {item.child}"[:64], ThreadAction(thread=item.id, act="view").pack())]
        for item in page.items
    ]
    paging = []
    if page.page > 0:
        paging.append(button("◀", InboxShow(side=page.side.value, page=page.page - 1).pack()))
    if page.page < page.pages - 1:
        paging.append(button("▶", InboxShow(side=page.side.value, page=page.page + 1).pack()))
    if paging:
        rows.append(paging)
    if family:
        rows.append([button(_("✉️ New question"), NewQuestion().pack())])
    if other_side:
        other = Side.STAFF if family else Side.FAMILY
        label = _("Questions to me") if family else _("My own questions")
        rows.append([button(label, InboxShow(side=other.value).pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)
