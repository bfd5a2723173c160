"""Accounts: load one with its verified links, create or reactivate it, forget it on /logout."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Row,
    String,
    and_,
    bindparam,
    cast,
    delete,
    literal_column,
    null,
    or_,
    select,
    union,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.attempts import FAILURE_WINDOW
from core.linking.dto import AccountView, ChildRef
from core.linking.people import family_name
from core.linking.trail import audit
from core.models import (
    Account,
    AccountLink,
    Delivery,
    GuardianLink,
    LinkAttempt,
    NotificationPreference,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
)
from core.models.enums import Messenger, Role
from core.reader import Reader
from core.services.naming import collation_key


def _identity(messenger: Messenger, user_key: str, bot: str) -> Any:
    """The account of ``user_key`` at one of the messenger's bots (``""``: the main bot)."""
    return and_(Account.messenger == messenger, Account.user_key == user_key, Account.bot == bot)


async def _find(
    session: AsyncSession, messenger: Messenger, user_key: str, bot: str
) -> Account | None:
    found: Account | None = (
        await session.execute(select(Account).where(_identity(messenger, user_key, bot)))
    ).scalar_one_or_none()
    return found


async def account_id_of(
    session: AsyncSession, messenger: Messenger, user_key: str, bot: str = ""
) -> int | None:
    """The id of the user's account at that bot, if there is one."""
    found: int | None = (
        await session.execute(select(Account.id).where(_identity(messenger, user_key, bot)))
    ).scalar_one_or_none()
    return found


# Row kinds of the one statement that loads an account's view.
_ACCOUNT, _LINK, _CHILD, _ROLE = 0, 1, 2, 3


def _view_statement(*, by_id: bool) -> CompoundSelect[Any]:
    """The account, its live links, the children they reach and the first staff link's roles,
    as one UNION ALL of tagged rows (the account's row first: it types the columns).

    Built once: executing the same statement object skips SQLAlchemy's statement building and
    cache-key walk on every update. Parameters: ``today`` and ``account_id`` or
    ``messenger`` + ``user_key`` + ``bot``.
    """
    today = bindparam("today", type_=Date())
    # As core.linking.people.student_present/staff_present: access ends on ``left_on``.
    student_present = or_(Student.left_on.is_(None), Student.left_on > today)
    which = (
        Account.id == bindparam("account_id", type_=Integer())
        if by_id
        else and_(
            Account.messenger == bindparam("messenger", type_=Account.messenger.type),
            Account.user_key == bindparam("user_key", type_=String()),
            Account.bot == bindparam("bot", type_=String()),
        )
    )
    account = select(Account.id).where(which)
    links = (
        select(
            AccountLink.id, AccountLink.guardian_id, AccountLink.student_id, AccountLink.staff_id
        )
        .outerjoin(Student, Student.id == AccountLink.student_id)
        .outerjoin(Staff, Staff.id == AccountLink.staff_id)
        .where(
            AccountLink.account_id.in_(account.scalar_subquery()),
            or_(AccountLink.student_id.is_(None), student_present),
            or_(AccountLink.staff_id.is_(None), Staff.left_on.is_(None), Staff.left_on > today),
        )
        .cte("live_links")
    )
    # One person per kind in the view: the first link made is the one the account has used.
    first_student = (
        select(links.c.student_id)
        .where(links.c.student_id.is_not(None))
        .order_by(links.c.id)
        .limit(1)
    )
    first_staff = (
        select(links.c.staff_id).where(links.c.staff_id.is_not(None)).order_by(links.c.id).limit(1)
    )
    wards = select(GuardianLink.student_id).where(
        GuardianLink.guardian_id.in_(select(links.c.guardian_id))
    )
    # One IN over a union, not ``IN wards OR IN first_student``: PostgreSQL cannot drive an OR
    # of two hashed subplans from an index, and scanned every school's pupils (10^7 marks:
    # 200,000 rows, 40-80 ms an update); a union of the few ids is probed by primary key.
    first = first_student.subquery()
    children = select(union(wards, select(first.c.student_id)).subquery().c.student_id)
    none_int = null().cast(Integer())
    none_str = null().cast(String())

    def kind(value: int) -> Any:
        return literal_column(str(value), Integer()).label("kind")

    own = select(
        kind(_ACCOUNT),
        Account.id.label("n"),
        Account.current_student_id.label("i1"),
        none_int.label("i2"),
        none_int.label("i3"),
        Account.locale.label("t1"),
        none_str.label("t2"),
        none_str.label("t3"),
        Account.is_active.label("flag"),
        Account.consent_given_at.label("at"),
    ).where(which)
    return union_all(
        own,
        select(
            kind(_LINK),
            links.c.id,
            links.c.guardian_id,
            links.c.student_id,
            links.c.staff_id,
            none_str,
            none_str,
            none_str,
            null(),
            null(),
        ),
        select(
            kind(_CHILD),
            Student.id,
            none_int,
            none_int,
            none_int,
            Student.first_name,
            Student.last_name,
            SchoolClass.name,
            null(),
            null(),
        )
        .outerjoin(SchoolClass, SchoolClass.id == Student.class_id)
        .where(Student.id.in_(children), student_present),
        select(
            kind(_ROLE),
            none_int,
            none_int,
            none_int,
            none_int,
            cast(StaffRole.role, String()),
            none_str,
            none_str,
            null(),
            null(),
        ).where(StaffRole.staff_id.in_(first_staff)),
    )


