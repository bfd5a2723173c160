"""What a teacher sees of a lesson: its card, the roll-call, the marks prompt and preview.

The roll-call's state travels in its buttons (:func:`encode_state`), so a press needs no
memory on the server and works the same in both messengers and in several processes; every
save is judged again by the core.
"""

from __future__ import annotations

from datetime import date

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from core.models.enums import AttendanceCode
from core.services.timetable_lessons import TimetableLesson
from core.teaching.dto import LessonSheet, LessonSlot, Refusal, RollCallSaved
from core.teaching.plan import PlanTopic
from core.teaching.rollcall import ShortcutError
from handlers.callbacks import LessonDay, LessonOpen, RollTap, TopicTake
from handlers.views.formatting import current_locale, esc
from handlers.views.timetable import weekday_and_date as long_date

ALL_PRESENT, SAVE = -1, -2
# The roll-call's marks, in the order a tap cycles them: present → Н → ОП → present.
CYCLE: tuple[AttendanceCode | None, ...] = (None, AttendanceCode.ABSENT, AttendanceCode.LATE)
_BADGE = {None: "✅", AttendanceCode.ABSENT: "Н", AttendanceCode.LATE: "ОП"}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_state(marks: list[AttendanceCode | None]) -> str:
    """The pupils' marks as one short base-36 word (3 marks a pupil, the first pupil lowest)."""
    number = 0
    for mark in reversed(marks):
        number = number * 3 + CYCLE.index(mark)
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
    return text or "0"


def decode_state(text: str, size: int) -> list[AttendanceCode | None] | None:
    """The marks ``encode_state`` wrote; None when the word is not one (a forged button)."""
    if not text or len(text) > 64 or any(c not in _DIGITS for c in text):
        return None
    number = int(text, 36)
    marks: list[AttendanceCode | None] = []
    for _pupil in range(size):
        number, index = divmod(number, 3)
        marks.append(CYCLE[index])
    return marks if number == 0 else None


def slot_fields(slot: LessonSlot) -> dict[str, int]:
    return {
        "day": slot.day.toordinal(),
        "period": slot.period,
        "cls": slot.class_id,
        "grp": slot.group_id or 0,
    }


def open_data(slot: LessonSlot, act: str = "card") -> str:
    return LessonOpen(
        day=slot.day.toordinal(),
        period=slot.period,
        cls=slot.class_id,
        grp=slot.group_id or 0,
        act=act,
    ).pack()


def lesson_title(subject: str, class_name: str, group: str | None, period: int) -> str:
    who = f"{class_name} · {group}" if group else class_name
    return _("{subject} · {who}, lesson {period}").format(
        subject=esc(subject), who=esc(who), period=period
    )


def no_lessons(day: date) -> str:
    return _("You have no lessons on {day}.").format(day=long_date(day))


