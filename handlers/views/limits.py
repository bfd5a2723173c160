"""Telegram's limits on what a message may carry, applied in one place: cut or paged.

A message holds at most 4096 characters after entity parsing; the views build messages line by
line, each line with balanced tags, so cutting between lines keeps the HTML valid. MAX counts
the markup too (4,000 characters as sent, bot/max/render.py): a page keeps under both, so a
page edited in place on MAX is never cut there either.
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
# A page's text as sent, tags and entities included: MAX's 4,000 less the page footer.
RAW_LIMIT = 4000 - 100
_TAG = re.compile(r"<[^>]+>")


def visible_length(markup: str) -> int:
    """Characters Telegram counts: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", markup)))


def fit(lines: list[str], more: str | None = None) -> str:
    """Join ``lines``; when too long, keep the first ones and say that the rest is cut.

    For what must stay one message (a push, a draft's preview): ``more`` is the cut line,
    naming the chat command that shows everything (paged). Chat answers are paged, never cut.
    """
    text = "\n".join(lines)
    if visible_length(text) <= MESSAGE_LIMIT:
        return text
    kept: list[str] = []
    used = 0
    for line in lines:
        size = visible_length(line) + 1
        if used + size > MESSAGE_LIMIT - _RESERVE:
            room = MESSAGE_LIMIT - _RESERVE - used
            if room > _RESERVE:  # a long line (a message's text) shows what fits of it
                kept.append(split_long(line, room)[0])
            break
        kept.append(line)
        used += size
    kept.append(
        more or _("… the rest does not fit into one message; open a subject for its full list.")
    )
    return "\n".join(kept)


def pages(lines: list[str]) -> list[str]:
    """``lines`` in messages of at most ``MESSAGE_LIMIT`` characters (``RAW_LIMIT`` as sent),
    cut between lines; nothing is left out."""
    chunks: list[list[str]] = [[]]
    used = raw = 0
    for line in (part for whole in lines for part in split_long(whole)):
        size, raw_size = visible_length(line) + 1, len(line) + 1
        if chunks[-1] and (used + size > MESSAGE_LIMIT - _RESERVE or raw + raw_size > RAW_LIMIT):
            chunks.append([])
            used = raw = 0
        chunks[-1].append(line)
        used += size
        raw += raw_size
    return ["\n".join(chunk) for chunk in chunks]


def split_long(line: str, limit: int = RAW_LIMIT) -> list[str]:
    """A line longer than ``limit`` as several lines of plain text: cutting inside its markup
    could split a tag, so it loses its markup, never its words."""
    if len(line) < limit:
        return [line]
    parts = [""]
    for char in html.unescape(_TAG.sub("", line)):
        escaped = html.escape(char, quote=False)
        if len(parts[-1]) + len(escaped) >= limit:
            parts.append("")
        parts[-1] += escaped
    return parts


def paged(
    lines: list[str], page: int, data: CallbackData, field: str = "page"
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """Page ``page`` of the lines, and a row of buttons to the neighbouring pages.

    ``data`` is the callback that shows this answer; its ``field`` (``page``) is moved for
    the buttons, so each page is rendered afresh (and access re-checked) on every press.
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
                callback_data=data.model_copy(update={field: page - 1}).pack(),
            )
        )
    if page < len(chunks) - 1:
        row.append(
            InlineKeyboardButton(
                text=_("Page {page} ▶").format(page=page + 2),
                callback_data=data.model_copy(update={field: page + 1}).pack(),
            )
        )
    return text, [row]
