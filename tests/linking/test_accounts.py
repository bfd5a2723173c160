"""Accounts: what an account sees on a date, the child in focus, blocking, and /logout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.linking.accounts import (
    account_view,
    ensure_account,
    forget_account,
    load_account,
    mark_inactive,
    record_consent,
    select_child,
    set_locale,
)
from core.linking.redeem import FAILURE_WINDOW
from core.models import (
    Account,
    AccountLink,
    Delivery,
    LinkAttempt,
    NotificationPreference,
    OutboxEvent,
)
from core.models.enums import EventKind
from tests.linking.helpers import TG, audit_rows, invite, redeem
from tests.linking.school import LEFT_ON, NOW, TODAY, Ids


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_an_unknown_user_has_no_account(session: AsyncSession, ids: Ids) -> None:
    assert await load_account(session, TG, "nobody", TODAY) is None


async def test_ensure_account_creates_then_reactivates(session: AsyncSession, ids: Ids) -> None:
    first = await ensure_account(session, TG, "700", "700", NOW, locale="en")
    await mark_inactive(session, first)
    await set_locale(session, first, "ru")
    later = NOW + timedelta(days=2)
    again = await ensure_account(session, TG, "700", "7000", later, locale="en")
    await session.commit()
    assert again == first
    account = await session.get(Account, first)
    assert account is not None
    await session.refresh(account)
    assert (account.is_active, account.last_seen_at, account.chat_key) == (True, later, "7000")
    assert account.locale == "ru"  # the user's own choice outlives the messenger's hint
    view = await load_account(session, TG, "700", TODAY)
    assert view is not None
    assert not view.consent_given
    assert not view.linked
    assert view.children == ()
    await record_consent(session, first, NOW)
    view = await load_account(session, TG, "700", TODAY)
    assert view is not None
    assert view.consent_given


async def test_mark_inactive(session: AsyncSession, ids: Ids) -> None:
    account_id = await ensure_account(session, TG, "701", "701", NOW)
    await mark_inactive(session, account_id)
    view = await load_account(session, TG, "701", TODAY)
    assert view is not None
    assert not view.is_active


async def test_load_account_costs_a_few_statements_however_many_children(
    session: AsyncSession, engine: AsyncEngine, ids: Ids
) -> None:
    await redeem(session, "702", await invite(session, "G1"))
    await redeem(session, "702", await invite(session, "G2"))  # a third child
    await redeem(session, "702", await invite(session, "T1"))
    session.expunge_all()
    with counted(engine) as statements:
        view = await load_account(session, TG, "702", TODAY)
    assert view is not None
    assert len(view.children) == 3
    assert view.staff_roles
    assert len(statements) <= 4


async def test_a_child_who_left_is_listed_the_day_before_and_not_on_left_on(
    session: AsyncSession, ids: Ids
) -> None:
    await redeem(session, "703", await invite(session, "G1"))
    account_id = (await load_account(session, TG, "703", TODAY)).account_id  # type: ignore[union-attr]
    assert await select_child(session, account_id, ids.boris, LEFT_ON - timedelta(days=1))
    before = await load_account(session, TG, "703", LEFT_ON - timedelta(days=1))
    assert before is not None
    assert [c.student_id for c in before.children] == [ids.anna, ids.boris]
    assert before.current_student_id == ids.boris
    on_the_day = await load_account(session, TG, "703", LEFT_ON)
    assert on_the_day is not None
    assert [c.student_id for c in on_the_day.children] == [ids.anna]
    assert on_the_day.current_student_id == ids.anna  # the remembered choice is gone
    assert not await select_child(session, account_id, ids.boris, LEFT_ON)


async def test_a_student_who_left_is_no_longer_linked(session: AsyncSession, ids: Ids) -> None:
    code = await invite(session, "S2")
    await redeem(session, "704", code)
    gone = await load_account(session, TG, "704", LEFT_ON)
    assert gone is not None
    assert (gone.student_id, gone.children, gone.linked) == (None, (), False)


async def test_select_child_refuses_another_familys_child(session: AsyncSession, ids: Ids) -> None:
    await redeem(session, "705", await invite(session, "G2"))
    view = await load_account(session, TG, "705", TODAY)
    assert view is not None
    assert view.current_student_id == ids.dmitry
    assert not await select_child(session, view.account_id, ids.anna, TODAY)
    assert not await select_child(session, 999_999, ids.anna, TODAY)
    after = await load_account(session, TG, "705", TODAY)
    assert after is not None
    assert after.current_student_id == ids.dmitry


async def test_logout_deletes_the_chat_data_but_keeps_the_audit_trail(
    session: AsyncSession, ids: Ids
) -> None:
    for n in range(2):  # failures before linking: one old, one inside the lockout window
        await redeem(session, "706", f"wrong-code-{n:032d}", now=NOW - n * FAILURE_WINDOW)
    result = await redeem(session, "706", await invite(session, "G1"))
    account_id = result.account_id
    assert account_id is not None
    session.add(NotificationPreference(account_id=account_id))
    outbox = OutboxEvent(
        school_id=ids.school, kind=EventKind.MARK_ADDED, object_type="marks", object_id=1
    )
    session.add(outbox)
    await session.flush()
    session.add(Delivery(event_id=outbox.id, account_id=account_id))
    await redeem(session, "707", await invite(session, "G3"))  # somebody else stays
    audit_before = len(await audit_rows(session))

    await forget_account(session, account_id, NOW)
    await session.commit()

    assert await load_account(session, TG, "706", TODAY) is None
    for model in (AccountLink, NotificationPreference, Delivery):
        owned = select(func.count()).select_from(model).where(model.account_id == account_id)
        assert await session.scalar(owned) == 0
    # The failure inside the window stays until it ages out, so /logout cannot reset a lockout.
    attempts = await session.scalar(select(func.count()).select_from(LinkAttempt))
    assert attempts == 1
    assert await load_account(session, TG, "707", TODAY) is not None
    records = await audit_rows(session)
    assert len(records) == audit_before + 1
    assert records[-1].action == "logout"
    assert records[-1].actor_account_id == account_id
    assert any(r.action == "link_invite" and r.actor_account_id == account_id for r in records)


async def test_load_account_is_one_statement(
    session: AsyncSession, engine: AsyncEngine, ids: Ids
) -> None:
    """Issue 14: the account middleware runs it on every update; the account, its live links,
    the children and the staff roles come back in one statement, by user or by id alike."""
    await redeem(session, "705", await invite(session, "G1"))
    await redeem(session, "705", await invite(session, "G2"))
    await redeem(session, "705", await invite(session, "T1"))
    await session.commit()
    session.expunge_all()
    with counted(engine) as statements:
        view = await load_account(session, TG, "705", TODAY)
    assert view is not None
    assert len(statements) == 1
    assert len(view.children) == 3
    assert view.staff_id is not None
    assert view.staff_roles
    with counted(engine) as statements:
        by_id = await account_view(session, view.account_id, TODAY)
    assert len(statements) == 1
    assert by_id == view
    with counted(engine) as statements:
        assert await load_account(session, TG, "nobody", TODAY) is None
    assert len(statements) == 1
