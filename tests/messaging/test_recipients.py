"""Whom a family may write to about one child: teachers by subject, the class teacher, the
school's roles as the matrix says; nobody who left; a fixed number of statements."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.access.matrix import grant
from core.access.permissions import Permission
from core.exchange import service
from core.messaging.access import Asker, asker_for
from core.messaging.dto import Addressee, RecipientOption
from core.messaging.recipients import find_option, recipient_options
from core.models import Staff, StaffRole, Student, StudentAssignment, TeachingAssignment
from core.models.enums import PermissionScope, Role
from tests.messaging.mailschool import LEFT_ON, NOW, TODAY, Mail, local, tables
from tests.services.test_audit_and_statements import counting

A = Addressee


def offered(options: list[RecipientOption], mail: Mail) -> list[tuple[str, Addressee, str | None]]:
    """(staff external id, why, subject) in the order offered."""
    names = {value: key for key, value in mail.ids.items() if key.startswith("T")}
    return [(names[o.staff_id], o.addressed_as, o.subject) for o in options]


async def options_for(
    session: AsyncSession, mail: Mail, student: str, today: date = TODAY
) -> list[RecipientOption]:
    return await recipient_options(session, mail.ids[student], today)


SCHOOL_ROLES = [
    ("T4", A.HEAD_TEACHER, None),
    ("T6", A.SOCIAL_PEDAGOGUE, None),
    ("T10", A.PSYCHOLOGIST, None),
    ("T9", A.ADMIN, None),
]


async def test_a_7a_child_is_offered_its_teachers_by_subject_the_class_teacher_and_the_roles(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        options = await options_for(session, mail, "S1")
    assert offered(options, mail) == [
        ("T1", A.TEACHER, "Алгебра"),
        ("T3", A.TEACHER, "Английский язык"),  # Анна is in the group Вебер teaches
        ("T2", A.TEACHER, "География"),
        ("T1", A.TEACHER, "Русский язык"),
        ("T1", A.CLASS_TEACHER, None),
        *SCHOOL_ROLES,
    ]
    krylova = next(o for o in options if o.staff_id == mail.ids["T1"])
    assert krylova.name == "Крылова Нина Петровна"
    assert krylova.subject_id == mail.ids["ALG"]
    # Never the secretary (her cell is none), never Ушедшая (she left today), never Классная
    # (she leads 5Б and teaches nothing in 7А).
    staff = {o.staff_id for o in options}
    assert not staff & {mail.ids["T5"], mail.ids["T7"], mail.ids["T8"]}


async def test_a_group_teacher_is_offered_only_to_the_groups_members(mail: Mail) -> None:
    async with mail.sessions() as session:
        dmitry = offered(await options_for(session, mail, "S3"), mail)
        vera = offered(await options_for(session, mail, "S4"), mail)
    assert ("T3", A.TEACHER, "Английский язык") not in dmitry  # group 2: nobody teaches it
    assert (
        dmitry
        == vera
        == [
            ("T1", A.TEACHER, "Алгебра"),
            ("T2", A.TEACHER, "География"),
            ("T1", A.TEACHER, "Русский язык"),
            ("T1", A.CLASS_TEACHER, None),
            *SCHOOL_ROLES,
        ]
    )


async def test_a_class_teacher_who_teaches_nothing_there_is_offered_as_class_teacher(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        boris = offered(await options_for(session, mail, "S2"), mail)
    assert boris == [("T8", A.CLASS_TEACHER, None), *SCHOOL_ROLES]


async def test_a_role_the_school_closes_is_no_longer_offered(mail: Mail) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.PSYCHOLOGIST,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.NONE,
        )
        options = offered(await options_for(session, mail, "S1"), mail)
    assert ("T10", A.PSYCHOLOGIST, None) not in options
    assert ("T4", A.HEAD_TEACHER, None) in options


async def test_assigned_offers_the_psychologist_only_to_the_children_in_her_care(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.PSYCHOLOGIST,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.ASSIGNED,
        )
        anna = offered(await options_for(session, mail, "S1"), mail)
        dmitry = offered(await options_for(session, mail, "S3"), mail)
        # Her care ends: Анна is no longer offered her either.
        await session.execute(
            update(StudentAssignment)
            .where(StudentAssignment.staff_id == mail.ids["T10"])
            .values(ended_on=TODAY)
        )
        ended = offered(await options_for(session, mail, "S1"), mail)
    assert ("T10", A.PSYCHOLOGIST, None) in anna
    assert ("T10", A.PSYCHOLOGIST, None) not in dmitry
    assert ("T10", A.PSYCHOLOGIST, None) not in ended


async def test_teachers_with_the_class_cell_are_offered_only_as_class_teachers(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.TEACHER,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.CLASS,
        )
        options = offered(await options_for(session, mail, "S1"), mail)
    assert options == [("T1", A.CLASS_TEACHER, None), *SCHOOL_ROLES]


async def test_teachers_closed_by_the_school_are_not_offered_at_all(mail: Mail) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.TEACHER,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.NONE,
        )
        options = offered(await options_for(session, mail, "S1"), mail)
    assert options == SCHOOL_ROLES


async def test_the_school_scope_for_teachers_never_offers_every_teacher(mail: Mail) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.TEACHER,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.SCHOOL,
        )
        default = offered(await options_for(session, mail, "S3"), mail)
    assert {who for who, _why, _subject in default} == {"T1", "T2", "T4", "T6", "T9", "T10"}


async def test_the_secretary_is_offered_where_the_school_opens_her_role(mail: Mail) -> None:
    async with mail.sessions() as session:
        await grant(
            session,
            mail.school_id,
            Role.SECRETARY,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.SCHOOL,
        )
        options = offered(await options_for(session, mail, "S1"), mail)
    assert options[-1] == ("T5", A.SECRETARY, None)


async def test_a_staff_member_who_left_is_not_offered(mail: Mail) -> None:
    async with mail.sessions() as session:
        for who in ("T1", "T10"):
            await session.execute(
                update(Staff).where(Staff.id == mail.ids[who]).values(left_on=TODAY)
            )
        options = offered(await options_for(session, mail, "S1"), mail)
        await session.execute(
            update(Staff).where(Staff.id == mail.ids["T1"]).values(left_on=TODAY + timedelta(1))
        )
        still_there = offered(await options_for(session, mail, "S1"), mail)
    assert not {who for who, _why, _subject in options} & {"T1", "T10"}
    assert ("T3", A.TEACHER, "Английский язык") in options
    assert ("T1", A.CLASS_TEACHER, None) in still_there  # leaves tomorrow: still here today


async def test_a_student_who_left_has_no_options_and_no_asker(mail: Mail) -> None:
    async with mail.sessions() as session:
        olga = await mail.reader(session, "G1")
        before = await options_for(session, mail, "S2")
        asker = await asker_for(session, olga, mail.ids["S2"], TODAY)
        after = await options_for(session, mail, "S2", LEFT_ON)
        olga_later = await mail.reader(session, "G1", local(LEFT_ON, 10))
        gone = await asker_for(session, olga_later, mail.ids["S2"], LEFT_ON)
        unknown = await recipient_options(session, 10**9, TODAY)
    assert before
    assert asker == Asker(guardian_id=mail.ids["G1"], student_id=None)
    assert after == []
    assert gone is None
    assert unknown == []


async def test_asker_is_the_guardian_the_student_or_nobody(mail: Mail) -> None:
    async with mail.sessions() as session:
        pavel = await mail.reader(session, "G2")
        dmitry = await mail.reader(session, "S3")
        krylova = await mail.reader(session, "T1")
        assert await asker_for(session, pavel, mail.ids["S4"], TODAY) == Asker(mail.ids["G2"], None)
        assert await asker_for(session, dmitry, mail.ids["S3"], TODAY) == Asker(
            None, mail.ids["S3"]
        )
        assert await asker_for(session, dmitry, mail.ids["S4"], TODAY) is None  # his sister
        assert await asker_for(session, pavel, mail.ids["S1"], TODAY) is None
        assert await asker_for(session, krylova, mail.ids["S1"], TODAY) is None  # staff ask nobody


async def test_find_option_takes_only_what_is_on_offer(mail: Mail) -> None:
    async with mail.sessions() as session:
        options = await options_for(session, mail, "S1")
    t1, alg, eng = mail.ids["T1"], mail.ids["ALG"], mail.ids["ENG"]
    assert find_option(options, t1, "teacher", alg) is not None
    assert find_option(options, t1, "class_teacher", None) is not None
    assert find_option(options, t1, "teacher", eng) is None  # Вебер teaches that, not Крылова
    assert find_option(options, t1, "class_teacher", alg) is None
    assert find_option(options, t1, "head_teacher", None) is None
    assert find_option(options, mail.ids["T5"], "secretary", None) is None


def _bigger_school() -> dict[str, list[dict[str, str]]]:
    """The same school with twelve more subjects, their teachers, classes and pupils."""
    data = tables()
    for n in range(12):
        data["subjects"].append({"id": f"X{n}", "name": f"Предмет {n}"})
        data["staff"].append(
            {
                "id": f"TX{n}",
                "last_name": f"Учитель{n}",
                "first_name": "Имя",
                "roles": "teacher" if n % 3 else "teacher;psychologist",
            }
        )
        data["timetable"].append(
            {
                "id": f"TTX{n}",
                "class": "C7A",
                "subject": f"X{n}",
                "teacher": f"TX{n}",
                "weekday": str(n % 5 + 1),
                "period": "2",
                "room": "1",
                "valid_from": "2026-09-01",
            }
        )
        data["classes"].append({"id": f"CX{n}", "name": f"{n % 4 + 8}{'АБВ'[n // 4]}", "year": "Y"})
        data["students"].append(
            {
                "id": f"SX{n}",
                "last_name": "Ученик",
                "first_name": f"Номер{n}",
                "class": f"CX{n}",
                "enrolled": "2026-09-01",
            }
        )
    return data


async def test_statements_do_not_grow_with_the_school(mail: Mail, engine: AsyncEngine) -> None:
    async with mail.sessions() as session:
        with counting(engine) as small:
            few = await options_for(session, mail, "S1")
    await service.import_rows(mail.sessions, _bigger_school(), now=NOW, today=TODAY)
    async with mail.sessions() as session:
        with counting(engine) as big:
            many = await options_for(session, mail, "S1")
    assert len(many) == len(few) + 12 + 4  # twelve subjects, four more psychologists
    assert len(small) == len(big) == 6


async def test_a_child_without_a_class_is_offered_the_school_roles_only(mail: Mail) -> None:
    async with mail.sessions() as session:
        await session.execute(
            update(Student).where(Student.id == mail.ids["S1"]).values(class_id=None)
        )
        options = offered(await options_for(session, mail, "S1"), mail)
    assert options == SCHOOL_ROLES


async def test_the_teaching_load_offers_teachers_as_the_timetable_does(mail: Mail) -> None:
    async with mail.sessions() as session:
        session.add_all(
            [
                TeachingAssignment(
                    school_id=mail.school_id,
                    staff_id=mail.ids["T8"],
                    class_id=mail.ids["C7A"],
                    group_id=mail.ids["ENG2"],
                    subject_id=mail.ids["ENG"],
                ),
                TeachingAssignment(
                    school_id=mail.school_id,
                    staff_id=mail.ids["T9"],
                    class_id=mail.ids["C7A"],
                    group_id=None,
                    subject_id=mail.ids["RUS"],
                ),
            ]
        )
        await session.flush()
        anna = offered(await options_for(session, mail, "S1"), mail)
        dmitry = offered(await options_for(session, mail, "S3"), mail)
    assert ("T8", A.TEACHER, "Английский язык") in dmitry  # his group
    assert ("T8", A.TEACHER, "Английский язык") not in anna
    # The admin holds no teacher role: teaching load alone does not make her a teacher here.
    assert ("T9", A.TEACHER, "Русский язык") not in anna
    assert ("T9", A.ADMIN, None) in anna


async def test_a_head_teacher_who_teaches_is_offered_as_teacher_by_the_teacher_cell(
    mail: Mail,
) -> None:
    async with mail.sessions() as session:
        session.add(StaffRole(staff_id=mail.ids["T4"], role=Role.TEACHER))
        session.add(
            TeachingAssignment(
                school_id=mail.school_id,
                staff_id=mail.ids["T4"],
                class_id=mail.ids["C7A"],
                subject_id=mail.ids["ENG"],
            )
        )
        await session.flush()
        default = offered(await options_for(session, mail, "S3"), mail)
        await grant(
            session,
            mail.school_id,
            Role.TEACHER,
            Permission.RECEIVE_QUESTIONS,
            PermissionScope.NONE,
        )
        closed = offered(await options_for(session, mail, "S3"), mail)
    assert ("T4", A.TEACHER, "Английский язык") in default
    assert ("T4", A.HEAD_TEACHER, None) in default
    # The school takes no questions to teachers: she is offered as the head teacher only.
    assert closed == SCHOOL_ROLES
