"""The mail through the real dispatcher: asking, answering, and every refusal a user can meet.

Ольга (G1) asks about Анна (7А) or Борис (5Б); Крылова (T1) teaches 7А algebra and Russian and
leads 7А; Павел (G2) is Дмитрий's father; Мария (G3) is Анна's second guardian. The clock is
Monday 30 November, 10:00 school time: inside office hours.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import Document, PhotoSize, Sticker, Voice
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import AuditRecord, MessageAttachment, MessageThread
from core.models.enums import Role, ThreadStatus
from handlers.callbacks import AskAbout, AskTo, ThreadAction
from handlers.states import Mail
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import (
    KRYLOVA,
    MARIA,
    OLGA,
    PAVEL,
    ask_krylova,
    button,
    counts,
    open_draft,
    press_on,
    preview,
)

MB = 1024 * 1024


async def _family(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> None:
    for user, person, role in (
        (OLGA, "G1", Role.GUARDIAN),
        (PAVEL, "G2", Role.GUARDIAN),
        (MARIA, "G3", Role.GUARDIAN),
        (KRYLOVA, "T1", None),
    ):
        await link(driver, sessions, user, person, role, language="en")


def _photo(n: int = 1, size: int = 200_000) -> list[PhotoSize]:
    return [
        PhotoSize(
            file_id=f"photo-{n}", file_unique_id=f"u{n}", width=1280, height=960, file_size=size
        )
    ]


def _document(name: str, mime: str, size: int = 100_000) -> Document:
    return Document(
        file_id=f"doc-{name}",
        file_unique_id=f"d-{name}",
        file_name=name,
        mime_type=mime,
        file_size=size,
    )


async def test_a_guardian_asks_and_gets_a_receipt_with_the_thread_number(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    calls = await driver.send(olga, "/ask")
    assert "Which child" in texts(calls)
    calls = await driver.press(olga, button(calls, "Анна"))
    offered = texts(calls)
    assert "Who is your question about Анна Иванова, 7А for?" in offered
    labels = [
        b
        for c in calls
        for row in (c.reply_markup.inline_keyboard if c.reply_markup else [])
        for b in row
    ]
    assert [b.text for b in labels] == [
        "Алгебра — Крылова Нина Петровна",
        "Русский язык — Крылова Нина Петровна",
        "Class teacher — Крылова Нина Петровна",
    ]
    calls = await driver.press(olga, button(calls, "Алгебра"))
    assert "To: Алгебра — Крылова Нина Петровна" in texts(calls)
    calls = await driver.send(olga, "Когда контрольная по алгебре?")
    shown = preview(calls)
    assert "Когда контрольная по алгебре?" in (shown.text or "")
    calls = await press_on(driver, olga, shown, "Send")
    assert "✅ Sent: question #1 to Крылова Н. П." in texts(calls)
    assert "You will see «read» in /inbox once they open it." in texts(calls)
    async with sessions() as session:
        thread = (await session.execute(select(MessageThread))).scalar_one()
    assert thread.student_id == await student_id(sessions, "S1")
    assert thread.addressed_as == "teacher"
    assert thread.status == ThreadStatus.OPEN


async def test_photos_and_documents_join_the_draft_and_are_stored_with_the_message(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    await open_draft(driver, olga, "Русский")
    await driver.send(olga, "Справка о болезни")
    await driver.post(olga, photo=_photo(1), caption="первая страница")
    calls = await driver.post(olga, document=_document("справка.pdf", "application/pdf"))
    shown = preview(calls)
    assert "📎 2 files: photo, справка.pdf" in (shown.text or "")
    assert "Справка о болезни\nпервая страница" in (shown.text or "")
    await press_on(driver, olga, shown, "Send")
    async with sessions() as session:
        files = (await session.execute(select(MessageAttachment))).scalars().all()
    assert [(f.kind, f.file_key, f.file_name) for f in files] == [
        ("photo", "photo-1", None),
        ("document", "doc-справка.pdf", "справка.pdf"),
    ]


async def test_bad_input_is_refused_in_words_and_nothing_is_stored(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    await open_draft(driver, olga, "Алгебра")
    said = texts(await driver.send(olga, "x" * 2001))
    assert "The message is too long: at most 2000 characters." in said
    sticker = Sticker(
        file_id="s",
        file_unique_id="s",
        type="regular",
        width=512,
        height=512,
        is_animated=False,
        is_video=False,
    )
    assert "stickers, voice and video messages cannot be sent" in texts(
        await driver.post(olga, sticker=sticker)
    )
    voice = Voice(file_id="v", file_unique_id="v", duration=3)
    assert "Please write it as text" in texts(await driver.post(olga, voice=voice))
    exe = _document("game.exe", "application/x-msdownload")
    assert "This file type is not accepted" in texts(await driver.post(olga, document=exe))
    fake_pdf = _document("archive.zip", "application/pdf")
    assert "This file type is not accepted" in texts(await driver.post(olga, document=fake_pdf))
    big = _document("scan.pdf", "application/pdf", size=11 * MB)
    assert "This file is too big: at most 10 MB." in texts(await driver.post(olga, document=big))
    for n in range(5):
        calls = await driver.post(olga, photo=_photo(n))
    assert "At most 5 files per message." in texts(await driver.post(olga, photo=_photo(9)))
    assert await counts(sessions) == (0, 0)  # nothing stored while writing
    # Five photos and no text is a message; the sixth photo changed nothing.
    assert "📎 5 files" in (preview(calls).text or "")


async def test_sending_an_empty_draft_says_so_and_keeps_it_open(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    await open_draft(driver, olga, "Алгебра")
    state = driver.dp.fsm.get_context(driver.bot, chat_id=OLGA, user_id=OLGA)
    data = await state.get_data()
    data["extra"] = {"preview": 777}
    await state.set_data(data)
    calls = await driver.press(olga, "df1:send", message_id=777)
    assert "The message is empty" in texts(calls)
    assert await state.get_state() == Mail.writing
    assert await counts(sessions) == (0, 0)


async def test_a_stale_preview_and_a_cancelled_draft_send_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    await open_draft(driver, olga, "Алгебра")
    first = preview(await driver.send(olga, "первый вариант"))
    second = preview(await driver.send(olga, "второй вариант"))
    stale = await press_on(driver, olga, first, "Send")
    assert [c.show_alert for c in stale if c.method == "answerCallbackQuery"] == [True]
    cancelled = await press_on(driver, olga, second, "Cancel")
    assert "Cancelled: nothing was sent." in texts(cancelled)
    again = await press_on(driver, olga, second, "Send")
    assert "no longer open" in texts(again)
    assert await counts(sessions) == (0, 0)


async def test_forged_buttons_never_reach_another_child_or_a_teacher_who_does_not_teach(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    anna, dmitry = await student_id(sessions, "S1"), await student_id(sessions, "S3")
    async with sessions() as session:
        from core.models import Staff

        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
    forged = [
        AskAbout(child=dmitry).pack(),  # another family's child
        AskTo(child=dmitry, staff=staff["T1"], role="teacher", subject=0).pack(),
        AskTo(child=anna, staff=staff["T2"], role="teacher", subject=0).pack(),  # not her teacher
        AskTo(child=anna, staff=staff["T1"], role="psychologist").pack(),  # not what T1 is
        AskTo(child=anna, staff=staff["T1"], role="teacher", subject=999).pack(),
    ]
    for data in forged:
        calls = await driver.press(olga, data)
        alerts = [c for c in calls if c.method == "answerCallbackQuery"]
        assert [a.show_alert for a in alerts] == [True], data
        assert "not available" in (alerts[0].text or ""), data
    state = driver.dp.fsm.get_context(driver.bot, chat_id=OLGA, user_id=OLGA)
    assert await state.get_state() is None  # no draft was opened


async def test_a_tampered_draft_is_refused_by_the_core_at_send(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Whatever the state store holds, the core judges the write again."""
    await _family(driver, sessions)
    olga = driver.user(OLGA, "en")
    await open_draft(driver, olga, "Алгебра")
    shown = preview(await driver.send(olga, "вопрос"))
    state = driver.dp.fsm.get_context(driver.bot, chat_id=OLGA, user_id=OLGA)
    data = await state.get_data()
    data["child"] = await student_id(sessions, "S3")  # Павел's son
    await state.set_data(data)
    calls = await press_on(driver, olga, shown, "Send")
    assert "You cannot write this message." in texts(calls)
    assert await counts(sessions) == (0, 0)
    async with sessions() as session:
        refused = (
            await session.execute(select(AuditRecord).where(AuditRecord.action == "thread_write"))
        ).scalar_one()
    assert refused.details is not None
    assert refused.details["granted"] is False
    assert refused.student_id == data["child"]


