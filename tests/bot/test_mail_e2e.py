"""Issue 10's acceptance over real polling: the aiogram client talks HTTP to the fake Bot API,
``journal run``'s notifier delivers the mail. A frozen clock makes office hours, quiet hours
and the report's minute deterministic (the tiny school's Monday, 10:00 school time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import AuditRecord, Delivery, Staff, StaffRole, Student
from core.models.enums import PrivacyLevel, Role
from tests.bot import school
from tests.bot.helpers import AGREE, invite
from tests.bot.polling import polling_bot
from tests.fake_telegram import FakeTelegram, SimUser
from tests.fake_telegram.records import MessageState, Sent
from tests.notify.families import link_account, processed_everything, set_preferences

OLGA, PAVEL, MARIA, KRYLOVA = 10, 20, 30, 50


@pytest.fixture
async def running_bot(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> AsyncIterator[FakeTelegram]:
    await processed_everything(sessions, school.NOW)
    async with polling_bot(db_url, clock, poll_seconds=0.3) as tg:
        yield tg


def _to(user: SimUser, *, method: str = "sendMessage", has: str = "") -> Callable[[Sent], bool]:
    def match(sent: Sent) -> bool:
        return (
            sent.chat_id == user.id
            and sent.method == method
            and has in (sent.plain_text or sent.text or "")
        )

    return match


def _data(sent: Sent | MessageState, label: str) -> str:
    for text, data in sent.buttons:
        if label in text and data:
            return data
    raise AssertionError(f"no button {label!r} in {sent.buttons}")


async def _open_draft(tg: FakeTelegram, olga: SimUser) -> None:
    """Ольга's /ask about Анна's algebra: the draft waits for her text."""
    await tg.send_text(olga, "/ask")
    [children] = await tg.wait_for(_to(olga, has="Which child"), timeout=15)
    await tg.press(olga, children, _data(children, "Анна"))
    [offered] = await tg.wait_for(_to(olga, method="editMessageText"), timeout=15)
    await tg.press(olga, offered.message_id or 0, _data(offered, "Алгебра"))
    await tg.wait_for(_to(olga, has="Write your message"), timeout=15)


async def _ask(tg: FakeTelegram, olga: SimUser, question: str) -> Sent:
    """Ольга asks Крылова about Анна's algebra; the receipt."""
    await _open_draft(tg, olga)
    await tg.send_text(olga, question)
    [shown] = await tg.wait_for(_to(olga, has="Preview"), timeout=15)
    await tg.press(olga, shown, _data(shown, "Send"))
    [receipt] = await tg.wait_for(_to(olga, has="Sent"), timeout=15)
    return receipt


async def _read_marker(tg: FakeTelegram, olga: SimUser) -> str:
    """What Ольга's /inbox shows on her first question: "✓ sent" or "✓✓ read"."""
    await asyncio.sleep(1.5)  # a person's pace: the per-user throttle allows bursts of 8
    await tg.send_text(olga, "/inbox")
    [listing] = await tg.wait_for(_to(olga, has="Your conversations"), timeout=15)
    await tg.press(olga, listing, _data(listing, "#1"))
    [view] = await tg.wait_for(_to(olga, has="Conversation #1"), timeout=15)
    return view.plain_text or ""


