"""Linking, the same in both messengers: an invite's deep link, one's own phone; a foreign or
unproven contact refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import Account
from core.models.enums import Messenger
from tests.bot import school
from tests.bot.helpers import AGREE, invite
from tests.e2e.sides import Side, running


async def test_a_guardian_links_by_the_invites_deep_link(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with running(db_url, clock, side):
        olga = side.person(10, "Ольга")
        await side.open_link(olga, await invite(sessions, "G1"))
        [consent] = await side.hears(olga)
        assert "152-ФЗ" in consent.text
        # The consent names what is really stored: the id in the messenger she writes from.
        other = "Telegram" if side.messenger == Messenger.MAX else "MAX"
        assert f"идентификатор {_name(side)}" in consent.text
        assert other not in consent.text
        await side.press(olga, consent, AGREE)
        [linked] = await side.hears(olga)
        assert "Анна Иванова, 7А" in linked.text
        assert "Борис Иванов, 5Б" in linked.text
        await side.say(olga, "/privacy")
        [privacy] = await side.hears(olga)
        assert f"аккаунтом {_name(side)}" in privacy.text
        assert other not in privacy.text
        assert side.refused() == []
    async with sessions() as session:
        account = (await session.execute(select(Account))).scalar_one()
    assert account.messenger == side.messenger
    assert account.user_key == "10"


async def test_own_phone_links_and_a_foreign_or_unproven_contact_is_refused(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with running(db_url, clock, side):
        dmitry, mallory = side.person(40, "Дмитрий"), side.person(66, "Мэллори")
        await side.foreign_contact(mallory, school.DMITRY_PHONE, dmitry)
        [refused] = await side.hears(mallory)
        assert "только ваш собственный" in refused.text
        await side.forged_contact(mallory, school.DMITRY_PHONE, dmitry)
        [refused] = await side.hears(mallory)
        assert "Дмитрий" not in refused.text
        assert "только ваш собственный" in refused.text

        await side.own_contact(dmitry, "8 (922) 000-00-12")
        [consent] = await side.hears(dmitry)
        await side.press(dmitry, consent, AGREE)
        [linked] = await side.hears(dmitry)
        assert "Дмитрий Петров, 7А" in linked.text
        assert side.refused() == []
    async with sessions() as session:
        keys = (await session.execute(select(Account.user_key))).scalars().all()
    assert keys == ["40"]  # Мэллори has no account: nothing was linked for her


def _name(side: Side) -> str:
    return "MAX" if side.messenger == Messenger.MAX else "Telegram"
