"""The report files: the class 8В of test_by_marks.py (second quarter) as a workbook and CSVs,
opened again with openpyxl and the csv module, and the figures checked by hand:

Mathematics (on averages): 5 5 5 4 4 4 3 3 2 2 and one н/а, one осв: N = 11, quality 6/11 =
54.55 %, success 8/11 = 72.73 %. Russian (term marks 5, н/а, 1, осв, 4, н/а): N = 5, quality
40 %, СОУ (100 + 64 + 7) / 5 = 34.20. By pupils, 13 pupils: отличники B01 and B13, хорошисты
B05, B10, B11 (each с одной 4), троечник B12 (с одной 3), неуспевающие B03, B04, B06, н/а B02
and B07, without results B08 and B09: quality 5/13 = 38.46 %, success 8/13 = 61.54 %.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass
from core.reader import Reader
from core.reports import files
from core.reports.attendance import class_attendance
from core.reports.by_marks import MarksReport, by_marks
from core.reports.by_pupils import by_pupils
from core.reports.keeping import KeepingReport, KeepingRow
from core.reports.period import ReportPeriod
from core.reports.roster import Pupil
from core.reports.rules import ReportRules
from core.services.movement import Change, ClassMovement, MovementReport, MovementRow
from tests.bot import school
from tests.reports.test_by_marks import tables

TERM = ReportPeriod.term(2)


@pytest.fixture
async def document(sessions: async_sessionmaker[AsyncSession]) -> files.Document:
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    reader = Reader.operator("test")
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "8В"))
        ).scalar_one()
        marks = await by_marks(session, [class_id], TERM, reader, on=school.TODAY)
        pupils = await by_pupils(session, class_id, TERM, reader, on=school.TODAY)
        attendance = await class_attendance(session, class_id, TERM, reader, on=school.TODAY)
    return files.class_document(marks, pupils, attendance, stem="отчёт-8В")


def _rows(sheet: Worksheet) -> dict[str, list[object]]:
    """Data rows (from row 3) by their first cell."""
    return {
        str(row[0]): list(row)
        for row in sheet.iter_rows(min_row=3, values_only=True)
        if row[0] is not None
    }


async def test_the_workbook_has_a_sheet_per_section_and_numbers_as_numbers(
    document: files.Document,
) -> None:
    book = load_workbook(io.BytesIO(files.to_xlsx(document)))
    assert book.sheetnames == ["По предметам", "По обучающимся", "Посещаемость"]

    subjects = book["По предметам"]
    assert "класс 8В" in str(subjects["A1"].value)
    assert "N — обучающиеся с отметкой и н/а" in str(subjects["A1"].value)
    headings = [c.value for c in subjects[2]]
    assert headings[:3] == ["Предмет", "Источник", "N"]
    assert {"Качество", "Успеваемость", "СОУ", "Средний балл"} <= set(headings)
    math = _rows(subjects)["Математика"]
    column = {h: i for i, h in enumerate(headings)}
    assert math[column["N"]] == 11
    assert (math[column["«5»"]], math[column["«4»"]], math[column["«3»"]]) == (3, 3, 2)
    assert math[column["н/а"]] == 1
    assert math[column["Качество"]] == pytest.approx(0.5455)
    assert math[column["Успеваемость"]] == pytest.approx(0.7273)
    quality_cell = subjects.cell(row=3, column=column["Качество"] + 1)
    assert quality_cell.number_format == "0.00%"
    assert isinstance(quality_cell.value, float | int)
    russian = _rows(subjects)["Русский язык"]
    assert russian[column["N"]] == 5
    assert russian[column["СОУ"]] == pytest.approx(0.342)
    assert russian[column["Источник"]] == "по итоговым отметкам"
    assert subjects.column_dimensions["A"].width >= len("Русский язык")

    pupils = _rows(book["По обучающимся"])
    assert pupils["Обучающихся"][1] == 13
    assert pupils["Отличники"][1:4:2] == [2, "ВосьмойB01 Ян, ВосьмойB13 Ян"]
    assert pupils["из них с одной «4»"][1] == 3
    assert pupils["из них с одной «3»"][3] == "ВосьмойB12 Ян"
    assert pupils["Неуспевающие"][1] == 3
    assert pupils["Не аттестованы"][1] == 2
    assert pupils["Качество знаний"][2] == pytest.approx(0.3846)
    assert pupils["Успеваемость"][2] == pytest.approx(0.6154)

    attendance = _rows(book["Посещаемость"])
    assert attendance["Итого"][1] == 0  # 8В has no lessons in the journal
    assert len(attendance) == 14  # 13 pupils and the total


async def test_one_csv_per_section_for_russian_excel(document: files.Document) -> None:
    written = files.to_csv(document)
    assert sorted(written) == [
        "отчёт-8В-attendance.csv",
        "отчёт-8В-pupils.csv",
        "отчёт-8В-subjects.csv",
    ]
    data = written["отчёт-8В-subjects.csv"]
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Предмет", "Источник", "N"]
    math = next(r for r in rows if r[0] == "Математика")
    header = rows[0]
    assert math[header.index("N")] == "11"
    assert math[header.index("Качество")] == "54,55"
    assert math[header.index("Успеваемость")] == "72,73"
    pupils = list(
        csv.reader(io.StringIO(written["отчёт-8В-pupils.csv"].decode("utf-8-sig")), delimiter=";")
    )
    assert ["Качество знаний", "", "38,46", ""] in pupils


def _movement() -> MovementReport:
    return MovementReport(
        date(2026, 11, 1),
        date(2026, 11, 30),
        (ClassMovement(1, "7А", 25, 1, 0, 1, 0, 25), ClassMovement(2, "7Б", 24, 0, 1, 0, 1, 24)),
        (
            MovementRow(5, "Новиков Ян", date(2026, 11, 3), Change.ARRIVED, None, "7А", "№ 12"),
            MovementRow(6, "=HYPERLINK(1)", date(2026, 11, 9), Change.MOVED, "7А", "7Б", None),
        ),
    )


def test_the_movement_report_as_files() -> None:
    document = files.movement_document(_movement())
    book = load_workbook(io.BytesIO(files.to_xlsx(document)))
    assert book.sheetnames == ["Движение", "Движение поимённо"]
    summary = _rows(book["Движение"])
    assert summary["7А"] == ["7А", 25, 1, 0, 1, 0, 25]
    names = book["Движение поимённо"]
    assert [c.value for c in names[3]] == ["03.11.2026", "Новиков Ян", "прибыл", None, "7А", "№ 12"]
    assert names["B4"].value == "=HYPERLINK(1)"
    assert names["B4"].data_type == "s"  # text, never a formula
    written = files.to_csv(document)
    text = written["движение-20261101-20261130-movement-pupils.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "переведён;7А;7Б" in text


def test_a_percent_keeps_its_places() -> None:
    table = files.Table(
        "t", "T", "", (files.Column("x", files.Kind.PERCENT),), ((Decimal("100.00"),),)
    )
    document = files.Document("t", (table,))
    assert files.to_csv(document)["t-t.csv"].decode("utf-8-sig").splitlines()[1] == "100,00"
    sheet = load_workbook(io.BytesIO(files.to_xlsx(document)))["T"]
    assert sheet["A3"].value == 1
    assert sheet["A3"].number_format == "0.00%"


def keeping_example() -> tuple[MarksReport, KeepingReport]:
    """A teacher's analysis by hand: a row with figures, a row without lessons or entered marks."""
    period, on = ReportPeriod.term(2), date(2026, 11, 30)
    rules = ReportRules()
    marks = MarksReport((1,), period, on, rules, rules.n_rule, rules.sou_rule, "none", ())
    day = date(2026, 11, 9)
    few = (Pupil(3, "=Андреев Олег"), Pupil(4, "Сидорова Вера"))
    rows = (
        KeepingRow(1, "7А", 10, "Алгебра", day, on, 5, 3, Decimal("60.00"), 4, 10,
                   Decimal("3.46"), 6, Decimal("2.5"), 11, few),
        KeepingRow(1, "7А", 11, "Русский язык", day, on, 0, 0, None, 4, 0,
                   Decimal("0.00"), 0, None, None, ()),
    )  # fmt: skip
    return marks, KeepingReport(7, period, on, rules, rows)


