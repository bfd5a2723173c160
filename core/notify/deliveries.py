"""A delivery's life: pending → sending → sent, or back to pending, or failed, or skipped.

:func:`claim_due` moves due deliveries to ``sending`` (``FOR UPDATE SKIP LOCKED``: notifiers
sharing one PostgreSQL never claim the same row), recording which notifier holds them
(``claimed_by``), and the caller commits before sending, so a crash leaves them ``sending``.
A live notifier renews its claims (:func:`renew`) every few seconds; :func:`requeue_stale` returns
rows whose lease has run out — a dead notifier's, seconds after it died — to ``pending``.
That is the only way a push can repeat: the batch that was in flight. The other functions
record how a send ended; the caller commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.accounts import mark_inactive
from core.models import Account, Delivery
from core.models.enums import DeliveryState, Messenger, PrivacyLevel
from core.notify.fanout import BLOCKED
from core.preferences import preferences_of

MAX_ERROR = 255  # deliveries.last_error


@dataclass(frozen=True, slots=True)
class Route:
    """The bot a push leaves by: a messenger and one of its bots (``""``: the main bot; else a
    school's own bot, by its key). Each bot has a send budget of its own."""

    messenger: Messenger
    bot: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """Deliveries claimed for one chat, to go out as one message."""

    account_id: int
    messenger: Messenger
    bot: str
    chat_key: str
    locale: str | None
    privacy: PrivacyLevel
    delivery_ids: tuple[int, ...]
    attempts: int  # the most attempts any of them has had, this one included


async def requeue_stale(session: AsyncSession, now: datetime, lease: timedelta) -> int:
    """Deliveries whose claim was not renewed for ``lease`` (their notifier died): pending."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.state == DeliveryState.SENDING, Delivery.claimed_at < now - lease)
        .values(
            state=DeliveryState.PENDING,
            not_before=now,
            claimed_at=None,
            claimed_by=None,
            updated_at=now,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def renew(
    session: AsyncSession, delivery_ids: Collection[int], owner: str, now: datetime
) -> set[int]:
    """The heartbeat: ``owner``'s claims on ``delivery_ids`` run from ``now`` again. One
    statement by primary key; returns the ids still claimed by ``owner`` — the others were
    finished meanwhile, or ran out and were requeued (perhaps claimed by another notifier),
    and must not be sent by ``owner``."""
    if not delivery_ids:
        return set()
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(set(delivery_ids)),
            Delivery.state == DeliveryState.SENDING,
            Delivery.claimed_by == owner,
        )
        .values(claimed_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


async def claim_due(
    session: AsyncSession,
    now: datetime,
    *,
    limit: int = 200,
    coalesce: bool = True,
    busy: Collection[int] = (),
    routes: Collection[Route] | None = None,
    owner: str | None = None,
) -> list[Claim]:
    """Claim due deliveries, oldest first, one claim per chat.

    With ``coalesce`` a claim takes all of a chat's due deliveries (among the first ``limit``);
    without, only its oldest one, so that a chat's backlog waits in the database, not in
    memory. Accounts in ``busy`` (the caller still has a message for them) are left for later,
    and so are accounts of a bot not in ``routes`` (when given): a process that does not serve
    a messenger or a school's bot leaves its pushes to one that does. ``owner``: the claiming
    notifier's instance id, which its heartbeat renews the claims by (:func:`renew`). Four
    statements."""
    query = (
        select(Delivery.id, Delivery.account_id, Delivery.attempts)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.not_before <= now)
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if busy:
        query = query.where(Delivery.account_id.not_in(set(busy)))
    if routes is not None:
        served = or_(
            *(
                and_(Account.messenger == route.messenger, Account.bot == route.bot)
                for route in set(routes)
            )
        )
        query = (
            query.join(Account, Account.id == Delivery.account_id)
            .where(served if routes else false())
            .with_for_update(skip_locked=True, of=Delivery)
        )
    rows = (await session.execute(query)).all()
    if not coalesce:
        firsts: dict[int, Any] = {}
        for row in rows:
            firsts.setdefault(row.account_id, row)
        rows = list(firsts.values())
    if not rows:
        return []
    accounts = {
        row.id: row
        for row in await session.execute(
            select(
                Account.id,
                Account.messenger,
                Account.bot,
                Account.chat_key,
                Account.locale,
                Account.is_active,
            ).where(Account.id.in_({row.account_id for row in rows}))
        )
    }
    blocked = [row.id for row in rows if not accounts[row.account_id].is_active]
    claimed = [row for row in rows if accounts[row.account_id].is_active]
    if blocked:
        await _finish(session, blocked, now, DeliveryState.SKIPPED, error=BLOCKED)
    if claimed:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([row.id for row in claimed]))
            .values(
                state=DeliveryState.SENDING,
                claimed_at=now,
                claimed_by=owner,
                attempts=Delivery.attempts + 1,
                updated_at=now,
            )
        )
    privacy = await preferences_of(session, {row.account_id for row in claimed})
    groups: dict[int, list[Any]] = {}
    for row in claimed:
        groups.setdefault(row.account_id, []).append(row)
    claims = []
    for group in groups.values():
        account = accounts[group[0].account_id]
        claims.append(
            Claim(
                account_id=account.id,
                messenger=Messenger(account.messenger),
                bot=account.bot,
                chat_key=account.chat_key,
                locale=account.locale,
                privacy=privacy[account.id].privacy,
                delivery_ids=tuple(row.id for row in group),
                attempts=max(row.attempts for row in group) + 1,
            )
        )
    return claims


@dataclass(frozen=True, slots=True)
class Sent:
    delivery_ids: tuple[int, ...]
    message_key: str | None
    at: datetime


async def record_sent(session: AsyncSession, sent: Sequence[Sent]) -> None:
    """Many sends in one statement (executemany by primary key)."""
    rows = [
        {
            "id": delivery_id,
            "state": DeliveryState.SENT,
            "sent_at": item.at,
            "message_key": item.message_key,
            "last_error": None,
            "updated_at": item.at,
        }
        for item in sent
        for delivery_id in item.delivery_ids
    ]
    if rows:
        await session.execute(update(Delivery), rows)


async def record_skipped(
    session: AsyncSession, delivery_ids: Collection[int], now: datetime, reason: str
) -> None:
    """Nothing left to say (e.g. every mark of the batch was removed before it went out)."""
    await _finish(session, delivery_ids, now, DeliveryState.SKIPPED, error=reason)


async def retry_later(
    session: AsyncSession,
    delivery_ids: Collection[int],
    now: datetime,
    *,
    delay: timedelta,
    error: str,
    attempts: int,
    max_attempts: int,
    owner: str | None = None,
) -> bool:
    """Back to pending after ``delay``, or failed once ``attempts`` reached ``max_attempts``.
    With ``owner``, only while that notifier still holds them (a claim that ran out and went
    to another notifier is that one's to finish).

    Returns True when they will be tried again."""
    if attempts >= max_attempts:
        await _finish(session, delivery_ids, now, DeliveryState.FAILED, error=error)
        return False
    await session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(delivery_ids),
            Delivery.state == DeliveryState.SENDING,
            *_held_by(owner),
        )
        .values(
            state=DeliveryState.PENDING,
            not_before=now + delay,
            claimed_at=None,
            claimed_by=None,
            last_error=error[:MAX_ERROR],
            updated_at=now,
        )
    )
    return True


async def record_failed(
    session: AsyncSession, delivery_ids: Collection[int], now: datetime, error: str
) -> None:
    await _finish(session, delivery_ids, now, DeliveryState.FAILED, error=error)


async def record_blocked(session: AsyncSession, account_id: int, now: datetime) -> None:
    """The user blocked the bot (or the chat is gone): stop everything queued for them."""
    await mark_inactive(session, account_id)
    await session.execute(
        update(Delivery)
        .where(
            Delivery.account_id == account_id,
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
        )
        .values(state=DeliveryState.SKIPPED, last_error=BLOCKED, updated_at=now)
    )


async def _finish(
    session: AsyncSession,
    delivery_ids: Collection[int],
    now: datetime,
    state: DeliveryState,
    *,
    error: str | None,
) -> None:
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_(delivery_ids))
        .values(state=state, last_error=error[:MAX_ERROR] if error else None, updated_at=now)
    )


async def release(
    session: AsyncSession, delivery_ids: Collection[int], now: datetime, owner: str | None = None
) -> None:
    """Claimed but never tried (the notifier is stopping): pending again, at once (with
    ``owner``, only those that notifier still holds)."""
    if delivery_ids:
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(delivery_ids),
                Delivery.state == DeliveryState.SENDING,
                *_held_by(owner),
            )
            .values(
                state=DeliveryState.PENDING,
                not_before=now,
                claimed_at=None,
                claimed_by=None,
                attempts=Delivery.attempts - 1,
                updated_at=now,
            )
        )


def _held_by(owner: str | None) -> tuple[ColumnElement[bool], ...]:
    return () if owner is None else (Delivery.claimed_by == owner,)


async def sent_with_message(session: AsyncSession, account_id: int, message_key: str) -> list[int]:
    """The deliveries that went out to ``account_id`` as message ``message_key``."""
    rows = await session.execute(
        select(Delivery.id)
        .where(
            Delivery.account_id == account_id,
            Delivery.message_key == message_key,
            Delivery.state == DeliveryState.SENT,
        )
        .order_by(Delivery.id)
    )
    return list(rows.scalars())
