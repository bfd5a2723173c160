"""What a teacher sees while setting homework at a lesson: the prompt, the draft's panel (for
whom, due when, save, cancel), the pupils to pick and the due dates to choose from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.teaching.dto import LessonSheet
from core.teaching.homework import FILES_LIMIT, TEXT_LIMIT, HomeworkSaved, Problem
from handlers.views.formatting import esc
from handlers.views.lesson import lesson_title, short
from handlers.views.timetable import weekday_and_date

PREVIEW_CHARS = 600  # of the draft's text on the panel
_TICK = {True: "☑", False: "▫"}


class HomeworkAct(CallbackData, prefix="hw1"):
    """A press on the homework panel; the lesson and the draft are in the chat's state.

    ``act``: who (pick pupils) | pupil (``arg``: the pupil's number) | all (the whole class) |
    due (choose a date) | day (``arg``: the date's ordinal) | back | save | cancel."""

    act: str
    arg: int = 0


@dataclass(frozen=True, slots=True)
class DraftView:
    sheet: LessonSheet
    text: str
    files: tuple[str, ...]  # the files' names
    pupils: tuple[int, ...] | None  # student ids; None: the whole class or group
    due: date
    next_lesson: bool  # the due date is the next lesson of the subject


def _title(sheet: LessonSheet) -> str:
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    return "<b>" + _("Homework: {lesson}").format(lesson=title) + "</b>"


def _everyone(sheet: LessonSheet) -> str:
    return _("the whole group") if sheet.group else _("the whole class")


def _whom(sheet: LessonSheet, pupils: tuple[int, ...] | None) -> str:
    if pupils is None:
        return _everyone(sheet)
    names = [p.name for p in sheet.pupils if p.student_id in pupils]
    return ", ".join(esc(name) for name in names)


def _due(day: date, next_lesson: bool) -> str:
    when = weekday_and_date(day)
    return _("{day} (next lesson)").format(day=when) if next_lesson else when


def prompt(sheet: LessonSheet) -> str:
    return "\n".join(
        [
            _title(sheet),
            weekday_and_date(sheet.slot.day),
            _(
                "Send the text of the homework, photos or documents (up to {files} files). "
                "Then choose who it is for and the due date, and press «Save»."
            ).format(files=FILES_LIMIT),
        ]
    )


def panel(draft: DraftView) -> tuple[str, InlineKeyboardMarkup]:
    """The draft as it stands, with its buttons."""
    text = draft.text
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS] + "…"
    lines = [_title(draft.sheet), ""]
    lines.append(esc(text) if text else "<i>" + _("(no text yet)") + "</i>")
    lines += [f"📎 {esc(name)}" for name in draft.files]
    lines += [
        "",
        _("For: {whom}").format(whom=_whom(draft.sheet, draft.pupils)),
        _("Due: {day}").format(day=_due(draft.due, draft.next_lesson)),
    ]
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("👥 For whom"), callback_data=HomeworkAct(act="who").pack()
                ),
                InlineKeyboardButton(
                    text=_("📅 Due date"), callback_data=HomeworkAct(act="due").pack()
                ),
            ],
            [
                InlineKeyboardButton(
                    text=_("💾 Save"), callback_data=HomeworkAct(act="save").pack()
                ),
                InlineKeyboardButton(
                    text=_("✖ Cancel"), callback_data=HomeworkAct(act="cancel").pack()
                ),
            ],
        ]
    )
    return "\n".join(lines), keyboard


def pupils_keyboard(
    sheet: LessonSheet, chosen: tuple[int, ...] | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The list to pick named pupils from (two a row); a tap adds or removes a pupil."""
    picked = set(chosen or ())
    buttons = [
        InlineKeyboardButton(
            text=f"{_TICK[pupil.student_id in picked]} {pupil.number}. {short(pupil.name)}",
            callback_data=HomeworkAct(act="pupil", arg=pupil.number).pack(),
        )
        for pupil in sheet.pupils
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    mark = "✅ " if chosen is None else ""
    rows.append(
        [
            InlineKeyboardButton(
                text=mark + _everyone(sheet).capitalize(),
                callback_data=HomeworkAct(act="all").pack(),
            ),
            InlineKeyboardButton(text=_("Done"), callback_data=HomeworkAct(act="back").pack()),
        ]
    )
    text = "\n".join(
        [
            _title(sheet),
            _(
                "Tap the pupils this task is for (each gets it as an individual task), "
                "or choose everyone."
            ),
            _("For: {whom}").format(whom=_whom(sheet, chosen)),
        ]
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def due_keyboard(
    sheet: LessonSheet, choices: tuple[date, ...], lessons: bool, due: date
) -> tuple[str, InlineKeyboardMarkup]:
    """The next lessons of the subject (or the next school day) as due dates."""
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if day == due else "") + weekday_and_date(day),
                callback_data=HomeworkAct(act="day", arg=day.toordinal()).pack(),
            )
        ]
        for day in choices
    ]
    rows.append(
        [InlineKeyboardButton(text=_("Back"), callback_data=HomeworkAct(act="back").pack())]
    )
    hint = (
        _("The next lessons of this subject:")
        if lessons
        else _("No lesson of this subject in the next two weeks; the next school day:")
    )
    return "\n".join([_title(sheet), hint]), InlineKeyboardMarkup(inline_keyboard=rows)


def saved(sheet: LessonSheet, done: HomeworkSaved) -> str:
    whom = (
        ngettext("for {n} pupil", "for {n} pupils", done.pupils).format(n=done.pupils)
        if done.pupils
        else (_("for the whole group") if sheet.group else _("for the whole class"))
    )
    files = (
        " · " + ngettext("{n} file", "{n} files", done.files).format(n=done.files)
        if done.files
        else ""
    )
    return (
        _("✅ Homework saved {whom}, due {day}.").format(
            whom=whom, day=weekday_and_date(done.due_on)
        )
        + files
    )


def problem(found: Problem) -> str:
    if found == Problem.TOO_LONG:
        return _("The homework is too long: at most {limit} characters.").format(limit=TEXT_LIMIT)
    if found == Problem.TOO_MANY_FILES:
        return _("At most {limit} files for one homework.").format(limit=FILES_LIMIT)
    if found == Problem.NOT_IN_LESSON:
        return _("Some of the chosen pupils are not on this lesson's list any more: choose again.")
    if found == Problem.BAD_DUE:
        return _("That due date does not fit this lesson: choose another one.")
    return _("Send the text of the homework or a file first.")


def file_too_large(limit_bytes: int) -> str:
    return _("This file is too large: at most {mb} MB.").format(mb=limit_bytes // (1024 * 1024))


def file_failed() -> str:
    return _(
        "I could not keep this file (this messenger may not let the bot download it). "
        "Send the task as text, or attach the file from Telegram."
    )


def not_a_file() -> str:
    return _("Send the homework as text, photos or documents.")


def cancelled() -> str:
    return _("The homework was not saved.")
