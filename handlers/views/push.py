"""A push as the family reads it: one message for a coalesced batch, at the account's privacy level.

``full`` shows mark values; ``minimal`` names only the subject ("a new mark in Algebra") and
offers a button that shows the rest in the chat, after a fresh access check. Absences never
carry a reason: the items have none to show.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.models.enums import AttestationKind, ChangeKind, PrivacyLevel
from core.notify.content import ItemKind, PushItem
from handlers.callbacks import PushDetails
from handlers.views.formatting import day_month, esc
from handlers.views.limits import MESSAGE_LIMIT, fit, visible_length

_MARKS = (ItemKind.NEW_MARK, ItemKind.CORRECTED_MARK, ItemKind.REMOVED_MARK, ItemKind.FINAL_MARK)


def push_text(items: Sequence[PushItem], privacy: PrivacyLevel) -> str:
    """One message for the whole batch (see :func:`push_pages` for batches of any size)."""
    full = privacy == PrivacyLevel.FULL
    if len(items) == 1:
        return "🔔 " + item_line(items[0], full=full)
    lines = ["🔔 " + _header(items), ""]
    lines += ["• " + item_line(item, full=full) for item in items]
    more = _(
        "… the rest does not fit into one message; /marks, /attendance and /timetable show it all."
    )
    return fit(lines, more)


def push_pages(
    items: Sequence[PushItem], privacy: PrivacyLevel
) -> list[tuple[list[PushItem], str]]:
    """The batch in as few messages of at most 4096 characters as it takes, each with the
    items it shows: nothing is cut, and each message's deliveries are recorded on their own."""
    full = privacy == PrivacyLevel.FULL
    budget = MESSAGE_LIMIT - 100  # the header line
    chunks: list[list[PushItem]] = [[]]
    used = 0
    for item in items:
        size = visible_length(item_line(item, full=full)) + 3
        if chunks[-1] and used + size > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(item)
        used += size
    return [(chunk, push_text(chunk, privacy)) for chunk in chunks if chunk]


def push_keyboard(items: Sequence[PushItem], privacy: PrivacyLevel) -> InlineKeyboardMarkup | None:
    """Minimal pushes that hide something get a button that shows it."""
    if privacy == PrivacyLevel.FULL or not any(_hides(item) for item in items):
        return None
    button = InlineKeyboardButton(text=_("Show details"), callback_data=PushDetails().pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def _hides(item: PushItem) -> bool:
    return item.kind in _MARKS or item.kind in (ItemKind.ABSENCE, ItemKind.LATE)


def _header(items: Sequence[PushItem]) -> str:
    count = len(items)
    if all(item.kind == ItemKind.NEW_MARK for item in items):
        return ngettext("{n} new mark:", "{n} new marks:", count).format(n=count)
    return ngettext("{n} update:", "{n} updates:", count).format(n=count)


def item_line(item: PushItem, *, full: bool) -> str:
    who = f"<b>{esc(item.student)}</b>: " if item.student else ""
    if item.class_name and not item.student:
        who = f"<b>{esc(item.class_name)}</b>: "
    return who + _what(item, full=full)


def _what(item: PushItem, *, full: bool) -> str:
    subject = esc(item.subject or _("a lesson"))
    when = day_month(item.day) if item.day else ""
    if item.kind == ItemKind.NEW_MARK:
        if not full:
            return _("a new mark in {subject}").format(subject=subject)
        return _("new mark in {subject}: <b>{value}</b> ({day})").format(
            subject=subject, value=esc(item.value or ""), day=when
        )
    if item.kind == ItemKind.CORRECTED_MARK:
        if not full:
            return _("a mark in {subject} was corrected").format(subject=subject)
        return _("mark in {subject} for {day} corrected: {old} → <b>{new}</b>").format(
            subject=subject, day=when, old=esc(item.previous or ""), new=esc(item.value or "")
        )
    if item.kind == ItemKind.REMOVED_MARK:
        if not full:
            return _("a mark in {subject} was removed").format(subject=subject)
        return _("mark {value} in {subject} for {day} removed").format(
            value=esc(item.value or ""), subject=subject, day=when
        )
    if item.kind == ItemKind.FINAL_MARK:
        what = _attestation(item.attestation)
        if not full:
            return _("{what} in {subject} is set").format(what=what, subject=subject)
        return _("{what} in {subject}: <b>{value}</b>").format(
            what=what, subject=subject, value=esc(item.value or "")
        )
    if item.kind in (ItemKind.ABSENCE, ItemKind.LATE):
        return _attendance(item, full=full)
    if item.kind in (ItemKind.CHANGE, ItemKind.CHANGE_WITHDRAWN):
        return change_line(item)
    if item.kind == ItemKind.HOMEWORK:
        return _("new homework in {subject} for {day}").format(subject=subject, day=when)
    return ""


def _attendance(item: PushItem, *, full: bool) -> str:
    if not full:
        return _("a new attendance entry")
    when = day_month(item.day) if item.day else ""
    if item.kind == ItemKind.LATE:
        if item.period:
            return _("late for lesson {period} on {day}").format(period=item.period, day=when)
        return _("late on {day}").format(day=when)
    if item.period:
        return _("absent from lesson {period} on {day}").format(period=item.period, day=when)
    return _("absent on {day}").format(day=when)


def _attestation(kind: str | None) -> str:
    return {
        AttestationKind.TERM.value: _("term mark"),
        AttestationKind.YEAR.value: _("year mark"),
        AttestationKind.EXAM.value: _("exam mark"),
        AttestationKind.FINAL.value: _("final mark"),
    }.get(kind or "", _("term mark"))


def change_line(item: PushItem) -> str:
    """A timetable change as families and the substituting teacher read it."""
    lesson = _("lesson {period} on {day}").format(
        period=item.period or "?", day=day_month(item.day) if item.day else ""
    )
    subject = esc(item.subject or "")
    if item.kind == ItemKind.CHANGE_WITHDRAWN:
        return _("{lesson}: the change is withdrawn, the lesson is as planned").format(
            lesson=lesson
        )
    if item.change == ChangeKind.CANCELLATION:
        return _("{lesson} ({subject}) is cancelled").format(lesson=lesson, subject=subject)
    if item.change == ChangeKind.ROOM_CHANGE:
        return _("{lesson} ({subject}) moves to room {room}").format(
            lesson=lesson, subject=subject, room=esc(item.room or "?")
        )
    if item.change == ChangeKind.MOVED and item.moved_to:
        return _("{lesson} ({subject}) is moved to {day}, lesson {period}").format(
            lesson=lesson,
            subject=subject,
            day=day_month(item.moved_to),
            period=item.moved_to_period or "?",
        )
    if item.change == ChangeKind.EXTRA:
        return _("extra lesson: {lesson}, {subject}").format(
            lesson=lesson, subject=esc(item.new_subject or item.subject or "")
        )
    replacement = esc(item.new_subject or item.subject or "")
    teacher = f", {esc(item.teacher)}" if item.teacher else ""
    return _("{lesson}: substitution - {subject}{teacher}").format(
        lesson=lesson, subject=replacement, teacher=teacher
    )