def test_the_keeping_table_as_files() -> None:
    marks, keeping = keeping_example()
    document = files.teacher_document(marks, keeping, "учитель Крылова Н. П.", "учитель-T1")
    assert document.keeping is keeping
    book = load_workbook(io.BytesIO(files.to_xlsx(document)))
    assert book.sheetnames == ["По предметам", "Ведение журнала"]
    sheet = book["Ведение журнала"]
    assert "Ведение журнала: учитель Крылова Н. П., 2-й учебный период, на 30.11.2026" in str(
        sheet["A1"].value
    )
    algebra, russian = (list(r) for r in sheet.iter_rows(min_row=3, values_only=True))
    assert algebra[:4] == ["7А", "Алгебра", 5, 3]
    assert algebra[4] == pytest.approx(0.6)
    assert sheet["E3"].number_format == "0.00%"
    assert algebra[5:7] == [4, 10]
    assert algebra[7:9] == [pytest.approx(3.46), pytest.approx(2.5)]
    assert algebra[9:] == [11, 2, "=Андреев Олег, Сидорова Вера"]
    assert sheet["L3"].data_type == "s"
    assert russian == ["7А", "Русский язык", 0, 0, None, 4, 0, 0, None, None, 0, None]
    written = files.to_csv(document)
    assert sorted(written) == ["учитель-T1-keeping.csv", "учитель-T1-subjects.csv"]
    lines = written["учитель-T1-keeping.csv"].decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Класс;Предмет;Уроков;С темой;Доля с темой, %;Обучающихся;")
    assert lines[1] == "7А;Алгебра;5;3;60,00;4;10;3,46;2,50;11;2;'=Андреев Олег, Сидорова Вера"
    assert lines[2] == "7А;Русский язык;0;0;;4;0;0,00;;;0;"
