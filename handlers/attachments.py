"""Homework attachments go out as files: Telegram fetches the school's link itself."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Message

from core.services.homework import HomeworkItem

# Files sent with one answer; more are listed by count in the text, never flooded.
MAX_FILES = 10


async def send_attachments(message: Message, items: Iterable[HomeworkItem]) -> None:
    sent = 0
    for item in items:
        for attachment in item.attachments:
            if attachment.url is None or sent >= MAX_FILES:
                continue
            try:
                await message.answer_document(
                    attachment.url,
                    caption=f"{item.subject}: {attachment.file_name}"[:1024],
                    parse_mode=None,
                )
            except TelegramBadRequest:
                # A link Telegram cannot fetch: the family still has it in the text.
                await message.answer(f"{item.subject}: {attachment.url}", parse_mode=None)
            sent += 1
