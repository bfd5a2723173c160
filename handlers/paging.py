"""Long answers sent or edited as pages (handlers.views.limits.paged), never cut.

The one place the handlers' paging tail lives: the whole answer in, the page its callback data
names out, with the buttons to the neighbouring pages above the answer's own ``below`` rows.
The callback data is the answer's own (its ``page`` field moved for the buttons), so a press
builds the whole answer again and the handler checks access again before it comes here.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers.views.limits import paged

Rows = Sequence[Sequence[InlineKeyboardButton]]


def page_of(
    text: str | list[str], data: CallbackData, below: Rows = (), field: str = "page"
) -> tuple[str, InlineKeyboardMarkup]:
    """The page ``data.page`` of ``text`` (a string, or lines that may hold a ``<pre>`` block)
    and its keyboard: the page buttons, then ``below``. ``field``: the data's page field."""
    lines = text.split("\n") if isinstance(text, str) else text
    page: int = getattr(data, field)
    shown, nav = paged(lines, page, data, field)
    rows = [*nav, *(list(row) for row in below)]
    return shown, InlineKeyboardMarkup(inline_keyboard=rows)


async def answer_paged(
    message: Message, text: str | list[str], data: CallbackData, below: Rows = ()
) -> Message:
    """Send the first page (or ``data.page``) of ``text`` as a new message."""
    shown, keyboard = page_of(text, data, below)
    return await message.answer(shown, reply_markup=keyboard)


async def edit_paged(
    query: CallbackQuery, text: str | list[str], data: CallbackData, below: Rows = ()
) -> None:
    """Answer the press and show page ``data.page`` of ``text`` in the message pressed."""
    await query.answer()
    if isinstance(query.message, Message):
        shown, keyboard = page_of(text, data, below)
        await query.message.edit_text(shown, reply_markup=keyboard)
