"""Announcements: who may send them where, whom they reach (people, not accounts), the
acknowledgement, the sender's report that adds up, and the named list of those not reached."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from core.access.matrix import grant
from core.access.permissions import Permission
from core.linking.accounts import mark_inactive
from core.messaging import announcements
from core.messaging.audience import Announcer, announcer, audience_of, find_target, target_options
from core.messaging.dto import AnnouncementReceipt, AnnouncementReport, TargetOption
from core.messaging.errors import MessagingRefused, Refusal
from core.models import (
    Announcement,
    AnnouncementRecipient,
    AuditRecord,
    Delivery,
    MessageAttachment,
    NotificationPreference,
    OutboxEvent,
)
from core.models.enums import (
    AnnouncementAudience,
    AnnouncementTarget,
    DeliveryState,
    EventKind,
    PermissionScope,
    Role,
)
from core.notify import deliveries as lifecycle
from core.notify.fanout import PushRules, fan_out
from tests.messaging.helpers import PDF
from tests.messaging.mailschool import LEFT_ON, NOW, RULES, TG, TODAY, TZ, Mail, local

T = AnnouncementTarget
GUARDIANS, STUDENTS, BOTH = (
    AnnouncementAudience.GUARDIANS,
    AnnouncementAudience.STUDENTS,
    AnnouncementAudience.BOTH,
)


async def send(
    mail: Mail,
    who: str,
    target: str = "class",
    *,
    klass: str | None = "C7A",
    grade: int | None = None,
    group: str | None = None,
    audience: AnnouncementAudience = GUARDIANS,
    text: str | None = "Родительское собрание в четверг в 18:00",
    urgent: bool = False,
    ask_ack: bool = False,
    now: datetime = NOW,
    **kwargs: Any,
) -> AnnouncementReceipt:
    async with mail.sessions() as session:
        receipt = await announcements.announce(
            session,
            await mail.reader(session, who, now),
            RULES,
            target=target,
            grade=grade,
            class_id=mail.ids[klass] if klass else None,
            group_id=mail.ids[group] if group else None,
            audience=audience,
            text=text,
            urgent=urgent,
            ask_ack=ask_ack,
            messenger=TG,
            now=now,
            **kwargs,
        )
        await session.commit()
        return receipt


async def options_of(mail: Mail, who: str, today: Any = TODAY) -> list[tuple[T, str]] | None:
    async with mail.sessions() as session:
        found = await announcer(session, await mail.reader(session, who, local(today, 10)), today)
        if found is None:
            return None
        return [(o.target, o.label) for o in await target_options(session, found, today)]


# --- who may announce where ----------------------------------------------------------------------


async def test_each_role_is_offered_its_own_targets(mail: Mail) -> None:
    school_wide = [
        (T.SCHOOL, ""),
        (T.GRADE, "5"),
        (T.GRADE, "7"),
        (T.CLASS, "5Б"),
        (T.CLASS, "7А"),
    ]
    assert await options_of(mail, "T1") == [(T.CLASS, "7А")]  # leads and teaches it
    assert await options_of(mail, "T2") == [(T.CLASS, "7А")]  # teaches it as a whole
    assert await options_of(mail, "T3") == [(T.GROUP, "7А · 1 группа")]  # a group only
    assert await options_of(mail, "T8") == [(T.CLASS, "5Б")]  # leads it
    assert await options_of(mail, "T4") == school_wide
    assert await options_of(mail, "T9") == school_wide
    for nobody in ("T5", "T6", "T10", "T7", "G1", "S3"):
        assert await options_of(mail, nobody) is None, nobody


async def test_the_urgent_right_is_the_administrations(mail: Mail) -> None:
    async with mail.sessions() as session:
        head = await announcer(session, await mail.reader(session, "T4"), TODAY)
        teacher = await announcer(session, await mail.reader(session, "T1"), TODAY)
    assert head == Announcer(mail.ids["T4"], mail.school_id, PermissionScope.SCHOOL, True)
    assert teacher == Announcer(mail.ids["T1"], mail.school_id, PermissionScope.TAUGHT, False)


async def test_a_school_that_narrows_teachers_to_their_class(mail: Mail) -> None:
    async with mail.sessions() as session:
        await grant(
            session, mail.school_id, Role.TEACHER, Permission.ANNOUNCE, PermissionScope.CLASS
        )
        await grant(
            session,
            mail.school_id,
            Role.TEACHER,
            Permission.ANNOUNCE_URGENT,
            PermissionScope.TAUGHT,
        )
        await session.commit()
    assert await options_of(mail, "T1") == [(T.CLASS, "7А")]
    assert await options_of(mail, "T3") == []  # no class of her own, and groups need TAUGHT
    async with mail.sessions() as session:
        krylova = await announcer(session, await mail.reader(session, "T1"), TODAY)
    assert krylova is not None
    assert krylova.urgent


async def test_a_class_whose_pupils_all_left_is_not_offered(mail: Mail) -> None:
    assert await options_of(mail, "T8", LEFT_ON) == []
    assert await options_of(mail, "T4", LEFT_ON) == [
        (T.SCHOOL, ""),
        (T.GRADE, "7"),
        (T.CLASS, "7А"),
    ]


async def test_find_target_takes_only_what_is_on_offer(mail: Mail) -> None:
    c7a = mail.ids["C7A"]
    options = [TargetOption(T.CLASS, "7А", class_id=c7a)]
    assert find_target(options, "class", grade=None, class_id=c7a, group_id=None) == options[0]
    assert find_target(options, "class", grade=None, class_id=c7a + 1, group_id=None) is None
    assert find_target(options, "school", grade=None, class_id=None, group_id=None) is None
    assert find_target(options, "class", grade=7, class_id=c7a, group_id=None) is None


@pytest.mark.parametrize(
    ("who", "target", "klass", "grade", "group", "urgent"),
    [
        ("T1", "class", "C5B", None, None, False),  # not her class
        ("T1", "school", None, None, None, False),
        ("T1", "grade", None, 7, None, False),
        ("T1", "class", "C7A", None, None, True),  # a teacher may not mark it urgent
        ("T1", "group", "C7A", None, "ENG1", False),  # Вебер's group
        ("T3", "class", "C7A", None, None, False),  # a group teacher, not the class's
        ("T3", "group", "C7A", None, "ENG2", False),  # the other group
        ("T4", "group", "C7A", None, "ENG1", False),  # the school scope offers no groups
        ("T4", "grade", None, 6, None, False),  # no 6th grade
        ("T4", "nonsense", None, None, None, False),
        ("T5", "class", "C7A", None, None, False),  # the secretary announces nothing
        ("G1", "class", "C7A", None, None, False),
    ],
)
async def test_a_forged_announcement_is_refused_and_nothing_is_written(
    mail: Mail,
    who: str,
    target: str,
    klass: str | None,
    grade: int | None,
    group: str | None,
    urgent: bool,
) -> None:
    with pytest.raises(MessagingRefused) as caught:
        await send(mail, who, target, klass=klass, grade=grade, group=group, urgent=urgent)
    assert caught.value.reason == Refusal.NOT_ALLOWED
    async with mail.sessions() as session:
        assert await session.scalar(select(func.count(Announcement.id))) == 0
        assert await session.scalar(select(func.count(AnnouncementRecipient.id))) == 0


@pytest.mark.parametrize(
    ("text", "files", "reason"),
    [
        ("", (), Refusal.EMPTY),
        ("я" * 2001, (), Refusal.TOO_LONG),
        ("Шесть", (PDF,) * 6, Refusal.TOO_MANY_FILES),
    ],
)
async def test_an_announcement_the_rules_refuse_stores_nothing(
    mail: Mail, text: str, files: tuple[Any, ...], reason: Refusal
) -> None:
    with pytest.raises(MessagingRefused) as caught:
        await send(mail, "T1", text=text, attachments=files)
    assert caught.value.reason == reason
    async with mail.sessions() as session:
        assert await session.scalar(select(func.count(Announcement.id))) == 0


# --- the audience ---------------------------------------------------------------------------------


async def recipients(mail: Mail, announcement_id: int) -> list[tuple[str, str]]:
    guardians = {value: key for key, value in mail.ids.items() if re.fullmatch(r"G\d+", key)}
    students = {value: key for key, value in mail.ids.items() if re.fullmatch(r"S\d+", key)}
    async with mail.sessions() as session:
        rows = await session.execute(
            select(AnnouncementRecipient.guardian_id, AnnouncementRecipient.student_id)
            .where(AnnouncementRecipient.announcement_id == announcement_id)
            .order_by(AnnouncementRecipient.id)
        )
        return [("guardian", guardians[g]) if g else ("student", students[s or 0]) for g, s in rows]


@pytest.mark.parametrize(
    ("who", "target", "klass", "grade", "group", "audience", "people"),
    [
        # Павел has two children in 7А: one person, counted once.
        ("T1", "class", "C7A", None, None, GUARDIANS, ["G1", "G2", "G3"]),
        ("T1", "class", "C7A", None, None, STUDENTS, ["S1", "S3", "S4"]),
        ("T1", "class", "C7A", None, None, BOTH, ["G1", "G2", "G3", "S1", "S3", "S4"]),
        ("T3", "group", "C7A", None, "ENG1", BOTH, ["G1", "G3", "S1"]),
        ("T8", "class", "C5B", None, None, GUARDIANS, ["G1"]),
        ("T4", "school", None, None, None, GUARDIANS, ["G1", "G2", "G3"]),
        ("T4", "school", None, None, None, STUDENTS, ["S1", "S2", "S3", "S4"]),
        ("T4", "grade", None, 5, None, BOTH, ["G1", "S2"]),
        ("T4", "grade", None, 7, None, GUARDIANS, ["G1", "G2", "G3"]),
    ],
)
async def test_the_audience_is_people_each_once(
    mail: Mail,
    who: str,
    target: str,
    klass: str | None,
    grade: int | None,
    group: str | None,
    audience: AnnouncementAudience,
    people: list[str],
) -> None:
    receipt = await send(
        mail, who, target, klass=klass, grade=grade, group=group, audience=audience
    )
    found = await recipients(mail, receipt.announcement_id)
    assert sorted(person for _kind, person in found) == sorted(people)
    assert receipt.people == len(people)


async def test_a_pupil_who_left_is_out_of_the_audience(mail: Mail) -> None:
    async with mail.sessions() as session:
        option = TargetOption(T.SCHOOL, "")
        guardians, students = await audience_of(session, mail.school_id, option, BOTH, LEFT_ON)
    assert mail.ids["S2"] not in students
    assert sorted(guardians) == sorted(mail.ids[g] for g in ("G1", "G2", "G3"))  # Ольга: Анна


async def test_an_announcement_writes_everything_together_and_plans_the_report(mail: Mail) -> None:
    receipt = await send(mail, "T1", audience=BOTH, ask_ack=True, attachments=(PDF,))
    async with mail.sessions() as session:
        row = await session.get(Announcement, receipt.announcement_id)
        assert row is not None
        assert (row.author_staff_id, row.author_account_id) == (mail.ids["T1"], mail.accounts["T1"])
        assert (row.target, row.class_id, row.audience) == (T.CLASS, mail.ids["C7A"], BOTH)
        assert (row.urgent, row.ask_ack, row.created_at) == (False, True, NOW)
        files = (
            (
                await session.execute(
                    select(MessageAttachment).where(MessageAttachment.announcement_id == row.id)
                )
            )
            .scalars()
            .all()
        )
        assert [(f.file_key, f.file_name, f.message_id) for f in files] == [
            ("doc-1", "справка.pdf", None)
        ]
        events = (
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.object_type == "announcements")
                    .order_by(OutboxEvent.id)
                )
            )
            .scalars()
            .all()
        )
        assert [(e.kind, e.object_id, e.processed_at) for e in events] == [
            (EventKind.ANNOUNCEMENT, row.id, None),
            (EventKind.ANNOUNCEMENT_REPORT, row.id, NOW),  # planned: never fanned out
        ]
        assert events[0].class_id == mail.ids["C7A"]
        (planned,) = (
            await session.execute(select(Delivery).where(Delivery.event_id == events[1].id))
        ).scalars()
        assert (planned.account_id, planned.state, planned.not_before) == (
            mail.accounts["T1"],
            DeliveryState.PENDING,
            NOW + timedelta(minutes=1),
        )
        (record,) = (
            await session.execute(select(AuditRecord).where(AuditRecord.action == "announce"))
        ).scalars()
        assert (record.object_type, record.object_id, record.actor_staff_id) == (
            "announcements",
            row.id,
            mail.ids["T1"],
        )
        assert record.details == {"target": "class", "people": 6, "urgent": False}
    assert receipt == AnnouncementReceipt(row.id, 6, NOW + timedelta(minutes=1))


async def test_a_sender_without_an_account_gets_no_planned_report(mail: Mail) -> None:
    receipt = await send(mail, "T2")
    assert receipt.report_at is None
    async with mail.sessions() as session:
        kinds = (
            (
                await session.execute(
                    select(OutboxEvent.kind).where(OutboxEvent.object_type == "announcements")
                )
            )
            .scalars()
            .all()
        )
    assert kinds == [EventKind.ANNOUNCEMENT]


async def test_the_head_teacher_may_send_an_urgent_announcement_of_files_only(mail: Mail) -> None:
    receipt = await send(
        mail, "T4", "school", klass=None, text=None, urgent=True, attachments=(PDF,)
    )
    async with mail.sessions() as session:
        row = await session.get(Announcement, receipt.announcement_id)
    assert row is not None
    assert row.urgent
    assert row.text == ""


# --- acknowledgement ------------------------------------------------------------------------------


async def test_only_recipients_acknowledge_and_only_when_asked(mail: Mail) -> None:
    asked = await send(mail, "T1", ask_ack=True)
    plain = await send(mail, "T1")
    later = NOW + timedelta(hours=1)
    async with mail.sessions() as session:
        olga = await mail.reader(session, "G1")
        assert await announcements.acknowledge(session, olga, asked.announcement_id, NOW)
        assert await announcements.acknowledge(session, olga, asked.announcement_id, later)
        assert not await announcements.acknowledge(session, olga, plain.announcement_id, NOW)
        dmitry = await mail.reader(session, "S3")  # the audience was the guardians
        assert not await announcements.acknowledge(session, dmitry, asked.announcement_id, NOW)
        krylova = await mail.reader(session, "T1")
        assert not await announcements.acknowledge(session, krylova, asked.announcement_id, NOW)
        assert not await announcements.acknowledge(session, olga, 10**9, NOW)
        rows = await session.execute(
            select(AnnouncementRecipient.guardian_id, AnnouncementRecipient.acknowledged_at).where(
                AnnouncementRecipient.announcement_id == asked.announcement_id
            )
        )
        acknowledged = {g: at for g, at in rows}
    assert acknowledged[mail.ids["G1"]] == NOW  # the first press counts
    assert acknowledged[mail.ids["G2"]] is None
    assert acknowledged[mail.ids["G3"]] is None


# --- the report -----------------------------------------------------------------------------------


async def _everyone_somewhere(mail: Mail) -> tuple[int, dict[int, int]]:
    """The head teacher's school-wide announcement to families and pupils (seven people), and
    a delivery fate for each: Ольга's phone got it (her tablet blocked the bot), Павел's waits,
    Мария turned announcements off, Дмитрий blocked the bot, Анна's failed, Борис and Вера
    have no account."""
    tablet = await mail.link("G1", suffix="-tablet")
    anna = await mail.link("S1")
    async with mail.sessions() as session:
        session.add(NotificationPreference(account_id=mail.accounts["G3"], announcements=False))
        await mark_inactive(session, tablet)
        await mark_inactive(session, mail.accounts["S3"])
        await session.commit()
    receipt = await send(mail, "T4", "school", klass=None, audience=BOTH, ask_ack=True)
    async with mail.sessions() as session:
        await fan_out(session, NOW, PushRules(timezone=TZ))
        rows = await session.execute(
            select(Delivery.account_id, Delivery.id)
            .join(OutboxEvent)
            .where(OutboxEvent.kind == EventKind.ANNOUNCEMENT)
        )
        ids = {account: delivery for account, delivery in rows}
        await lifecycle.record_sent(
            session, [lifecycle.Sent((ids[mail.accounts["G1"]],), "m1", NOW)]
        )
        await lifecycle.record_failed(session, [ids[anna]], NOW, "chat not found")
        await session.commit()
    return receipt.announcement_id, ids


async def _report_after(mail: Mail, acknowledged_by: str) -> AnnouncementReport:
    """The head teacher's report on :func:`_everyone_somewhere` once ``acknowledged_by``
    pressed «Acknowledge»."""
    announcement_id, _ids = await _everyone_somewhere(mail)
    async with mail.sessions() as session:
        await announcements.acknowledge(
            session, await mail.reader(session, acknowledged_by), announcement_id, NOW
        )
        return await announcements.report(
            session, await mail.reader(session, "T4"), announcement_id, TODAY
        )


async def test_the_report_counts_each_person_once_and_adds_up(mail: Mail) -> None:
    found = await _report_after(mail, "G1")
    assert found.adds_up
    assert (found.people, found.delivered, found.waiting, found.turned_off) == (7, 1, 1, 1)
    assert (found.blocked, found.failed, found.not_linked, found.acknowledged) == (1, 1, 2, 1)
    assert (found.target, found.label, found.audience) == (T.SCHOOL, "", BOTH)
    assert (found.ask_ack, found.urgent, found.created_at) == (True, False, NOW)


async def test_an_acknowledgement_counts_as_delivered_before_the_delivery_is_written_back(
    mail: Mail,
) -> None:
    """Павел's delivery still waits to be written back when he presses «Acknowledge»: the
    report never says fewer were delivered than acknowledged."""
    found = await _report_after(mail, "G2")
    assert found.adds_up
    assert (found.delivered, found.acknowledged, found.waiting) == (2, 1, 0)


async def test_a_person_blocked_while_it_waited_is_counted_blocked(mail: Mail) -> None:
    announcement_id, _ids = await _everyone_somewhere(mail)
    async with mail.sessions() as session:
        await lifecycle.record_blocked(session, mail.accounts["G2"], NOW)
        await session.commit()
        found = await announcements.report(
            session, await mail.reader(session, "T4"), announcement_id, TODAY
        )
    assert found.adds_up
    assert (found.waiting, found.blocked) == (0, 2)


async def test_the_report_before_the_fan_out_counts_linked_people_as_waiting(mail: Mail) -> None:
    receipt = await send(mail, "T1", audience=BOTH)
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["S3"])
        await session.commit()
        found = await announcements.report(
            session, await mail.reader(session, "T1"), receipt.announcement_id, TODAY
        )
    # Ольга, Павел and Мария have accounts; Дмитрий blocked the bot; Анна and Вера have none.
    assert found.adds_up
    assert (found.people, found.waiting, found.blocked, found.not_linked) == (6, 3, 1, 2)
    assert found.delivered == 0


async def test_an_account_linked_after_it_went_out_was_not_reached(mail: Mail) -> None:
    receipt = await send(mail, "T1", audience=STUDENTS)
    async with mail.sessions() as session:
        await fan_out(session, NOW, PushRules(timezone=TZ))
        await session.commit()
    await mail.link("S4")
    async with mail.sessions() as session:
        found = await announcements.report(
            session, await mail.reader(session, "T1"), receipt.announcement_id, TODAY
        )
    assert (found.people, found.waiting, found.not_linked) == (3, 1, 2)  # Дмитрий waits


async def test_only_the_author_and_the_administration_read_the_report(mail: Mail) -> None:
    receipt = await send(mail, "T1")
    async with mail.sessions() as session:
        for who in ("T1", "T4", "T9"):
            found = await announcements.report(
                session, await mail.reader(session, who), receipt.announcement_id, TODAY
            )
            assert found.people == 3
            assert found.label == "7А"
        for who in ("T2", "T3", "T5", "T8", "G1", "S3"):
            with pytest.raises(MessagingRefused) as caught:
                await announcements.report(
                    session, await mail.reader(session, who), receipt.announcement_id, TODAY
                )
            assert caught.value.reason == Refusal.NOT_FOUND, who
        with pytest.raises(MessagingRefused):
            await announcements.report(session, await mail.reader(session, "T1"), 10**9, TODAY)


async def test_report_labels_say_where_it_went(mail: Mail) -> None:
    grade = await send(mail, "T4", "grade", klass=None, grade=7)
    group = await send(mail, "T3", "group", group="ENG1")
    async with mail.sessions() as session:
        head = await mail.reader(session, "T4")
        by_grade = await announcements.report(session, head, grade.announcement_id, TODAY)
        by_group = await announcements.report(session, head, group.announcement_id, TODAY)
    assert (by_grade.target, by_grade.label) == (T.GRADE, "7")
    assert (by_group.target, by_group.label) == (T.GROUP, "7А · 1 группа")


async def test_recent_lists_the_readers_own_announcements(mail: Mail) -> None:
    first = await send(mail, "T1", text="Первое\nподробности")
    second = await send(mail, "T1", text="Второе " + "я" * 100, now=NOW + timedelta(minutes=1))
    await send(mail, "T4", "school", klass=None)
    async with mail.sessions() as session:
        found = await announcements.recent(session, await mail.reader(session, "T1"))
        none = await announcements.recent(session, await mail.reader(session, "G1"))
    assert [(i, t) for i, _at, t in found] == [
        (second.announcement_id, ("Второе " + "я" * 100)[:60]),
        (first.announcement_id, "Первое"),
    ]
    assert none == []


# --- the people not reached -----------------------------------------------------------------------


async def test_unreached_names_people_the_reader_may_read(mail: Mail) -> None:
    announcement_id, _ids = await _everyone_somewhere(mail)
    async with mail.sessions() as session:
        found = await announcements.unreached(
            session, await mail.reader(session, "T4"), announcement_id, NOW, TODAY
        )
        records = (
            (await session.execute(select(AuditRecord).where(AuditRecord.action == "read_people")))
            .scalars()
            .all()
        )
    assert found.hidden == 0
    assert [(p.reason, p.name, p.children) for p in found.people] == [
        ("blocked", "Петров Дмитрий", "Дмитрий Петров (7А)"),
        ("failed", "Иванова Анна", "Анна Иванова (7А)"),
        ("not_linked", "Иванов Борис", "Борис Иванов (5Б)"),
        ("not_linked", "Петрова Вера", "Вера Петрова (7А)"),
        ("turned_off", "Смирнова Мария", "Анна Иванова (7А)"),
    ]
    assert sorted(r.student_id or 0 for r in records) == sorted(
        mail.ids[s] for s in ("S1", "S2", "S3", "S4")
    )
    assert {(r.object_type, r.object_id, r.actor_staff_id) for r in records} == {
        ("announcements", announcement_id, mail.ids["T4"])
    }


async def test_unreached_hides_people_outside_the_readers_people_scope(mail: Mail) -> None:
    by_class_teacher = await send(mail, "T1", audience=BOTH)
    by_teacher = await send(mail, "T2", audience=BOTH)
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["G1"])
        await session.commit()
        await fan_out(session, NOW, PushRules(timezone=TZ))
        await session.commit()
        krylova = await announcements.unreached(
            session, await mail.reader(session, "T1"), by_class_teacher.announcement_id, NOW, TODAY
        )
        orlov = await announcements.unreached(
            session, await mail.reader(session, "T2"), by_teacher.announcement_id, NOW, TODAY
        )
        records = (
            (await session.execute(select(AuditRecord).where(AuditRecord.action == "read_people")))
            .scalars()
            .all()
        )
    # Крылова leads 7А: she may read its people, not Борис in 5Б.
    assert krylova.hidden == 0
    assert [(p.reason, p.name, p.children) for p in krylova.people] == [
        ("blocked", "Иванова Ольга", "Анна Иванова (7А)"),
        ("not_linked", "Иванова Анна", "Анна Иванова (7А)"),
        ("not_linked", "Петрова Вера", "Вера Петрова (7А)"),
    ]
    # Орлов teaches 7А but does not lead it: the same three, unnamed, and nothing read.
    assert orlov.people == ()
    assert orlov.hidden == 3
    assert {r.actor_staff_id for r in records} == {mail.ids["T1"]}
    assert sorted(r.student_id or 0 for r in records) == sorted(mail.ids[s] for s in ("S1", "S4"))


async def test_unreached_is_for_the_author_and_the_administration_only(mail: Mail) -> None:
    receipt = await send(mail, "T1")
    async with mail.sessions() as session:
        with pytest.raises(MessagingRefused) as caught:
            await announcements.unreached(
                session, await mail.reader(session, "T3"), receipt.announcement_id, NOW, TODAY
            )
        admin = await announcements.unreached(
            session, await mail.reader(session, "T9"), receipt.announcement_id, NOW, TODAY
        )
    assert caught.value.reason == Refusal.NOT_FOUND
    assert admin.announcement_id == receipt.announcement_id


async def test_guardians_quiet_hours_hold_a_plain_announcement_and_the_report_says_waiting(
    mail: Mail,
) -> None:
    evening = local(TODAY, 22)
    receipt = await send(mail, "T1", now=evening)
    async with mail.sessions() as session:
        await fan_out(session, evening, PushRules(timezone=TZ))
        await session.execute(update(Delivery).values(updated_at=evening))
        await session.commit()
        found = await announcements.report(
            session, await mail.reader(session, "T1", evening), receipt.announcement_id, TODAY
        )
    assert (found.people, found.waiting) == (3, 3)


async def test_long_file_names_are_cut_to_fit_as_in_a_thread(mail: Mail) -> None:
    from core.messaging.dto import Attachment
    from core.models.enums import AttachmentKind

    name = "Положение о проведении олимпиады " * 10 + ".pdf"
    mime = "application/pdf"
    long = Attachment(AttachmentKind.DOCUMENT, "k" * 300, name, mime, 1000)
    receipt = await send(mail, "T1", attachments=(long,))
    async with mail.sessions() as session:
        (row,) = (
            await session.execute(
                select(MessageAttachment).where(
                    MessageAttachment.announcement_id == receipt.announcement_id
                )
            )
        ).scalars()
    assert (row.file_name, row.file_key) == (name[:255], "k" * 255)


async def test_the_teaching_load_offers_its_groups_and_classes(mail: Mail) -> None:
    from core.models import TeachingAssignment

    async with mail.sessions() as session:
        session.add(
            TeachingAssignment(
                school_id=mail.school_id,
                staff_id=mail.ids["T8"],
                class_id=mail.ids["C7A"],
                group_id=mail.ids["ENG2"],
                subject_id=mail.ids["ENG"],
            )
        )
        await session.commit()
    assert await options_of(mail, "T8") == [(T.CLASS, "5Б"), (T.GROUP, "7А · 2 группа")]
    receipt = await send(mail, "T8", "group", group="ENG2", audience=BOTH)
    assert sorted(p for _kind, p in await recipients(mail, receipt.announcement_id)) == [
        "G2",
        "S3",
    ]


async def test_unreached_names_only_the_children_the_announcement_was_about(mail: Mail) -> None:
    """Ольга has Анна in 7А and Борис in 5Б: for a 7А announcement she is Анна's mother."""
    receipt = await send(mail, "T4", audience=GUARDIANS)
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["G1"])
        await session.commit()
        await fan_out(session, NOW, PushRules(timezone=TZ))
        await session.commit()
        found = await announcements.unreached(
            session, await mail.reader(session, "T4"), receipt.announcement_id, NOW, TODAY
        )
        read = (
            await session.execute(
                select(AuditRecord.student_id).where(AuditRecord.action == "read_people")
            )
        ).scalars()
        students = set(read)
    olga = next(p for p in found.people if p.name == "Иванова Ольга")
    assert olga.children == "Анна Иванова (7А)"
    assert mail.ids["S2"] not in students  # Борис's people data was not read
