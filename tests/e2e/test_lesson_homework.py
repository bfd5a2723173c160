"""Homework set at the lesson in the chat reaches the family, with its file, in both messengers.

Monday 08:20 at the tiny school: Крылова (reading English) sets homework at her algebra with
7А. Павел, Дмитрий's father, is pushed and finds it in /homework, the file coming with it.
A file a teacher sends is downloaded and kept by the journal (FILES_DIR) in either messenger
(on MAX by the link the update carried) and uploaded to a family in the other one too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models.enums import Messenger
from tests.bot import school
from tests.e2e.sides import MaxSide, Said, Side, TelegramSide, running
from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.notify.families import link_account, processed_everything

KRYLOVA, PAVEL = 50, 20
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school
TASK = b"%PDF-1.4 tasks 301-302"


async def _open(side: Side, krylova: object) -> Said:
    await side.say(krylova, "/lesson")
    [card] = await side.hears(krylova)
    await side.press(krylova, card, card.data("Homework"))
    prompt, panel = await side.hears(krylova, count=2)
    assert "Send the text of the homework" in prompt.text
    assert "Due: Tuesday, 1 December (next lesson)" in panel.text
    await side.say(krylova, "№ 301, 302")
    [panel] = await side.hears(krylova)
    assert "№ 301, 302" in panel.text
    return panel


async def _send_file(side: Side, krylova: object) -> Said:
    if isinstance(side, TelegramSide):
        await side.fake.send_document(krylova, "задание.pdf", content=TASK)  # type: ignore[arg-type]
    else:
        assert isinstance(side, MaxSide)
        await side.fake.send_file(krylova, "задание.pdf", TASK)  # type: ignore[arg-type]
    [answer] = await side.hears(krylova)
    return answer


async def _save(side: Side, krylova: object, panel: Said) -> None:
    await side.press(krylova, panel, panel.data("Save"))
    [saved] = await side.hears(krylova)
    assert "Homework saved for the whole class, due Tuesday, 1 December." in saved.text


async def _file_bytes(side: Side, person_id: int) -> bytes | None:
    if isinstance(side, TelegramSide):
        [sent] = await side.fake.wait_for(
            lambda s: (
                s.method == "sendDocument"
                and s.chat_id == person_id
                and s.filename == "задание.pdf"
            ),
            1,
            15,
        )
        return sent.file_bytes
    assert isinstance(side, MaxSide)
    [kept] = await side.fake.wait_for(
        lambda s: s.user_id == person_id and "задание.pdf" in (s.text or ""), 1, 15
    )
    return kept.file_bytes


async def test_homework_set_in_class_reaches_the_family(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1", locale="en", messenger=side.messenger)
    await link_account(sessions, PAVEL, "G2", locale="ru", messenger=side.messenger)
    clock = FrozenClock(IN_CLASS)
    async with running(db_url, clock, side, push_coalesce_seconds=0, files_dir=tmp_path):
        krylova, pavel = side.person(KRYLOVA, "Нина"), side.person(PAVEL, "Павел")
        panel = await _open(side, krylova)
        panel = await _send_file(side, krylova)
        assert "📎 задание.pdf" in panel.text
        await _save(side, krylova, panel)
        [push] = await side.hears(pavel)
        assert "Алгебра" in push.text
        await side.say(pavel, "/homework")
        listed = (await side.hears(pavel))[0]
        assert "№ 301, 302" in listed.text
        assert "📎" in listed.text
        assert await _file_bytes(side, PAVEL) == TASK
        assert side.refused() == []


async def test_a_file_set_from_telegram_reaches_a_family_on_max(
    db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1", locale="en")
    await link_account(sessions, PAVEL, "G2", locale="ru", messenger=Messenger.MAX)
    async with FakeTelegram() as tg, FakeMax() as mx:
        telegram, on_max = TelegramSide(tg), MaxSide(mx)
        clock = FrozenClock(IN_CLASS)
        async with running(
            db_url, clock, telegram, on_max, push_coalesce_seconds=0, files_dir=tmp_path
        ):
            krylova, pavel = tg.user(KRYLOVA, "Нина"), mx.user(PAVEL, "Павел")
            await _open(telegram, krylova)
            panel = await _send_file(telegram, krylova)
            await _save(telegram, krylova, panel)
            [push] = await on_max.hears(pavel)
            assert "Алгебра" in push.text
            await on_max.say(pavel, "/homework")
            assert await _file_bytes(on_max, PAVEL) == TASK
            assert telegram.refused() == []
            assert on_max.refused() == []
    assert any(tmp_path.rglob("*.pdf"))  # noqa: ASYNC240 - the test is over
