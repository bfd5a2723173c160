"""Every family command answers in both messengers, within each messenger's limits; buttons
show other pages in place; MAX's menu buttons and contact button are there."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models.enums import Messenger
from tests.bot.helpers import AGREE, CHAT_INPUTS, invite
from tests.e2e.sides import MaxSide, Said, Side, fake_side, running

APOLOGIES = ("что-то пошло не так", "временно недоступен")


async def linked_olga(side: Side, sessions: async_sessionmaker[AsyncSession]) -> Any:
    olga = side.person(10, "Ольга")
    await side.open_link(olga, await invite(sessions, "G1"))
    [consent] = await side.hears(olga)
    await side.press(olga, consent, AGREE)
    await side.hears(olga)
    return olga


async def test_every_family_command_answers_within_the_messengers_limits(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with running(db_url, clock, side):
        olga = await linked_olga(side, sessions)
        for command in CHAT_INPUTS:
            await side.say(olga, command)
            [answer] = await side.hears(olga)
            assert answer.text, command
            assert not any(apology in answer.text for apology in APOLOGIES), command
        assert side.refused() == []


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 5, 14, 0, tzinfo=UTC),  # Saturday, 19:00 at the school
        datetime(2026, 12, 26, 3, 0, tzinfo=UTC),  # the day before the winter holidays, 08:00
    ],
    ids=["saturday-evening", "before-the-holidays"],
)
async def test_every_family_command_answers_on_max_at_other_times(
    db_url: str, sessions: async_sessionmaker[AsyncSession], moment: datetime
) -> None:
    async with fake_side(Messenger.MAX) as side, running(db_url, FrozenClock(moment), side):
        olga = await linked_olga(side, sessions)
        for command in CHAT_INPUTS:
            await side.say(olga, command)
            [answer] = await side.hears(olga)
            assert answer.text, command
            assert not any(apology in answer.text for apology in APOLOGIES), command
        assert side.refused() == []


async def test_a_subject_opens_in_place_and_its_pages_are_reachable(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with running(db_url, clock, side):
        olga = await linked_olga(side, sessions)
        await side.say(olga, "/marks")
        [marks] = await side.hears(olga)
        subject = _first_callback(marks)
        await side.press(olga, marks, subject)
        opened = await side.sees_edit(olga)
        assert opened.text != marks.text
        back = _first_callback(opened)
        await side.press(olga, opened, back)
        again = await side.sees_edit(olga)
        assert again.text
        assert side.refused() == []


def _first_callback(said: Said) -> str:
    for _label, data in said.buttons:
        if data is not None and not data.startswith("http"):
            return data
    raise AssertionError(f"no button to press: {said.buttons}")


async def test_max_shows_the_menu_as_buttons_that_send_their_label(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    from tests.fake_max import FakeMax

    async with FakeMax() as mx:
        side = MaxSide(mx)
        async with running(db_url, clock, side):
            stranger = side.person(77, "Гость")
            await side.say(stranger, "/start")
            [greeting] = await side.hears(stranger)
            # The phone button, inline on MAX.
            assert "request_contact" in greeting.raw.button_types
            olga = await linked_olga(side, sessions)
            await side.say(olga, "/help")
            [help_] = await side.hears(olga)
            menu = [
                label
                for label, kind in zip(
                    [label for label, _ in help_.buttons], help_.raw.button_types, strict=True
                )
                if kind == "message"
            ]
            assert menu, help_.buttons
            # A "message" button sends its label as the user's own message.
            marks = next(label for label in menu if "Оценки" in label)
            await side.say(olga, marks)
            [answer] = await side.hears(olga)
            assert "Анна" in answer.text or "Алгебра" in answer.text
            assert side.refused() == []
            assert side.messenger == Messenger.MAX


async def test_a_command_in_a_max_group_shows_nothing_personal_and_links_to_the_dialog(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    async with fake_side(Messenger.MAX) as side, running(db_url, clock, side):
        assert isinstance(side, MaxSide)
        olga = await linked_olga(side, sessions)
        await side.fake.send_group_text(-4242, olga, "/marks")
        [answer] = await side.fake.wait_for(lambda s: s.chat_id == -4242, timeout=15)
        assert "Анна" not in (answer.plain_text or "")
        assert ("Открыть личный чат", "https://max.ru/journal_max_bot") in answer.buttons
        assert side.refused() == []