def no_lessons_today(day: date) -> tuple[str, InlineKeyboardMarkup]:
    """No lessons today: earlier days within the window are one tap away."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("📅 Other day"), callback_data=LessonDay(day=0).pack())]
        ]
    )
    return no_lessons(day), keyboard


def days_picker(days: list[tuple[date, int]]) -> tuple[str, InlineKeyboardMarkup]:
    """The days of the edit window with the teacher's lessons (day, how many), today first."""
    if not days:
        return _("You had no lessons in the days you may still change."), InlineKeyboardMarkup(
            inline_keyboard=[]
        )
    buttons = [
        InlineKeyboardButton(
            text=f"{format_date(day, 'EEE d MMM', locale=current_locale())} · {count}",
            callback_data=LessonDay(day=day.toordinal()).pack(),
        )
        for day, count in days
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = _("Which day? (lessons you may still change; the number is how many)")
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def refusal_outside_window() -> str:
    return refusal(Refusal.OUTSIDE_WINDOW)


def not_a_teacher() -> str:
    return _("This is for teachers.")


def lesson_card(
    lessons: tuple[TimetableLesson, ...], index: int, sheet: LessonSheet
) -> tuple[str, InlineKeyboardMarkup]:
    lesson = lessons[index]
    times = ""
    if lesson.starts_at and lesson.ends_at:
        times = f" · {lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}"
    absent = [p for p in sheet.pupils if p.student_id in sheet.attendance]
    lines = [
        f"<b>{lesson_title(lesson.subject, lesson.class_name, lesson.group, lesson.period)}</b>",
        long_date(sheet.slot.day) + times,
        _("Pupils: {count}").format(count=len(sheet.pupils)),
    ]
    if absent:
        lines.append(
            _("Absent or late: {names}").format(
                names=", ".join(
                    f"{esc(p.name)} ({_BADGE[sheet.attendance[p.student_id]]})"
                    if sheet.attendance[p.student_id] in _BADGE
                    else esc(p.name)
                    for p in absent
                )
            )
        )
    if sheet.topic:
        lines.append(_("Topic: {topic}").format(topic=esc(sheet.topic)))
    marked = sum(len(values) for values in sheet.marks.values())
    if marked:
        lines.append(_("Marks given: {count}").format(count=marked))
    actions = [
        InlineKeyboardButton(text=_("📋 Roll-call"), callback_data=open_data(sheet.slot, "roll")),
        InlineKeyboardButton(text=_("✏️ Marks"), callback_data=open_data(sheet.slot, "marks")),
        InlineKeyboardButton(text=_("📝 Topic"), callback_data=open_data(sheet.slot, "topic")),
    ]
    # Served by their own routers (handlers/lesson_homework.py, handlers/absence_fix.py).
    more = [
        InlineKeyboardButton(text=_("📚 Homework"), callback_data=open_data(sheet.slot, "hw")),
    ]
    if absent:
        more.append(
            InlineKeyboardButton(
                text=_("🩹 Fix absences"), callback_data=open_data(sheet.slot, "absfix")
            )
        )
    arrows = []
    day = sheet.slot.day
    if index > 0:
        other = lessons[index - 1]
        arrows.append(
            InlineKeyboardButton(
                text=_("◀ Lesson {period}").format(period=other.period),
                callback_data=open_data(_slot(other, day)),
            )
        )
    if index < len(lessons) - 1:
        other = lessons[index + 1]
        arrows.append(
            InlineKeyboardButton(
                text=_("Lesson {period} ▶").format(period=other.period),
                callback_data=open_data(_slot(other, day)),
            )
        )
    arrows.append(
        InlineKeyboardButton(text=_("📅 Other day"), callback_data=LessonDay(day=0).pack())
    )
    rows = [actions, more, arrows]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _slot(lesson: TimetableLesson, day: date) -> LessonSlot:
    return LessonSlot(day, lesson.period, lesson.class_id, lesson.group_id)


def roll_call(
    sheet: LessonSheet, marks: list[AttendanceCode | None], base: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The class list, two pupils a row; a tap cycles a pupil, then "All present" or "Save".
    ``base``: the fingerprint of the journal's attendance this screen started from."""
    fields = slot_fields(sheet.slot)
    state = encode_state(marks)
    absent = sum(1 for m in marks if m == AttendanceCode.ABSENT)
    late = sum(1 for m in marks if m == AttendanceCode.LATE)
    text = "\n".join(
        [
            "<b>"
            + _("Roll-call: {lesson}").format(
                lesson=lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
            )
            + "</b>",
            long_date(sheet.slot.day),
            _("Tap a pupil: present → Н (absent) → ОП (late). Or type «н 3 17», «оп 5»."),
            _("Absent: {absent} · late: {late}").format(absent=absent, late=late),
        ]
    )
    buttons = [
        InlineKeyboardButton(
            text=f"{_BADGE[mark]} {pupil.number}. {short(pupil.name)}",
            callback_data=RollTap(**fields, base=base, state=state, tap=pupil.number).pack(),
        )
        for pupil, mark in zip(sheet.pupils, marks, strict=True)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("All present"),
                callback_data=RollTap(**fields, base=base, state="0", tap=ALL_PRESENT).pack(),
            ),
            InlineKeyboardButton(
                text=_("💾 Save"),
                callback_data=RollTap(**fields, base=base, state=state, tap=SAVE).pack(),
            ),
        ]
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def short(name: str) -> str:
    """«Иванова Анна» → «Иванова А.»: two names a row fit a phone's width."""
    surname, _space, given = name.partition(" ")
    return f"{surname} {given[:1]}." if given else surname


def roll_saved(sheet: LessonSheet, saved: RollCallSaved, absent: int) -> str:
    """What a save did; ``absent``: how many are absent or late now."""
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    if not absent and not saved.removed:
        return _("Roll-call of {lesson} saved: everybody present.").format(lesson=title)
    if saved.nothing:
        return _("Roll-call of {lesson}: nothing changed.").format(lesson=title)
    return _(
        "Roll-call of {lesson} saved: {added} absent or late now, {changed} changed, "
        "{removed} present again. Families are told of new absences."
    ).format(lesson=title, added=saved.added, changed=saved.changed, removed=saved.removed)


def refusal(reason: Refusal) -> str:
    if reason == Refusal.NOT_YOURS:
        return _("This lesson is not yours on that day (the timetable or a substitution says so).")
    if reason == Refusal.OUTSIDE_WINDOW:
        return _(
            "This lesson is outside the days you may still change; "
            "ask the head teacher to correct it."
        )
    return _("There is no such lesson in the timetable any more.")


def shortcut_problem(problem: ShortcutError) -> str:
    return _(
        "I could not read «{token}»: write a code, then pupils' numbers from 1 to {size}, "
        "like «н 3 17 24» or «оп 5»."
    ).format(token=esc(problem.token), size=problem.size)


def topic_prompt(
    sheet: LessonSheet, suggestion: PlanTopic | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Type the topic, or take the calendar-thematic plan's next one in one tap."""
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)
    current = (
        _("Now: {topic}").format(topic=esc(sheet.topic)) if sheet.topic else _("No topic yet.")
    )
    lines = ["<b>" + _("Topic: {lesson}").format(lesson=title) + "</b>", current]
    if suggestion is None:
        lines.append(_("Send the topic."))
        return "\n".join(lines), None
    lines.append(
        _("Next in the plan (lesson {number}): {topic}").format(
            number=suggestion.number, topic=esc(suggestion.topic)
        )
    )
    lines.append(_("Take it with one tap, or send another topic."))
    take = TopicTake(**slot_fields(sheet.slot), item=suggestion.item_id).pack()
    label = _("📖 Take: {topic}").format(topic=_cut(suggestion.topic, 40))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=take)]]
    )
    return "\n".join(lines), keyboard


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def topic_saved(topic: str) -> str:
    return _("Topic saved: {topic}").format(topic=esc(topic))


