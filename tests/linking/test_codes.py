"""Invite codes: shape, entropy, hashing, single use, expiry, revocation, who they link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.accounts import load_account
from core.linking.codes import code_hash
from core.linking.dto import LinkOutcome
from core.linking.invites import InviteTargetError, issue_invites, revoke_invites
from core.linking.redeem import looks_like_code
from core.models import AccountLink, InviteCode
from core.models.enums import LinkMethod, Role
from tests.linking.helpers import TG, audit_rows, invite, redeem
from tests.linking.school import NOW, TODAY, Ids


async def test_codes_are_long_random_url_safe_and_stored_only_as_a_hash(
    session: AsyncSession, ids: Ids
) -> None:
    issued = await issue_invites(session, now=NOW, today=TODAY, class_name="7А")
    await session.commit()
    codes = [i.code for i in issued]
    assert len(codes) == 4  # Ольга, Мария (Анна), Павел, Зуева (Дмитрий)
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,64}", code)
        assert looks_like_code(code)
        assert len(code) * 6 >= 128 + 6  # base64url: 6 bits a character, ≥128 random bits
    stored = list((await session.execute(select(InviteCode))).scalars())
    assert {row.code_hash for row in stored} == {code_hash(code) for code in codes}
    for row in stored:
        assert all(code not in (row.code_hash or "") for code in codes)
        assert row.expires_at == NOW + timedelta(days=30)


def test_looks_like_code_is_a_cheap_shape_check() -> None:
    assert looks_like_code("  " + "Ab3_-" * 5 + " ")
    assert not looks_like_code("S1")
    assert not looks_like_code("Здравствуйте, у меня вопрос")
    assert not looks_like_code("x" * 65)


async def test_a_guardian_code_links_the_guardian_and_lists_the_children(
    session: AsyncSession, ids: Ids
) -> None:
    result = await redeem(session, "100", await invite(session, "G1"))
    assert result.outcome == LinkOutcome.LINKED
    assert [(c.name, c.class_name) for c in result.children] == [
        ("Анна Иванова", "7А"),
        ("Борис Иванов", "5Б"),
    ]
    assert result.roles == (Role.GUARDIAN,)
    link = (await session.execute(select(AccountLink))).scalar_one()
    assert (link.guardian_id, link.method, link.invite_id) == (ids.olga, LinkMethod.INVITE, 1)
    view = await load_account(session, TG, "100", TODAY)
    assert view is not None
    assert view.guardian_ids == (ids.olga,)
    assert view.current_student_id == ids.anna


async def test_a_student_code_shows_the_student_only(session: AsyncSession, ids: Ids) -> None:
    result = await redeem(session, "200", await invite(session, "S3", Role.STUDENT))
    assert result.outcome == LinkOutcome.LINKED
    assert [c.name for c in result.children] == ["Дмитрий Петров"]
    assert result.roles == (Role.STUDENT,)
    view = await load_account(session, TG, "200", TODAY)
    assert view is not None
    assert (view.student_id, view.guardian_ids) == (ids.dmitry, ())


async def test_a_staff_code_brings_the_staff_roles(session: AsyncSession, ids: Ids) -> None:
    result = await redeem(session, "300", await invite(session, "T1"))
    assert result.outcome == LinkOutcome.LINKED
    assert result.roles == (Role.HEAD_TEACHER, Role.TEACHER)
    assert result.children == ()
    view = await load_account(session, TG, "300", TODAY)
    assert view is not None
    assert (view.staff_id, view.staff_roles) == (ids.teacher, (Role.HEAD_TEACHER, Role.TEACHER))


async def test_a_code_works_once_and_its_user_hears_already(
    session: AsyncSession, ids: Ids
) -> None:
    code = await invite(session, "G1")
    assert (await redeem(session, "100", code)).outcome == LinkOutcome.LINKED
    again = await redeem(session, "100", code)
    assert again.outcome == LinkOutcome.ALREADY
    assert [c.name for c in again.children] == ["Анна Иванова", "Борис Иванов"]
    other = await redeem(session, "101", code)
    assert other.outcome == LinkOutcome.INVALID
    assert other.children == ()
    assert await load_account(session, TG, "101", TODAY) is None


async def test_a_code_fails_once_expired(session: AsyncSession, ids: Ids) -> None:
    code = await invite(session, "G1")
    expires = NOW + timedelta(days=30)
    assert (await redeem(session, "100", code, now=expires)).outcome == LinkOutcome.INVALID
    ok = await redeem(session, "100", code, now=expires - timedelta(seconds=1))
    assert ok.outcome == LinkOutcome.LINKED


async def test_revoked_codes_fail_and_used_ones_are_not_counted(
    session: AsyncSession, ids: Ids
) -> None:
    issued = await issue_invites(session, now=NOW, today=TODAY, class_name="7A")  # Latin A
    await session.commit()
    olga = next(i for i in issued if i.person_external_id == "G1")
    assert (await redeem(session, "100", olga.code)).outcome == LinkOutcome.LINKED
    assert await revoke_invites(session, now=NOW, class_name="7а") == 3
    await session.commit()
    for n, item in enumerate(i for i in issued if i is not olga):
        assert (await redeem(session, f"11{n}", item.code)).outcome == LinkOutcome.INVALID
    assert await revoke_invites(session, now=NOW, class_name="7А") == 0


async def test_two_guardians_of_one_child_link_independently(
    session: AsyncSession, ids: Ids
) -> None:
    olga = await redeem(session, "100", await invite(session, "G1"))
    maria = await redeem(session, "102", await invite(session, "G3"))
    assert olga.outcome == maria.outcome == LinkOutcome.LINKED
    assert [c.name for c in maria.children] == ["Анна Иванова"]
    first = await load_account(session, TG, "100", TODAY)
    second = await load_account(session, TG, "102", TODAY)
    assert first is not None
    assert second is not None
    assert [c.student_id for c in first.children] == [ids.anna, ids.boris]
    assert [c.student_id for c in second.children] == [ids.anna]


async def test_a_success_is_audited_with_ids_only(session: AsyncSession, ids: Ids) -> None:
    code = await invite(session, "G1")
    result = await redeem(session, "100", code)
    record = (await audit_rows(session))[-1]
    assert record.action == "link_invite"
    assert record.actor_account_id == result.account_id
    assert record.school_id == ids.school
    assert record.details is not None
    assert sorted(record.details["student_ids"]) == sorted([ids.anna, ids.boris])
    text = repr(record.details)
    assert code not in text
    assert "Иван" not in text


async def test_class_codes_go_once_to_each_guardian_and_skip_children_who_left(
    session: AsyncSession, ids: Ids
) -> None:
    guardians = await issue_invites(session, now=NOW, today=TODAY, class_name="5Б")
    assert [(i.person_external_id, i.students) for i in guardians] == [
        ("G1", ("Иванов Борис, 5Б", "Иванова Анна, 7А"))
    ]
    after = await issue_invites(session, now=NOW, today=LEFT, class_name="5Б")
    assert after == []
    students = await issue_invites(
        session, now=NOW, today=TODAY, class_name="7А", role=Role.STUDENT
    )
    assert [(i.person_name, i.class_names) for i in students] == [
        ("Иванова Анна", ("7А",)),
        ("Петров Дмитрий", ("7А",)),
    ]
    teacher = await issue_invites(session, now=NOW, today=TODAY, class_name="7А", role=Role.TEACHER)
    assert [(i.person_kind, i.role, i.class_names) for i in teacher] == [
        ("staff", Role.HEAD_TEACHER, ("7А",))
    ]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"class_name": "7Я"}, "no class 7Я"),
        ({"class_name": "hello"}, "is not a class name"),
        ({"class_name": "5Б", "role": Role.TEACHER}, "5Б has no class teacher"),
        ({"person": "nobody"}, "nobody has the id nobody"),
        ({"person": "X1"}, "several people (guardian, staff): give --role"),
        ({"person": "S1", "role": Role.GUARDIAN}, "no guardian has the id S1"),
        ({"person": "T9"}, "has left"),
        ({}, "either a class or a person"),
        ({"person": "G1", "school": "NOPE"}, "no school with id NOPE"),
    ],
)
async def test_bad_targets_say_what_is_wrong(
    session: AsyncSession, ids: Ids, kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(InviteTargetError) as caught:
        await issue_invites(session, now=NOW, today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert fragment in str(caught.value)


async def test_a_role_settles_a_colliding_id(session: AsyncSession, ids: Ids) -> None:
    staff = await issue_invites(session, now=NOW, today=TODAY, person="X1", role=Role.SECRETARY)
    guardian = await issue_invites(session, now=NOW, today=TODAY, person="X1", role=Role.GUARDIAN)
    assert (staff[0].person_kind, staff[0].role) == ("staff", Role.SECRETARY)
    assert (guardian[0].person_kind, guardian[0].students) == ("guardian", ("Петров Дмитрий, 7А",))


LEFT = TODAY + timedelta(days=7)
