"""Shortcuts the linking tests share."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import LinkResult
from core.linking.invites import issue_invites
from core.linking.redeem import redeem_code
from core.models import AuditRecord
from core.models.enums import Messenger, Role
from tests.linking.school import NOW, TODAY

TG = Messenger.TELEGRAM


async def invite(session: AsyncSession, person: str, role: Role | None = None) -> str:
    issued = await issue_invites(session, now=NOW, today=TODAY, person=person, role=role)
    await session.commit()
    return issued[0].code


async def redeem(
    session: AsyncSession, user: str, code: str, now: datetime = NOW, today: date = TODAY
) -> LinkResult:
    result = await redeem_code(session, TG, user, user, code, now, today)
    await session.commit()
    return result


async def audit_rows(session: AsyncSession) -> list[AuditRecord]:
    return list((await session.execute(select(AuditRecord).order_by(AuditRecord.id))).scalars())
