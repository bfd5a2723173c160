"""`journal privacy report`: everything about a person and who read it, nobody else's; and
`journal privacy purge` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.models import AccountLink, AuditRecord, LinkAttempt, Staff, Student
from core.models.enums import Messenger
from core.privacy.report import find_person, subject_report
from core.reader import Reader
from core.services.diary import diary
from tests.bot import school
from tests.cli_kit import Journal, isolate, runner
from tests.privacy.conftest import db_id, link

Sessions = async_sessionmaker[AsyncSession]


async def _reads(sessions: Sessions, clock: FrozenClock) -> dict[str, int]:
    """Olga reads Anna's diary from her account; the teacher reads Dmitry's."""
    olga = await link(sessions, "G1", "706", clock)
    anna = await db_id(sessions, Student, "S1")
    dmitry = await db_id(sessions, Student, "S3")
    async with sessions() as session:
        guardian_id = (
            await session.scalars(
                select(AccountLink.guardian_id).where(AccountLink.account_id == olga)
            )
        ).one()
        assert guardian_id is not None
        teacher = await session.scalar(select(Staff.id).where(Staff.external_id == "T1"))
        mother = Reader(
            "telegram", account_id=olga, guardian_ids=(guardian_id,), today=school.TODAY
        )
        await diary(session, anna, school.TODAY, school.TODAY, mother)
        krylova = Reader("telegram", staff_id=teacher, today=school.TODAY)
        await diary(session, dmitry, school.TODAY, school.TODAY, krylova)
        await session.commit()
    return {"olga": olga, "anna": anna, "dmitry": dmitry}


async def test_a_pupils_report_lists_their_data_and_every_read_of_it(
    sessions: Sessions, clock: FrozenClock
) -> None:
    ids = await _reads(sessions, clock)
    async with sessions() as session:
        school_id = (await session.scalars(select(Student.school_id))).first()
        assert school_id is not None
        kind, anna = await find_person(session, school_id, "S1")
        report = await subject_report(session, kind, anna, Reader.operator("cli"))
        await session.commit()

    assert (kind, anna) == ("student", ids["anna"])
    assert ("first_name", "Анна") in report.fields
    assert ("class", "7А") in report.fields
    assert {other.external_id for other in report.related} == {"G1", "G3"}
    assert dict(report.journal)["marks"] == 3  # M1-M3; Dmitry's M4 is not hers
    assert [(r.action, r.actor_account_id) for r in report.reads] == [("read_diary", ids["olga"])]
    assert report.reads[0].granted
    assert report.accounts == ()  # Anna has no account of her own
    async with sessions() as session:
        audited = (
            await session.scalars(select(AuditRecord).where(AuditRecord.action == "privacy_report"))
        ).one()
        assert (audited.student_id, audited.actor_label) == (anna, "cli")


async def test_a_guardians_report_lists_her_account_and_what_it_did(
    sessions: Sessions, clock: FrozenClock
) -> None:
    ids = await _reads(sessions, clock)
    async with sessions() as session:
        school_id = (await session.scalars(select(Student.school_id))).first()
        assert school_id is not None
        kind, olga = await find_person(session, school_id, "G1")
        report = await subject_report(session, kind, olga, Reader.operator("cli"))

    assert kind == "guardian"
    assert ("phone", school.OLGA_PHONE) in report.fields
    assert {other.external_id for other in report.related} == {"S1", "S2"}
    assert [a.id for a in report.accounts] == [ids["olga"]]
    assert report.accounts[0].messenger == Messenger.TELEGRAM.value
    assert report.accounts[0].user_key == "706"
    assert dict(report.invites) == {"issued": 1, "used": 1, "revoked": 0}
    assert [r.action for r in report.activity] == ["link_invite", "read_diary"]
    assert report.reads == ()  # the trail names pupils: see Anna's own report


@pytest.fixture
def journal(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Journal:
    isolate(monkeypatch, db_url, tmp_path)
    return runner(capsys)


async def test_the_command_prints_text_and_json_and_only_that_persons_reads(
    sessions: Sessions, clock: FrozenClock, journal: Journal
) -> None:
    ids = await _reads(sessions, clock)

    text = await journal("privacy", "report", "--person", "S1")
    assert text.code == 0, text.err
    assert "Personal data held about student S1" in text.out
    assert "Иванова" in text.out
    assert f"account #{ids['olga']} / telegram  read_diary  read" in text.out
    assert "Крылова" not in text.out  # she read Dmitry's diary, not Anna's

    other = await journal("privacy", "report", "--person", "S3", "--json")
    assert other.code == 0, other.err
    data = json.loads(other.out)
    assert data["kind"] == "student"
    assert data["fields"]["first_name"] == "Дмитрий"
    assert [(r["action"], r["actor_name"]) for r in data["reads"]] == [
        ("read_diary", "Крылова Н. П.")
    ]
    assert all(r["actor_account_id"] != ids["olga"] for r in data["reads"])

    guardian = await journal("privacy", "report", "--person", "G1", "--json")
    accounts = json.loads(guardian.out)["accounts"]
    assert [a["id"] for a in accounts] == [ids["olga"]]
    assert accounts[0]["linked_at"].startswith(clock.now().date().isoformat())

    missing = await journal("privacy", "report", "--person", "NOBODY")
    assert missing.code == 2
    assert "there is no student, guardian or staff member with id NOBODY" in missing.err


async def test_the_report_speaks_the_operators_language(
    sessions: Sessions,
    clock: FrozenClock,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _reads(sessions, clock)
    isolate(monkeypatch, db_url, tmp_path, locale="ru")

    run = await runner(capsys)("privacy", "report", "--person", "S1")

    assert run.code == 0, run.err
    assert "Персональные данные в журнале" in run.out
    assert "Кто читал данные этого человека" in run.out


async def test_purge_from_the_command_line(
    sessions: Sessions, clock: FrozenClock, journal: Journal
) -> None:
    async with sessions() as session:
        session.add(
            LinkAttempt(
                messenger=Messenger.TELEGRAM,
                user_key="1",
                attempted_at=clock.now().replace(year=clock.now().year - 1),
            )
        )
        await session.commit()

    dry = await journal("privacy", "purge", "--dry-run")
    assert dry.code == 0, dry.err
    assert "failed link attempts deleted: 1" in dry.out
    assert "dry run: nothing was changed" in dry.out
    done = await journal("privacy", "purge")
    assert "failed link attempts deleted: 1" in done.out
    again = await journal("privacy", "purge")
    assert "failed link attempts deleted: 0" in again.out
    async with sessions() as session:
        assert (await session.scalars(select(LinkAttempt))).first() is None