async def test_a_question_answered_by_a_plain_reply_reaches_both_guardians(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    maria = tg.user(MARIA, "Мария", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    for user, person in ((OLGA, "G1"), (MARIA, "G3"), (KRYLOVA, "T1")):
        await link_account(sessions, user, person)
    receipt = await _ask(tg, olga, "Когда контрольная по алгебре?")
    assert "question #1 to Крылова Н. П." in (receipt.plain_text or "")
    [notice] = await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    assert "Анна Иванова, 7А · Алгебра" in (notice.plain_text or "")
    assert "Когда контрольная" not in (notice.plain_text or "")  # behind "Open"
    assert "✓ sent" in await _read_marker(tg, olga)  # delivered is not read
    await tg.press(krylova, notice, _data(notice, "Open"))
    [opened] = await tg.wait_for(_to(krylova, method="editMessageText"), timeout=15)
    assert "Когда контрольная по алгебре?" in (opened.plain_text or "")
    assert "✓✓ read" in await _read_marker(tg, olga)
    await tg.send_reply(krylova, notice, "В четверг, 3 декабря.")
    [shown] = await tg.wait_for(_to(krylova, has="Preview"), timeout=15)
    await tg.press(krylova, shown, _data(shown, "all guardians"))
    await tg.wait_for(_to(krylova, has="every guardian"), timeout=15)
    [to_olga] = await tg.wait_for(_to(olga, has="В четверг, 3 декабря."), timeout=15)
    [to_maria] = await tg.wait_for(_to(maria, has="В четверг, 3 декабря."), timeout=15)
    for answer in (to_olga, to_maria):
        assert "Message to all guardians of Анна Иванова" in (answer.plain_text or "")
        assert "Крылова Н. П.:" in (answer.plain_text or "")


async def test_a_teacher_who_links_later_receives_the_waiting_question(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    await link_account(sessions, OLGA, "G1")
    receipt = await _ask(tg, olga, "Можно пересдать?")
    assert "does not use the bot yet" in (receipt.plain_text or "")
    await asyncio.sleep(1.0)  # several notifier polls: nobody to deliver to
    assert not [s for s in tg.sent if s.chat_id == KRYLOVA]
    await tg.send_text(krylova, f"/start {await invite(sessions, 'T1', None)}")
    [consent] = await tg.wait_for(_to(krylova), timeout=15)
    await tg.press(krylova, consent, AGREE)
    [notice] = await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    assert "Анна Иванова, 7А" in (notice.plain_text or "")


async def test_a_question_at_22_reaches_the_teacher_at_8_next_school_day(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    await link_account(sessions, OLGA, "G1")
    await link_account(sessions, KRYLOVA, "T1")
    clock.move_to(datetime.fromisoformat("2026-11-30T22:00:00+05:00"))
    receipt = await _ask(tg, olga, "Вопрос вечером")
    assert "they will get it on 1 December, 08:00" in (receipt.plain_text or "")
    await asyncio.sleep(1.5)
    assert not [s for s in tg.sent if s.chat_id == KRYLOVA]
    clock.move_to(datetime.fromisoformat("2026-12-01T07:59:00+05:00"))
    await asyncio.sleep(1.0)
    assert not [s for s in tg.sent if s.chat_id == KRYLOVA]
    clock.move_to(datetime.fromisoformat("2026-12-01T08:00:00+05:00"))
    [notice] = await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    assert "Ольга Иванова" in (notice.plain_text or "")


async def _recorded_as_sent(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """The notifier records a delivery a moment after the messenger took it; on a loaded
    machine the test's jump of the clock to the report's minute could come first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        async with sessions() as session:
            sent = await session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.sent_at.is_not(None))
            )
        if (sent or 0) >= count:
            return
        assert loop.time() < deadline, f"{sent} of {count} deliveries recorded as sent"
        await asyncio.sleep(0.1)


async def test_an_announcement_report_counts_blocked_and_unlinked_and_adds_up(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    pavel = tg.user(PAVEL, "Павел", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    for user, person in ((OLGA, "G1"), (PAVEL, "G2"), (KRYLOVA, "T1")):
        await link_account(sessions, user, person)
    tg.block(pavel)  # Мария (G3) never linked
    await tg.send_text(krylova, "/announce")
    [targets] = await tg.wait_for(_to(krylova, has="Whom is the announcement for"), timeout=15)
    await tg.press(krylova, targets, _data(targets, "class 7А"))
    [audiences] = await tg.wait_for(_to(krylova, method="editMessageText"), timeout=15)
    await tg.press(krylova, audiences.message_id or 0, _data(audiences, "Parents"))
    await tg.wait_for(_to(krylova, has="Write your message"), timeout=15)
    await tg.send_text(krylova, "Родительское собрание в четверг в 18:00, каб. 201.")
    [shown] = await tg.wait_for(_to(krylova, has="Preview"), timeout=15)
    assert "Urgent" not in str(shown.buttons)  # a teacher cannot mark it urgent
    await tg.press(krylova, shown, _data(shown, "Ask to acknowledge"))
    await tg.wait_for(_to(krylova, method="editMessageText"), timeout=15)
    await tg.press(krylova, shown, _data(tg.messages[(KRYLOVA, shown.message_id or 0)], "Send"))
    [sent] = await tg.wait_for(_to(krylova, has="on its way to 3 people"), timeout=15)
    assert "The delivery report comes at 10:01" in (sent.plain_text or "")
    [notice] = await tg.wait_for(_to(olga, has="Родительское собрание"), timeout=15)
    await tg.press(olga, notice, _data(notice, "Acknowledge"))
    await tg.wait_for(_to(olga, method="editMessageReplyMarkup"), timeout=15)
    await _recorded_as_sent(sessions, 1)
    clock.advance(timedelta(seconds=61))
    [report] = await tg.wait_for(_to(krylova, has="People: 3"), timeout=15)
    figures = report.plain_text or ""
    for line in (
        "✅ delivered: 1",
        "👍 of them acknowledged: 1",
        "⛔ blocked the bot: 1",
        "❔ not linked to the bot: 1",
        "⏳ waiting (quiet hours, queue): 0",
    ):
        assert line in figures
    await tg.press(krylova, report, _data(report, "Who was not reached"))
    [names] = await tg.wait_for(_to(krylova, has="Not reached"), timeout=15)
    listed = names.plain_text or ""
    assert "Петров Павел — Дмитрий Петров (7А)" in listed
    assert "Смирнова Мария — Анна Иванова (7А)" in listed
    assert "Иванова Ольга" not in listed
    async with sessions() as session:
        expected = set(
            (
                await session.execute(
                    select(Student.id).where(Student.external_id.in_(("S1", "S3")))
                )
            ).scalars()
        )
    # The names were read, and that is on record once the handler's update commits (a moment
    # after its answer reached the chat).
    ids: set[int | None] = set()
    for _ in range(100):
        async with sessions() as session:
            reads = await session.execute(
                select(AuditRecord.student_id).where(AuditRecord.action == "read_people")
            )
            ids = set(reads.scalars())
        if ids:
            break
        await asyncio.sleep(0.05)
    assert ids == expected


async def test_files_travel_with_the_question_and_the_answer(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A photo the family sends reaches the teacher on "Files"; a document in the answer follows
    the answer into the family's chat, re-sent by the messenger's own file id."""
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    await link_account(sessions, OLGA, "G1")
    await link_account(sessions, KRYLOVA, "T1")
    await _open_draft(tg, olga)
    await tg.send_photo(olga, caption="Вот работа над ошибками")
    [shown] = await tg.wait_for(_to(olga, has="Preview"), timeout=15)
    assert "📎 1 file: photo" in (shown.plain_text or "")
    await tg.press(olga, shown, _data(shown, "Send"))
    [notice] = await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    assert "📎 1 file" in (notice.plain_text or "")
    assert not [s for s in tg.sent if s.chat_id == KRYLOVA and s.method == "sendPhoto"]
    await tg.press(krylova, notice, _data(notice, "Open"))
    [opened] = await tg.wait_for(_to(krylova, method="editMessageText"), timeout=15)
    await tg.press(krylova, opened.message_id or 0, _data(opened, "Files"))
    [photo] = await tg.wait_for(_to(krylova, method="sendPhoto"), timeout=15)
    assert photo.filename == "photo_1280x960.jpg"  # the largest size the family sent
    await tg.send_document(krylova, "разбор.pdf", reply_to=notice, caption="Разбор ошибок")
    [shown] = await tg.wait_for(_to(krylova, has="Preview"), timeout=15)
    await tg.press(krylova, shown, _data(shown, "Send"))
    [answer] = await tg.wait_for(_to(olga, has="Разбор ошибок"), timeout=15)
    [document] = await tg.wait_for(_to(olga, method="sendDocument"), timeout=15)
    assert document.filename == "разбор.pdf"
    assert (answer.message_id or 0) < (document.message_id or 0)  # the text first, then its file


async def test_at_the_minimal_privacy_level_an_answer_shows_its_text_only_on_opening(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    krylova = tg.user(KRYLOVA, "Нина", language_code="en")
    account = await link_account(sessions, OLGA, "G1")
    await link_account(sessions, KRYLOVA, "T1")
    await set_preferences(sessions, account, privacy=PrivacyLevel.MINIMAL)
    await _ask(tg, olga, "Как дела у Анны?")
    [notice] = await tg.wait_for(_to(krylova, has="New question #1"), timeout=15)
    await tg.send_reply(krylova, notice, "Анна молодец, но списывает.")
    [shown] = await tg.wait_for(_to(krylova, has="Preview"), timeout=15)
    await tg.press(krylova, shown, _data(shown, "Send"))
    [answer] = await tg.wait_for(_to(olga, has="Answer in conversation #1"), timeout=15)
    assert "списывает" not in (answer.plain_text or "")
    assert "From Крылова Н. П. — open the conversation to read it." in (answer.plain_text or "")
    await tg.press(olga, answer, _data(answer, "Conversation"))
    [opened] = await tg.wait_for(_to(olga, method="editMessageText"), timeout=15)
    assert "Анна молодец, но списывает." in (opened.plain_text or "")


async def test_an_urgent_announcement_by_the_administration_passes_quiet_hours(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    """At 22:00 the head teacher's urgent notice to the whole school reaches a family at once;
    the same notice not marked urgent would wait for the morning (quiet hours 21:00-07:00)."""
    tg = running_bot
    olga = tg.user(OLGA, "Ольга", language_code="en")
    orlov = tg.user(60, "Пётр", language_code="en")
    await link_account(sessions, OLGA, "G1")
    await link_account(sessions, 60, "T2")
    async with sessions() as session:  # Орлов is also the head teacher
        orlov_id = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T2"))
        ).scalar_one()
        session.add(StaffRole(staff_id=orlov_id, role=Role.HEAD_TEACHER))
        await session.commit()
    clock.move_to(datetime.fromisoformat("2026-11-30T22:00:00+05:00"))
    await tg.send_text(orlov, "/announce")
    [targets] = await tg.wait_for(_to(orlov, has="Whom is the announcement for"), timeout=15)
    assert ("the whole school", "an1:school:0:0:0") in targets.buttons
    await tg.press(orlov, targets, _data(targets, "the whole school"))
    [audiences] = await tg.wait_for(_to(orlov, method="editMessageText"), timeout=15)
    await tg.press(orlov, audiences.message_id or 0, _data(audiences, "Parents and students"))
    await tg.wait_for(_to(orlov, has="Write your message"), timeout=15)
    await tg.send_text(orlov, "Завтра занятия отменены: мороз −40.")
    [shown] = await tg.wait_for(_to(orlov, has="Preview"), timeout=15)
    await tg.press(orlov, shown, _data(shown, "Urgent"))
    [toggled] = await tg.wait_for(_to(orlov, method="editMessageText"), timeout=15)
    assert "☑️ Urgent" in [text for text, _ in toggled.buttons]
    await tg.press(orlov, shown, _data(toggled, "Send"))
    await tg.wait_for(_to(orlov, has="on its way to"), timeout=15)
    [notice] = await tg.wait_for(_to(olga, has="мороз"), timeout=15)
    assert "🚨 Urgent announcement from Орлов П. И." in (notice.plain_text or "")
    assert "the whole school" in (notice.plain_text or "")
