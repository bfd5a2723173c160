"""``/inbox``: staff see what is addressed to them, families what they asked and what was shared
with them; newest first, a page at a time, closed threads out, every listed thread audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from core.messaging.dto import Side
from core.messaging.inbox import PAGE_SIZE, has_family_side, inbox
from core.messaging.threads import open_thread, set_status
from core.models import AuditRecord
from core.models.enums import ThreadStatus
from tests.messaging.helpers import ask_as, audit_records, post_as
from tests.messaging.mailschool import LEFT_ON, NOW, RULES, TODAY, Mail, local

# Room for many questions from one family to one teacher.
ROOMY = replace(RULES, open_per_recipient=100, messages_per_day=100)


async def test_staff_see_their_threads_newest_first_a_page_at_a_time(mail: Mail) -> None:
    asked: list[int] = []
    async with mail.sessions() as session:
        for n in range(PAGE_SIZE + 3):
            receipt = await ask_as(
                session,
                mail,
                ("G1", "G2", "G3")[n % 3],
                student=("S1", "S3", "S1")[n % 3],
                text=f"Вопрос {n}",
                now=NOW + timedelta(minutes=n),
                rules=ROOMY,
            )
            asked.append(receipt.thread_id)
        # Not Крылова's: never in her inbox.
        await ask_as(session, mail, "G1", staff="T4", role="head_teacher", subject=None)
        krylova = await mail.reader(session, "T1")
        await set_status(session, krylova, RULES, asked[-1], ThreadStatus.CLOSED, NOW)
        first = await inbox(session, krylova, Side.STAFF, 0, TODAY)
        second = await inbox(session, krylova, Side.STAFF, 1, TODAY)
        beyond = await inbox(session, krylova, Side.STAFF, 7, TODAY)
        before = await inbox(session, krylova, Side.STAFF, -1, TODAY)
    open_ones = asked[:-1]  # the newest was closed
    assert first.total == second.total == len(open_ones) == PAGE_SIZE + 2
    assert (first.pages, first.page, second.page) == (2, 0, 1)
    assert [item.id for item in first.items + second.items] == open_ones[::-1]
    assert len(first.items) == PAGE_SIZE
    assert beyond.page == 1
    assert beyond.items == second.items
    assert before.page == 0
    assert before.items == first.items
    assert first.side == Side.STAFF
    top = first.items[0]
    assert (top.title, top.child, top.counterpart) == (
        f"Вопрос {PAGE_SIZE + 1}",
        "Анна Иванова",  # Ольга, Павел, Мария ask in turn: the tenth is Ольга's again
        "Ольга Иванова",
    )
    assert top.status == ThreadStatus.OPEN
    assert top.last_message_at == NOW + timedelta(minutes=PAGE_SIZE + 1)


async def test_unread_markers_for_both_sides(mail: Mail) -> None:
    async with mail.sessions() as session:
        read = await ask_as(session, mail, "G1", text="Прочитанный")
        unread = await ask_as(session, mail, "G1", subject="RUS", text="Непрочитанный")
        krylova = await mail.reader(session, "T1")
        olga = await mail.reader(session, "G1")
        await open_thread(session, krylova, RULES, read.thread_id, NOW)
        staff_page = await inbox(session, krylova, Side.STAFF, 0, TODAY)
        family_before = await inbox(session, olga, Side.FAMILY, 0, TODAY)
        later = NOW + timedelta(minutes=5)
        await post_as(session, mail, "T1", unread.thread_id, "Ответ", now=later)
        family_answered = await inbox(session, olga, Side.FAMILY, 0, TODAY)
        await open_thread(session, olga, RULES, unread.thread_id, later)
        family_seen = await inbox(session, olga, Side.FAMILY, 0, TODAY)
    staff = {item.id: item for item in staff_page.items}
    assert not staff[read.thread_id].unread
    assert staff[unread.thread_id].unread
    assert not any(item.waiting_for_read for item in staff_page.items)  # a family marker only
    before = {item.id: item for item in family_before.items}
    assert not before[read.thread_id].waiting_for_read  # Крылова opened it
    assert before[unread.thread_id].waiting_for_read
    assert not any(item.unread for item in family_before.items)
    assert before[read.thread_id].counterpart == "Крылова Н. П."
    answered = {item.id: item for item in family_answered.items}
    assert answered[unread.thread_id].unread
    assert not answered[unread.thread_id].waiting_for_read  # her answer read the question
    assert answered[unread.thread_id].status == ThreadStatus.ANSWERED
    assert next(item.id for item in family_answered.items) == unread.thread_id  # newest first
    assert not any(item.unread for item in family_seen.items)


async def test_a_family_sees_its_own_threads_and_those_shared_with_it(mail: Mail) -> None:
    async with mail.sessions() as session:
        olga_asks = await ask_as(session, mail, "G1")
        boris = await ask_as(
            session, mail, "G1", student="S2", staff="T8", role="class_teacher", subject=None
        )
        pavel_asks = await ask_as(session, mail, "G2", student="S3")
        dmitry_asks = await ask_as(session, mail, "S3", student="S3", subject="RUS")
        olga, maria = await mail.reader(session, "G1"), await mail.reader(session, "G3")
        pavel, dmitry = await mail.reader(session, "G2"), await mail.reader(session, "S3")
        maria_before = await inbox(session, maria, Side.FAMILY, 0, TODAY)
        await post_as(session, mail, "T1", olga_asks.thread_id, "Всем", to_all=True)
        maria_after = await inbox(session, maria, Side.FAMILY, 0, TODAY)
        olga_page = await inbox(session, olga, Side.FAMILY, 0, TODAY)
        pavel_page = await inbox(session, pavel, Side.FAMILY, 0, TODAY)
        dmitry_page = await inbox(session, dmitry, Side.FAMILY, 0, TODAY)
        as_staff = await inbox(session, olga, Side.STAFF, 0, TODAY)
        later = local(LEFT_ON, 10)
        olga_later = await inbox(
            session, await mail.reader(session, "G1", later), Side.FAMILY, 0, LEFT_ON
        )
    assert maria_before.items == ()
    assert (maria_before.total, maria_before.pages) == (0, 1)
    assert [item.id for item in maria_after.items] == [olga_asks.thread_id]
    assert {item.id for item in olga_page.items} == {olga_asks.thread_id, boris.thread_id}
    # Павел does not see what his son asked himself, nor the other way round.
    assert [item.id for item in pavel_page.items] == [pavel_asks.thread_id]
    assert [item.id for item in dmitry_page.items] == [dmitry_asks.thread_id]
    assert as_staff.items == ()
    assert as_staff.total == 0
    # Борис left: his thread drops out of his mother's inbox.
    assert [item.id for item in olga_later.items] == [olga_asks.thread_id]


async def test_each_listed_thread_is_audited(mail: Mail) -> None:
    async with mail.sessions() as session:
        ids = [
            (await ask_as(session, mail, "G1", text=f"Q{n}", rules=ROOMY)).thread_id
            for n in range(PAGE_SIZE + 1)
        ]
        krylova = await mail.reader(session, "T1")
        before = await session.scalar(select(func.count(AuditRecord.id)))
        page = await inbox(session, krylova, Side.STAFF, 0, TODAY)
        after = await session.scalar(select(func.count(AuditRecord.id)))
        records = await audit_records(session, "thread_list")
        empty = await inbox(session, await mail.reader(session, "T3"), Side.STAFF, 0, TODAY)
        assert await audit_records(session, "thread_list") == records
    assert len(page.items) == PAGE_SIZE
    assert (after or 0) - (before or 0) == PAGE_SIZE
    assert sorted(r.details["thread_id"] for r in records if r.details) == sorted(
        item.id for item in page.items
    )
    assert {item.id for item in page.items} < set(ids)
    assert {(r.student_id, r.actor_account_id, r.actor_staff_id) for r in records} == {
        (mail.ids["S1"], mail.accounts["T1"], mail.ids["T1"])
    }
    assert empty.items == ()
    assert empty.total == 0


def test_the_family_side_needs_a_family_record() -> None:
    from core.reader import Reader

    assert has_family_side(Reader("telegram", guardian_ids=(1,)))
    assert has_family_side(Reader("telegram", student_id=1))
    assert not has_family_side(Reader("telegram", staff_id=1))
