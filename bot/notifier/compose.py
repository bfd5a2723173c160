"""A claim becomes messages: the coalesced pushes as one, each scheduled message and each piece
of mail (a question, an answer, an announcement, a report) on its own, with its files after it.

Rendering happens in the account's language (``Account.locale``, else the school's default)
and at its privacy level. Deliveries left with nothing to say (a mark removed before it was
pushed, a digest for a day without school) are returned to be recorded as skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.policy import AccessDenied
from core.analytics.warnings import guardian_outlook, risk_report
from core.linking.accounts import account_view, reader_of
from core.messaging.dto import AnnouncementReport, Attachment
from core.messaging.notices import (
    AnnouncementNotice,
    Notice,
    ReportedNotice,
    ThreadNotice,
    notices,
)
from core.models.enums import AttachmentKind, EventKind, PrivacyLevel
from core.notify.content import MAIL_ITEMS, ItemKind, PushItem
from core.notify.deliveries import Claim, Route
from core.notify.digest import evening_digest
from core.notify.weekly import weekly_summary
from handlers.views import announce as announce_views
from handlers.views import threads as thread_views
from handlers.views.digest import digest_view
from handlers.views.push import push_keyboard, push_pages
from handlers.views.risk import guardian_risk_view, risk_view
from handlers.views.weekly import weekly_view

_SCHEDULED = (
    ItemKind.EVENING_DIGEST,
    ItemKind.WEEKLY_SUMMARY,
    ItemKind.RISK_CLASS_TEACHER,
    ItemKind.RISK_SOCIAL_PEDAGOGUE,
    ItemKind.RISK_GUARDIAN,
)
_RISK = (ItemKind.RISK_CLASS_TEACHER, ItemKind.RISK_SOCIAL_PEDAGOGUE)


@dataclass(frozen=True)
class Message:
    account_id: int
    route: Route  # the bot it leaves by
    chat_key: str
    delivery_ids: tuple[int, ...]
    text: str
    markup: InlineKeyboardMarkup | None
    attempts: int
    # Sent after the text, each as a message of its own (the text is the delivery).
    files: tuple[Attachment, ...] = ()
    # Set on the follow-up messages that carry one of those files.
    file: Attachment | None = None


async def compose(
    session: AsyncSession,
    claim: Claim,
    items: Sequence[PushItem],
    now: datetime,
    i18n: I18n,
    default_locale: str,
    timezone: ZoneInfo,
) -> tuple[list[Message], list[int]]:
    """The claim's messages from its items (:func:`core.notify.content.claimed_items`), and
    the deliveries that have nothing to say."""
    silent = set(claim.delivery_ids) - {item.delivery_id for item in items}
    pushes = [item for item in items if item.kind not in _SCHEDULED + MAIL_ITEMS]
    mail = [item for item in items if item.kind in MAIL_ITEMS]
    said = await notices(
        session, [(EventKind(item.kind.value), item.object_id or 0) for item in mail]
    )
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
        for item in mail:
            notice = said.get((EventKind(item.kind.value), item.object_id or 0))
            if notice is None:
                silent.add(item.delivery_id)
                continue
            text, markup, files = _mail(notice, timezone, now, claim.privacy)
            messages.append(replace(_message(claim, [item.delivery_id], text, markup), files=files))
    return messages, sorted(silent)


def _mail(
    notice: Notice, timezone: ZoneInfo, now: datetime, privacy: PrivacyLevel
) -> tuple[str, InlineKeyboardMarkup | None, tuple[Attachment, ...]]:
    """A piece of mail's text, buttons and files. A staff member's question and, at the minimal
    privacy level, a family's answer show their text and files behind a button."""
    if isinstance(notice, ThreadNotice):
        if notice.to_staff:
            return (*thread_views.staff_notice(notice), ())
        full = privacy == PrivacyLevel.FULL
        files = notice.attachments if full else ()
        return (*thread_views.family_notice(notice, full=full), files)
    if isinstance(notice, AnnouncementNotice):
        return (*announce_views.notice_view(notice), notice.attachments)
    if isinstance(notice, ReportedNotice):
        return (*thread_views.reported_notice(notice), ())
    report: AnnouncementReport = notice
    return (*announce_views.report_view(report, timezone, now), ())


def file_messages(message: Message) -> list[Message]:
    """One message per file of ``message``, to follow it into the chat."""
    return [
        Message(
            message.account_id,
            message.route,
            message.chat_key,
            (),
            "",
            None,
            0,
            file=attachment,
        )
        for attachment in message.files
        if attachment.kind in (AttachmentKind.PHOTO, AttachmentKind.DOCUMENT)
        # A file id is its messenger's own: a file sent from Telegram stays listed under the
        # thread's "Files" for a MAX reader, but cannot be sent there.
        and attachment.messenger in (None, message.route.messenger)
    ]


def _message(
    claim: Claim, delivery_ids: list[int], text: str, markup: InlineKeyboardMarkup | None
) -> Message:
    return Message(
        claim.account_id,
        Route(claim.messenger, claim.bot),
        claim.chat_key,
        tuple(delivery_ids),
        text,
        markup,
        claim.attempts,
    )


async def _scheduled_text(
    session: AsyncSession, account_id: int, item: PushItem, now: datetime
) -> str | None:
    """The digest, the summary or an early warning, read now as the account would read it;
    None if empty."""
    if item.day is None:
        return None
    if item.kind in _RISK:
        report = await risk_report(session, account_id, EventKind(item.kind.value), item.day, now)
        return risk_view(report, item.kind == ItemKind.RISK_CLASS_TEACHER) if report else None
    if item.kind == ItemKind.RISK_GUARDIAN:
        outlook = await guardian_outlook(session, account_id, item.day)
        return guardian_risk_view(outlook) if outlook else None
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