async def test_another_familys_thread_is_not_available_by_button_or_reply(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    pavel = driver.user(PAVEL, "en")
    calls = await driver.send(pavel, "/ask")
    calls = await driver.press(pavel, button(calls, "Алгебра"))
    calls = await driver.send(pavel, "Вопрос Павла")
    await press_on(driver, pavel, preview(calls), "Send")
    async with sessions() as session:
        thread_id = (await session.execute(select(MessageThread.id))).scalar_one()
    olga = driver.user(OLGA, "en")
    for act in ("open", "view", "reply", "report", "files", "muted", "close"):
        calls = await driver.press(olga, ThreadAction(thread=thread_id, act=act, arg=7).pack())
        alerts = [c for c in calls if c.method == "answerCallbackQuery"]
        assert [a.show_alert for a in alerts] == [True], act
        assert "not available" in (alerts[0].text or "") or "cannot" in (alerts[0].text or "")
        assert "Вопрос Павла" not in texts(calls)
    # A reply to a bot message that names Павел's thread, or to any other bot message.
    fake = type("Sent", (), {"message_id": 5, "text": f"🗂 Conversation #{thread_id}"})()
    calls = await driver.reply(olga, fake, "Можно мне тоже?")
    assert "This conversation is not available to you." in texts(calls)
    other = type("Sent", (), {"message_id": 6, "text": "📒 Marks"})()
    calls = await driver.reply(olga, other, "ответ")
    assert "not part of a conversation" in texts(calls)
    assert await counts(sessions) == (1, 1)


async def test_staff_answer_with_a_reply_and_the_asker_sees_read_only_after_opening(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga, krylova = driver.user(OLGA, "en"), driver.user(KRYLOVA, "en")
    await ask_krylova(driver, olga)
    calls = await driver.send(olga, "/inbox")
    opened = await driver.press(olga, button(calls, "#1"))
    assert "✓ sent" in texts(opened)
    assert "✓✓ read" not in texts(opened)
    inbox = await driver.send(krylova, "/inbox")
    assert "Questions to you" in texts(inbox)
    assert "🆕" in texts(inbox)
    view = await driver.press(krylova, button(inbox, "#1"))
    assert "Когда контрольная по алгебре?" in texts(view)
    calls = await driver.send(olga, "/inbox")
    assert "✓✓ read" in texts(await driver.press(olga, button(calls, "#1")))
    thread_view = next(c for c in view if c.method == "sendMessage")
    calls = await driver.reply(krylova, thread_view, "В четверг, 3 декабря.")
    shown = preview(calls)
    assert "Answer in conversation #1" in (shown.text or "")
    calls = await press_on(driver, krylova, shown, "Send to all guardians")
    assert "every guardian of the child" in texts(calls)
    async with sessions() as session:
        thread = (await session.execute(select(MessageThread))).scalar_one()
    assert thread.status == ThreadStatus.ANSWERED
    assert thread.shared_with_guardians
    maria = driver.user(MARIA, "en")
    calls = await driver.send(maria, "/inbox")
    assert "<b>#1</b> · Анна Иванова · Крылова Н. П." in texts(calls)


async def test_a_closed_thread_refuses_buttons_and_replies_in_words(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga, krylova = driver.user(OLGA, "en"), driver.user(KRYLOVA, "en")
    await ask_krylova(driver, olga)
    calls = await driver.send(krylova, "/inbox")
    view = await driver.press(krylova, button(calls, "#1"))
    closed = await press_on(
        driver, krylova, next(c for c in view if c.method == "sendMessage"), "Close"
    )
    assert "· closed" in texts(closed)
    calls = await driver.press(olga, ThreadAction(thread=1, act="reply").pack())
    assert "This conversation is closed. Start a new question with /ask." in texts(calls)
    calls = await driver.press(krylova, ThreadAction(thread=1, act="answered").pack())
    alerts = [c for c in calls if c.method == "answerCallbackQuery"]
    assert alerts[0].show_alert
    assert "closed" in (alerts[0].text or "")


async def test_a_muted_sender_is_told_until_when(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    olga, krylova = driver.user(OLGA, "en"), driver.user(KRYLOVA, "en")
    await ask_krylova(driver, olga)
    calls = await driver.send(krylova, "/inbox")
    view = await driver.press(krylova, button(calls, "#1"))
    shown = next(c for c in view if c.method == "sendMessage")
    await press_on(driver, krylova, shown, "Mute")
    calls = await driver.press(krylova, ThreadAction(thread=1, act="muted", arg=7).pack())
    assert "You take no messages from this sender until 7 December" in texts(calls)
    calls = await ask_krylova(driver, olga, "Ещё вопрос")
    assert "This person does not accept your messages until 7 December, 10:00." in texts(calls)
    assert await counts(sessions) == (1, 1)


async def test_a_staff_member_sets_office_hours_in_settings(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    krylova = driver.user(KRYLOVA, "en")
    calls = await driver.send(krylova, "/settings")
    assert "<b>Office hours</b>: school days 08:00-18:00" in texts(calls)
    hours = next(c for c in calls if "Office hours" in (c.text or ""))
    calls = await press_on(driver, krylova, hours, "Other")
    assert "Send your office hours" in texts(calls)
    assert "could not read" in texts(await driver.send(krylova, "пн-пт 18:00-08:00"))
    calls = await driver.send(krylova, "пн-пт 09:00-15:00")
    assert "<b>Office hours</b>: Mon-Fri 09:00-15:00" in texts(calls)
    olga = driver.user(OLGA, "en")
    await driver.send(olga, "/settings")  # a family has no office hours
    assert "Office hours" not in texts(await driver.send(olga, "/settings"))


async def test_a_question_outside_office_hours_tells_when_it_arrives(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _family(driver, sessions)
    driver.clock.move_to(datetime.fromisoformat("2026-11-30T22:00:00+05:00"))
    calls = await ask_krylova(driver, driver.user(OLGA, "en"))
    assert "they will get it on 1 December, 08:00" in texts(calls)
