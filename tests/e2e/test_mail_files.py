"""Files in the mail across messengers: a guardian on MAX sends a scan with her question; the
teacher, linked in both messengers, opens it from the thread in MAX and is told in Telegram that
it opens in MAX only."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import MessageAttachment
from core.models.enums import Messenger
from tests.bot import school
from tests.e2e.sides import MaxSide, Said, TelegramSide, running
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything

OLGA, KRYLOVA = 10, 50
SCAN = b"%PDF-1.4 a scan of the doctor's note"


async def _ask_with_a_file(side: MaxSide, olga: object, subject: str) -> None:
    await side.say(olga, "/ask")
    [children] = await side.hears(olga)
    await side.press(olga, children, children.data("Анна"))
    offered = await side.sees_edit(olga)
    await side.press(olga, offered, offered.data(subject))
    await side.hears(olga)  # "Write your message"
    await side.say(olga, "Справка о болезни")
    await side.hears(olga)  # the preview
    await asyncio.sleep(0.5)
    await side.fake.send_file(olga, "справка.pdf", SCAN)  # type: ignore[arg-type]
    [preview] = await side.hears(olga)
    assert "справка.pdf" in preview.text
    await asyncio.sleep(0.5)
    await side.press(olga, preview, preview.data("Отправить"))
    await side.hears(olga)  # the receipt


async def _files_of(side: TelegramSide | MaxSide, teacher: object, notice: Said) -> None:
    await side.press(teacher, notice, notice.data("Открыть"))
    opened = await side.sees_edit(teacher)
    await asyncio.sleep(0.5)
    await side.press(teacher, opened, opened.data("Файлы"))


async def test_a_file_from_max_opens_in_max_and_is_named_in_telegram(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, OLGA, "G1", locale="ru", messenger=Messenger.MAX)
    await link_account(sessions, KRYLOVA, "T1", locale="ru", messenger=Messenger.MAX)
    await link_account(sessions, KRYLOVA, "T1", locale="ru")  # and on Telegram
    async with FakeTelegram() as tg, FakeMax() as mx:
        telegram, on_max = TelegramSide(tg), MaxSide(mx)
        olga, krylova = mx.user(OLGA, "Ольга"), mx.user(KRYLOVA, "Нина")
        krylova_tg = tg.user(KRYLOVA, "Нина")
        async with running(db_url, clock, telegram, on_max):
            await _ask_with_a_file(on_max, olga, "Алгебра")  # Крылова teaches algebra
            [notice] = await on_max.hears(krylova)
            await _files_of(on_max, krylova, notice)
            [file] = await mx.wait_for(
                lambda s: s.user_id == KRYLOVA and s.file_bytes is not None, timeout=15
            )
            assert file.file_bytes == SCAN

            [notice] = await telegram.hears(krylova_tg)
            await _files_of(telegram, krylova_tg, notice)
            [told] = await telegram.hears(krylova_tg)
            assert "справка.pdf" in told.text
            assert "другого мессенджера" in told.text
            # Pressing "Files" re-shows the thread as it is: Telegram's harmless "not modified".
            assert [f for f in tg.failures if "not modified" not in f.description] == []
            assert on_max.refused() == []
    async with sessions() as session:
        stored = (await session.execute(select(MessageAttachment))).scalars().all()
    assert [(f.messenger, f.file_name) for f in stored] == [(Messenger.MAX, "справка.pdf")]
