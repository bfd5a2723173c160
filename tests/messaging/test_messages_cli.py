"""`journal messages inbox` and `journal messages export` as an operator runs them.

The threads are written through the core as the bot writes them (tests/bot/school.py's
families asking Крылова, T1), plus one thread to Орлов (T2) inserted directly:

- A: Ольга (G1) about Анна, algebra, with a PDF; answered "to all guardians" with a photo.
- B: Дмитрий (S3) himself, as a class teacher question; unread, reported; its text is HTML.
- C: Павел (G2) about Дмитрий; closed by Крылова. Its text starts like a spreadsheet formula.
- D: Мария (G3) about Анна on 02.12; unread.
- E: Ольга to Орлов at exactly midnight of 01.12 school time; closed.

The ``sessions`` and ``mail`` fixtures here replace the package's (tests/messaging/conftest.py):
this school is tests/bot/school.py's, as the operator commands' other tests use.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.messaging.dto import Attachment
from core.messaging.export import (
    MESSAGE_COLUMNS,
    THREAD_COLUMNS,
    export_threads,
    staff_inbox,
)
from core.messaging.rules import MessagingRules
from core.messaging.threads import ask, post, report, set_status
from core.models import (
    AuditRecord,
    Guardian,
    MessageMute,
    MessageThread,
    School,
    Staff,
    Student,
    Subject,
    ThreadMessage,
)
from core.models.enums import AttachmentKind, AuthorKind, Messenger, ThreadStatus
from core.reader import Reader
from tests.bot import school
from tests.cli_kit import Journal, isolate, runner
from tests.conftest import seeds

TZ = ZoneInfo("Asia/Yekaterinburg")
RULES = MessagingRules(timezone=TZ)
PDF = Attachment(AttachmentKind.DOCUMENT, "doc-1", "справка.pdf", "application/pdf", 300_000)
PHOTO = Attachment(AttachmentKind.PHOTO, "photo-1", None, "image/jpeg", 200_000)
SCRIPT = '<script>alert(1)</script> & "x"'
FAR = datetime(2099, 1, 1, 5, 0, tzinfo=UTC)  # 10:00 school time


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass(frozen=True)
class Mail:
    ids: dict[str, int]  # people and subjects by the school's id
    threads: dict[str, int]  # "A".."E" → thread id


@pytest.fixture
@seeds(school.load)  # a copy of the school loaded once per worker (tests/conftest.py)
async def sessions(
    engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> async_sessionmaker[AsyncSession]:
    isolate(monkeypatch, db_url, tmp_path)
    return create_sessionmaker(engine)


@pytest.fixture
def journal(capsys: pytest.CaptureFixture[str]) -> Journal:
    return runner(capsys)


async def people(session: AsyncSession) -> dict[str, int]:
    found: dict[str, int] = {}
    for model in (Student, Guardian, Staff, Subject):
        rows = await session.execute(select(model.external_id, model.id))
        found.update({key: db_id for key, db_id in rows if key})
    return found


def reader(ids: dict[str, int], who: str, now: datetime) -> Reader:
    """The reader the bot builds for ``who`` (as ``core.linking.accounts.reader_of`` does)."""
    today = now.astimezone(TZ).date()
    if who.startswith("G"):
        return Reader("telegram", guardian_ids=(ids[who],), today=today)
    if who.startswith("S"):
        return Reader("telegram", student_id=ids[who], today=today)
    return Reader("telegram", staff_id=ids[who], today=today)


async def question(
    session: AsyncSession,
    ids: dict[str, int],
    who: str,
    student: str,
    text: str,
    now: datetime,
    *,
    role: str = "teacher",
    subject: str | None = "ALG",
    attachments: tuple[Attachment, ...] = (),
) -> int:
    receipt = await ask(
        session,
        reader(ids, who, now),
        RULES,
        student_id=ids[student],
        staff_id=ids["T1"],
        addressed_as=role,
        subject_id=ids[subject] if subject else None,
        text=text,
        attachments=attachments,
        messenger=Messenger.TELEGRAM,
        now=now,
    )
    return receipt.thread_id


async def thread_to_orlov(session: AsyncSession, ids: dict[str, int], school_id: int) -> int:
    """A thread as an import of an older journal would leave it: rows, not a chat."""
    at = local(1, 0, month=12)
    thread = MessageThread(
        school_id=school_id,
        student_id=ids["S1"],
        staff_id=ids["T2"],
        subject="Замена русского",
        status=ThreadStatus.CLOSED,
        asker_guardian_id=ids["G1"],
        addressed_as="teacher",
        last_message_at=at,
        closed_at=local(1, 9, month=12),
        created_at=at,
        updated_at=at,
    )
    session.add(thread)
    await session.flush()
    session.add(
        ThreadMessage(
            thread_id=thread.id,
            author_kind=AuthorKind.FAMILY,
            author_guardian_id=ids["G1"],
            text="Кто ведёт русский?",
            created_at=at,
        )
    )
    return thread.id


@pytest.fixture
async def mail(sessions: async_sessionmaker[AsyncSession]) -> Mail:
    async with sessions() as session:
        ids = await people(session)
        school_id = await session.scalar(select(School.id))
        assert school_id is not None
        threads = {
            "A": await question(
                session,
                ids,
                "G1",
                "S1",
                "Почему четвёрка за контрольную?\nМы готовились.",
                local(30, 10),
                attachments=(PDF,),
            ),
            "B": await question(
                session, ids, "S3", "S3", SCRIPT, local(30, 12), role="class_teacher", subject=None
            ),
            "C": await question(
                session,
                ids,
                "G2",
                "S3",
                "=1+2 - это формула?",
                local(30, 10, 30),
                role="class_teacher",
                subject=None,
            ),
            "D": await question(
                session, ids, "G3", "S1", "Можно пересдать?", local(2, 9, month=12)
            ),
        }
        await post(
            session,
            reader(ids, "T1", local(30, 11)),
            RULES,
            thread_id=threads["A"],
            text="Ошибка в задаче 3.",
            attachments=(PHOTO,),
            messenger=Messenger.TELEGRAM,
            now=local(30, 11),
            to_all_guardians=True,
        )
        await report(
            session, reader(ids, "S3", local(30, 12, 30)), RULES, threads["B"], local(30, 12, 30)
        )
        await set_status(
            session,
            reader(ids, "T1", local(30, 13)),
            RULES,
            threads["C"],
            ThreadStatus.CLOSED,
            local(30, 13),
        )
        threads["E"] = await thread_to_orlov(session, ids, school_id)
        session.add_all(
            [  # Ольга is muted by Крылова; Дмитрий's mute has run out; Мария is muted by Орлов.
                MessageMute(
                    school_id=school_id, staff_id=ids["T1"], guardian_id=ids["G1"], until=FAR
                ),
                MessageMute(
                    school_id=school_id,
                    staff_id=ids["T1"],
                    student_id=ids["S3"],
                    until=local(1, 10, month=12),
                ),
                MessageMute(
                    school_id=school_id, staff_id=ids["T2"], guardian_id=ids["G3"], until=FAR
                ),
            ]
        )
        # The writes above audit themselves; these tests look at the operator's reads only.
        await session.commit()
    return Mail(ids, threads)


async def operator_reads(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[str, int | None, int, str | None, int | None, int | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AuditRecord)
            .where(AuditRecord.action.in_(("thread_inbox", "thread_export")))
            .order_by(AuditRecord.id)
        )
        return [
            (
                r.action,
                r.student_id,
                (r.details or {})["thread_id"],
                r.actor_label,
                r.actor_account_id,
                r.actor_staff_id,
            )
            for r in rows.scalars()
        ]


def inbox_of_krylova(mail: Mail, *, closed: bool) -> str:
    t = mail.threads
    d = (
        f"#{t['D']}  open  Анна Иванова, 7А\n"
        "  from: Мария Смирнова\n"
        "  to: Крылова Нина Петровна\n"
        "  subject: Алгебра\n"
        "  created 2026-12-02 09:00, last message 2026-12-02 09:00\n"
        "  2026-12-02 09:00  Мария Смирнова  unread\n"
        "    Можно пересдать?\n"
    )
    b = (
        f"#{t['B']}  open  Дмитрий Петров, 7А\n"
        "  from: Дмитрий Петров\n"
        "  to: Крылова Нина Петровна\n"
        "  created 2026-11-30 12:00, last message 2026-11-30 12:00\n"
        "  reported to the administration 2026-11-30 12:30\n"
        "  2026-11-30 12:00  Дмитрий Петров  unread\n"
        f"    {SCRIPT}\n"
    )
    a = (
        f"#{t['A']}  answered  Анна Иванова, 7А\n"
        "  from: Ольга Иванова\n"
        "  to: Крылова Нина Петровна\n"
        "  subject: Алгебра\n"
        "  created 2026-11-30 10:00, last message 2026-11-30 11:00\n"
        "  answers shared with all guardians\n"
        "  the asker is muted until 2099-01-01 10:00\n"
        "  2026-11-30 10:00  Ольга Иванова  read\n"
        "    Почему четвёрка за контрольную?\n"
        "    Мы готовились.\n"
        "    files: справка.pdf\n"
        "  2026-11-30 11:00  Крылова Нина Петровна  to all guardians\n"
        "    Ошибка в задаче 3.\n"
        "    files: photo\n"
    )
    c = (
        f"#{t['C']}  closed  Дмитрий Петров, 7А\n"
        "  from: Павел Петров\n"
        "  to: Крылова Нина Петровна\n"
        "  created 2026-11-30 10:30, last message 2026-11-30 10:30\n"
        "  closed 2026-11-30 13:00\n"
        "  2026-11-30 10:30  Павел Петров  read\n"
        "    =1+2 - это формула?\n"
    )
    return "\n".join([d, b, a, c] if closed else [d, b, a])


async def test_inbox_shows_open_threads_newest_first_with_read_marks_and_mutes(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal
) -> None:
    shown = await journal("messages", "inbox", "--staff", "T1")
    assert (shown.code, shown.err) == (0, "")
    assert shown.out == inbox_of_krylova(mail, closed=False)
    t, ids = mail.threads, mail.ids
    assert await operator_reads(sessions) == [
        ("thread_inbox", ids["S1"], t["D"], "cli", None, None),
        ("thread_inbox", ids["S3"], t["B"], "cli", None, None),
        ("thread_inbox", ids["S1"], t["A"], "cli", None, None),
    ]


async def test_inbox_all_adds_closed_threads(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal
) -> None:
    shown = await journal("messages", "inbox", "--staff", "T1", "--all", "--school", "SCH")
    assert (shown.code, shown.err) == (0, "")
    assert shown.out == inbox_of_krylova(mail, closed=True)
    assert [read[2] for read in await operator_reads(sessions)] == [
        mail.threads[key] for key in "DBAC"
    ]


async def test_inbox_of_another_staff_member_by_db_id(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal
) -> None:
    orlov = f"#{mail.ids['T2']}"
    empty = await journal("messages", "inbox", "--staff", orlov)
    assert (empty.code, empty.out, empty.err) == (0, "no threads\n", "")
    assert await operator_reads(sessions) == []

    shown = await journal("messages", "inbox", "--staff", orlov, "--all")
    # Мария is muted by Орлов, not Ольга: no mute line on Ольга's thread.
    assert shown.out == (
        f"#{mail.threads['E']}  closed  Анна Иванова, 7А\n"
        "  from: Ольга Иванова\n"
        "  to: Орлов Пётр Ильич\n"
        "  created 2026-12-01 00:00, last message 2026-12-01 00:00\n"
        "  closed 2026-12-01 09:00\n"
        "  2026-12-01 00:00  Ольга Иванова  unread\n"
        "    Кто ведёт русский?\n"
    )
    assert [read[:3] for read in await operator_reads(sessions)] == [
        ("thread_inbox", mail.ids["S1"], mail.threads["E"])
    ]


async def test_the_operator_language_words_the_inbox_and_the_refusals(
    sessions: async_sessionmaker[AsyncSession],
    mail: Mail,
    journal: Journal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", "ru")
    shown = await journal("messages", "inbox", "--staff", "T2", "--all")
    assert shown.out.splitlines()[:3] == [
        f"#{mail.threads['E']}  закрыта  Анна Иванова, 7А",
        "  от: Ольга Иванова",
        "  кому: Орлов Пётр Ильич",
    ]
    assert "  2026-12-01 00:00  Ольга Иванова  не прочитано" in shown.out.splitlines()
    missing = await journal("messages", "export", "--thread", "987654")
    assert (missing.code, missing.err) == (2, "journal: нет переписки №987654\n")


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read Cyrillic"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def header(path: Path) -> tuple[str, ...]:
    first = path.read_bytes().decode("utf-8-sig").split("\r\n", 1)[0]
    return tuple(first.split(","))


async def test_export_writes_threads_messages_and_a_page(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    done = await journal("messages", "export")
    out = tmp_path / "messages-export"
    assert (done.code, done.err) == (0, "")
    assert done.out == f"exported threads: 5, messages: 6, to {out}\n"
    assert sorted(p.name for p in out.iterdir()) == ["messages.csv", "threads.csv", "threads.html"]
    # Families' correspondence: the directory and the files are their owner's only.
    assert out.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())

    assert (
        header(out / "threads.csv")
        == THREAD_COLUMNS
        == (
            "id",
            "created_at",
            "last_message_at",
            "status",
            "student_id",
            "student_name",
            "class",
            "asker_kind",
            "asker_name",
            "staff_id",
            "staff_name",
            "addressed_as",
            "subject",
            "title",
            "shared_with_guardians",
            "closed_at",
            "reported_at",
        )
    )
    t = mail.threads
    threads = read_csv(out / "threads.csv")
    assert [row["id"] for row in threads] == [str(t[key]) for key in "ABCDE"]
    assert threads[0] == {
        "id": str(t["A"]),
        "created_at": "2026-11-30T10:00:00+05:00",
        "last_message_at": "2026-11-30T11:00:00+05:00",
        "status": "answered",
        "student_id": "S1",
        "student_name": "Анна Иванова",
        "class": "7А",
        "asker_kind": "guardian",
        "asker_name": "Ольга Иванова",
        "staff_id": "T1",
        "staff_name": "Крылова Нина Петровна",
        "addressed_as": "teacher",
        "subject": "Алгебра",
        "title": "Почему четвёрка за контрольную?",
        "shared_with_guardians": "true",
        "closed_at": "",
        "reported_at": "",
    }
    b, c, e = threads[1], threads[2], threads[4]
    assert (b["asker_kind"], b["asker_name"], b["subject"], b["title"]) == (
        "student",
        "Дмитрий Петров",
        "",
        SCRIPT,
    )
    assert (b["status"], b["reported_at"], b["addressed_as"]) == (
        "open",
        "2026-11-30T12:30:00+05:00",
        "class_teacher",
    )
    assert (c["status"], c["closed_at"], c["shared_with_guardians"]) == (
        "closed",
        "2026-11-30T13:00:00+05:00",
        "false",
    )
    # A cell that starts like a formula is kept as text for the spreadsheet.
    assert c["title"] == "'=1+2 - это формула?"
    assert (e["staff_id"], e["staff_name"], e["subject"]) == ("T2", "Орлов Пётр Ильич", "")

    assert (
        header(out / "messages.csv")
        == MESSAGE_COLUMNS
        == (
            "thread_id",
            "message_id",
            "created_at",
            "author_kind",
            "author_name",
            "text",
            "read_at",
            "to_all_guardians",
            "attachments",
        )
    )
    messages = read_csv(out / "messages.csv")
    assert [(row["thread_id"], row["author_name"]) for row in messages] == [
        (str(t["A"]), "Ольга Иванова"),
        (str(t["A"]), "Крылова Нина Петровна"),
        (str(t["B"]), "Дмитрий Петров"),
        (str(t["C"]), "Павел Петров"),
        (str(t["D"]), "Мария Смирнова"),
        (str(t["E"]), "Ольга Иванова"),
    ]
    asked, answered = messages[0], messages[1]
    assert int(asked["message_id"]) < int(answered["message_id"])
    assert {k: v for k, v in asked.items() if k != "message_id"} == {
        "thread_id": str(t["A"]),
        "created_at": "2026-11-30T10:00:00+05:00",
        "author_kind": "guardian",
        "author_name": "Ольга Иванова",
        "text": "Почему четвёрка за контрольную?\nМы готовились.",
        "read_at": "2026-11-30T11:00:00+05:00",
        "to_all_guardians": "false",
        "attachments": "справка.pdf (document, 300000 bytes)",
    }
    assert (answered["author_kind"], answered["to_all_guardians"], answered["read_at"]) == (
        "staff",
        "true",
        "",
    )
    assert answered["attachments"] == "— (photo, 200000 bytes)"
    assert (messages[2]["author_kind"], messages[2]["text"], messages[2]["read_at"]) == (
        "student",
        SCRIPT,
        "",
    )
    assert messages[3]["text"] == "'=1+2 - это формула?"

    ids = mail.ids
    assert await operator_reads(sessions) == [
        ("thread_export", ids[student], t[key], "cli", None, None)
        for key, student in zip("ABCDE", ("S1", "S3", "S3", "S1", "S1"), strict=True)
    ]


async def test_the_page_escapes_every_value_and_loads_nothing(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    assert (await journal("messages", "export", "--out", "page")).code == 0
    page = (tmp_path / "page" / "threads.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert html.escape(SCRIPT, quote=True) in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in page
    lowered = page.lower()
    for word in ("<script", "src=", "href=", "http:", "https:", "@import", "url("):
        assert word not in lowered
    assert [page.count(f'<section id="thread-{mail.threads[key]}">') for key in "ABCDE"] == [1] * 5
    assert page.count('class="message ') == 6
    sections = [page.index(f'id="thread-{mail.threads[key]}"') for key in "ABCDE"]
    assert sections == sorted(sections)
    asked, answer = page.index("Почему четвёрка"), page.index("Ошибка в задаче 3.")
    assert sections[0] < asked < answer < sections[1]
    assert "files: справка.pdf" in page
    assert "2026-11-30 12:00  Дмитрий Петров  unread" in page


async def test_exporting_twice_gives_identical_bytes(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    assert (await journal("messages", "export")).code == 0
    out = tmp_path / "messages-export"
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert (await journal("messages", "export")).code == 0  # into the same directory
    assert (await journal("messages", "export", "--out", "again")).code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()} == first
    assert len(await operator_reads(sessions)) == 15


async def test_export_one_thread(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    a = mail.threads["A"]
    done = await journal("messages", "export", "--thread", f"#{a}", "--out", "one")
    assert done.out == f"exported threads: 1, messages: 2, to {tmp_path / 'one'}\n"
    assert [row["id"] for row in read_csv(tmp_path / "one" / "threads.csv")] == [str(a)]
    assert {row["thread_id"] for row in read_csv(tmp_path / "one" / "messages.csv")} == {str(a)}
    page = (tmp_path / "one" / "threads.html").read_text(encoding="utf-8")
    assert page.count("<section ") == 1
    assert [read[:3] for read in await operator_reads(sessions)] == [
        ("thread_export", mail.ids["S1"], a)
    ]


async def test_export_since_a_school_date(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    # E's only message came at 00:00 on 01.12 school time (19:00 UTC on 30.11): it is in.
    done = await journal("messages", "export", "--since", "2026-12-01", "--out", "dec")
    assert done.out == f"exported threads: 2, messages: 2, to {tmp_path / 'dec'}\n"
    t = mail.threads
    assert [row["id"] for row in read_csv(tmp_path / "dec" / "threads.csv")] == [
        str(t["D"]),
        str(t["E"]),
    ]
    assert [row["thread_id"] for row in read_csv(tmp_path / "dec" / "messages.csv")] == [
        str(t["D"]),
        str(t["E"]),
    ]
    later = await journal("messages", "export", "--since", "2026-12-02", "--out", "later")
    assert later.out.startswith("exported threads: 1, messages: 1, ")
    nothing = await journal("messages", "export", "--since", "2027-01-01", "--out", "none")
    assert nothing.out.startswith("exported threads: 0, messages: 0, ")
    assert read_csv(tmp_path / "none" / "threads.csv") == []
    assert header(tmp_path / "none" / "threads.csv") == THREAD_COLUMNS
    assert "no threads" in (tmp_path / "none" / "threads.html").read_text(encoding="utf-8")
    assert len(await operator_reads(sessions)) == 3


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("inbox", "--staff", "T404"), "there is no staff member with id T404"),
        (("inbox", "--staff", "S1"), "there is no staff member with id S1"),
        (("inbox", "--staff", "#987654", "--all"), "there is no staff member with id #987654"),
        (("inbox", "--staff", "T1", "--school", "NOPE"), "there is no school with id NOPE"),
        (("export", "--thread", "987654"), "there is no thread #987654"),
        (("export", "--school", "NOPE"), "there is no school with id NOPE"),
    ],
)
async def test_a_wrong_id_is_one_line_and_exit_code_2(
    sessions: async_sessionmaker[AsyncSession],
    mail: Mail,
    journal: Journal,
    tmp_path: Path,
    argv: tuple[str, ...],
    line: str,
) -> None:
    bad = await journal("messages", *argv)
    assert (bad.code, bad.out) == (2, "")
    assert bad.err == f"journal: {line}\n"
    assert await operator_reads(sessions) == []
    assert not (tmp_path / "messages-export").exists()


async def test_a_thread_of_another_school_is_not_there(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal
) -> None:
    async with sessions() as session:
        session.add(School(external_id="SCH2", name="Лицей", short_name="Лицей"))
        await session.commit()
    a = mail.threads["A"]
    several = await journal("messages", "export", "--thread", str(a))
    assert several.err == "journal: the database holds several schools: give --school ID\n"
    other = await journal("messages", "export", "--thread", str(a), "--school", "SCH2")
    assert (other.code, other.err) == (2, f"journal: there is no thread #{a}\n")
    assert (await journal("messages", "export", "--thread", str(a), "--school", "SCH")).code == 0
    assert len(await operator_reads(sessions)) == 1


async def test_an_unwritable_directory_is_one_line_and_audits_nothing(
    sessions: async_sessionmaker[AsyncSession], mail: Mail, journal: Journal, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file, not a directory")
    bad = await journal("messages", "export", "--out", "taken")
    assert bad.code == 2
    assert bad.err.startswith(f"journal: cannot write {tmp_path / 'taken'}: ")
    assert len(bad.err.splitlines()) == 1
    assert await operator_reads(sessions) == []


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "--thread", "1", "--since", "2026-12-01"),
        ("export", "--thread", "x"),
        ("export", "--since", "2026-13-01"),
        ("inbox",),
    ],
)
async def test_argument_mistakes_stop_with_usage(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, argv: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        await journal("messages", *argv)
    assert stopped.value.code == 2


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """The statements run meanwhile, with their parameters."""
    statements: list[tuple[str, Any]] = []

    def listener(*args: Any) -> None:
        statements.append((args[2], args[3]))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def more_threads(sessions: async_sessionmaker[AsyncSession], mail: Mail, count: int) -> None:
    """``count`` more threads to Крылова, each with two messages and a file, closed."""
    async with sessions() as session:
        ids = mail.ids
        for number in range(count):
            now = local(3, 8, number, month=12)
            if number % 2:
                thread = await question(session, ids, "G3", "S1", f"Вопрос {number}", now)
            else:
                thread = await question(
                    session,
                    ids,
                    "S3",
                    "S3",
                    f"Вопрос {number}",
                    now,
                    role="class_teacher",
                    subject=None,
                )
            await post(
                session,
                reader(ids, "T1", now),
                RULES,
                thread_id=thread,
                text="Ответ",
                attachments=(PHOTO,),
                messenger=Messenger.TELEGRAM,
                now=now,
            )
            # Closed, as families may keep only three questions to one person open.
            await set_status(
                session, reader(ids, "T1", now), RULES, thread, ThreadStatus.CLOSED, now
            )
        await session.commit()


async def statements_of(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    call: Callable[[AsyncSession], Awaitable[tuple[Any, ...]]],
) -> tuple[int, int]:
    """(statements, threads) of one call, the connection already open."""
    async with sessions() as session:
        await session.execute(select(1))
        with counting(engine) as statements:
            found = await call(session)
        await session.rollback()
    return len(statements), len(found)


async def test_statements_do_not_grow_with_threads(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mail: Mail
) -> None:
    operator = Reader.operator("cli")
    async with sessions() as session:
        school_id = int(await session.scalar(select(School.id)) or 0)

    def export(thread_id: int | None = None) -> Callable[[AsyncSession], Awaitable[Any]]:
        return lambda session: export_threads(
            session, operator, school_id=school_id, timezone=TZ, thread_id=thread_id
        )

    def inbox(staff_id: int) -> Callable[[AsyncSession], Awaitable[Any]]:
        return lambda session: staff_inbox(
            session,
            operator,
            school_id=school_id,
            staff_id=staff_id,
            include_closed=True,
            now=datetime.now(UTC),
        )

    # Threads, messages, files, the audit insert: for one thread as for many.
    assert await statements_of(engine, sessions, export(mail.threads["A"])) == (4, 1)
    assert await statements_of(engine, sessions, inbox(mail.ids["T2"])) == (4, 1)
    await more_threads(sessions, mail, 8)
    assert await statements_of(engine, sessions, export()) == (4, 13)
    assert await statements_of(engine, sessions, inbox(mail.ids["T1"])) == (4, 12)
    # Nothing found: one statement, nothing audited.
    assert await statements_of(engine, sessions, export(987654)) == (1, 0)


async def test_the_reads_are_index_backed(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], mail: Mail, db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's EXPLAIN QUERY PLAN names the index of every step")
    operator = Reader.operator("cli")
    async with sessions() as session:
        school_id = int(await session.scalar(select(School.id)) or 0)
        with counting(engine) as statements:
            await staff_inbox(
                session,
                operator,
                school_id=school_id,
                staff_id=mail.ids["T1"],
                include_closed=False,
                now=datetime.now(UTC),
            )
            await export_threads(session, operator, school_id=school_id, timezone=TZ)
            await export_threads(
                session, operator, school_id=school_id, timezone=TZ, thread_id=mail.threads["A"]
            )
        reads = [(sql, params) for sql, params in statements if sql.startswith("SELECT")]
        assert len(reads) == 9
        connection = await session.connection()
        for sql, params in reads:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            steps = [str(step) for step in plan.scalars(3)]
            assert not [step for step in steps if step.startswith("SCAN")], (sql, steps)
