"""Lesson topics of one subject, and the subject picker for ``/topics``."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.topics import LessonTopic
from handlers.callbacks import TopicsOf
from handlers.views.formatting import child_line, day_month, esc
from handlers.views.subjects import subject_keyboard


def subject_picker(child: ChildRef, subjects: dict[int, str]) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = subject_keyboard(subjects, lambda sid: TopicsOf(child=child.student_id, subject=sid))
    text = _("Lesson topics: {child}. Which subject?").format(child=child_line(child))
    return text, keyboard


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
    return "\n".join(lines)  # paged by the handler
