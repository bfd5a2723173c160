"""Shortcuts the bot tests share: invite codes for the tiny school, ids by the school's keys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.linking.invites import issue_invites
from core.models import AuditRecord, Student
from core.models.enums import Role
from handlers.callbacks import ConsentAnswer
from tests.bot import school
from tests.bot.driver import ChatDriver


async def invite(
    sessions: async_sessionmaker[AsyncSession], person: str, role: Role | None = Role.GUARDIAN
) -> str:
    async with sessions() as session:
        issued = await issue_invites(
            session,
            now=school.NOW,
            today=school.TODAY,
            person=person,
            role=role,
            ttl=timedelta(days=30),
        )
        await session.commit()
    code: str = issued[0].code
    return code


async def student_id(sessions: async_sessionmaker[AsyncSession], key: str) -> int:
    async with sessions() as session:
        found: int = (
            await session.execute(select(Student.id).where(Student.external_id == key))
        ).scalar_one()
        return found


async def audit_actions(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(select(AuditRecord.action).order_by(AuditRecord.id))
        return list(rows.scalars())


AGREE = ConsentAnswer(agree=True).pack()


async def link(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    user_id: int,
    person: str,
    role: Role | None = Role.GUARDIAN,
    language: str = "ru",
) -> None:
    """The user opens an invite link for ``person`` and agrees to the notice."""
    user = driver.user(user_id, language)
    await driver.send(user, f"/start {await invite(sessions, person, role)}")
    await driver.press(user, AGREE)


async def linked_olga(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Ольга (G1, user 10), the mother of Анна and Борис, linked."""
    await link(driver, sessions, 10, "G1")


# Every command and a few common questions, for tests that try them all.
CHAT_INPUTS = (
    "/start",
    "/help",
    "/marks",
    "/term",
    "/timetable",
    "/tomorrow",
    "/homework",
    "/changes",
    "/attendance",
    "/topics",
    "/debts",
    "/events",
    "/bells",
    "/whatif",
    "/child",
    "/class",
    "/privacy",
    "/language",
    "оценки по алгебре",
    "что задали на завтра",
    "расписание на неделю",
    "/whatif алгебра 5",
    "замены",
)
