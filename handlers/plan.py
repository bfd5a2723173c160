"""``/plan``: a teacher's calendar-thematic plans — how far each has got and what comes next.

Thin: the core finds the teacher's plans, counts the topics taken and the lessons given, and
audits the read (core.teaching.plan); the view draws one line a plan.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from core.linking.dto import AccountView
from core.teaching.plan import NotStaffError, plan_progress
from handlers.views import plan as views
from handlers.views.lesson import not_a_teacher


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_plan, Command("plan"))
    return r


async def on_plan(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    staff_id = account.staff_id if account is not None else None
    if staff_id is None:
        await message.answer(not_a_teacher())
        return
    try:
        plans = await plan_progress(data["session"], data["reader"], staff_id, data["today"])
    except NotStaffError:
        await message.answer(not_a_teacher())
        return
    await message.answer(views.plans(plans))