_BY_USER = _view_statement(by_id=False)
_BY_ID = _view_statement(by_id=True)


async def load_account(
    session: AsyncSession, messenger: Messenger, user_key: str, today: date, *, bot: str = ""
) -> AccountView | None:
    """The account of a messenger user (at ``bot``, the main bot by default) and what it may
    see on ``today``; one statement."""
    rows = await session.execute(
        _BY_USER, {"messenger": messenger, "user_key": user_key, "bot": bot, "today": today}
    )
    return _view(rows.all())


async def account_view(session: AsyncSession, account_id: int, today: date) -> AccountView | None:
    """As :func:`load_account`, by the account's id (the notifier and the scheduler)."""
    rows = await session.execute(_BY_ID, {"account_id": account_id, "today": today})
    return _view(rows.all())


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


def _view(rows: Sequence[Row[Any]]) -> AccountView | None:
    own = next((row for row in rows if row.kind == _ACCOUNT), None)
    if own is None:
        return None
    guardian_ids: list[int] = []
    student_ids: list[int] = []
    staff_ids: list[int] = []
    for link in sorted((row for row in rows if row.kind == _LINK), key=lambda row: row.n):
        for found, bucket in (
            (link.i1, guardian_ids),
            (link.i2, student_ids),
            (link.i3, staff_ids),
        ):
            if found is not None and found not in bucket:
                bucket.append(found)
    children = sorted(
        (
            ChildRef(student_id=row.n, name=family_name(row.t1, row.t2), class_name=row.t3)
            for row in rows
            if row.kind == _CHILD
        ),
        key=lambda child: (collation_key(child.name), child.student_id),
    )
    roles = sorted({Role(row.t1) for row in rows if row.kind == _ROLE}, key=lambda r: r.value)
    child_ids = [child.student_id for child in children]
    current = own.i1
    return AccountView(
        account_id=own.n,
        locale=own.t1,
        consent_given=own.at is not None,
        is_active=bool(own.flag),
        guardian_ids=tuple(sorted(guardian_ids)),
        student_id=student_ids[0] if student_ids else None,
        staff_id=staff_ids[0] if staff_ids else None,
        staff_roles=tuple(roles),
        children=tuple(children),
        current_student_id=current if current in child_ids else next(iter(child_ids), None),
    )


async def ensure_account(
    session: AsyncSession,
    messenger: Messenger,
    user_key: str,
    chat_key: str,
    now: datetime,
    locale: str | None = None,
    *,
    bot: str = "",
) -> int:
    """Create the account (at ``bot``, the main bot by default), or mark it active and seen
    now; returns its id.

    ``locale`` (the messenger's hint) is used only for a new account: a language the user chose
    later is theirs to keep.
    """
    account = await _find(session, messenger, user_key, bot)
    if account is None:
        account = Account(
            messenger=messenger,
            bot=bot,
            user_key=user_key,
            chat_key=chat_key,
            locale=locale,
            created_at=now,
            last_seen_at=now,
        )
        try:
            # A savepoint, so that losing a race with a concurrent first update from the same
            # user (unique messenger + user_key + bot) does not spoil the caller's transaction.
            async with session.begin_nested():
                session.add(account)
        except IntegrityError:
            account = await _find(session, messenger, user_key, bot)
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
    view = await account_view(session, account_id, today)
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
