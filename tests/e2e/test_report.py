"""``/report`` in both messengers: a class teacher walks the pickers to her class's table and
receives the workbook as a document (Telegram's ``sendDocument``; MAX's uploaded file in a
message), and the workbook opens with its three sheets. The tiny school's Monday morning."""

from __future__ import annotations

import asyncio
import io

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from tests.bot import school
from tests.e2e.sides import MaxSide, Side, TelegramSide, running
from tests.notify.families import KRYLOVA, link_account, processed_everything

PAUSE = 0.3  # past the per-chat second of the fakes' limits


async def _document(side: Side, person_id: int) -> bytes | None:
    if isinstance(side, TelegramSide):
        [sent] = await side.fake.wait_for(
            lambda s: s.method == "sendDocument" and s.chat_id == person_id, 1, 15
        )
        assert (sent.filename or "").endswith(".xlsx")
        return sent.file_bytes
    assert isinstance(side, MaxSide)
    [kept] = await side.fake.wait_for(
        lambda s: s.user_id == person_id and s.file_bytes is not None, 1, 15
    )
    return kept.file_bytes


async def test_a_class_teacher_gets_her_class_report_and_its_workbook(
    side: Side, db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, KRYLOVA, "T1", locale="en", messenger=side.messenger)
    async with running(db_url, clock, side):
        krylova = side.person(KRYLOVA, "Нина")
        await side.say(krylova, "/report")
        [periods] = await side.hears(krylova)
        await side.press(krylova, periods, periods.data("This term"))
        forms = await side.sees_edit(krylova)
        await asyncio.sleep(PAUSE)
        await side.press(krylova, forms, forms.data("A class"))
        classes = await side.sees_edit(krylova)
        await asyncio.sleep(PAUSE)
        await side.press(krylova, classes, classes.data("7А"))
        table = await side.sees_edit(krylova)
        assert "7А" in table.text
        assert "Алгебра" in table.text
        assert "Quality" in table.text
        await asyncio.sleep(PAUSE)
        await side.press(krylova, table, table.data("XLSX"))
        workbook = await _document(side, KRYLOVA)
        assert workbook is not None
        book = load_workbook(io.BytesIO(workbook))
        assert book.sheetnames == ["По предметам", "По обучающимся", "Посещаемость"]
        assert side.refused() == []
