"""Questions, answers, follow-ups: access judged on every call, limits, mutes, statuses, reports.

Every test runs on Monday 30.11.2026, 10:00 school time (inside everyone's office hours),
unless it moves ``now``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from core.messaging.dto import Addressee, Attachment, Side
from core.messaging.errors import MessagingRefused, Refusal
from core.messaging.rules import MB
from core.messaging.threads import mute_asker, open_thread, report, set_status
from core.models import MessageAttachment, MessageMute, Staff
from core.models.enums import AttachmentKind, AuthorKind, EventKind, Messenger, ThreadStatus
from tests.messaging.helpers import (
    PDF,
    PHOTO,
    ask_as,
    audit_records,
    counts,
    mail_events,
    messages_of,
    post_as,
    stored,
    thread_row,
)
from tests.messaging.mailschool import LEFT_ON, NOW, RULES, TODAY, Mail, local


async def refused(call: Awaitable[Any]) -> MessagingRefused:
    """The refusal ``call`` ends with (a test fails when it succeeds)."""
    with pytest.raises(MessagingRefused) as caught:
        await call
    return caught.value


# --- asking --------------------------------------------------------------------------------------


async def test_a_guardian_asks_a_teacher_about_her_own_child(mail: Mail) -> None:
    async with mail.sessions() as session:
        before = await counts(session)
        receipt = await ask_as(
            session,
            mail,
            "G1",
            text="  Почему четвёрка за контрольную?\nВ задаче 3 всё верно.  ",
            attachments=(PHOTO, PDF),
        )
        await session.commit()
    async with mail.sessions() as session:
        assert receipt.recipient == "Крылова Н. П."
        assert receipt.deliver_at is None  # 10:00 on a Monday: in her office hours
        assert receipt.recipient_linked
        thread = await thread_row(session, receipt.thread_id)
        assert (thread.student_id, thread.staff_id) == (mail.ids["S1"], mail.ids["T1"])
        assert (thread.asker_guardian_id, thread.asker_student_id) == (mail.ids["G1"], None)
        assert thread.account_id == mail.accounts["G1"]
        assert thread.status == ThreadStatus.OPEN
        assert thread.addressed_as == "teacher"
        assert thread.subject_id == mail.ids["ALG"]
        assert thread.subject == "Почему четвёрка за контрольную?"
        assert thread.school_id == mail.school_id
        assert not thread.shared_with_guardians
        (message,) = await messages_of(session, thread.id)
        assert message.id == receipt.message_id
        assert message.author_kind == AuthorKind.FAMILY
        assert message.author_guardian_id == mail.ids["G1"]
        assert message.author_account_id == mail.accounts["G1"]
        assert message.text == "Почему четвёрка за контрольную?\nВ задаче 3 всё верно."
        assert message.read_at is None
        files = (
            await session.execute(
                select(MessageAttachment)
                .where(MessageAttachment.message_id == message.id)
                .order_by(MessageAttachment.position)
            )
        ).scalars()
        assert [(f.position, f.kind, f.file_key, f.messenger) for f in files] == [
            (0, AttachmentKind.PHOTO, "photo-1", Messenger.TELEGRAM),
            (1, AttachmentKind.DOCUMENT, "doc-1", Messenger.TELEGRAM),
        ]
        assert await mail_events(session) == [
            {
                "kind": EventKind.THREAD_MESSAGE,
                "object": ("thread_messages", message.id),
                "student": mail.ids["S1"],
                "payload": {"thread_id": thread.id, "author": "family", "to_all": False},
            }
        ]
        (record,) = await audit_records(session, "thread_write")
        assert record.student_id == mail.ids["S1"]
        assert record.actor_account_id == mail.accounts["G1"]
        assert record.school_id == mail.school_id
        assert record.details is not None
        assert record.details["granted"] is True
        assert record.details["permission"] == "ask"
        assert record.details["thread_id"] == thread.id
        assert record.details["message_id"] == message.id
        after = await counts(session)
    assert after == {
        "threads": before["threads"] + 1,
        "messages": before["messages"] + 1,
        "files": before["files"] + 2,
        "events": before["events"] + 1,
        "audit": before["audit"] + 1,
    }


async def test_a_question_of_files_only_is_titled_by_its_first_file(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", text=None, attachments=(PDF, PHOTO))
        photo_only = await ask_as(
            session, mail, "G1", role="class_teacher", subject=None, text="", attachments=(PHOTO,)
        )
        long = await ask_as(session, mail, "G1", subject="RUS", text="Я" * 100)
        assert (await thread_row(session, receipt.thread_id)).subject == "справка.pdf"
        assert (await thread_row(session, photo_only.thread_id)).subject == "photo"
        title = (await thread_row(session, long.thread_id)).subject
        assert title == "Я" * 79 + "…"


async def test_asking_about_another_familys_child_is_refused_and_only_audited(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        before = await counts(session)
        caught = await refused(ask_as(session, mail, "G1", student="S3"))
        assert caught.reason == Refusal.NOT_ALLOWED
        after = await counts(session)
        (record,) = await audit_records(session, "thread_write")
    assert after == {**before, "audit": before["audit"] + 1}
    assert record.student_id == mail.ids["S3"]
    assert record.details is not None
    assert record.details["granted"] is False
    assert record.details["staff_id"] == mail.ids["T1"]


@pytest.mark.parametrize(
    ("staff", "role", "subject"),
    [
        ("T8", "teacher", "ALG"),  # leads 5Б, teaches nothing in 7А
        ("T8", "class_teacher", None),  # not Анна's class teacher
        ("T1", "head_teacher", None),  # a role she does not hold
        ("T1", "teacher", "ENG"),  # a subject she does not teach
        ("T1", "teacher", None),
        ("T3", "class_teacher", None),
        ("T5", "secretary", None),  # the school does not offer the secretary
        ("T7", "teacher", "RUS"),  # left today
        ("T4", "teacher", "ALG"),
    ],
)
async def test_a_forged_recipient_is_refused(
    mail: Mail, staff: str, role: str, subject: str | None
) -> None:
    async with mail.sessions() as session:
        before = await counts(session)
        caught = await refused(ask_as(session, mail, "G1", staff=staff, role=role, subject=subject))
        after = await counts(session)
    assert caught.reason == Refusal.NOT_ALLOWED
    assert after == {**before, "audit": before["audit"] + 1}


async def test_an_unknown_child_is_refused(mail: Mail) -> None:
    async with mail.sessions() as session:
        mail.ids["NOBODY"] = 10**9
        caught = await refused(ask_as(session, mail, "G1", student="NOBODY"))
    assert caught.reason == Refusal.NOT_ALLOWED


def _doc(name: str, mime: str, size: int = 1000) -> Attachment:
    return Attachment(AttachmentKind.DOCUMENT, f"key-{name}", name, mime, size)


@pytest.mark.parametrize(
    ("text", "files", "reason", "limit"),
    [
        ("", (), Refusal.EMPTY, None),
        ("   \n  ", (), Refusal.EMPTY, None),
        (None, (), Refusal.EMPTY, None),
        ("я" * 2001, (), Refusal.TOO_LONG, 2000),
        ("Шесть файлов", (PHOTO,) * 6, Refusal.TOO_MANY_FILES, 5),
        ("Программа", (_doc("setup.exe", "application/x-msdownload"),), Refusal.FILE_TYPE, None),
        ("Архив", (_doc("work.zip", "application/zip"),), Refusal.FILE_TYPE, None),
        ("Под видом PDF", (_doc("virus.exe", "application/pdf"),), Refusal.FILE_TYPE, None),
        ("Двойное имя", (_doc("отчёт.pdf.exe", "application/pdf"),), Refusal.FILE_TYPE, None),
        ("Без имени", (_doc("", "application/pdf"),), Refusal.FILE_TYPE, None),
        ("Не тот тип", (_doc("справка.pdf", "application/zip"),), Refusal.FILE_TYPE, None),
        (
            "Большой",
            (_doc("скан.pdf", "application/pdf", 10 * MB + 1),),
            Refusal.FILE_TOO_BIG,
            10 * MB,
        ),
        (
            "Большое фото",
            (Attachment(AttachmentKind.PHOTO, "p", None, "image/jpeg", 11 * MB),),
            Refusal.FILE_TOO_BIG,
            10 * MB,
        ),
    ],
)
async def test_a_message_the_rules_refuse_stores_nothing(
    mail: Mail,
    text: str | None,
    files: tuple[Attachment, ...],
    reason: Refusal,
    limit: int | None,
) -> None:
    async with mail.sessions() as session:
        before = await counts(session)
        caught = await refused(ask_as(session, mail, "G1", text=text, attachments=files))
        after = await counts(session)
    assert (caught.reason, caught.limit) == (reason, limit)
    assert after == before


@pytest.mark.parametrize(
    "files",
    [
        (PHOTO,) * 5,
        (_doc("work.docx", "application/zip"),),  # office files are zip inside
        (_doc("ДЗ.DOCX", "application/octet-stream"),),
        (_doc("scan.heic", "image/heif"),),
        (_doc("notes.txt", ""),),
        (_doc("скан.pdf", "application/pdf", 10 * MB),),
    ],
)
async def test_files_within_the_rules_are_taken(mail: Mail, files: tuple[Attachment, ...]) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", text="я" * 2000, attachments=files)
        (message,) = await messages_of(session, receipt.thread_id)
    assert len(message.text) == 2000


async def test_a_student_asks_about_themself(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(
            session, mail, "S3", student="S3", staff="T6", role="social_pedagogue", subject=None
        )
        thread = await thread_row(session, receipt.thread_id)
        (message,) = await messages_of(session, thread.id)
        caught = await refused(ask_as(session, mail, "S3", student="S4"))
        view = await open_thread(session, await mail.reader(session, "S3"), RULES, thread.id, NOW)
    assert (thread.asker_guardian_id, thread.asker_student_id) == (None, mail.ids["S3"])
    assert thread.addressed_as == Addressee.SOCIAL_PEDAGOGUE
    assert (message.author_guardian_id, message.author_student_id) == (None, mail.ids["S3"])
    assert caught.reason == Refusal.NOT_ALLOWED  # not about his sister
    assert view.side == Side.FAMILY
    assert view.asker == "Дмитрий Петров"
    assert view.child == "Дмитрий Петров"


async def test_staff_cannot_ask(mail: Mail) -> None:
    async with mail.sessions() as session:
        caught = await refused(ask_as(session, mail, "T4", staff="T1"))
    assert caught.reason == Refusal.NOT_ALLOWED


# --- limits --------------------------------------------------------------------------------------


async def test_three_open_questions_to_one_person_then_a_slot_frees_when_one_closes(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        first = await ask_as(session, mail, "G1", subject="ALG")
        await ask_as(session, mail, "G1", subject="RUS")
        third = await ask_as(session, mail, "G1", role="class_teacher", subject=None)
        # An answered question is still open for the limit.
        await post_as(session, mail, "T1", third.thread_id, "Отвечаю")
        caught = await refused(ask_as(session, mail, "G1", subject="ALG"))
        assert (caught.reason, caught.limit) == (Refusal.TOO_MANY_OPEN, 3)
        # Another recipient, another guardian of the same child: their own allowances.
        await ask_as(session, mail, "G1", staff="T4", role="head_teacher", subject=None)
        await ask_as(session, mail, "G3", subject="ALG")
        # Follow-ups in an open thread are not new questions.
        await post_as(session, mail, "G1", first.thread_id, "И ещё вопрос")
        await set_status(
            session,
            await mail.reader(session, "T1"),
            RULES,
            first.thread_id,
            ThreadStatus.CLOSED,
            NOW,
        )
        again = await ask_as(session, mail, "G1", subject="ALG")
    assert again.thread_id > third.thread_id


async def test_twenty_messages_a_school_day_then_the_next_day_again(mail: Mail) -> None:
    rules = RULES
    evening = local(TODAY, 23, 30)  # 18:30 UTC
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", now=evening)
        for n in range(19):
            await post_as(session, mail, "G1", receipt.thread_id, f"Ещё {n}", now=evening)
        caught = await refused(post_as(session, mail, "G1", receipt.thread_id, now=evening))
        assert (caught.reason, caught.limit) == (Refusal.DAILY_LIMIT, rules.messages_per_day)
        new = await refused(
            ask_as(session, mail, "G1", staff="T4", role="head_teacher", subject=None, now=evening)
        )
        assert new.reason == Refusal.DAILY_LIMIT  # per person, whatever the recipient
        # Мария writes about the same child: her own allowance.
        await ask_as(session, mail, "G3", now=evening)
        # 00:30 in Yekaterinburg is still Monday in UTC: a new school day all the same.
        after_midnight = local(TODAY + timedelta(days=1), 0, 30)
        assert after_midnight.astimezone(UTC).date() == TODAY
        await post_as(session, mail, "G1", receipt.thread_id, now=after_midnight)
        messages = await messages_of(session, receipt.thread_id)
    assert len(messages) == 21


async def test_a_mute_stops_the_asker_for_seven_days(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        krylova = await mail.reader(session, "T1")
        until = await mute_asker(session, krylova, RULES, receipt.thread_id, 7, NOW)
        assert until == NOW + timedelta(days=7)
        mute = (await session.execute(select(MessageMute))).scalar_one()
        assert (mute.staff_id, mute.guardian_id, mute.student_id, mute.thread_id) == (
            mail.ids["T1"],
            mail.ids["G1"],
            None,
            receipt.thread_id,
        )
        later = NOW + timedelta(days=3)
        follow_up = await refused(post_as(session, mail, "G1", receipt.thread_id, now=later))
        new = await refused(ask_as(session, mail, "G1", subject="RUS", now=later))
        assert (follow_up.reason, follow_up.until) == (Refusal.MUTED, until)
        assert (new.reason, new.until) == (Refusal.MUTED, until)
        # Other staff, and Мария, are not affected; Крылова can still answer.
        await ask_as(session, mail, "G1", staff="T4", role="head_teacher", subject=None, now=later)
        await ask_as(session, mail, "G3", subject="RUS", now=later)
        await post_as(session, mail, "T1", receipt.thread_id, "Ответ", now=later)
        staff_view = await open_thread(session, krylova, RULES, receipt.thread_id, later)
        family_view = await open_thread(
            session, await mail.reader(session, "G1", later), RULES, receipt.thread_id, later
        )
        assert staff_view.muted_until == until
        assert family_view.muted_until is None  # the asker is not told in the thread
        free = until + timedelta(minutes=1)
        await post_as(session, mail, "G1", receipt.thread_id, now=free)
        await ask_as(session, mail, "G1", subject="RUS", now=free)


async def test_only_the_recipient_mutes_and_only_for_the_offered_spans(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        krylova = await mail.reader(session, "T1")
        wrong_span = await refused(mute_asker(session, krylova, RULES, receipt.thread_id, 2, NOW))
        head = await refused(
            mute_asker(session, await mail.reader(session, "T4"), RULES, receipt.thread_id, 7, NOW)
        )
        stranger = await refused(
            mute_asker(session, await mail.reader(session, "T3"), RULES, receipt.thread_id, 7, NOW)
        )
        asker = await refused(
            mute_asker(session, await mail.reader(session, "G1"), RULES, receipt.thread_id, 7, NOW)
        )
        assert (await session.execute(select(MessageMute))).first() is None
    assert wrong_span.reason == Refusal.NOT_ALLOWED
    assert head.reason == Refusal.NOT_ALLOWED
    assert stranger.reason == Refusal.NOT_FOUND
    assert asker.reason == Refusal.NOT_ALLOWED


# --- answers, sharing, statuses ------------------------------------------------------------------


async def test_the_staff_answer_marks_the_question_answered_and_read(mail: Mail) -> None:
    later = NOW + timedelta(minutes=30)
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        answer = await post_as(
            session, mail, "T1", receipt.thread_id, "Задача 3 решена неверно", now=later
        )
        thread = await thread_row(session, receipt.thread_id)
        question, reply = await messages_of(session, receipt.thread_id)
        events = await mail_events(session)
    assert thread.status == ThreadStatus.ANSWERED
    assert thread.last_message_at == later
    assert (answer.thread_id, answer.message_id, answer.deliver_at) == (thread.id, reply.id, None)
    assert question.read_at == later
    assert reply.author_kind == AuthorKind.STAFF
    assert reply.author_staff_id == mail.ids["T1"]
    assert reply.read_at is None
    assert not reply.to_all_guardians
    assert events[-1]["payload"] == {"thread_id": thread.id, "author": "staff", "to_all": False}


async def test_an_answer_to_all_guardians_shares_the_thread(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        thread_id = receipt.thread_id
        maria = await mail.reader(session, "G3")
        before_open = await refused(open_thread(session, maria, RULES, thread_id, NOW))
        before_post = await refused(post_as(session, mail, "G3", thread_id))
        await post_as(session, mail, "T1", thread_id, "Всем родителям Анны", to_all=True)
        assert (await thread_row(session, thread_id)).shared_with_guardians
        view = await open_thread(session, maria, RULES, thread_id, NOW)
        await post_as(session, mail, "G3", thread_id, "Спасибо, поняла")
        thread = await thread_row(session, thread_id)
        messages = await messages_of(session, thread_id)
        pavel = await refused(
            open_thread(session, await mail.reader(session, "G2"), RULES, thread_id, NOW)
        )
    assert before_open.reason == before_post.reason == Refusal.NOT_FOUND
    assert view.side == Side.FAMILY
    assert view.shared_with_guardians
    assert view.asker == "Ольга Иванова"
    assert [m.author for m in view.messages] == ["Ольга Иванова", "Крылова Н. П."]
    assert view.messages[1].to_all_guardians
    assert thread.status == ThreadStatus.OPEN  # a family follow-up reopens it
    assert messages[-1].author_guardian_id == mail.ids["G3"]
    assert pavel.reason == Refusal.NOT_FOUND  # another family still sees nothing


async def test_a_family_follow_up_reopens_an_answered_thread(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        await post_as(session, mail, "T1", receipt.thread_id, "Ответ")
        assert (await thread_row(session, receipt.thread_id)).status == ThreadStatus.ANSWERED
        follow = await post_as(session, mail, "G1", receipt.thread_id, "Не поняла")
        assert (await thread_row(session, receipt.thread_id)).status == ThreadStatus.OPEN
        krylova = await mail.reader(session, "T1")
        view = await set_status(
            session, krylova, RULES, receipt.thread_id, ThreadStatus.ANSWERED, NOW
        )
    assert follow.recipient == "Крылова Н. П."
    assert view.status == ThreadStatus.ANSWERED
    assert all(m.read_at == NOW for m in view.messages if m.author_kind == AuthorKind.FAMILY)


async def test_a_closed_thread_refuses_both_sides(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        krylova = await mail.reader(session, "T1")
        view = await set_status(
            session, krylova, RULES, receipt.thread_id, ThreadStatus.CLOSED, NOW
        )
        thread = await thread_row(session, receipt.thread_id)
        family = await refused(post_as(session, mail, "G1", receipt.thread_id))
        staff = await refused(post_as(session, mail, "T1", receipt.thread_id))
        again = await refused(
            set_status(session, krylova, RULES, receipt.thread_id, ThreadStatus.OPEN, NOW)
        )
        still_readable = await open_thread(
            session, await mail.reader(session, "G1"), RULES, receipt.thread_id, NOW
        )
    assert view.closed
    assert (thread.closed_at, thread.closed_by_staff_id) == (NOW, mail.ids["T1"])
    assert family.reason == staff.reason == again.reason == Refusal.CLOSED
    assert still_readable.closed


async def test_only_the_recipient_sets_the_status(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        asker = await refused(
            set_status(
                session,
                await mail.reader(session, "G1"),
                RULES,
                receipt.thread_id,
                ThreadStatus.CLOSED,
                NOW,
            )
        )
        head = await refused(
            set_status(
                session,
                await mail.reader(session, "T4"),
                RULES,
                receipt.thread_id,
                ThreadStatus.CLOSED,
                NOW,
            )
        )
        assert (await thread_row(session, receipt.thread_id)).status == ThreadStatus.OPEN
    assert asker.reason == head.reason == Refusal.NOT_ALLOWED


async def test_opening_marks_the_other_sides_messages_read(mail: Mail) -> None:
    opened = NOW + timedelta(hours=1)
    answered = NOW + timedelta(hours=2)
    seen = NOW + timedelta(hours=3)
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", attachments=(PDF,))
        olga = await mail.reader(session, "G1")
        unread = await open_thread(session, olga, RULES, receipt.thread_id, NOW)
        assert unread.messages[0].read_at is None  # the asker's own opening changes nothing
        staff_view = await open_thread(
            session, await mail.reader(session, "T1"), RULES, receipt.thread_id, opened
        )
        await post_as(session, mail, "T1", receipt.thread_id, "Ответ", now=answered)
        family_view = await open_thread(session, olga, RULES, receipt.thread_id, seen)
    assert staff_view.side == Side.STAFF
    assert staff_view.messages[0].read_at == opened
    assert staff_view.messages[0].attachments == (stored(PDF),)
    assert staff_view.child == "Анна Иванова"
    assert staff_view.class_name == "7А"
    assert staff_view.subject == "Алгебра"
    assert staff_view.staff == "Крылова Н. П."
    assert staff_view.addressed_as == Addressee.TEACHER
    assert [m.read_at for m in family_view.messages] == [opened, seen]


async def test_the_administration_reads_every_thread_but_answers_none(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        head = await mail.reader(session, "T4")
        view = await open_thread(session, head, RULES, receipt.thread_id, NOW)
        records = [
            r
            for r in await audit_records(session, "thread_read")
            if r.actor_staff_id == mail.ids["T4"]
        ]
        caught = await refused(post_as(session, mail, "T4", receipt.thread_id, "Вмешаюсь"))
        admin = await open_thread(
            session, await mail.reader(session, "T9"), RULES, receipt.thread_id, NOW
        )
        (question,) = await messages_of(session, receipt.thread_id)
    assert view.side == admin.side == Side.ADMIN
    assert caught.reason == Refusal.NOT_ALLOWED
    assert question.read_at is None  # the administration's reading is not the recipient's
    (record,) = records
    assert record.student_id == mail.ids["S1"]
    assert record.details == {
        "thread_id": receipt.thread_id,
        "permission": "threads",
        "granted": True,
    }


@pytest.mark.parametrize("who", ["T3", "T2", "T5", "T6", "T10", "G2", "S3"])
async def test_anyone_else_gets_not_found_and_a_refused_record(mail: Mail, who: str) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        reader = await mail.reader(session, who)
        opened = await refused(open_thread(session, reader, RULES, receipt.thread_id, NOW))
        wrote = await refused(post_as(session, mail, who, receipt.thread_id))
        reported = await refused(report(session, reader, RULES, receipt.thread_id, NOW))
        records = await audit_records(session, "thread_read")
        assert len(await messages_of(session, receipt.thread_id)) == 1
    assert opened.reason == wrote.reason == reported.reason == Refusal.NOT_FOUND
    (record,) = records
    assert record.details is not None
    assert record.details["granted"] is False
    assert record.details["thread_id"] == receipt.thread_id


async def test_an_unknown_thread_is_not_found(mail: Mail) -> None:
    async with mail.sessions() as session:
        olga = await mail.reader(session, "G1")
        caught = await refused(open_thread(session, olga, RULES, 10**9, NOW))
    assert caught.reason == Refusal.NOT_FOUND


async def test_a_guardian_whose_child_left_loses_the_thread(mail: Mail) -> None:
    after = local(LEFT_ON, 10)
    async with mail.sessions() as session:
        receipt = await ask_as(
            session, mail, "G1", student="S2", staff="T8", role="class_teacher", subject=None
        )
        await session.commit()
        olga = await mail.reader(session, "G1", after)
        opened = await refused(open_thread(session, olga, RULES, receipt.thread_id, after))
        wrote = await refused(post_as(session, mail, "G1", receipt.thread_id, now=after))
        # The class teacher keeps the record and may still close it.
        classnaya = await mail.reader(session, "T8", after)
        view = await open_thread(session, classnaya, RULES, receipt.thread_id, after)
    assert opened.reason == wrote.reason == Refusal.NOT_FOUND
    assert view.side == Side.STAFF


async def test_a_staff_member_who_left_no_longer_reads_their_threads(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        krylova = await mail.reader(session, "T1")
        await session.execute(update(Staff).where(Staff.id == mail.ids["T1"]).values(left_on=TODAY))
        caught = await refused(open_thread(session, krylova, RULES, receipt.thread_id, NOW))
        wrote = await refused(post_as(session, mail, "T1", receipt.thread_id))
        # The family still sees the thread and may write into it (it waits in the journal).
        waiting = await post_as(session, mail, "G1", receipt.thread_id, "Вы здесь?")
    assert caught.reason == wrote.reason == Refusal.NOT_FOUND
    assert not waiting.recipient_linked


# --- reports -------------------------------------------------------------------------------------


async def test_a_thread_is_reported_once(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        olga = await mail.reader(session, "G1")
        before = len(await mail_events(session))
        await report(session, olga, RULES, receipt.thread_id, NOW)
        twice = await refused(report(session, olga, RULES, receipt.thread_id, NOW))
        by_staff = await refused(
            report(session, await mail.reader(session, "T1"), RULES, receipt.thread_id, NOW)
        )
        by_head = await refused(
            report(session, await mail.reader(session, "T4"), RULES, receipt.thread_id, NOW)
        )
        thread = await thread_row(session, receipt.thread_id)
        events = await mail_events(session)
        view = await open_thread(session, olga, RULES, receipt.thread_id, NOW)
    assert twice.reason == by_staff.reason == Refusal.ALREADY_REPORTED
    assert by_head.reason == Refusal.NOT_ALLOWED
    assert (thread.reported_at, thread.reported_by_account_id) == (NOW, mail.accounts["G1"])
    assert len(events) == before + 1
    assert events[-1] == {
        "kind": EventKind.THREAD_REPORTED,
        "object": ("message_threads", thread.id),
        "student": mail.ids["S1"],
        "payload": {"by": "family"},
    }
    assert view.reported


async def test_the_staff_member_may_report_too(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        await report(session, await mail.reader(session, "T1"), RULES, receipt.thread_id, NOW)
        events = await mail_events(session)
    assert events[-1]["payload"] == {"by": "staff"}


async def test_the_audit_trail_follows_every_read_and_write(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1")
        await open_thread(session, await mail.reader(session, "T1"), RULES, receipt.thread_id, NOW)
        await post_as(session, mail, "T1", receipt.thread_id, "Ответ")
        await post_as(session, mail, "G1", receipt.thread_id, "Спасибо")
        writes = await audit_records(session, "thread_write")
        reads = await audit_records(session, "thread_read")
    assert [(r.actor_account_id, r.student_id) for r in writes] == [
        (mail.accounts["G1"], mail.ids["S1"]),
        (mail.accounts["T1"], mail.ids["S1"]),
        (mail.accounts["G1"], mail.ids["S1"]),
    ]
    assert all(r.details and r.details["thread_id"] == receipt.thread_id for r in writes + reads)
    assert [r.actor_staff_id for r in reads] == [mail.ids["T1"]]


async def test_long_file_names_and_types_are_cut_to_fit(mail: Mail) -> None:
    name = "Скан справки " * 30 + ".pdf"
    photo = Attachment(AttachmentKind.PHOTO, "p" * 300, name, "image/" + "x" * 200, 1000)
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", attachments=(photo,))
        (row,) = (
            await session.execute(
                select(MessageAttachment).where(MessageAttachment.message_id == receipt.message_id)
            )
        ).scalars()
    assert (row.file_key, row.file_name) == ("p" * 255, name[:255])
    assert row.mime_type == ("image/" + "x" * 200)[:128]
