"""What a teacher sees of a lesson's marks: the list to mark (by one message, or a pupil and a
mark in two taps), the preview with comments, a clash with marks given meanwhile, corrections.

The marks waiting for "Save" live in the chat's state (handlers/lesson_marks.py); every button
here is judged again when pressed.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.teaching.dto import LessonSheet
from core.teaching.marks import MarksInputError, NewMark, Problem
from handlers.callbacks import MarkFix, MarkPick, MarksAct
from handlers.views.formatting import esc
from handlers.views.lesson import lesson_title, short


def marks_prompt(
    sheet: LessonSheet,
    work_types: tuple[tuple[int, str], ...],
    chosen: int,
    given: tuple[tuple[int, int, str], ...] = (),
    pending: tuple[NewMark, ...] = (),
) -> tuple[str, InlineKeyboardMarkup]:
    """The list to mark: one message, or a pupil's button then a mark (two taps). ``given``
    (mark id, student, value): this lesson's marks, to correct; ``pending``: not saved yet."""
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    names = dict(work_types)
    lines = [
        "<b>" + _("Marks: {lesson}").format(lesson=title) + "</b>",
        _("Work type: {name}").format(name=esc(names.get(chosen, "—"))),
        _(
            "Tap a pupil, then the mark. Or send the marks in one message: in list order "
            "«5 4 - 3 5» (- for none), or by numbers «3 5, 7 4, 12 н/а»."
        ),
        "",
    ]
    lines += [f"{p.number}. {esc(p.name)}" for p in sheet.pupils]
    others = [
        InlineKeyboardButton(text=esc(name), callback_data=MarksAct(act="type", wt=wt_id).pack())
        for wt_id, name in work_types
        if wt_id != chosen
    ]
    rows = [others[i : i + PICKS_PER_ROW] for i in range(0, len(others), PICKS_PER_ROW)]
    waiting = {m.number: m.value for m in pending}
    picks = [
        InlineKeyboardButton(
            text=f"{p.number}. {short(p.name)}"
            + (f" → {waiting[p.number]}" if p.number in waiting else ""),
            callback_data=MarkPick(n=p.number).pack(),
        )
        for p in sheet.pupils
    ]
    rows += [picks[i : i + PICKS_PER_ROW] for i in range(0, len(picks), PICKS_PER_ROW)]
    # The marks given so far are corrected from a screen of their own: with the list above
    # they would pass MAX's 30 rows of buttons in a class that has its marks.
    if given:
        rows.append(
            [
                InlineKeyboardButton(
                    text=_("✎ Correct a mark ({count})").format(count=len(given)),
                    callback_data=MarksAct(act="fixes").pack(),
                )
            ]
        )
    if pending:
        rows.append(_save_row(len(pending)))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def mark_fixes(
    sheet: LessonSheet, given: tuple[tuple[int, int, str], ...]
) -> tuple[str, InlineKeyboardMarkup]:
    """The lesson's marks so far, to correct one (the latest ones when there are very many)."""
    numbers = {p.student_id: p for p in sheet.pupils}
    fixes = [
        InlineKeyboardButton(
            text=f"✎ {numbers[student].number}. {short(numbers[student].name)} {value}",
            callback_data=MarkFix(mark=mark_id).pack(),
        )
        for mark_id, student, value in given
        if student in numbers
    ][-FIXES_SHOWN:]
    rows = [fixes[i : i + PICKS_PER_ROW] for i in range(0, len(fixes), PICKS_PER_ROW)]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("◀ Back to the list"), callback_data=MarksAct(act="more").pack()
            )
        ]
    )
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    text = (
        "<b>"
        + _("Marks: {lesson}").format(lesson=title)
        + "</b>\n"
        + _("To correct a mark, tap it below (✎).")
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


# At most 20 rows of three: within MAX's 30 rows with the way back.
FIXES_SHOWN = 60


# Three names a row keep a class of 30 within ten rows (MAX allows 30 rows of buttons).
PICKS_PER_ROW = 3
MARK_VALUES = ("5", "4", "3", "2", "1", "зач", "незач", "н/а", "осв")


def mark_values(sheet: LessonSheet, number: int) -> tuple[str, InlineKeyboardMarkup]:
    """The second tap: the mark for pupil ``number``."""
    pupil = sheet.pupil(number)
    name = esc(pupil.name) if pupil else "?"
    values = [
        InlineKeyboardButton(text=v, callback_data=MarkPick(n=number, v=v).pack())
        for v in MARK_VALUES
    ]
    rows = [values[:5], values[5:]]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("◀ Back to the list"), callback_data=MarksAct(act="more").pack()
            )
        ]
    )
    return _("{number}. {name}: which mark?").format(number=number, name=name), (
        InlineKeyboardMarkup(inline_keyboard=rows)
    )


def _save_row(count: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=_("💾 Save ({count})").format(count=count),
            callback_data=MarksAct(act="save").pack(),
        ),
        InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=MarksAct(act="cancel").pack()),
    ]


CORRECTION_VALUES = MARK_VALUES


