"""Telegram HTML and keyboards as terminal text."""

from __future__ import annotations

import html
import re
from typing import Any

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def inline_buttons(markup: Any) -> list[tuple[str, str]]:
    """(label, callback data) of an inline keyboard, row by row."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        (button.text, button.callback_data or button.url or "")
        for row in markup.inline_keyboard
        for button in row
    ]


def reply_buttons(markup: Any) -> list[tuple[str, bool]] | None:
    """(label, asks for the contact) of a reply keyboard; [] removes it; None leaves it."""
    if isinstance(markup, ReplyKeyboardRemove):
        return []
    if not isinstance(markup, ReplyKeyboardMarkup):
        return None
    return [
        (button.text, bool(button.request_contact)) for row in markup.keyboard for button in row
    ]
