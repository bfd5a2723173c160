"""``/report`` in the chat: the head teacher picks this term, a class, 7А, and reads the
figures worked out by hand from tests/bot/school.py; the XLSX button sends the workbook.

7А, second quarter, on averages: algebra Анна 5 (w1), 4 (w2), 3 (w1) → 4.00 → 4, Дмитрий 2
→ N 2, quality 50 %, success 50 %, СОУ (64 + 16) / 2 = 40, average 3. Russian: no marks. By
pupils: Анна хорошистка с одной 4, Дмитрий неуспевающий: quality 50 %, success 50 %.

Орлов (T2) is made head teacher; Крылова (T1) leads 7А; a second teacher (T3) leads nothing.
Users speak English, so the tests do not depend on the Russian catalogue.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass, Staff, StaffRole
from core.models.enums import Role
from handlers.views.report import ReportPick
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import audit_actions, link

OLGA, HEAD, KRYLOVA, PLAIN = 10, 60, 50, 70


@pytest.fixture
def documents(driver: ChatDriver, monkeypatch: pytest.MonkeyPatch) -> list[SendDocument]:
    """Every sendDocument the bot makes, with its bytes."""
    sent: list[SendDocument] = []
    original = driver.session.make_request

    async def recording(bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        if isinstance(method, SendDocument):
            sent.append(method)
        return await original(bot, method, timeout)

    monkeypatch.setattr(driver.session, "make_request", recording)
    return sent


@pytest.fixture
async def staff(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Орлов made head teacher, a third teacher hired; the three staff linked, in English."""
    new_teacher = {"id": "T3", "last_name": "Зуев", "first_name": "Иван", "roles": "teacher"}
    await service.import_rows(
        sessions, {"staff": [new_teacher]}, now=school.NOW, today=school.TODAY
    )
    async with sessions() as session:
        orlov = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T2"))
        ).scalar_one()
        session.add(StaffRole(staff_id=orlov, role=Role.HEAD_TEACHER))
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        await session.commit()
    await link(driver, sessions, HEAD, "T2", Role.TEACHER, language="en")
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    await link(driver, sessions, PLAIN, "T3", Role.TEACHER, language="en")
    return classes


def _data(calls: list[Any], prefix: str) -> str:
    return next(d for d in button_data(calls) if d.startswith(prefix))


async def test_the_head_teacher_walks_the_pickers_and_reads_the_figures(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    head = driver.user(HEAD, "en")
    asked = await driver.send(head, "/report")
    assert "for which period" in texts(asked)
    term = ReportPick(per="t").pack()
    assert term in button_data(asked)
    forms = await driver.press(head, term)
    parallel = ReportPick(per="t", form="p").pack()
    assert parallel in button_data(forms)  # the administration may pick a parallel
    classes = await driver.press(head, ReportPick(per="t", form="c").pack())
    assert ReportPick(per="t", form="c", id=staff["5Б"]).pack() in button_data(classes)
    pick = ReportPick(per="t", form="c", id=staff["7А"]).pack()
    assert len(pick.encode()) < 64
    shown = texts(await driver.press(head, pick))
    assert "<b>7А</b>, term 2" in shown
    algebra = next(line for line in shown.splitlines() if line.startswith("Алгебра"))
    assert algebra.removesuffix("</pre>").split() == ["Алгебра", "2", "50", "50", "40", "3"]
    assert "<pre>Subject    N    Q%    S%   SOU  Avg\n" in shown
    pre = shown[shown.index("<pre>") + 5 : shown.index("</pre>")]
    assert max(len(line) for line in pre.splitlines()) <= 35  # fits a phone
    assert "with one 4: Иванова Анна" in shown
    assert "Failing: 1" in shown
    assert "Quality 50 %, success 50 %" in shown
    assert "read_report" in await audit_actions(sessions)

    xlsx = ReportPick(per="t", form="c", id=staff["7А"], act="x").pack()
    await driver.press(head, xlsx)
    [sent] = documents
    assert isinstance(sent.document, BufferedInputFile)
    assert sent.document.filename == "отчёт-7А.xlsx"
    book = load_workbook(io.BytesIO(sent.document.data))
    assert book.sheetnames == ["По предметам", "По обучающимся", "Посещаемость"]
    rows = list(book["По предметам"].iter_rows(min_row=3, values_only=True))
    assert rows[0][:3] == ("Алгебра", "по средним баллам за период", 2)

    grade = texts(await driver.press(head, ReportPick(per="y", form="p", id=7).pack()))
    assert "Grade 7, all classes" in grade
    assert "the year" in grade


async def test_a_class_teacher_sees_only_the_class_they_lead(
    driver: ChatDriver, staff: dict[str, int]
) -> None:
    krylova = driver.user(KRYLOVA, "en")
    await driver.send(krylova, "/report")
    forms = await driver.press(krylova, ReportPick(per="y").pack())
    assert ReportPick(per="y", form="p").pack() not in button_data(forms)
    classes = await driver.press(krylova, ReportPick(per="y", form="c").pack())
    assert button_data(classes) == [ReportPick(per="y", form="c", id=staff["7А"]).pack()]
    shown = texts(await driver.press(krylova, ReportPick(per="y", form="c", id=staff["7А"]).pack()))
    assert "<b>7А</b>, the year" in shown
    # A forged press for another class, or a parallel with another's class, is refused by
    # the core (the 7th grade is 7А alone, hers, so that parallel would be granted).
    for forged in (
        ReportPick(per="t", form="c", id=staff["5Б"]).pack(),
        ReportPick(per="t", form="p", id=5).pack(),
    ):
        [answer] = await driver.press(krylova, forged)
        assert answer.show_alert
        assert "not available" in (answer.text or "")


async def test_a_parent_and_a_teacher_without_a_class_are_refused(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    await link(driver, sessions, OLGA, "G1", language="en")
    olga = driver.user(OLGA, "en")
    plain = driver.user(PLAIN, "en")
    for user in (olga, plain):
        refused = await driver.send(user, "/report")
        assert "administration and class teachers" in texts(refused)
        assert button_data(refused) == []
        # Pressing the buttons anyway: the pickers refuse, and so does the report itself.
        [step] = await driver.press(user, ReportPick(per="t", form="c").pack())
        assert step.show_alert
        for forged in (
            ReportPick(per="t", form="c", id=staff["7А"]).pack(),
            ReportPick(per="t", form="c", id=staff["7А"], act="x").pack(),
        ):
            [answer] = await driver.press(user, forged)
            assert answer.show_alert
            assert "Алгебра" not in (answer.text or "")
    assert documents == []


async def test_nonsense_in_the_button_is_refused(driver: ChatDriver, staff: dict[str, int]) -> None:
    head = driver.user(HEAD, "en")
    for data in ("rp1:q:c:0:", "rp1:t:z:0:", f"rp1:t:c:{10**9}:"):
        [answer] = await driver.press(head, data)
        assert answer.show_alert
