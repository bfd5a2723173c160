"""What a delivered piece of mail says, read when the notifier sends it."""

from __future__ import annotations

from sqlalchemy import delete

from core.messaging import announcements
from core.messaging.dto import Addressee, AnnouncementReport
from core.messaging.notices import AnnouncementNotice, ReportedNotice, ThreadNotice, notices
from core.messaging.threads import report
from core.models import MessageAttachment
from core.models.enums import AnnouncementAudience, AnnouncementTarget, EventKind
from tests.messaging.helpers import PDF, PHOTO, ask_as, post_as, stored
from tests.messaging.mailschool import NOW, RULES, TG, Mail


async def test_thread_notices_name_the_child_the_subject_and_the_asker(mail: Mail) -> None:
    async with mail.sessions() as session:
        asked = await ask_as(session, mail, "G1", text="Вопрос", attachments=(PHOTO,))
        answer = await post_as(
            session, mail, "T1", asked.thread_id, "Ответ", to_all=True, attachments=(PDF,)
        )
        follow = await post_as(session, mail, "G1", asked.thread_id, "Спасибо")
        own = await ask_as(
            session, mail, "S3", student="S3", staff="T6", role="social_pedagogue", subject=None
        )
        found = await notices(
            session,
            [
                (EventKind.THREAD_MESSAGE, asked.message_id),
                (EventKind.THREAD_MESSAGE, answer.message_id),
                (EventKind.THREAD_MESSAGE, follow.message_id),
                (EventKind.THREAD_MESSAGE, own.message_id),
                (EventKind.THREAD_MESSAGE, 10**9),
            ],
        )
    question = found[(EventKind.THREAD_MESSAGE, asked.message_id)]
    assert question == ThreadNotice(
        thread_id=asked.thread_id,
        message_id=asked.message_id,
        to_staff=True,
        first=True,
        child="Анна Иванова",
        class_name="7А",
        subject="Алгебра",
        addressed_as=Addressee.TEACHER,
        asker="Ольга Иванова",
        staff="Крылова Н. П.",
        text="Вопрос",
        attachments=(stored(PHOTO),),
        to_all_guardians=False,
    )
    reply = found[(EventKind.THREAD_MESSAGE, answer.message_id)]
    assert isinstance(reply, ThreadNotice)
    assert (reply.to_staff, reply.first, reply.text, reply.attachments) == (
        False,
        False,
        "Ответ",
        (stored(PDF),),
    )
    assert reply.to_all_guardians
    later = found[(EventKind.THREAD_MESSAGE, follow.message_id)]
    assert isinstance(later, ThreadNotice)
    assert later.to_staff
    assert not later.first
    student = found[(EventKind.THREAD_MESSAGE, own.message_id)]
    assert isinstance(student, ThreadNotice)
    assert (student.asker, student.subject, student.addressed_as) == (
        "Дмитрий Петров",
        None,
        Addressee.SOCIAL_PEDAGOGUE,
    )
    assert (EventKind.THREAD_MESSAGE, 10**9) not in found


async def test_reported_and_announcement_notices(mail: Mail) -> None:
    async with mail.sessions() as session:
        asked = await ask_as(session, mail, "G1")
        await report(session, await mail.reader(session, "G1"), RULES, asked.thread_id, NOW)
        sent = await announcements.announce(
            session,
            await mail.reader(session, "T3"),
            RULES,
            target="group",
            class_id=mail.ids["C7A"],
            group_id=mail.ids["ENG1"],
            audience=AnnouncementAudience.BOTH,
            text="Контрольная в среду",
            attachments=(PDF,),
            ask_ack=True,
            messenger=TG,
            now=NOW,
        )
        found = await notices(
            session,
            [
                (EventKind.THREAD_REPORTED, asked.thread_id),
                (EventKind.ANNOUNCEMENT, sent.announcement_id),
                (EventKind.ANNOUNCEMENT_REPORT, sent.announcement_id),
                (EventKind.ANNOUNCEMENT_REPORT, 10**9),
            ],
        )
        # Files are read at send time: gone files are simply not in the notice.
        await session.execute(delete(MessageAttachment))
        without_files = await notices(session, [(EventKind.ANNOUNCEMENT, sent.announcement_id)])
    assert found[(EventKind.THREAD_REPORTED, asked.thread_id)] == ReportedNotice(
        thread_id=asked.thread_id,
        child="Анна Иванова",
        class_name="7А",
        staff="Крылова Н. П.",
        asker="Ольга Иванова",
    )
    assert found[(EventKind.ANNOUNCEMENT, sent.announcement_id)] == AnnouncementNotice(
        announcement_id=sent.announcement_id,
        author="Вебер А. К.",
        target=AnnouncementTarget.GROUP,
        label="7А · 1 группа",
        audience=AnnouncementAudience.BOTH,
        text="Контрольная в среду",
        attachments=(stored(PDF),),
        ask_ack=True,
        urgent=False,
    )
    figures = found[(EventKind.ANNOUNCEMENT_REPORT, sent.announcement_id)]
    assert isinstance(figures, AnnouncementReport)
    assert (figures.people, figures.not_linked, figures.waiting) == (3, 1, 2)
    assert figures.adds_up
    assert (EventKind.ANNOUNCEMENT_REPORT, 10**9) not in found
    notice = without_files[(EventKind.ANNOUNCEMENT, sent.announcement_id)]
    assert isinstance(notice, AnnouncementNotice)
    assert notice.attachments == ()
