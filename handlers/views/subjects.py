"""A keyboard of the school's subjects, two a row in Russian order, for the commands that ask."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from core.services.naming import collation_key


def subject_keyboard(
    subjects: dict[int, str], data_for: Callable[[int], CallbackData]
) -> InlineKeyboardMarkup:
    ordered = sorted(subjects.items(), key=lambda kv: (collation_key(kv[1]), kv[0]))
    buttons = [
        InlineKeyboardButton(text=name[:32], callback_data=data_for(sid).pack())
        for sid, name in ordered
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    )
