"""``/whatif``: pick a subject, or type ``/whatif алгебра 5 5 4`` to try hypothetical marks."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from core.access.policy import AccessDenied
from core.linking.dto import ChildRef
from core.questions.subjects import find_subject
from core.questions.vocabulary import school_subjects
from core.services.whatif import what_if
from handlers.callbacks import WhatIfOf
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.views.subjects import subject_keyboard
from handlers.views.whatif import whatif_view

_MARK = re.compile(r"^[1-5]$")


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_whatif, Command("whatif"))
    r.callback_query.register(on_subject, WhatIfOf.filter())
    return r


async def _answer(
    child: ChildRef,
    subject_id: int,
    hypothetical: tuple[int, ...],
    subjects: dict[int, str],
    data: dict[str, Any],
) -> str | None:
    if subject_id not in subjects:
        return None
    result = await what_if(
        data["session"],
        child.student_id,
        subject_id,
        data["today"],
        data["reader"],
        hypothetical=hypothetical,
    )
    return whatif_view(child, subjects[subject_id], result, hypothetical)


async def on_whatif(message: Message, command: CommandObject, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    subjects = await school_subjects(data["session"], child.student_id)
    words = (command.args or "").lower().replace("ё", "е").split()
    marks = tuple(int(w) for w in words if _MARK.match(w))
    subject_id = find_subject([w for w in words if not _MARK.match(w)], subjects)
    if subject_id is None:
        keyboard = subject_keyboard(
            subjects, lambda sid: WhatIfOf(child=child.student_id, subject=sid)
        )
        await message.answer(_("Which subject?"), reply_markup=keyboard)
        return
    try:
        text = await _answer(child, subject_id, marks, subjects, data)
    except AccessDenied:
        text = None
    await message.answer(text or not_available())


async def on_subject(query: CallbackQuery, callback_data: WhatIfOf, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    text = None
    if child is not None:
        try:
            subjects = await school_subjects(data["session"], child.student_id)
            text = await _answer(child, callback_data.subject, (), subjects, data)
        except AccessDenied:
            text = None
    if text is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await query.message.answer(text)
