"""``/progress``: a chart of each subject's running average over the term, for the child."""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from core.access.policy import AccessDenied
from core.services.progress import progress, student_progress_rules
from handlers.family import focus_or_explain, not_available
from handlers.views import progress as views
from handlers.views.formatting import current_locale


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_progress, Command("progress"))
    return r


async def on_progress(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    try:
        session = data["session"]
        rules = await student_progress_rules(session, child.student_id)
        found = await progress(
            session, child.student_id, data["today"], data["reader"], rules=rules
        )
    except AccessDenied:
        await message.answer(not_available())
        return
    if not found.subjects:
        await message.answer(views.no_marks(child))
        return
    # matplotlib is imported on the first chart, not at start-up (a second saved on every
    # process start, the console's and the tests' too).
    from core.charts.progress import render_progress

    # Drawing takes a few hundred milliseconds of CPU: off the event loop.
    png = await asyncio.to_thread(
        render_progress, found, views.chart_texts(child, found), current_locale()
    )
    await message.answer_photo(
        BufferedInputFile(png, filename="progress.png"), caption=views.caption(child, found)
    )
