"""A claim becomes messages: the coalesced pushes as one, each scheduled message on its own.

Rendering happens in the account's language (``Account.locale``, else the school's default)
and at its privacy level. Deliveries left with nothing to say (a mark removed before it was
pushed, a digest for a day without school) are returned to be recorded as skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.policy import AccessDenied
from core.linking.accounts import account_view, reader_of
from core.notify.content import ItemKind, PushItem
from core.notify.deliveries import Claim
from core.notify.digest import evening_digest
from core.notify.weekly import weekly_summary
from handlers.views.digest import digest_view
from handlers.views.push import push_keyboard, push_pages
from handlers.views.weekly import weekly_view

_SCHEDULED = (ItemKind.EVENING_DIGEST, ItemKind.WEEKLY_SUMMARY)


@dataclass(frozen=True)
class Message:
    account_id: int
    chat_key: str
    delivery_ids: tuple[int, ...]
    text: str
    markup: InlineKeyboardMarkup | None
    attempts: int


async def compose(
    session: AsyncSession,
    claim: Claim,
    items: Sequence[PushItem],
    now: datetime,
    i18n: I18n,
    default_locale: str,
) -> tuple[list[Message], list[int]]:
    """The claim's messages from its items (:func:`core.notify.content.claimed_items`), and
    the deliveries that have nothing to say."""
    silent = set(claim.delivery_ids) - {item.delivery_id for item in items}
    pushes = [item for item in items if item.kind not in _SCHEDULED]
    locale = claim.locale or default_locale
    messages: list[Message] = []
    with i18n.context(), i18n.use_locale(locale):
        for page, page_text in push_pages(pushes, claim.privacy):
            messages.append(
                _message(
                    claim,
                    [item.delivery_id for item in page],
                    page_text,
                    push_keyboard(page, claim.privacy),
                )
            )
        for item in items:
            if item.kind in _SCHEDULED:
                text = await _scheduled_text(session, claim.account_id, item, now)
                if text is None:
                    silent.add(item.delivery_id)
                else:
                    messages.append(_message(claim, [item.delivery_id], text, None))
    return messages, sorted(silent)


def _message(
    claim: Claim, delivery_ids: list[int], text: str, markup: InlineKeyboardMarkup | None
) -> Message:
    return Message(
        claim.account_id, claim.chat_key, tuple(delivery_ids), text, markup, claim.attempts
    )


async def _scheduled_text(
    session: AsyncSession, account_id: int, item: PushItem, now: datetime
) -> str | None:
    """The digest or the summary, read now as the account would read it; None if empty."""
    if item.day is None:
        return None
    # The day the family lives in: the digest is about tomorrow, the summary about this week.
    today = item.day - timedelta(days=1) if item.kind == ItemKind.EVENING_DIGEST else item.day
    view = await account_view(session, account_id, today)
    if view is None or not view.children:
        return None
    if item.kind == ItemKind.EVENING_DIGEST:
        children = await evening_digest(session, view, item.day, today)
        return digest_view(children) if children else None
    reader = reader_of(view, "scheduler", item.day + timedelta(days=6))
    weeks = []
    for child in view.children:
        try:
            weeks.append(await weekly_summary(session, reader, child.student_id, item.day))
        except AccessDenied:
            continue
    return weekly_view(weeks) if weeks else None
