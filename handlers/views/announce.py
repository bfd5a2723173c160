"""Announcements: choosing whom, the notice families get, and the sender's delivery report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.messaging.dto import AnnouncementReport, TargetOption, Unreached
from core.messaging.notices import AnnouncementNotice
from core.models.enums import AnnouncementAudience, AnnouncementTarget
from handlers.callbacks import Acknowledge, AnnounceFor, AnnouncementShow, AnnounceTo
from handlers.labels import N_
from handlers.views.formatting import esc, local_time
from handlers.views.limits import paged
from handlers.views.mail import button, files_line, fit_text

AUDIENCE_LABELS: dict[AnnouncementAudience, str] = {
    AnnouncementAudience.GUARDIANS: N_("parents"),
    AnnouncementAudience.STUDENTS: N_("students"),
    AnnouncementAudience.BOTH: N_("parents and students"),
}
REASON_LABELS = {
    "not_linked": N_("not linked to the bot"),
    "blocked": N_("blocked the bot"),
    "failed": N_("could not be delivered"),
    "turned_off": N_("turned announcements off"),
}


def target_label(target: AnnouncementTarget, label: str) -> str:
    if target == AnnouncementTarget.SCHOOL:
        return _("the whole school")
    if target == AnnouncementTarget.GRADE:
        return _("all classes of grade {grade}").format(grade=esc(label))
    if target == AnnouncementTarget.GROUP:
        return _("group {name}").format(name=esc(label))
    return _("class {name}").format(name=esc(label))


def targets_view(options: Sequence[TargetOption]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not options:
        return _("You have no classes to send an announcement to."), None
    buttons = [
        button(
            target_label(o.target, o.label)[:64],
            AnnounceTo(
                target=o.target.value,
                grade=o.grade or 0,
                cls=o.class_id or 0,
                grp=o.group_id or 0,
            ).pack(),
        )
        for o in options
    ]
    # Whole-school and parallel choices read best one per row; classes three to a row.
    wide = [b for b, o in zip(buttons, options, strict=True) if o.target in _WIDE]
    narrow = [b for b, o in zip(buttons, options, strict=True) if o.target not in _WIDE]
    rows = [[b] for b in wide[:1]]
    rows += [wide[i : i + 4] for i in range(1, len(wide), 4)]
    rows += [narrow[i : i + 3] for i in range(0, len(narrow), 3)]
    return _("📢 Whom is the announcement for?"), InlineKeyboardMarkup(inline_keyboard=rows)


_WIDE = (AnnouncementTarget.SCHOOL, AnnouncementTarget.GRADE)


def audience_view(label: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [
            button(_(AUDIENCE_LABELS[a]).capitalize(), AnnounceFor(audience=a.value).pack())
            for a in AnnouncementAudience
        ]
    ]
    text = _("📢 {target}: who should get it?").format(target=label)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def heading(label: str, audience: AnnouncementAudience) -> str:
    return _("📢 Announcement to {target} · {audience}").format(
        target=label, audience=_(AUDIENCE_LABELS[audience])
    )


def sent_text(people: int, report_at: datetime | None, timezone: ZoneInfo, now: datetime) -> str:
    text = _("✅ The announcement is on its way to {n} people.").format(n=people)
    if report_at is not None:
        text += "\n" + _("The delivery report comes at {when}.").format(
            when=local_time(report_at, timezone, today=now)
        )
    return text


def notice_view(notice: AnnouncementNotice) -> tuple[str, InlineKeyboardMarkup | None]:
    head = _("📢 <b>Announcement</b> from {author}").format(author=esc(notice.author))
    if notice.urgent:
        head = _("🚨 <b>Urgent announcement</b> from {author}").format(author=esc(notice.author))
    lines = [head, target_label(notice.target, notice.label), "", esc(notice.text)]
    if notice.attachments:
        lines += ["", files_line(notice.attachments)]
    keyboard = None
    if notice.ask_ack:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    button(
                        _("👍 Acknowledge"),
                        Acknowledge(announcement=notice.announcement_id).pack(),
                    )
                ]
            ]
        )
    return fit_text("\n".join(lines)), keyboard


def acknowledged() -> str:
    return _("👍 Acknowledged. Thank you!")


def report_view(
    report: AnnouncementReport, timezone: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("📊 <b>Announcement #{id}</b> of {when}").format(
            id=report.announcement_id, when=local_time(report.created_at, timezone, today=now)
        ),
        target_label(report.target, report.label) + " · " + _(AUDIENCE_LABELS[report.audience]),
        "",
        _("People: {n}").format(n=report.people),
        _("✅ delivered: {n}").format(n=report.delivered),
    ]
    if report.ask_ack:
        lines.append(_("   👍 of them acknowledged: {n}").format(n=report.acknowledged))
    lines += [
        _("⏳ waiting (quiet hours, queue): {n}").format(n=report.waiting),
        _("🔕 turned announcements off: {n}").format(n=report.turned_off),
        _("⛔ blocked the bot: {n}").format(n=report.blocked),
        _("⚠️ could not be delivered: {n}").format(n=report.failed),
        _("❔ not linked to the bot: {n}").format(n=report.not_linked),
    ]
    rows = [
        [
            button(
                _("🔄 Refresh"),
                AnnouncementShow(announcement=report.announcement_id, edit=True).pack(),
            ),
            button(
                _("👤 Who was not reached"),
                AnnouncementShow(announcement=report.announcement_id, names=True).pack(),
            ),
        ]
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def unreached_view(found: Unreached, page: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    """The people not reached, a page at a time (a whole school's list is long)."""
    if not found.people and not found.hidden:
        return _("Everybody was reached (or is waiting for the morning)."), None
    lines = [_("👤 <b>Not reached</b> by announcement #{id}").format(id=found.announcement_id), ""]
    reason = None
    for person in found.people:
        if person.reason != reason:
            reason = person.reason
            lines.append("<b>" + _(REASON_LABELS.get(reason, reason)).capitalize() + "</b>")
        lines.append(f"• {esc(person.name)} — {esc(person.children)}")
    if found.hidden:
        lines += [
            "",
            _("{n} more outside the classes whose contacts you may see.").format(n=found.hidden),
        ]
    shown = AnnouncementShow(announcement=found.announcement_id, names=True, edit=True)
    text, rows = paged(lines, page, shown)
    return text, InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def recent_view(
    items: Sequence[tuple[int, datetime, str]], timezone: ZoneInfo, now: datetime
) -> InlineKeyboardMarkup | None:
    if not items:
        return None
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                f"📊 #{ident} · {local_time(at, timezone, today=now)} · {opening}"[:64],
                AnnouncementShow(announcement=ident).pack(),
            )
        ]
        for ident, at, opening in items
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def recent_title() -> str:
    return _("Your latest announcements (press for the delivery report):")
