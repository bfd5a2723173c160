"""Accounts: load one with its verified links, create or reactivate it, forget it on /logout."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.attempts import FAILURE_WINDOW
from core.linking.dto import AccountView
from core.linking.people import children_of, roles_of_staff, staff_present, student_present
from core.linking.trail import audit
from core.models import (
    Account,
    AccountLink,
    Delivery,
    LinkAttempt,
    NotificationPreference,
    Staff,
    Student,
)
from core.models.enums import Messenger
from core.reader import Reader


async def _find(session: AsyncSession, messenger: Messenger, user_key: str) -> Account | None:
    found: Account | None = (
        await session.execute(
            select(Account).where(Account.messenger == messenger, Account.user_key == user_key)
        )
    ).scalar_one_or_none()
    return found


async def load_account(
    session: AsyncSession, messenger: Messenger, user_key: str, today: date
) -> AccountView | None:
    """The account of a messenger user and what it may see on ``today``; four statements."""
    account = await _find(session, messenger, user_key)
    if account is None:
        return None
    return await _view(session, account, today)


async def account_view(session: AsyncSession, account_id: int, today: date) -> AccountView | None:
    """As :func:`load_account`, by the account's id (the notifier and the scheduler)."""
    account = await session.get(Account, account_id)
    if account is None:
        return None
    return await _view(session, account, today)


def reader_of(view: AccountView, label: str, today: date) -> Reader:
    """The reader an account's requests are checked and audited as (``label``: the channel)."""
    return Reader(
        label=label,
        account_id=view.account_id,
        staff_id=view.staff_id,
        guardian_ids=view.guardian_ids,
        student_id=view.student_id,
        today=today,
    )


async def _view(session: AsyncSession, account: Account, today: date) -> AccountView:
    rows = await session.execute(
        select(AccountLink.guardian_id, AccountLink.student_id, AccountLink.staff_id)
        .outerjoin(Student, Student.id == AccountLink.student_id)
        .outerjoin(Staff, Staff.id == AccountLink.staff_id)
        .where(
            AccountLink.account_id == account.id,
            or_(AccountLink.student_id.is_(None), student_present(today)),
            or_(AccountLink.staff_id.is_(None), staff_present(today)),
        )
        .order_by(AccountLink.id)
    )
    guardian_ids: list[int] = []
    student_ids: list[int] = []
    staff_ids: list[int] = []
    for guardian_id, student_id, staff_id in rows:
        for found, bucket in ((guardian_id, guardian_ids), (student_id, student_ids)):
            if found is not None and found not in bucket:
                bucket.append(found)
        if staff_id is not None and staff_id not in staff_ids:
            staff_ids.append(staff_id)
    # One person per kind in the view; a second (another school's record) is rare, and the
    # first link made is the one the account has used so far.
    staff_id = staff_ids[0] if staff_ids else None
    children = await children_of(
        session, guardian_ids=guardian_ids, student_ids=student_ids[:1], today=today
    )
    child_ids = [child.student_id for child in children]
    current = account.current_student_id
    return AccountView(
        account_id=account.id,
        locale=account.locale,
        consent_given=account.consent_given_at is not None,
        is_active=account.is_active,
        guardian_ids=tuple(sorted(guardian_ids)),
        student_id=student_ids[0] if student_ids else None,
        staff_id=staff_id,
        staff_roles=await roles_of_staff(session, [staff_id] if staff_id else []),
        children=children,
        current_student_id=current if current in child_ids else next(iter(child_ids), None),
    )


async def ensure_account(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    chat_key: str,
    now: datetime,
    locale: str | None = None,
) -> int:
    """Create the account, or mark it active and seen now; returns its id.

    ``locale`` (the messenger's hint) is used only for a new account: a language the user chose
    later is theirs to keep.
    """
    account = await _find(session, messenger, user_key)
    if account is None:
        account = Account(
            messenger=messenger,
            user_key=user_key,
            chat_key=chat_key,
            locale=locale,
            created_at=now,
            last_seen_at=now,
        )
        try:
            # A savepoint, so that losing a race with a concurrent first update from the same
            # user (unique messenger + user_key) does not spoil the caller's transaction.
            async with session.begin_nested():
                session.add(account)
        except IntegrityError:
            account = await _find(session, messenger, user_key)
            if account is None:
                raise
    account.is_active = True
    account.last_seen_at = now
    account.chat_key = chat_key
    await session.flush()
    return account.id


async def record_consent(session: AsyncSession, account_id: int, now: datetime) -> None:
    """Remember when the user agreed to the processing of personal data (first time only)."""
    await session.execute(
        update(Account)
        .where(Account.id == account_id, Account.consent_given_at.is_(None))
        .values(consent_given_at=now)
    )
    audit(session, action="consent", now=now, account_id=account_id, label="account")
    await session.flush()


async def set_locale(session: AsyncSession, account_id: int, locale: str | None) -> None:
    await session.execute(update(Account).where(Account.id == account_id).values(locale=locale))
    await session.flush()


async def select_child(
    session: AsyncSession, account_id: int, student_id: int, today: date
) -> bool:
    """Put ``student_id`` in focus if the account may see that child today; else change nothing."""
    account = await session.get(Account, account_id)
    if account is None:
        return False
    view = await load_account(session, account.messenger, account.user_key, today)
    if view is None or student_id not in {child.student_id for child in view.children}:
        return False
    account.current_student_id = student_id
    await session.flush()
    return True


async def forget_account(session: AsyncSession, account_id: int, now: datetime) -> None:
    """/logout: delete the account and what the chat left behind; keep the audit trail.

    Deleted: the account, its links, its notification preferences, its deliveries (pending
    ones would otherwise still be sent; sent ones are no use without the account), and the
    user's failed linking attempts older than the lockout window. Attempts inside the window
    stay until they age out (at most ``FAILURE_WINDOW``): otherwise /logout would reset the
    brute-force lockout. Question threads, messages and used invites keep their rows with the
    account reference set to NULL (the foreign keys say so). The audit trail refers to plain
    ids and stays, with one more record: "logout".
    """
    account = await session.get(Account, account_id)
    if account is None:
        return
    messenger, user_key = account.messenger, account.user_key
    await session.execute(delete(AccountLink).where(AccountLink.account_id == account_id))
    await session.execute(
        delete(NotificationPreference).where(NotificationPreference.account_id == account_id)
    )
    await session.execute(delete(Delivery).where(Delivery.account_id == account_id))
    await session.execute(
        delete(LinkAttempt).where(
            and_(
                LinkAttempt.messenger == messenger,
                LinkAttempt.user_key == user_key,
                LinkAttempt.attempted_at <= now - FAILURE_WINDOW,
            )
        )
    )
    await session.delete(account)
    audit(session, action="logout", now=now, account_id=account_id, label=messenger.value)
    await session.flush()


async def reactivate(session: AsyncSession, account_id: int, now: datetime) -> None:
    """The user wrote again after blocking the bot: pushes resume."""
    await session.execute(
        update(Account).where(Account.id == account_id).values(is_active=True, last_seen_at=now)
    )
    await session.flush()


async def mark_inactive(session: AsyncSession, account_id: int) -> None:
    """The user blocked the bot: stop pushing until they write again (``ensure_account``)."""
    await session.execute(update(Account).where(Account.id == account_id).values(is_active=False))
    await session.flush()
