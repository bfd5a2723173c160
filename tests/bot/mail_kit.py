"""Shortcuts for the mail's chat tests: buttons by label, the preview, threads in the database."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup, User
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.session import Outgoing
from core.models import MessageThread, ThreadMessage
from tests.bot.driver import ChatDriver

OLGA, PAVEL, MARIA, KRYLOVA = 10, 20, 30, 50


def button(calls: list[Outgoing], label_part: str) -> str:
    """The callback data of the first inline button whose label contains ``label_part``."""
    for call in calls:
        if isinstance(call.reply_markup, InlineKeyboardMarkup):
            for row in call.reply_markup.inline_keyboard:
                for b in row:
                    if label_part in b.text and b.callback_data:
                        return b.callback_data
    labels = [
        b.text
        for call in calls
        if isinstance(call.reply_markup, InlineKeyboardMarkup)
        for row in call.reply_markup.inline_keyboard
        for b in row
    ]
    raise AssertionError(f"no button with {label_part!r}; buttons: {labels}")


def preview(calls: list[Outgoing]) -> Outgoing:
    """The latest preview the bot sent."""
    found = [c for c in calls if c.method == "sendMessage" and "Preview" in (c.text or "")]
    assert found, f"no preview in {[c.text for c in calls]}"
    return found[-1]


async def press_on(driver: ChatDriver, user: User, message: Outgoing, label: str) -> list[Outgoing]:
    return await driver.press(user, button([message], label), message_id=message.message_id or 1)


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """(threads, messages) in the database."""
    async with sessions() as session:
        threads = await session.scalar(select(func.count(MessageThread.id)))
        messages = await session.scalar(select(func.count(ThreadMessage.id)))
        return int(threads or 0), int(messages or 0)


async def open_draft(driver: ChatDriver, user: User, subject: str = "Алгебра") -> list[Outgoing]:
    """Ольга's /ask about Анна to Крылова for ``subject``: the draft is open."""
    calls = await driver.send(user, "/ask")
    calls = await driver.press(user, button(calls, "Анна"))
    return await driver.press(user, button(calls, subject))


async def ask_krylova(
    driver: ChatDriver, user: User, text: str = "Когда контрольная по алгебре?"
) -> list[Outgoing]:
    """Ольга asks Крылова about Анна's algebra, from /ask to the receipt."""
    await open_draft(driver, user)
    calls = await driver.send(user, text)
    return await press_on(driver, user, preview(calls), "Send")
