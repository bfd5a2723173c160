"""The mail's events through the notifier's fan-out: whose accounts, when, and what is skipped;
questions that wait for a staff member without an account; a chat reply back to its thread."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update

from core.linking.accounts import mark_inactive
from core.linking.links import link_people
from core.linking.people import PersonRef
from core.messaging.announcements import announce
from core.messaging.threads import report
from core.messaging.waiting import deliver_waiting, thread_of_message
from core.models import Account, Delivery, NotificationPreference, OutboxEvent
from core.models.enums import (
    AnnouncementAudience,
    DeliveryState,
    EventKind,
    LinkMethod,
    ThreadStatus,
)
from core.notify import deliveries as lifecycle
from core.notify.fanout import BLOCKED, TURNED_OFF, FanOutReport, PushRules, fan_out
from tests.messaging.helpers import ask_as, post_as
from tests.messaging.mailschool import LEFT_ON, NOW, RULES, TG, TODAY, TZ, Mail, local

PUSH = PushRules(timezone=TZ)
MONDAY_EVENING = local(TODAY, 22)
TUESDAY_8 = local(TODAY + timedelta(days=1), 8)
TUESDAY_7 = local(TODAY + timedelta(days=1), 7)


async def run_fan_out(mail: Mail, now: datetime) -> FanOutReport:
    async with mail.sessions() as session:
        found = await fan_out(session, now, PUSH)
        await session.commit()
        return found


async def deliveries(mail: Mail, kind: EventKind | None = None) -> list[dict[str, Any]]:
    async with mail.sessions() as session:
        query = select(Delivery, OutboxEvent).join(OutboxEvent).order_by(Delivery.id)
        if kind is not None:
            query = query.where(OutboxEvent.kind == kind)
        return [
            {
                "id": d.id,
                "account": d.account_id,
                "state": DeliveryState(d.state),
                "not_before": d.not_before,
                "error": d.last_error,
                "object": (e.object_type, e.object_id),
            }
            for d, e in await session.execute(query)
        ]


def accounts_of(rows: list[dict[str, Any]]) -> set[int]:
    return {row["account"] for row in rows}


async def set_preferences(mail: Mail, account_id: int, **values: Any) -> None:
    async with mail.sessions() as session:
        row = NotificationPreference(account_id=account_id)
        session.add(row)
        await session.flush()
        for key, value in values.items():
            setattr(row, key, value)
        await session.commit()


async def question(mail: Mail, now: datetime = NOW, **kwargs: Any) -> tuple[int, int]:
    """Ольга asks Крылова about Анна (or as ``kwargs`` say): (thread id, message id)."""
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, kwargs.pop("who", "G1"), now=now, **kwargs)
        await session.commit()
        return receipt.thread_id, receipt.message_id


async def answer(mail: Mail, thread_id: int, now: datetime = NOW, *, to_all: bool = False) -> int:
    async with mail.sessions() as session:
        receipt = await post_as(session, mail, "T1", thread_id, "Ответ", now=now, to_all=to_all)
        await session.commit()
        return receipt.message_id


# --- questions to staff --------------------------------------------------------------------------


async def test_a_question_reaches_every_account_of_the_staff_member_in_office_hours(
    mail: Mail,
) -> None:
    second = await mail.link("T1", suffix="-phone")
    _thread, message = await question(mail)
    found = await run_fan_out(mail, NOW)
    rows = await deliveries(mail)
    assert found == FanOutReport(events=1, pending=2, skipped=0)
    assert accounts_of(rows) == {mail.accounts["T1"], second}
    assert {row["object"] for row in rows} == {("thread_messages", message)}
    assert {row["not_before"] for row in rows} == {NOW}
    assert {row["state"] for row in rows} == {DeliveryState.PENDING}


async def test_a_question_at_night_waits_for_the_next_opening(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", now=MONDAY_EVENING)
        await session.commit()
    assert receipt.deliver_at == TUESDAY_8
    await run_fan_out(mail, MONDAY_EVENING.astimezone(UTC))
    (row,) = await deliveries(mail)
    assert row["not_before"] == TUESDAY_8
    assert row["not_before"] == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def test_a_question_on_friday_night_waits_for_monday(mail: Mail) -> None:
    friday = local(TODAY + timedelta(days=4), 22)
    await question(mail, friday)
    await run_fan_out(mail, friday)
    (row,) = await deliveries(mail)
    assert row["not_before"] == local(TODAY + timedelta(days=7), 8)


async def test_a_question_to_a_blocked_account_is_recorded_as_skipped(mail: Mail) -> None:
    second = await mail.link("T1", suffix="-phone")
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["T1"])
        await session.commit()
    await question(mail)
    found = await run_fan_out(mail, NOW)
    rows = {row["account"]: row for row in await deliveries(mail)}
    assert found == FanOutReport(events=1, pending=1, skipped=1)
    assert (rows[mail.accounts["T1"]]["state"], rows[mail.accounts["T1"]]["error"]) == (
        DeliveryState.SKIPPED,
        BLOCKED,
    )
    assert rows[second]["state"] == DeliveryState.PENDING


async def test_office_hours_not_quiet_hours_time_a_question_to_staff(mail: Mail) -> None:
    # Крылова keeps office hours "always": a question at 22:00 goes out at once, whatever
    # quiet hours her account has (her default 21:00-07:00); office hours are staff's clock.
    from core.messaging.hours import set_hours

    async with mail.sessions() as session:
        await set_hours(session, mail.ids["T1"], "всегда", by="cli")
        await session.commit()
    await question(mail, MONDAY_EVENING)
    await run_fan_out(mail, MONDAY_EVENING)
    (row,) = await deliveries(mail)
    assert row["not_before"] == MONDAY_EVENING


# --- answers to families -------------------------------------------------------------------------


async def test_an_answer_goes_to_the_askers_accounts_only(mail: Mail) -> None:
    olga_phone = await mail.link("G1", suffix="-phone")
    thread, _question = await question(mail)
    await run_fan_out(mail, NOW)
    message = await answer(mail, thread)
    await run_fan_out(mail, NOW)
    rows = [r for r in await deliveries(mail) if r["object"] == ("thread_messages", message)]
    assert accounts_of(rows) == {mail.accounts["G1"], olga_phone}
    assert {row["not_before"] for row in rows} == {NOW}


async def test_an_answer_to_all_guardians_reaches_every_guardians_account(mail: Mail) -> None:
    thread, _question = await question(mail)
    message = await answer(mail, thread, to_all=True)
    await run_fan_out(mail, NOW)
    rows = [r for r in await deliveries(mail) if r["object"] == ("thread_messages", message)]
    # Ольга and Мария; not Павел, not Дмитрий, not Анна's teacher.
    assert accounts_of(rows) == {mail.accounts["G1"], mail.accounts["G3"]}


async def test_an_answer_to_a_student_goes_to_the_student(mail: Mail) -> None:
    thread, _question = await question(mail, who="S3", student="S3")
    message = await answer(mail, thread)
    await run_fan_out(mail, NOW)
    rows = [r for r in await deliveries(mail) if r["object"] == ("thread_messages", message)]
    assert accounts_of(rows) == {mail.accounts["S3"]}  # not his father


async def test_an_answer_at_night_is_held_by_the_familys_quiet_hours(mail: Mail) -> None:
    await set_preferences(mail, mail.accounts["G3"], quiet_from=None, quiet_to=None)
    await set_preferences(mail, mail.accounts["G1"], quiet_from=time(22), quiet_to=time(7))
    thread, _question = await question(mail)
    early = local(TODAY, 21, 30)
    late = MONDAY_EVENING + timedelta(minutes=30)
    first = await answer(mail, thread, early, to_all=True)
    await run_fan_out(mail, early)
    second = await answer(mail, thread, late)
    await run_fan_out(mail, late)
    rows = {(r["object"][1], r["account"]): r["not_before"] for r in await deliveries(mail)}
    assert rows[(first, mail.accounts["G1"])] == early  # before her 22:00
    assert rows[(first, mail.accounts["G3"])] == early  # Мария has no quiet hours
    assert rows[(second, mail.accounts["G1"])] == TUESDAY_7
    assert (second, mail.accounts["G3"]) not in rows  # not to all guardians


async def test_an_answer_never_reaches_an_account_that_lost_the_child(mail: Mail) -> None:
    thread, _question = await question(
        mail, student="S2", staff="T8", role="class_teacher", subject=None
    )
    await run_fan_out(mail, NOW)
    after = local(LEFT_ON, 10)
    async with mail.sessions() as session:
        receipt = await post_as(
            session, mail, "T8", thread, "Документы готовы", now=after, to_all=True
        )
        await session.commit()
    found = await run_fan_out(mail, after)
    rows = [
        r for r in await deliveries(mail) if r["object"] == ("thread_messages", receipt.message_id)
    ]
    assert found.events == 1
    assert rows == []


async def test_a_blocked_family_account_gets_a_skipped_answer(mail: Mail) -> None:
    thread, _question = await question(mail)
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["G1"])
        await session.commit()
    message = await answer(mail, thread)
    await run_fan_out(mail, NOW)
    (row,) = [r for r in await deliveries(mail) if r["object"] == ("thread_messages", message)]
    assert (row["account"], row["state"], row["error"]) == (
        mail.accounts["G1"],
        DeliveryState.SKIPPED,
        BLOCKED,
    )


# --- reported threads ----------------------------------------------------------------------------


async def test_a_reported_thread_reaches_the_administration(mail: Mail) -> None:
    thread, _question = await question(mail)
    await run_fan_out(mail, NOW)
    async with mail.sessions() as session:
        await report(session, await mail.reader(session, "G1"), RULES, thread, NOW)
        await session.commit()
    await run_fan_out(mail, NOW)
    rows = await deliveries(mail, EventKind.THREAD_REPORTED)
    assert accounts_of(rows) == {mail.accounts["T4"], mail.accounts["T9"]}
    assert {row["object"] for row in rows} == {("message_threads", thread)}
    assert {row["not_before"] for row in rows} == {NOW}
    # And a chat reply to that notice finds the thread.
    head = next(r for r in rows if r["account"] == mail.accounts["T4"])
    async with mail.sessions() as session:
        await lifecycle.record_sent(session, [lifecycle.Sent((head["id"],), "m-77", NOW)])
        await session.commit()
        assert await thread_of_message(session, mail.accounts["T4"], "m-77") == thread


async def test_a_report_at_night_waits_for_the_administrations_office_hours(mail: Mail) -> None:
    thread, _question = await question(mail)
    async with mail.sessions() as session:
        olga = await mail.reader(session, "G1", MONDAY_EVENING)
        await report(session, olga, RULES, thread, MONDAY_EVENING)
        await session.commit()
    await run_fan_out(mail, MONDAY_EVENING)
    rows = await deliveries(mail, EventKind.THREAD_REPORTED)
    assert {row["not_before"] for row in rows} == {TUESDAY_8}


# --- questions that wait for an account ----------------------------------------------------------


async def _link_orlov(mail: Mail, now: datetime) -> int:
    async with mail.sessions() as session:
        account = Account(messenger=TG, user_key="orlov", chat_key="orlov", locale="ru")
        session.add(account)
        await session.flush()
        await link_people(
            session,
            account_id=account.id,
            messenger=TG,
            people=[PersonRef("staff", mail.ids["T2"], mail.school_id)],
            method=LinkMethod.INVITE,
            now=now,
            today=now.astimezone(TZ).date(),
        )
        await session.commit()
        return account.id


async def test_a_question_waits_for_a_staff_member_without_an_account(mail: Mail) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", staff="T2", subject="GEO")
        await session.commit()
    assert not receipt.recipient_linked
    found = await run_fan_out(mail, NOW)
    assert (found.events, found.pending, found.skipped) == (1, 0, 0)
    assert await deliveries(mail) == []
    later = NOW + timedelta(hours=2)
    orlov = await _link_orlov(mail, later)
    (row,) = await deliveries(mail)
    assert (row["account"], row["state"], row["not_before"]) == (
        orlov,
        DeliveryState.PENDING,
        later,
    )
    assert row["object"] == ("thread_messages", receipt.message_id)
    async with mail.sessions() as session:
        await lifecycle.record_sent(session, [lifecycle.Sent((row["id"],), "msg-9", later)])
        await session.commit()
        assert await thread_of_message(session, orlov, "msg-9") == receipt.thread_id
        assert await thread_of_message(session, orlov, "msg-10") is None
        assert await thread_of_message(session, mail.accounts["T1"], "msg-9") is None
        # A second linking adds nothing: the question was delivered.
        assert await deliver_waiting(session, orlov, [mail.ids["T2"]], later) == 0


async def test_a_staff_member_linking_before_the_fan_out_gets_each_question_once(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        receipt = await ask_as(session, mail, "G1", staff="T2", subject="GEO")
        await session.commit()
    orlov = await _link_orlov(mail, NOW)
    await run_fan_out(mail, NOW)
    rows = await deliveries(mail)
    assert [(row["account"], row["object"]) for row in rows] == [
        (orlov, ("thread_messages", receipt.message_id))
    ]


async def test_only_unread_family_messages_of_threads_not_closed_wait(mail: Mail) -> None:
    from core.messaging.threads import set_status

    async with mail.sessions() as session:
        closed = await ask_as(session, mail, "G1", staff="T2", subject="GEO", text="Закрытый")
        waiting = await ask_as(session, mail, "G3", staff="T2", subject="GEO", text="Ждёт")
        orlov = await mail.reader(session, "T2")  # reads in the web journal, say
        await set_status(session, orlov, RULES, closed.thread_id, ThreadStatus.CLOSED, NOW)
        await session.commit()
    await run_fan_out(mail, NOW)
    account = await _link_orlov(mail, NOW + timedelta(hours=1))
    rows = await deliveries(mail)
    assert [(row["account"], row["object"]) for row in rows] == [
        (account, ("thread_messages", waiting.message_id))
    ]


# --- announcements -------------------------------------------------------------------------------


async def _announce(mail: Mail, now: datetime, *, urgent: bool) -> int:
    async with mail.sessions() as session:
        receipt = await announce(
            session,
            await mail.reader(session, "T4", now),
            RULES,
            target="class",
            class_id=mail.ids["C7A"],
            audience=AnnouncementAudience.BOTH,
            text="Завтра уроки отменены",
            urgent=urgent,
            messenger=TG,
            now=now,
        )
        await session.commit()
        return receipt.announcement_id


async def test_an_urgent_announcement_passes_quiet_hours_and_the_switch(mail: Mail) -> None:
    await set_preferences(mail, mail.accounts["G2"], announcements=False)
    announcement = await _announce(mail, MONDAY_EVENING, urgent=True)
    await run_fan_out(mail, MONDAY_EVENING)
    rows = await deliveries(mail, EventKind.ANNOUNCEMENT)
    assert {row["object"] for row in rows} == {("announcements", announcement)}
    # 7А's guardians Ольга, Павел, Мария and Дмитрий; Анна and Вера have no account.
    assert accounts_of(rows) == {mail.accounts[who] for who in ("G1", "G2", "G3", "S3")}
    assert {(row["state"], row["not_before"]) for row in rows} == {
        (DeliveryState.PENDING, MONDAY_EVENING)
    }


async def test_a_plain_announcement_is_held_at_night_and_skipped_when_turned_off(
    mail: Mail,
) -> None:
    await set_preferences(mail, mail.accounts["G2"], announcements=False)
    await set_preferences(mail, mail.accounts["G3"], quiet_from=None, quiet_to=None)
    async with mail.sessions() as session:
        await mark_inactive(session, mail.accounts["S3"])
        await session.commit()
    await _announce(mail, MONDAY_EVENING, urgent=False)
    await run_fan_out(mail, MONDAY_EVENING)
    rows = {r["account"]: r for r in await deliveries(mail, EventKind.ANNOUNCEMENT)}
    assert (rows[mail.accounts["G1"]]["state"], rows[mail.accounts["G1"]]["not_before"]) == (
        DeliveryState.PENDING,
        TUESDAY_7,
    )
    assert (rows[mail.accounts["G2"]]["state"], rows[mail.accounts["G2"]]["error"]) == (
        DeliveryState.SKIPPED,
        TURNED_OFF,
    )
    assert rows[mail.accounts["G3"]]["not_before"] == MONDAY_EVENING
    assert (rows[mail.accounts["S3"]]["state"], rows[mail.accounts["S3"]]["error"]) == (
        DeliveryState.SKIPPED,
        BLOCKED,
    )


async def test_mail_events_are_processed_once(mail: Mail) -> None:
    await question(mail)
    await _announce(mail, NOW, urgent=False)
    first = await run_fan_out(mail, NOW)
    second = await run_fan_out(mail, NOW)
    assert first.events == 2
    assert second == FanOutReport()
    async with mail.sessions() as session:
        left = await session.execute(
            select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None))
        )
        assert list(left) == []


async def test_a_question_to_a_staff_member_who_left_reaches_nobody(mail: Mail) -> None:
    from core.models import Staff

    thread, _question = await question(mail)
    await run_fan_out(mail, NOW)
    async with mail.sessions() as session:
        await session.execute(update(Staff).where(Staff.id == mail.ids["T1"]).values(left_on=TODAY))
        await post_as(session, mail, "G1", thread, "Вы здесь?")
        await session.commit()
    found = await run_fan_out(mail, NOW)
    assert (found.events, found.pending) == (1, 0)


async def test_reports_follow_the_schools_threads_cell(mail: Mail) -> None:
    from core.access.matrix import grant
    from core.access.permissions import Permission
    from core.models.enums import PermissionScope, Role

    async with mail.sessions() as session:
        await grant(
            session, mail.school_id, Role.PSYCHOLOGIST, Permission.THREADS, PermissionScope.SCHOOL
        )
        await grant(session, mail.school_id, Role.ADMIN, Permission.THREADS, PermissionScope.NONE)
        # A class-wide cell is not the administration: a class teacher is not told.
        await grant(
            session, mail.school_id, Role.TEACHER, Permission.THREADS, PermissionScope.CLASS
        )
        await session.commit()
    thread, _question = await question(mail)
    async with mail.sessions() as session:
        await report(session, await mail.reader(session, "G1"), RULES, thread, NOW)
        await session.commit()
    await run_fan_out(mail, NOW)
    rows = await deliveries(mail, EventKind.THREAD_REPORTED)
    assert accounts_of(rows) == {mail.accounts["T4"], mail.accounts["T10"]}
