"""Brute force: five failures in an hour lock the user out, even from a good code."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import LinkOutcome
from core.linking.phone import link_by_phone
from core.linking.redeem import FAILURE_WINDOW, MAX_FAILURES, locked_until
from core.models import LinkAttempt
from tests.linking.helpers import TG, audit_rows, invite, redeem
from tests.linking.school import NOW, TODAY, Ids

MINUTE = timedelta(minutes=1)


async def test_the_sixth_attempt_is_locked_until_the_oldest_failure_is_an_hour_old(
    session: AsyncSession, ids: Ids
) -> None:
    good = await invite(session, "G2")
    lefts = []
    for n in range(MAX_FAILURES):
        result = await redeem(session, "500", f"wrong-code-{n:032d}", now=NOW + n * MINUTE)
        assert result.outcome == LinkOutcome.INVALID
        assert result.children == ()
        assert result.locked_until is None
        lefts.append(result.failures_left)
    assert lefts == [4, 3, 2, 1, 0]

    sixth = await redeem(session, "500", good, now=NOW + 5 * MINUTE)
    assert sixth.outcome == LinkOutcome.LOCKED
    assert sixth.locked_until == NOW + FAILURE_WINDOW
    assert await locked_until(session, TG, "500", NOW + 59 * MINUTE) == NOW + FAILURE_WINDOW
    # Refused attempts are not failures: the lock does not grow while the user keeps trying.
    assert await session.scalar(select(func.count()).select_from(LinkAttempt)) == MAX_FAILURES

    actions = [r.action for r in await audit_rows(session)]
    assert actions.count("link_failed") == MAX_FAILURES
    assert actions[-1] == "link_locked"
    for record in await audit_rows(session):
        assert "wrong-code" not in repr(record.details)
        assert good not in repr(record.details)

    assert await locked_until(session, TG, "500", NOW + FAILURE_WINDOW) is None
    later = await redeem(session, "500", good, now=NOW + FAILURE_WINDOW)
    assert later.outcome == LinkOutcome.LINKED
    assert [c.name for c in later.children] == ["Дмитрий Петров"]
    assert [r.action for r in await audit_rows(session)][-1] == "link_invite"


async def test_failures_spread_over_more_than_an_hour_never_lock(
    session: AsyncSession, ids: Ids
) -> None:
    for n in range(8):
        at = NOW + n * 15 * MINUTE
        result = await redeem(session, "501", f"wrong-code-{n:032d}", now=at)
        assert result.outcome == LinkOutcome.INVALID
    # Attempts older than the window are dropped as new ones come in.
    assert await session.scalar(select(func.count()).select_from(LinkAttempt)) == 4


async def test_the_lockout_is_per_user(session: AsyncSession, ids: Ids) -> None:
    for n in range(MAX_FAILURES):
        await redeem(session, "502", f"wrong-code-{n:032d}")
    assert (await redeem(session, "503", await invite(session, "G1"))).outcome == (
        LinkOutcome.LINKED
    )


async def test_phone_failures_count_toward_the_same_lockout(
    session: AsyncSession, ids: Ids
) -> None:
    for n in range(MAX_FAILURES):
        result = await link_by_phone(
            session, TG, "504", "504", f"+7999000000{n}", NOW + n * MINUTE, TODAY
        )
        assert result.outcome == LinkOutcome.NOT_FOUND
    await session.commit()
    later = NOW + MAX_FAILURES * MINUTE
    locked = await link_by_phone(session, TG, "504", "504", "89123456789", later, TODAY)
    assert locked.outcome == LinkOutcome.LOCKED
    code = await invite(session, "G1")
    assert (await redeem(session, "504", code, now=later)).outcome == LinkOutcome.LOCKED
    records = [r for r in await audit_rows(session) if r.action == "link_failed"]
    assert [r.details for r in records] == [{"method": "phone"}] * MAX_FAILURES
