"""Telegram's limits on what a message may carry, applied in one place: cut or paged.

A message holds at most 4096 characters after entity parsing; the views build messages line by
line, each line with balanced tags, so cutting between lines keeps the HTML valid.
"""

from __future__ import annotations

import html
import re

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

MESSAGE_LIMIT = 4096
# Room kept for the "…and more" line.
_RESERVE = 200
_TAG = re.compile(r"<[^>]+>")


def visible_length(markup: str) -> int:
    """Characters Telegram counts: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", markup)))


def fit(lines: list[str]) -> str:
    """Join ``lines``; when too long, keep the first ones and say that the rest is cut."""
    text = "\n".join(lines)
    if visible_length(text) <= MESSAGE_LIMIT:
        return text
    kept: list[str] = []
    used = 0
    for line in lines:
        size = visible_length(line) + 1
        if used + size > MESSAGE_LIMIT - _RESERVE:
            break
        kept.append(line)
        used += size
    kept.append(_("… the rest does not fit into one message; open a subject for its full list."))
    return "\n".join(kept)


def pages(lines: list[str]) -> list[str]:
    """``lines`` in messages of at most ``MESSAGE_LIMIT`` characters, cut between lines."""
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = visible_length(line) + 1
        if used + size > MESSAGE_LIMIT - _RESERVE and chunks[-1]:
            chunks.append([])
            used = 0
        chunks[-1].append(line[: MESSAGE_LIMIT - _RESERVE] if size > MESSAGE_LIMIT else line)
        used += size
    return ["\n".join(chunk) for chunk in chunks]


def paged(
    lines: list[str], page: int, data: CallbackData
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """Page ``page`` of the lines, and a row of buttons to the neighbouring pages.

    ``data`` is the callback that shows this answer; its ``page`` field is moved for the
    buttons, so each page is rendered afresh (and access re-checked) on every press.
    """
    chunks = pages(lines)
    page = min(max(page, 0), len(chunks) - 1)
    text = chunks[page]
    if len(chunks) == 1:
        return text, []
    text += "\n\n" + _("Page {page} of {count}").format(page=page + 1, count=len(chunks))
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                text=_("◀ Page {page}").format(page=page),
                callback_data=data.model_copy(update={"page": page - 1}).pack(),
            )
        )
    if page < len(chunks) - 1:
        row.append(
            InlineKeyboardButton(
                text=_("Page {page} ▶").format(page=page + 2),
                callback_data=data.model_copy(update={"page": page + 1}).pack(),
            )
        )
    return text, [row]
