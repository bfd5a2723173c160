"""The lesson card's «Homework» in the chat: text and a file, for a named pupil, a due date from
the next lessons, saved; the family then reads it and gets the file in /homework. Forged and
stale presses write nothing. The tiny school's Monday at 08:20, Крылова's algebra in progress
(the teacher reads English, so the test does not depend on the translations)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aiogram.types import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.session import Outgoing
from core.files import FileStore
from core.models import Homework, HomeworkAttachment, SchoolClass
from core.models.enums import Role
from handlers.callbacks import LessonOpen
from handlers.lesson_homework import HomeworkAct
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import button

KRYLOVA, ORLOV, PAVEL, OLGA = 50, 60, 20, 10
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school


async def _start(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> FileStore:
    store = FileStore(tmp_path / "files")
    driver.dp["files"] = store
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    await link(driver, sessions, PAVEL, "G2")
    await link(driver, sessions, OLGA, "G1")
    driver.clock.move_to(IN_CLASS)
    return store


def _document(file_id: str, name: str, size: int = 100) -> Document:
    return Document(
        file_id=file_id,
        file_unique_id=file_id,
        file_name=name,
        mime_type="application/pdf",
        file_size=size,
    )


async def test_homework_with_a_file_for_one_pupil_reaches_his_father_with_the_file(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    store = await _start(driver, sessions, tmp_path)
    krylova = driver.user(KRYLOVA, "en")
    card = await driver.send(krylova, "/lesson")
    opened = await driver.press(krylova, button(card, "Homework"))
    assert "Send the text of the homework" in texts(opened)
    assert "For: the whole class" in texts(opened)
    assert "Due: Tuesday, 1 December (next lesson)" in texts(opened)
    await driver.send(krylova, "№ 301, 302")
    panel = await driver.post(
        krylova, document=_document("doc-1", "../задание.pdf"), caption="См. файл"
    )
    assert "№ 301, 302\nСм. файл" in texts(panel)
    assert "📎 задание.pdf" in texts(panel)
    # The earlier panel lost its buttons: only the newest one works.
    assert any(call.method == "editMessageReplyMarkup" for call in panel)
    pupils = await driver.press(krylova, button(panel, "For whom"), message_id=_last(panel))
    picked = await driver.press(krylova, button(pupils, "2. Петров"), message_id=_last(panel))
    assert "For: Петров Дмитрий" in texts(picked)
    back = await driver.press(krylova, button(picked, "Done"), message_id=_last(panel))
    assert "For: Петров Дмитрий" in texts(back)
    dates = await driver.press(krylova, button(back, "Due date"), message_id=_last(panel))
    assert "Tuesday, 1 December" in str(dates[-1].reply_markup)
    chosen = await driver.press(
        krylova, button(dates, "Monday, 7 December"), message_id=_last(panel)
    )
    assert "Due: Monday, 7 December\n" in texts(chosen) + "\n"  # a later lesson
    saved = await driver.press(krylova, button(chosen, "Save"), message_id=_last(panel))
    assert "Homework saved for 1 pupil, due Monday, 7 December. · 1 file" in texts(saved)

    dmitry = await student_id(sessions, "S3")
    async with sessions() as session:
        row = (
            await session.execute(select(Homework).where(Homework.text == "№ 301, 302\nСм. файл"))
        ).scalar_one()
        attachment = (
            await session.execute(
                select(HomeworkAttachment).where(HomeworkAttachment.homework_id == row.id)
            )
        ).scalar_one()
    assert row.student_id == dmitry
    assert attachment.file_name == "задание.pdf"
    assert attachment.storage_path is not None
    kept = store.path_of(attachment.storage_path)
    assert kept is not None
    assert kept.read_bytes() == b"The console's stand-in for doc-1\n"

    father = await driver.send(driver.user(PAVEL), "/homework")
    assert "№ 301, 302" in texts(father)
    assert "📎1" in texts(father)
    files = [call for call in father if call.method == "sendDocument"]
    assert any("[file: задание.pdf]" in (call.text or "") for call in files)
    mother = await driver.send(driver.user(OLGA), "/homework")
    assert "№ 301" not in texts(mother)  # Анна was not named


def _last(calls: list[Outgoing]) -> int:
    """The message id of the newest panel (the last message sent with buttons)."""
    for call in reversed(calls):
        if call.method == "sendMessage" and call.reply_markup is not None:
            return call.message_id or 0
    raise AssertionError("no panel")


async def test_forged_stale_and_foreign_presses_write_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _start(driver, sessions, tmp_path)
    krylova, orlov = driver.user(KRYLOVA, "en"), driver.user(ORLOV, "en")
    async with sessions() as session:
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    algebra = LessonOpen(day=IN_CLASS.date().toordinal(), period=1, cls=class_7a, act="hw")
    # Орлов does not teach the algebra: refused before any draft starts.
    refused = await driver.press(orlov, algebra.pack())
    assert any(call.show_alert and "not yours" in (call.text or "") for call in refused)
    # Save with nothing written: refused, the draft stays.
    opened = await driver.press(krylova, algebra.pack())
    panel = _last(opened)
    empty = await driver.press(krylova, HomeworkAct(act="save").pack(), message_id=panel)
    assert any(call.show_alert and "text of the homework" in (call.text or "") for call in empty)
    await driver.send(krylova, "Параграф 5")
    newest = _last(driver.session.calls)
    # A pupil's number that is not on the list, and a due date not offered.
    for forged in (HomeworkAct(act="pupil", arg=99), HomeworkAct(act="day", arg=700000)):
        answer = await driver.press(krylova, forged.pack(), message_id=newest)
        assert any(call.show_alert for call in answer)
    # The first panel's buttons are out of date.
    stale = await driver.press(krylova, HomeworkAct(act="save").pack(), message_id=panel)
    assert any(call.show_alert for call in stale)
    cancelled = await driver.press(krylova, HomeworkAct(act="cancel").pack(), message_id=newest)
    assert "not saved" in texts(cancelled)
    after = await driver.press(krylova, HomeworkAct(act="save").pack(), message_id=newest)
    assert any(call.show_alert for call in after)
    async with sessions() as session:
        written = await session.scalar(
            select(Homework.id).where(Homework.external_id.like("bot-homework-%"))
        )
    assert written is None


async def test_a_file_that_cannot_be_downloaded_or_is_too_large_is_refused(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _start(driver, sessions, tmp_path)
    krylova = driver.user(KRYLOVA, "en")
    card = await driver.send(krylova, "/lesson")
    await driver.press(krylova, button(card, "Homework"))
    large = await driver.post(krylova, document=_document("big", "big.pdf", 30 * 1024 * 1024))
    assert "too large: at most 20 MB" in texts(large)
    assert not list((tmp_path / "files").rglob("*.pdf"))
