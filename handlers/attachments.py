"""Homework attachments go out as files: a file the journal keeps is uploaded from its store
(``FILES_DIR``), a school's link Telegram fetches itself."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import FSInputFile, Message

from core.files import FileStore
from core.services.homework import HomeworkItem

# Files sent with one answer; more are listed by count in the text, never flooded.
MAX_FILES = 10


async def send_attachments(
    message: Message, items: Iterable[HomeworkItem], files: FileStore
) -> None:
    sent = 0
    for item in items:
        for attachment in item.attachments:
            if sent >= MAX_FILES:
                return
            caption = f"{item.subject}: {attachment.file_name}"[:1024]
            if attachment.storage_path is not None:
                # Resolved under the store's root only; a missing or escaping path is skipped.
                path = files.path_of(attachment.storage_path)
                if path is None:
                    continue
                await message.answer_document(
                    FSInputFile(path, filename=attachment.file_name),
                    caption=caption,
                    parse_mode=None,
                )
            elif attachment.url is not None:
                try:
                    await message.answer_document(attachment.url, caption=caption, parse_mode=None)
                except TelegramBadRequest:
                    # A link Telegram cannot fetch: the family still has it in the text.
                    await message.answer(f"{item.subject}: {attachment.url}", parse_mode=None)
            else:
                continue
            sent += 1
