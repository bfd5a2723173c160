"""The bot's answers spend the pushes' budget: counted by the pacer, reported by a middleware."""

from __future__ import annotations

from typing import Any, cast

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import NextRequestMiddlewareType
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetMe,
    Response,
    SendChatAction,
    SendMessage,
    TelegramMethod,
)

from bot.answer_budget import SharedBudgetMiddleware, counts
from bot.notifier.pacer import PaceLimits, Pacer, SharedBudget
from tests.notify.test_pacer import Ticks

Next = NextRequestMiddlewareType[Any]
TOKEN = "42:TEST"  # noqa: S105 - a made-up token for a Bot that never connects


def _fill(pacer: Pacer, ticks: Ticks, until: float) -> int:
    """Send (and have answered at once) to new chats as fast as the pacer lets, until ``until``."""
    sent = 0
    while True:
        chat = str(1000 + sent)
        at = pacer.ready_at(chat)
        if at >= until:
            return sent
        ticks.now = max(ticks.now, at)
        pacer.take(chat)
        pacer.done(chat)
        sent += 1


def test_answers_elsewhere_leave_the_pushes_fewer_slots_in_their_second() -> None:
    ticks = Ticks()
    alone = Pacer(PaceLimits(per_second=30), ticks)
    alone_sent = _fill(alone, ticks, 101.0)

    ticks = Ticks()
    shared = SharedBudget()
    pacer = Pacer(PaceLimits(per_second=30), ticks)
    shared.attach(pacer)
    for _ in range(3):  # a teacher's answers just before the class's pushes
        shared.answered()
    sent = _fill(pacer, ticks, 101.0)

    assert alone_sent == 30
    assert sent == 27  # 27 pushes + 3 answers: Telegram's 30 in the second
    # The answers' slots come back a second after them, not later.
    assert pacer.ready_at("9999") == pytest.approx(101.0)


def test_an_answer_with_no_pacer_attached_changes_nothing() -> None:
    SharedBudget().answered()  # the notifier's lane is made on its first push


@pytest.mark.parametrize(
    ("method", "counted"),
    [
        (SendMessage(chat_id=1, text="x"), True),
        (EditMessageText(chat_id=1, message_id=2, text="x"), True),
        (SendChatAction(chat_id=1, action="typing"), False),
        (AnswerCallbackQuery(callback_query_id="1"), False),
        (GetMe(), False),
    ],
)
def test_messages_count_and_other_calls_do_not(method: TelegramMethod[Any], counted: bool) -> None:
    assert counts(method) is counted


async def test_the_middleware_reports_an_answer_whatever_its_outcome() -> None:
    budget = SharedBudget()
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=2), ticks)
    budget.attach(pacer)
    middleware = SharedBudgetMiddleware(budget)
    bot = Bot(TOKEN)

    async def accepted(_bot: Bot, _method: TelegramMethod[Any]) -> Response[Any]:
        return Response[Any](ok=True, result=True)

    async def refused(_bot: Bot, _method: TelegramMethod[Any]) -> Response[Any]:
        raise RuntimeError("refused")

    answer = await middleware(cast(Next, accepted), bot, SendMessage(chat_id=1, text="x"))
    assert answer.ok
    with pytest.raises(RuntimeError):
        await middleware(cast(Next, refused), bot, SendMessage(chat_id=1, text="x"))
    await middleware(cast(Next, accepted), bot, AnswerCallbackQuery(callback_query_id="1"))
    # Two messages in the window of a 2-a-second budget: the next push waits a second.
    assert pacer.ready_at("5") == pytest.approx(ticks.now + 1.0)
    await bot.session.close()
