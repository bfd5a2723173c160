"""Linking by the user's own phone number."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import LinkOutcome
from core.linking.phone import link_by_phone
from core.models.enums import Role
from tests.linking.helpers import TG, audit_rows
from tests.linking.school import DMITRY_PHONE, GONE_TEACHER_PHONE, NOW, TEACHER_PHONE, TODAY, Ids


@pytest.mark.parametrize("phone", ["8 (912) 345-67-89", "+7 912 3456789", "89123456789"])
async def test_common_russian_formats_match_the_guardian(
    session: AsyncSession, ids: Ids, phone: str
) -> None:
    result = await link_by_phone(session, TG, "600", "600", phone, NOW, TODAY)
    assert result.outcome == LinkOutcome.LINKED
    assert [c.name for c in result.children] == ["Анна Иванова", "Борис Иванов"]
    assert result.roles == (Role.GUARDIAN,)
    record = (await audit_rows(session))[-1]
    assert record.action == "link_phone"
    assert record.details is not None
    assert sorted(record.details["student_ids"]) == sorted([ids.anna, ids.boris])
    assert "912" not in repr(record.details)


async def test_a_student_and_a_teacher_link_by_phone(session: AsyncSession, ids: Ids) -> None:
    student = await link_by_phone(session, TG, "601", "601", DMITRY_PHONE, NOW, TODAY)
    assert [c.name for c in student.children] == ["Дмитрий Петров"]
    teacher = await link_by_phone(session, TG, "602", "602", TEACHER_PHONE, NOW, TODAY)
    assert teacher.roles == (Role.HEAD_TEACHER, Role.TEACHER)


async def test_a_second_time_is_already(session: AsyncSession, ids: Ids) -> None:
    await link_by_phone(session, TG, "603", "603", DMITRY_PHONE, NOW, TODAY)
    again = await link_by_phone(session, TG, "603", "603", DMITRY_PHONE, NOW, TODAY)
    assert again.outcome == LinkOutcome.ALREADY
    assert [c.name for c in again.children] == ["Дмитрий Петров"]


@pytest.mark.parametrize("phone", ["+79990000000", GONE_TEACHER_PHONE, "not a phone", ""])
async def test_nobody_or_somebody_who_left_is_not_found(
    session: AsyncSession, ids: Ids, phone: str
) -> None:
    result = await link_by_phone(session, TG, "604", "604", phone, NOW, TODAY)
    assert result.outcome == LinkOutcome.NOT_FOUND
    assert result.account_id is None
    assert result.failures_left == 4
    record = (await audit_rows(session))[-1]
    assert (record.action, record.details) == ("link_failed", {"method": "phone"})
