"""Homework for the coming days, the day's changes, debts and upcoming events."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.debts import DebtItem, DebtKind, Debts
from core.services.events import EventItem
from core.services.homework import HomeworkSubject
from core.services.timetable import DayTimetable
from handlers.views.formatting import child_line, day_month, esc
from handlers.views.timetable import lesson_line, weekday_and_date


def homework_view(child: ChildRef, subjects: tuple[HomeworkSubject, ...]) -> str:
    lines = [_("<b>Homework: {child}</b>").format(child=child_line(child)), ""]
    if not subjects:
        lines.append(_("Nothing is set for the coming days."))
    for subject in subjects:
        lines.append(f"<b>{esc(subject.subject)}</b>")
        for item in subject.items:
            mark = " " + _("(individual)") if item.individual else ""
            files = f" 📎{len(item.attachments)}" if item.attachments else ""
            due = _("by {day}").format(day=day_month(item.due_on))
            lines.append(f"• {due}{mark}: {esc(item.text)}{files}")
    return "\n".join(lines)  # long answers are paged by the handler


def changes_view(child: ChildRef, days: list[DayTimetable]) -> str:
    lines = [_("<b>Timetable changes: {child}</b>").format(child=child_line(child))]
    for day in days:
        changed = [lesson for lesson in day.lessons if lesson.change is not None]
        lines += ["", weekday_and_date(day.date)]
        if changed:
            lines.extend(lesson_line(lesson) for lesson in changed)
        else:
            lines.append(_("No changes."))
    return "\n".join(lines)  # long answers are paged by the handler


def _debt(item: DebtItem) -> str:
    if item.kind == DebtKind.TERM_MARK:
        return _("term mark {value} ({term})").format(
            value=esc(item.value or ""), term=esc(item.term or "")
        )
    if item.kind == DebtKind.MISSED_CONTROL:
        what = esc(item.work_type) if item.work_type else _("control work")
        return _("{work} on {day} missed").format(
            work=what, day=day_month(item.date) if item.date else "?"
        )
    text = esc(item.description or _("a debt recorded by the school"))
    if item.due_on:
        text += " " + _("(by {day})").format(day=day_month(item.due_on))
    return text


def debts_view(child: ChildRef, debts: Debts) -> str:
    lines = [_("<b>Debts: {child}</b>").format(child=child_line(child)), ""]
    if not debts.subjects:
        lines.append(_("No debts. Well done!"))
    for subject in debts.subjects:
        lines.append(
            f"<b>{esc(subject.subject)}</b>: " + "; ".join(_debt(i) for i in subject.items)
        )
    return "\n".join(lines)  # long answers are paged by the handler


def events_view(child: ChildRef, events: tuple[EventItem, ...]) -> str:
    lines = [_("<b>Coming events: {child}</b>").format(child=child_line(child)), ""]
    if not events:
        lines.append(_("No events ahead."))
    for event in events:
        when = day_month(event.starts_on)
        if event.ends_on and event.ends_on != event.starts_on:
            when += f" – {day_month(event.ends_on)}"
        if event.starts_at:
            when += f", {event.starts_at:%H:%M}"
        place = f" · {esc(event.place)}" if event.place else ""
        lines.append(f"• {when}: <b>{esc(event.title)}</b>{place}")
    return "\n".join(lines)  # long answers are paged by the handler