def topic_too_long(limit: int) -> str:
    return _("A topic is one line of up to {limit} characters. Nothing was saved.").format(
        limit=limit
    )


def stale() -> str:
    return _("This button is out of date: open /lesson again.")


def roll_clash(
    sheet: LessonSheet,
    theirs: dict[int, AttendanceCode],
    mine: list[AttendanceCode | None],
    fingerprint: str,
) -> tuple[str, InlineKeyboardMarkup]:
    """The roll-call was saved from elsewhere meanwhile: both versions; nothing of mine saved."""
    title = lesson_title(sheet.subject, sheet.class_name, sheet.group, sheet.slot.period)

    def listed(codes: dict[int, AttendanceCode]) -> str:
        found = [
            f"{p.number}. {short(p.name)} ({_BADGE[codes[p.student_id]]})"
            for p in sheet.pupils
            if codes.get(p.student_id) is not None
        ]
        return esc(", ".join(found)) if found else _("everybody present")

    yours = {
        p.student_id: code for p, code in zip(sheet.pupils, mine, strict=True) if code is not None
    }
    text = "\n".join(
        [
            "<b>"
            + _("The roll-call of {lesson} was saved from elsewhere meanwhile.").format(
                lesson=title
            )
            + "</b>",
            _("The journal has: {names}").format(names=listed(theirs)),
            _("Yours: {names}").format(names=listed(yours)),
            _("Yours is not saved yet. Keep the journal's, or save yours over it?"),
        ]
    )
    fields = slot_fields(sheet.slot)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Keep the journal's"), callback_data=open_data(sheet.slot, "roll")
                ),
                InlineKeyboardButton(
                    text=_("💾 Save mine"),
                    callback_data=RollTap(
                        **fields, base=fingerprint, state=encode_state(mine), tap=SAVE
                    ).pack(),
                ),
            ]
        ]
    )
    return text, keyboard
