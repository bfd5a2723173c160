"""Brute-force brake: failed linking attempts per messenger user, and the lockout they cause."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.trail import audit
from core.models import LinkAttempt
from core.models.enums import Messenger

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)


async def _recent(
    session: AsyncSession, messenger: Messenger, user_key: str, now: datetime
) -> list[datetime]:
    rows = await session.execute(
        select(LinkAttempt.attempted_at)
        .where(
            LinkAttempt.messenger == messenger,
            LinkAttempt.user_key == user_key,
            LinkAttempt.attempted_at > now - FAILURE_WINDOW,
            LinkAttempt.attempted_at <= now,
        )
        .order_by(LinkAttempt.attempted_at)
    )
    return list(rows.scalars())


async def locked_until(
    session: AsyncSession, messenger: Messenger, user_key: str, now: datetime
) -> datetime | None:
    """When the user may try again, or None when they may try now.

    Locked while ``MAX_FAILURES`` failures lie within the last ``FAILURE_WINDOW``; the lock
    lifts when the oldest of them leaves the window. (With more than that many failures, which
    only concurrent attempts can produce, it is the MAX_FAILURES-th newest that counts.)
    """
    recent = await _recent(session, messenger, user_key, now)
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-MAX_FAILURES] + FAILURE_WINDOW


async def record_failure(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    *,
    account_id: int | None,
    method: str,
    now: datetime,
) -> int:
    """Count one failed attempt, audit it, and return how many tries are left this window."""
    # Older attempts have done their job; dropping them keeps the table (and what it says
    # about a person) to the last hour.
    await session.execute(
        delete(LinkAttempt).where(
            LinkAttempt.messenger == messenger,
            LinkAttempt.user_key == user_key,
            LinkAttempt.attempted_at <= now - FAILURE_WINDOW,
        )
    )
    session.add(LinkAttempt(messenger=messenger, user_key=user_key, attempted_at=now))
    audit(
        session,
        action="link_failed",
        now=now,
        account_id=account_id,
        label=messenger.value,
        details={"method": method},
    )
    await session.flush()
    return max(0, MAX_FAILURES - len(await _recent(session, messenger, user_key, now)))


def record_lockout(
    session: AsyncSession,
    messenger: Messenger,
    *,
    account_id: int | None,
    method: str,
    until: datetime,
    now: datetime,
) -> None:
    """Audit a refused attempt. It is not counted as a failure, so the lock does not extend."""
    audit(
        session,
        action="link_locked",
        now=now,
        account_id=account_id,
        label=messenger.value,
        details={"method": method, "until": until.isoformat()},
    )
