"""What the teacher's handlers share: a lesson named by a button or the chat's state (never
trusted: judged again by the core on every press), and the commit that makes a save durable
before the bot replies."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import AccountView
from core.teaching.dto import LessonSheet, LessonSlot, WriteRefused
from core.teaching.lessons import open_sheet
from handlers.callbacks import day_of
from handlers.views import lesson as views


def slot_from(day: int, period: int, cls: int, grp: int) -> LessonSlot | None:
    """The lesson a button's or the state's numbers name; None when they cannot be one."""
    on = day_of(day)
    if on is None or not 0 < period < 20 or cls <= 0 or grp < 0:
        return None
    return LessonSlot(on, period, cls, grp or None)


def slot_from_state(stored: object) -> LessonSlot | None:
    if not isinstance(stored, dict):
        return None
    try:
        return slot_from(
            int(stored["day"]), int(stored["period"]), int(stored["cls"]), int(stored["grp"])
        )
    except (KeyError, TypeError, ValueError):
        return None


async def sheet_or_alert(
    query: CallbackQuery, data: dict[str, Any], slot: LessonSlot
) -> LessonSheet | None:
    """The lesson a press names, judged again; a refusal is the press's alert."""
    try:
        return await open_sheet(data["session"], data["reader"], slot, today=data["today"])
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return None


async def durable(data: dict[str, Any]) -> None:
    """Commit the teacher's write now: the replies that follow may fail (a 429, a timeout), and
    the save must not go with them (the session middleware commits only after the handler)."""
    session: AsyncSession = data["session"]
    await session.commit()


def staff_of(data: dict[str, Any]) -> int | None:
    account: AccountView | None = data["account"]
    return account.staff_id if account is not None else None
