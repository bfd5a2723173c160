"""Two schools in one database, each with its own Telegram bot, and a district's shared bot.

``journal run`` serves the three bots from one dispatcher (``SCHOOL_BOTS`` and ``BOT_TOKEN``)
against three fake Bot API servers behind one address, told apart by the token as Telegram
does. Ольга (the same Telegram user, 10) has a daughter in each school — both schools have her
phone on record. Through a school's bot she sees that school's child only, a code of the other
school is refused there and left unused, and each school's pushes reach her through that
school's bot; through the shared bot one account sees both children and gets both pushes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runtime
from bot.app import create_dispatcher
from bot.invite_commands import school_bot_token
from bot.school_bots import UnknownSchoolError
from bot.settings import Settings
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker
from core.exchange import service
from core.linking.invites import issue_invites
from core.models import Account, AccountLink, Guardian, InviteCode
from core.models.enums import Role
from tests.bot import school
from tests.bot.helpers import AGREE
from tests.e2e.sides import TelegramSide, running
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.router import TokenRouter
from tests.notify.families import mark, write
from tests.notify.processes import until

OLGA = 10
SECOND = "SCH2"


def second_school() -> dict[str, list[dict[str, str]]]:
    """The tiny school again as a second school of the district, its own ids and people."""
    tables = school.tables()
    tables["school"] = [{"id": SECOND, "name": "Лицей", "timezone": "Asia/Yekaterinburg"}]
    return tables


def second_school_mark(key: str, value: str) -> dict[str, list[dict[str, str]]]:
    tables = second_school()
    tables["marks"] = [*tables["marks"], mark(key, "S1", value)]
    return tables


async def code_for(sessions: async_sessionmaker[AsyncSession], school_key: str) -> str:
    async with sessions() as session:
        issued = await issue_invites(
            session,
            now=school.NOW,
            today=school.TODAY,
            person="G1",
            role=Role.GUARDIAN,
            ttl=timedelta(days=30),
            school=school_key,
        )
        await session.commit()
    return issued[0].code


async def test_each_school_bot_links_and_pushes_its_own_school_and_the_shared_bot_both(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await service.import_rows(sessions, second_school(), now=school.NOW, today=school.TODAY)
    gymnasium_code = await code_for(sessions, "SCH")
    lyceum_code = await code_for(sessions, SECOND)
    async with (
        FakeTelegram(bot_id=111111, username="gymnasium_bot") as gymnasium,
        FakeTelegram(bot_id=222222, username="lyceum_bot") as lyceum,
        FakeTelegram(bot_id=333333, username="district_bot") as district,
        TokenRouter([gymnasium, lyceum, district]) as router,
    ):
        at_gymnasium, at_lyceum, at_district = (
            TelegramSide(gymnasium),
            TelegramSide(lyceum),
            TelegramSide(district),
        )
        settings = {
            "bot_token": district.default_token,
            "school_bots": {"SCH": gymnasium.default_token, SECOND: lyceum.default_token},
            "bot_api_url": router.base_url,
            "push_coalesce_seconds": 0,
        }
        async with running(db_url, clock, **settings):
            # The lyceum's code on the gymnasium's bot: refused, nothing used up.
            olga = at_gymnasium.person(OLGA, "Ольга")
            await at_gymnasium.open_link(olga, lyceum_code)
            [consent] = await at_gymnasium.hears(olga)
            await at_gymnasium.press(olga, consent, AGREE)
            [refused] = await at_gymnasium.hears(olga)
            assert "относится к другой школе" in refused.text
            # The gymnasium's own code links its child.
            await at_gymnasium.open_link(olga, gymnasium_code)
            [linked] = await at_gymnasium.hears(olga)
            assert "Анна Иванова, 7А" in linked.text

            # Her own number on the lyceum's bot links the lyceum's records only.
            olga_at_lyceum = at_lyceum.person(OLGA, "Ольга")
            await at_lyceum.own_contact(olga_at_lyceum, school.OLGA_PHONE)
            [consent] = await at_lyceum.hears(olga_at_lyceum)
            await at_lyceum.press(olga_at_lyceum, consent, AGREE)
            [linked] = await at_lyceum.hears(olga_at_lyceum)
            assert linked.text.count("Анна Иванова, 7А") == 1

            # On the shared bot her number links both schools' records.
            olga_at_district = at_district.person(OLGA, "Ольга")
            await at_district.own_contact(olga_at_district, school.OLGA_PHONE)
            [consent] = await at_district.hears(olga_at_district)
            await at_district.press(olga_at_district, consent, AGREE)
            [linked] = await at_district.hears(olga_at_district)
            assert linked.text.count("Анна Иванова, 7А") == 2

            # A mark in each school: each school's bot pushes its own; the shared bot both.
            await write(sessions, second_school_mark("M-LYC", "5"), school.NOW)
            await until(lambda: _pushes(lyceum) == 1 and _pushes(district) == 1, 20)
            await write(sessions, _gymnasium_mark("M-GYM", "4"), school.NOW)
            await until(lambda: _pushes(gymnasium) == 1 and _pushes(district) == 2, 20)
            await asyncio.sleep(1)  # nothing else arrives
            assert (_pushes(gymnasium), _pushes(lyceum), _pushes(district)) == (1, 1, 2)
            assert "4" in _push_texts(gymnasium)[0]
            assert "5" in _push_texts(lyceum)[0]
            for fake in (gymnasium, lyceum, district):
                assert fake.failures == []
    async with sessions() as session:
        accounts = (await session.execute(select(Account.bot, Account.user_key))).all()
        used = (
            await session.execute(select(InviteCode.used_at.is_not(None), InviteCode.school_id))
        ).all()
        schools_seen = (
            await session.execute(
                select(Account.bot, Guardian.school_id)
                .join(AccountLink, AccountLink.account_id == Account.id)
                .join(Guardian, Guardian.id == AccountLink.guardian_id)
            )
        ).all()
    assert sorted(accounts) == [("", "10"), ("SCH", "10"), (SECOND, "10")]
    assert sorted(schools_seen) == [("", 1), ("", 2), ("SCH", 1), (SECOND, 2)]
    # The lyceum's code, refused on the gymnasium's bot, is still unused.
    assert sorted(used, key=lambda row: row[1]) == [(True, 1), (False, 2)]


def _gymnasium_mark(key: str, value: str) -> dict[str, list[dict[str, str]]]:
    tables = school.tables()
    tables["marks"] = [*tables["marks"], mark(key, "S1", value)]
    return tables


def _pushes(fake: FakeTelegram) -> int:
    return len(_push_texts(fake))


def _push_texts(fake: FakeTelegram) -> list[str]:
    # Pushes are the messages the bot sent unasked: after linking, only marks arrive.
    return [
        sent.plain_text or ""
        for sent in fake.sent
        if sent.method == "sendMessage" and "Алгебра" in (sent.plain_text or "")
    ]


async def test_a_school_bot_of_a_school_the_database_lacks_stops_start_up(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    settings = Settings(
        database_url=db_url,
        school_bots={"SCH": "111111:" + "A" * 35, "NOPE": "222222:" + "B" * 35},  # type: ignore[dict-item]
        bot_api_url="http://127.0.0.1:9",  # type: ignore[arg-type]
    )
    with pytest.raises(UnknownSchoolError, match="does not have: NOPE"):
        await runtime.run(settings, handle_signals=False)


async def test_webhook_mode_serves_each_school_bot_at_its_own_path(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await service.import_rows(sessions, second_school(), now=school.NOW, today=school.TODAY)
    async with FakeTelegram(bot_id=111111) as shared, FakeTelegram(bot_id=222222) as lyceum:
        settings = Settings(
            database_url=db_url,
            bot_token=shared.default_token,  # type: ignore[arg-type]
            school_bots={SECOND: lyceum.default_token},  # type: ignore[dict-item]
            webhook_url="https://bot.example.org",  # type: ignore[arg-type]
        )
        for fake in (shared, lyceum):
            fake.user(OLGA, "Ольга")
        engine = create_engine(db_url)
        bots = {"": shared.bot(), SECOND: lyceum.bot()}
        directory = await runtime.school_directory(create_sessionmaker(engine), settings)
        dp = create_dispatcher(
            runtime.config_from(settings), create_sessionmaker(engine), clock, directory=directory
        )
        app = runtime.webhook_app(settings, dp, bots, engine)
        try:
            async with TestClient(TestServer(app)) as client:
                # Each bot was told its own address.
                assert lyceum.webhook["url"] == "https://bot.example.org/telegram/webhook/SCH2"
                assert shared.webhook["url"] == "https://bot.example.org/telegram/webhook"
                answer = await client.post(
                    "/telegram/webhook/SCH2", json=_contact_update(school.OLGA_PHONE)
                )
                assert answer.status == 200
                await lyceum.wait_for(lambda s: s.method == "sendMessage", 1, 10)
                assert not [s for s in shared.sent if s.method == "sendMessage"]
        finally:
            await engine.dispose()
    async with sessions() as session:
        accounts = (await session.execute(select(Account.bot))).scalars().all()
    assert accounts == []  # the consent is asked first: nothing stored before it


def _contact_update(phone: str) -> dict[str, object]:
    user = {"id": OLGA, "is_bot": False, "first_name": "Ольга", "language_code": "ru"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_764_000_000,
            "chat": {"id": OLGA, "type": "private"},
            "from": user,
            "contact": {"phone_number": phone, "first_name": "Ольга", "user_id": OLGA},
        },
    }


def test_invite_sheets_of_a_school_with_its_own_bot_link_that_bot() -> None:
    own, shared = "111111:" + "A" * 35, "222222:" + "B" * 35
    both = Settings(bot_token=shared, school_bots={"SCH": own})  # type: ignore[arg-type,dict-item]
    token = school_bot_token(both, "SCH")
    assert token is not None
    assert token.get_secret_value() == own
    assert school_bot_token(both, SECOND) is None  # no bot of its own: the shared bot's link
    assert school_bot_token(both, None) is None
    only = Settings(school_bots={"SCH": own})  # type: ignore[dict-item]
    token = school_bot_token(only, None)  # the one school bot, no shared one
    assert token is not None
    assert token.get_secret_value() == own
