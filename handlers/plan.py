"""``/plan``: a teacher's calendar-thematic plans — how far each has got and what comes next.

Thin: the core finds the teacher's plans, counts the topics taken and the lessons given, and
audits the read (core.teaching.plan); the view draws one line a plan.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from core.linking.dto import AccountView
from core.teaching.plan import NotStaffError, plan_progress
from handlers.callbacks import PlanPage
from handlers.paging import answer_paged, edit_paged
from handlers.views import plan as views
from handlers.views.lesson import not_a_teacher


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_plan, Command("plan"))
    r.callback_query.register(on_page, PlanPage.filter())
    return r


async def on_plan(message: Message, **data: Any) -> None:
    text = await _plans_text(data)
    if text is None:
        await message.answer(not_a_teacher())
        return
    await answer_paged(message, text, PlanPage())  # paged, never cut


async def on_page(query: CallbackQuery, callback_data: PlanPage, **data: Any) -> None:
    """Another page: the plans of the account pressing it, read (and audited) again."""
    text = await _plans_text(data)
    if text is None:
        await query.answer(not_a_teacher(), show_alert=True)
        return
    await edit_paged(query, text, callback_data)


async def _plans_text(data: dict[str, Any]) -> str | None:
    """The whole answer, or None when the account is no teacher (any more)."""
    account: AccountView | None = data["account"]
    staff_id = account.staff_id if account is not None else None
    if staff_id is None:
        return None
    try:
        plans = await plan_progress(data["session"], data["reader"], staff_id, data["today"])
    except NotStaffError:
        return None
    return views.plans(plans)
