"""The mail's reads cost a fixed number of statements, however many threads, messages or
recipients there are."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.messaging.dto import Side
from core.messaging.inbox import inbox
from core.messaging.notices import notices
from core.messaging.threads import open_thread
from core.models.enums import EventKind
from core.notify.fanout import PushRules, fan_out
from tests.messaging.helpers import PDF, PHOTO, ask_as, post_as
from tests.messaging.mailschool import NOW, RULES, TODAY, TZ, Mail
from tests.services.test_audit_and_statements import counting

ROOMY = replace(RULES, open_per_recipient=100, messages_per_day=100)


async def cost(engine: AsyncEngine, call: Awaitable[Any]) -> int:
    """How many statements ``call`` runs (a coroutine runs only when awaited, in here)."""
    with counting(engine) as statements:
        await call
    return len(statements)


async def _questions(session: AsyncSession, mail: Mail, n: int) -> list[tuple[int, int]]:
    """``n`` questions to Крылова from every family in turn, each with files and an answer."""
    found = []
    for k in range(n):
        who, student = (("G1", "S1"), ("G2", "S3"), ("G3", "S1"), ("S3", "S3"), ("G2", "S4"))[k % 5]
        receipt = await ask_as(
            session,
            mail,
            who,
            student=student,
            text=f"Вопрос {k}",
            attachments=(PHOTO, PDF),
            now=NOW + timedelta(minutes=k),
            rules=ROOMY,
        )
        answer = await post_as(session, mail, "T1", receipt.thread_id, "Ответ", to_all=k % 2 == 0)
        found.append((receipt.message_id, answer.message_id))
    return found


async def test_an_inbox_page_costs_the_same_for_two_threads_or_eight(
    mail: Mail, engine: AsyncEngine
) -> None:
    costs = []
    for n in (2, 8):
        async with mail.sessions() as session:
            await _questions(session, mail, n)
            krylova = await mail.reader(session, "T1")
            olga = await mail.reader(session, "G1")
            staff = await cost(engine, inbox(session, krylova, Side.STAFF, 0, TODAY))
            family = await cost(engine, inbox(session, olga, Side.FAMILY, 0, TODAY))
            costs.append((staff, family))
            await session.rollback()
    assert costs[0] == costs[1]


async def test_a_thread_costs_the_same_for_one_message_or_twenty(
    mail: Mail, engine: AsyncEngine
) -> None:
    costs = []
    for n in (1, 20):
        async with mail.sessions() as session:
            receipt = await ask_as(session, mail, "G1", attachments=(PHOTO,), rules=ROOMY)
            for k in range(n - 1):
                who = "T1" if k % 2 else "G1"
                await post_as(
                    session, mail, who, receipt.thread_id, f"{k}", attachments=(PDF,), rules=ROOMY
                )
            krylova = await mail.reader(session, "T1")
            olga = await mail.reader(session, "G1")
            staff = await cost(engine, open_thread(session, krylova, RULES, receipt.thread_id, NOW))
            family = await cost(engine, open_thread(session, olga, RULES, receipt.thread_id, NOW))
            costs.append((staff, family))
            await session.rollback()
    assert costs[0] == costs[1]


async def test_fan_out_and_notices_cost_the_same_for_one_question_or_ten(
    mail: Mail, engine: AsyncEngine
) -> None:
    costs = []
    for n in (1, 10):
        async with mail.sessions() as session:
            pairs = await _questions(session, mail, n)
            fanned = await cost(engine, fan_out(session, NOW, PushRules(timezone=TZ)))
            wanted = [(EventKind.THREAD_MESSAGE, m) for pair in pairs for m in pair]
            told = await cost(engine, notices(session, wanted))
            costs.append((fanned, told))
            await session.rollback()
    assert costs[0] == costs[1]
