"""Lesson topics of one subject, and the subject picker for ``/topics``."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.naming import collation_key
from core.services.topics import LessonTopic
from handlers.callbacks import TopicsOf
from handlers.views.formatting import child_line, day_month, esc
from handlers.views.limits import fit


def subject_picker(child: ChildRef, subjects: dict[int, str]) -> tuple[str, InlineKeyboardMarkup]:
    ordered = sorted(subjects.items(), key=lambda kv: (collation_key(kv[1]), kv[0]))
    buttons = [
        InlineKeyboardButton(
            text=name[:32], callback_data=TopicsOf(child=child.student_id, subject=sid).pack()
        )
        for sid, name in ordered
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = _("Lesson topics: {child}. Which subject?").format(child=child_line(child))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def topics_view(child: ChildRef, subject: str, topics: tuple[LessonTopic, ...]) -> str:
    lines = [
        _("<b>{subject}: lesson topics</b>").format(subject=esc(subject)),
        child_line(child),
        "",
    ]
    shown = [t for t in topics if t.topic]
    if not shown:
        lines.append(_("No topics recorded for these weeks."))
    lines.extend(f"{day_month(t.date)}: {esc(t.topic or '')}" for t in shown)
    return fit(lines)