def correction_values(mark_id: int, name: str, value: str) -> tuple[str, InlineKeyboardMarkup]:
    values = [
        InlineKeyboardButton(text=v, callback_data=MarkFix(mark=mark_id, v=v).pack())
        for v in CORRECTION_VALUES
        if v != value
    ]
    rows = [values[i : i + 4] for i in range(0, len(values), 4)]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("🗑 Delete"), callback_data=MarkFix(mark=mark_id, v="del").pack()
            )
        ]
    )
    text = _("Correct {name}: {value} → ?").format(name=esc(name), value=esc(value))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def ask_reason() -> str:
    return _("Why? Write the reason in a few words (it is kept in the journal's audit).")


def corrected(name: str, before: str, after: str | None) -> str:
    if after is None:
        return _("Deleted: {name}, {before}.").format(name=esc(name), before=esc(before))
    return _("Corrected: {name}, {before} → {after}.").format(
        name=esc(name), before=esc(before), after=esc(after)
    )


def bad_reason(limit: int) -> str:
    return _("Give the reason in one line of up to {limit} characters.").format(limit=limit)


def marks_preview(
    sheet: LessonSheet, marks: tuple[NewMark, ...]
) -> tuple[str, InlineKeyboardMarkup]:
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    lines = ["<b>" + _("Check the marks: {lesson}").format(lesson=title) + "</b>"]
    for mark in marks:
        pupil = sheet.pupil(mark.number)
        name = esc(pupil.name) if pupil else "?"
        line = f"{mark.number}. {name} — <b>{esc(mark.value)}</b>"
        if mark.comment:
            line += f" · <i>{esc(mark.comment)}</i>"
        lines.append(line)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            _save_row(len(marks)),
            [
                InlineKeyboardButton(
                    text=_("➕ More marks"), callback_data=MarksAct(act="more").pack()
                ),
                InlineKeyboardButton(
                    text=_("💬 Comment"), callback_data=MarksAct(act="comment").pack()
                ),
            ],
        ]
    )
    return "\n".join(lines), keyboard


def comment_whom(
    sheet: LessonSheet, marks: tuple[NewMark, ...]
) -> tuple[str, InlineKeyboardMarkup]:
    """Which new mark the comment is for (when there are several)."""
    buttons = [
        InlineKeyboardButton(
            text=f"{m.number}. {short(p.name)} {m.value}",
            callback_data=MarkPick(n=m.number, v="c").pack(),
        )
        for m in marks
        if (p := sheet.pupil(m.number)) is not None
    ]
    rows = [buttons[i : i + PICKS_PER_ROW] for i in range(0, len(buttons), PICKS_PER_ROW)]
    return _("Which mark is the comment for?"), InlineKeyboardMarkup(inline_keyboard=rows)


def ask_comment(sheet: LessonSheet, mark: NewMark, limit: int) -> str:
    pupil = sheet.pupil(mark.number)
    return _(
        "Comment under {name}'s {value} (families see it with the mark; up to {limit} characters):"
    ).format(name=esc(pupil.name if pupil else "?"), value=esc(mark.value), limit=limit)


def bad_comment(limit: int) -> str:
    return _("A comment is one line of up to {limit} characters. Send it again.").format(
        limit=limit
    )


def marks_clash(
    sheet: LessonSheet, given: tuple[tuple[int, str], ...], all_of_them: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """Marks given to these pupils at this lesson since the list opened (another device, the
    head teacher): nothing was saved; the teacher decides."""
    lines = ["<b>" + _("Meanwhile these pupils got a mark at this lesson from elsewhere:") + "</b>"]
    for number, value in given:
        pupil = sheet.pupil(number)
        lines.append(f"{number}. {esc(pupil.name) if pupil else '?'} — <b>{esc(value)}</b>")
    lines.append(_("Nothing was saved yet. Add your marks as well, or leave these pupils out?"))
    buttons = [
        InlineKeyboardButton(
            text=_("➕ Add mine as well"), callback_data=MarksAct(act="force").pack()
        )
    ]
    if not all_of_them:
        buttons.append(
            InlineKeyboardButton(
                text=_("Save the others only"), callback_data=MarksAct(act="skip").pack()
            )
        )
    rows = [
        buttons,
        [InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=MarksAct(act="cancel").pack())],
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def marks_saved(count: int) -> str:
    return _("Saved: {count} marks. Families are told.").format(count=count)


def marks_cancelled() -> str:
    return _("Cancelled: no marks were saved.")


def marks_problem(problem: MarksInputError) -> str:
    token = esc(problem.token)
    if problem.problem == Problem.NOT_A_MARK:
        return _("«{token}» is not a mark (1–5, зач, незач, н/а, осв). Nothing was saved.").format(
            token=token
        )
    if problem.problem == Problem.NO_SUCH_PUPIL:
        return _("There is no pupil {token} in the list (1–{size}). Nothing was saved.").format(
            token=token, size=problem.size
        )
    if problem.problem == Problem.TOO_LONG:
        return _(
            "{token} marks for {size} pupils: the list is longer than the class. Nothing was saved."
        ).format(token=token, size=problem.size)
    if problem.problem == Problem.AMBIGUOUS:
        return _(
            "«{token}» can be read two ways. For pupils' numbers separate the pairs with "
            "commas («3 5, 7 4»); for the list in order give a mark or - for each pupil from "
            "the first. Nothing was saved."
        ).format(token=token)
    return _("There are no marks in the message. Nothing was saved.")
