"""``/help``, a pasted code, and everything else the bot does not understand yet."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from core.access.policy import AccessDenied
from core.linking.dto import AccountView
from core.linking.redeem import looks_like_code
from core.questions import parse_question
from core.questions.vocabulary import school_subjects
from handlers import questions
from handlers.family import child_in_focus, not_available
from handlers.linking import start_link
from handlers.menu import BUTTON_HELP, BUTTON_MY_LESSONS, main_keyboard


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_help, Command("help"))
    r.message.register(on_help, F.text == BUTTON_HELP)
    r.message.register(on_text, F.text)
    return r


def help_text(account: AccountView | None) -> str:
    lines = [_("<b>What I can do</b>")]
    if account is None or not account.linked:
        lines.append(_("/start: link your account with a code from the school or your phone"))
    else:
        lines.append(_("/start: what your account sees"))
        if account.staff_id is not None:
            lines.append(_("/class: the summary of the class you lead"))
            lines.append(_("/lesson: the journal of your lesson now"))
            lines.append(_("/plan: your calendar-thematic plans"))
            lines.append(_("/report: the school's reports your role may read"))
        if account.staff_id is not None and account.children:
            lines.append(
                _("{button}: your own lessons today (🗓 and ➡️ show your child's day)").format(
                    button=str(BUTTON_MY_LESSONS)
                )
            )
        if account.staff_id is not None and not account.children:
            # Without a child, the family's commands would only say there is nobody to show.
            lines.append(_("/timetable: your lessons today, with changes"))
            lines.append(_("/tomorrow: your lessons on the next school day"))
        else:
            lines += _family_commands()
    if account is not None and account.linked:
        if account.children:
            lines.append(_("/ask: write to a teacher, the class teacher or the school"))
        lines.append(_("/inbox: your conversations with the school, answers and «read»"))
        if account.staff_id is not None:
            lines.append(_("/announce: an announcement to the families of your classes"))
    lines += [
        _("/settings: notifications, quiet hours, the evening digest"),
        _("/language: change the language"),
        _("/privacy: what I store and why"),
        _("/logout: unlink your account and delete your data"),
        _("/help: this list"),
    ]
    return "\n".join(lines)


def _family_commands() -> list[str]:
    """What a guardian or a student asks about a child's journal."""
    return [
        _("/timetable: today's lessons with changes"),
        _("/tomorrow: the next school day's lessons and homework"),
        _("/marks: marks of the week, averages, one subject in full"),
        _("/term: term, year and final marks"),
        _("/attendance: absences and late arrivals this term"),
        _("/homework: homework for the next two weeks"),
        _("/changes: timetable changes today and on the next school day"),
        _("/debts: debts to make up"),
        _("/events: coming school and class events"),
        _("/topics: what was studied in a subject"),
        _("/bells: the bell schedule"),
        _("/whatif: the marks still needed for a 5 or a 4"),
        _("/progress: a chart of each subject's average week by week"),
        _("Or just ask: «оценки по алгебре», «что задали на завтра»."),
        _("/child: choose which child's journal to show"),
    ]


async def on_help(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    await message.answer(help_text(account), reply_markup=main_keyboard(account))


async def on_text(message: Message, state: FSMContext, **data: Any) -> None:
    text = (message.text or "").strip()
    if looks_like_code(text):
        await start_link(message, state, data, code=text)
        return
    account: AccountView | None = data["account"]
    child = child_in_focus(account)
    if child is not None:
        subjects = await school_subjects(data["session"], child.student_id)
        question = parse_question(text, data["today"], subjects)
        if question is not None:
            try:
                await questions.answer(message, question, child, data)
            except AccessDenied:
                await message.answer(not_available())
            return
    if account is not None and account.staff_id is not None and not account.children:
        # A teacher without children: the families' examples would not work for her.
        hint = _(
            "I did not understand that. Your lessons: /timetable and /tomorrow; the journal of "
            "the lesson now: /lesson; everything else: /help."
        )
    else:
        hint = _(
            "I did not understand that. Ask, for example, «оценки по алгебре», «что задали на "
            "завтра», «расписание на пятницу», or use the buttons below and /help."
        )
    await message.answer(hint, reply_markup=main_keyboard(account))
