"""Student movement for November in the tiny school: one arrival, one move between classes,
one departure; the rolls add up, and only the administration may read it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.access.policy import AccessDenied
from core.models import AuditRecord, Enrolment, School, SchoolClass, Staff, StaffRole, Student
from core.models.enums import MovementKind, Role
from core.reader import Reader
from core.services.movement import Change, movement_report

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


async def _setup(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, dict[str, int]]:
    async with sessions() as session, session.begin():
        school_id = (await session.execute(select(School.id))).scalar_one()
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        new = Student(
            school_id=school_id,
            external_id="MV1",
            last_name="Новикова",
            first_name="Вера",
            class_id=classes["7А"],
            enrolled_on=date(2026, 11, 10),
        )
        mover = Student(
            school_id=school_id,
            external_id="MV2",
            last_name="Орлова",
            first_name="Ольга",
            class_id=classes["5Б"],
            enrolled_on=date(2026, 9, 1),
        )
        leaver = Student(
            school_id=school_id,
            external_id="MV3",
            last_name="Зуев",
            first_name="Иван",
            class_id=classes["5Б"],
            enrolled_on=date(2026, 9, 1),
            left_on=date(2026, 11, 25),
        )
        session.add_all([new, mover, leaver])
        await session.flush()
        session.add_all(
            [
                Enrolment(
                    school_id=school_id,
                    external_id="E1",
                    student_id=mover.id,
                    class_id=classes["7А"],
                    kind=MovementKind.ENROLLED,
                    happened_on=date(2026, 9, 1),
                ),
                Enrolment(
                    school_id=school_id,
                    external_id="E2",
                    student_id=mover.id,
                    class_id=classes["5Б"],
                    kind=MovementKind.TRANSFERRED,
                    happened_on=date(2026, 11, 20),
                    order_ref="№ 112-у",
                ),
            ]
        )
    return school_id, classes


def _admin_reader(staff_id: int) -> Reader:
    return Reader(label="test", staff_id=staff_id, today=date(2026, 12, 1))


async def test_a_month_of_movement_adds_up(sessions: async_sessionmaker[AsyncSession]) -> None:
    school_id, _classes = await _setup(sessions)
    async with sessions() as session, session.begin():
        report = await movement_report(session, Reader.operator("test"), school_id, *NOVEMBER)
        # An independent count of 7А and 5Б from the students' own dates and moves.
        rolls = {
            name: sum(
                1
                for s in (await session.execute(select(Student))).scalars()
                if s.class_id == cid
                and (s.left_on is None or s.left_on > NOVEMBER[1])
                and (s.enrolled_on is None or s.enrolled_on <= NOVEMBER[1])
            )
            for name, cid in _classes.items()
        }
    assert [
        (r.student, r.day, r.change, r.from_class, r.to_class, r.order_ref) for r in report.rows
    ] == [
        ("Новикова Вера", date(2026, 11, 10), Change.ARRIVED, None, "7А", None),
        ("Орлова Ольга", date(2026, 11, 20), Change.MOVED, "7А", "5Б", "№ 112-у"),
        ("Зуев Иван", date(2026, 11, 25), Change.LEFT, "5Б", None, None),
    ]
    by_name = {c.class_name: c for c in report.classes}
    seven, five = by_name["7А"], by_name["5Б"]
    assert (seven.arrived, seven.moved_in, seven.moved_out, seven.left) == (1, 0, 1, 0)
    assert (five.arrived, five.moved_in, five.moved_out, five.left) == (0, 1, 0, 1)
    assert all(c.balanced for c in report.classes)
    assert seven.at_end == rolls["7А"]
    assert five.at_end == rolls["5Б"]
    assert seven.at_start == seven.at_end  # Вера came, Ольга went


async def test_only_the_administration_reads_it_and_every_read_is_audited(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school_id, _classes = await _setup(sessions)
    async with sessions() as session, session.begin():
        teacher = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
        with pytest.raises(AccessDenied):
            await movement_report(session, _admin_reader(teacher), school_id, *NOVEMBER)
        session.add(
            StaffRole(
                staff_id=teacher, role=Role.ADMIN, granted_at=datetime(2026, 9, 1, tzinfo=UTC)
            )
        )
    async with sessions() as session, session.begin():
        report = await movement_report(session, _admin_reader(teacher), school_id, *NOVEMBER)
        assert len(report.rows) == 3
        audits = (
            (
                await session.execute(
                    select(AuditRecord.details).where(AuditRecord.action == "read_movement")
                )
            )
            .scalars()
            .all()
        )
    assert [a["granted"] for a in audits] == [False, True]


async def test_the_secretary_who_keeps_the_orders_reads_it_too(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    school_id, _classes = await _setup(sessions)
    async with sessions() as session, session.begin():
        orlov = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T2"))
        ).scalar_one()
        session.add(
            StaffRole(
                staff_id=orlov, role=Role.SECRETARY, granted_at=datetime(2026, 9, 1, tzinfo=UTC)
            )
        )
    async with sessions() as session, session.begin():
        report = await movement_report(session, _admin_reader(orlov), school_id, *NOVEMBER)
    assert [r.change for r in report.rows] == [Change.ARRIVED, Change.MOVED, Change.LEFT]
