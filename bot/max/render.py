"""What the handlers' answers look like on MAX: keyboards and long texts.

MAX has inline keyboards only. A Telegram reply keyboard (the main menu, "share my phone")
becomes inline ``message`` buttons, which send their label as the user's own message, so the
same text handlers answer them; its "share phone" button becomes MAX's ``request_contact``.
MAX allows 7 buttons a row (3 beside a link or contact button) and 4,000 characters a message
counted with the markup, so longer rows are folded and longer texts are cut between lines
(the views keep tags balanced within a line).
"""

from __future__ import annotations

import html
import re
from typing import Any

from aiogram.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

TEXT_LIMIT = 4000  # MAX counts the text as sent, tags included
ROW_LIMIT = 7
WIDE_ROW_LIMIT = 3  # a row with a link or request_contact button
_WIDE = {"link", "request_contact", "open_app", "request_geo_location"}
_MORE = "\n…"
_TAG = re.compile(r"<[^>]+>")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def keyboard(markup: Markup) -> list[dict[str, Any]]:
    """The message's attachments for ``markup``: one inline keyboard, or none."""
    if isinstance(markup, InlineKeyboardMarkup):
        rows = [[_inline(button) for button in row] for row in markup.inline_keyboard]
    elif isinstance(markup, ReplyKeyboardMarkup):
        rows = [[_reply(button) for button in row] for row in markup.keyboard]
    else:
        return []
    folded = [part for row in rows for part in _fold([b for b in row if b is not None])]
    if not folded:
        return []
    return [{"type": "inline_keyboard", "payload": {"buttons": folded}}]


def _inline(button: InlineKeyboardButton) -> dict[str, Any] | None:
    if button.callback_data is not None:
        return {"type": "callback", "text": button.text, "payload": button.callback_data}
    if button.url is not None:
        return {"type": "link", "text": button.text, "url": button.url}
    return None  # switch_inline, web apps, games: nothing the bot offers on MAX


def _reply(button: KeyboardButton | str) -> dict[str, Any]:
    if isinstance(button, str):
        return {"type": "message", "text": button}
    if button.request_contact:
        return {"type": "request_contact", "text": button.text}
    return {"type": "message", "text": button.text}


def _fold(row: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    if not row:
        return []
    size = WIDE_ROW_LIMIT if any(b["type"] in _WIDE for b in row) else ROW_LIMIT
    return [row[i : i + size] for i in range(0, len(row), size)]


def parts(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``text`` in messages MAX accepts, cut between lines.

    A single line longer than a message loses its markup and is shortened: cutting inside it
    could split a tag.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:
            plain = html.unescape(_TAG.sub("", line))
            # Escaping may grow a character to six (&quot;); the cut leaves room for it.
            line = html.escape(plain[: limit // 6], quote=False) + "…"
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = line
    if current:
        chunks.append(current)
    return chunks


def cut(text: str) -> str:
    """``text`` as one message MAX accepts (an edit cannot become two messages)."""
    if len(text) <= TEXT_LIMIT:
        return text
    return parts(text, TEXT_LIMIT - len(_MORE))[0] + _MORE
