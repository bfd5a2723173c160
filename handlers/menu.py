"""The persistent reply keyboard: what a linked or an unlinked user can do next.

Button texts are matched by their translation in the reader's locale (``lazy_gettext``), so a
button press and the typed command reach the same handler.
"""

from __future__ import annotations

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from core.linking.dto import AccountView

BUTTON_SHARE_PHONE = __("📱 Share my phone number")
BUTTON_MARKS = __("📒 Marks")
BUTTON_TIMETABLE = __("🗓 Today")
BUTTON_TOMORROW = __("➡️ Tomorrow")
BUTTON_CHILDREN = __("👪 Children")
BUTTON_LANGUAGE = __("🌐 Language")
BUTTON_PRIVACY = __("🔒 Privacy")
BUTTON_HELP = __("❓ Help")
BUTTON_MESSAGES = __("✉️ Messages")
BUTTON_LESSON = __("📝 Lesson")
# A staff member who is also a guardian: 🗓 Today and ➡️ Tomorrow show the child's day, this
# their own lessons (a staff member alone sees their lessons under 🗓 Today already).
BUTTON_MY_LESSONS = __("👩‍🏫 My lessons")


def linking_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=str(BUTTON_SHARE_PHONE), request_contact=True)],
            [KeyboardButton(text=str(BUTTON_LANGUAGE)), KeyboardButton(text=str(BUTTON_HELP))],
        ],
        resize_keyboard=True,
        input_field_placeholder=_("Code from the school"),
    )


def main_keyboard(account: AccountView | None) -> ReplyKeyboardMarkup:
    if account is None or not account.linked:
        return linking_keyboard()
    rows: list[list[KeyboardButton]] = []
    if account.children:
        rows.append(
            [
                KeyboardButton(text=str(BUTTON_TIMETABLE)),
                KeyboardButton(text=str(BUTTON_TOMORROW)),
            ]
        )
    family_row = [KeyboardButton(text=str(BUTTON_MARKS))] if account.children else []
    if len(account.children) > 1:
        family_row.append(KeyboardButton(text=str(BUTTON_CHILDREN)))
    if family_row:
        rows.append(family_row)
    if account.staff_id is not None:
        staff_row = [KeyboardButton(text=str(BUTTON_LESSON))]  # a teacher's lesson now
        if account.children:  # both menus: the family's above, the staff member's here
            staff_row.append(KeyboardButton(text=str(BUTTON_MY_LESSONS)))
        rows.append(staff_row)
    rows.append(
        [KeyboardButton(text=str(BUTTON_LANGUAGE)), KeyboardButton(text=str(BUTTON_PRIVACY))]
    )
    rows.append([KeyboardButton(text=str(BUTTON_MESSAGES)), KeyboardButton(text=str(BUTTON_HELP))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True)
