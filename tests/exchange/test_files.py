"""Reading exchange files: encodings, separators, headers, table recognition, XLSX cells."""

from __future__ import annotations

import os
import random
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.exchange.files import SourceTable, decode, detect_separator, read_path
from core.exchange.problems import Problem, Severity

MARKS = "id,student,subject,date,value\nM1,S1,ALG,2026-11-23,5\nM2,S2,ALG,2026-11-24,зач\n"
MARK_ROWS = [
    {"id": "M1", "student": "S1", "subject": "ALG", "date": "2026-11-23", "value": "5"},
    {"id": "M2", "student": "S2", "subject": "ALG", "date": "2026-11-24", "value": "зач"},
]
SUBSTITUTIONS = (
    "дата,урок,Класс,Предмет,Отсутствующий учитель,Основание,Заменяющий учитель,Кабинет,примеч\n"
    "30.11.2026,1,7А,алгебра,Иванова М.П.,больничный,Петров О.И.,201,\n"
)


def one(path: Path) -> SourceTable:
    tables, problems = read_path(path)
    assert problems == []
    assert len(tables) == 1
    return tables[0]


def rows(table: SourceTable) -> list[dict[str, str]]:
    return [row.cells for row in table.rows]


def lines(table: SourceTable) -> list[int]:
    return [row.line for row in table.rows]


def rendered(problems: list[Problem]) -> list[str]:
    return [p.render() for p in problems]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.ERROR]


# --- encodings and separators -------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf8", "utf8-bom"])
def test_utf8_with_and_without_bom(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "marks.csv"
    path.write_bytes(bom + MARKS.encode())
    table = one(path)
    assert table.table.name == "marks"
    assert table.source == "marks.csv"
    assert table.columns == ("id", "student", "subject", "date", "value")
    assert rows(table) == MARK_ROWS
    assert lines(table) == [2, 3]


def test_windows_1251_with_semicolons_and_russian_headers(tmp_path: Path) -> None:
    path = tmp_path / "Оценки.csv"
    path.write_bytes(
        "Код;Ученик;Предмет;Дата;Оценка;Комментарий\r\n"
        "M1;S1;Алгебра;23.11.2026;5;молодец, Пётр\r\n".encode("cp1251")
    )
    table = one(path)
    assert table.table.name == "marks"
    assert table.columns == ("id", "student", "subject", "date", "value", "comment")
    assert rows(table) == [
        {
            "id": "M1",
            "student": "S1",
            "subject": "Алгебра",
            "date": "23.11.2026",
            "value": "5",
            "comment": "молодец, Пётр",
        }
    ]


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(MARKS.replace(",", "\t"), encoding="utf-8")
    assert rows(one(path)) == MARK_ROWS


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ("a;b,c", ";"),  # a tie: `;`, as Russian spreadsheet programs write it
        ('"Фамилия; имя",b,c', ","),  # separators inside quotes do not count
        ('"x,\ny,z";b\nc,d,e,f', ";"),  # nor does the next line
        ("single", ";"),
    ],
)
def test_separator_is_counted_in_the_header_line(header: str, separator: str) -> None:
    assert detect_separator(header + "\n1,2;3\t4\n") == separator


def test_quoted_cells_with_separators_quotes_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_bytes(
        b"id;student;subject;date;value;comment\r\n"
        b'M1;S1;ALG;2026-11-23;5;"first line\r\nsecond; with ""quotes"""\r\n'
        b"M2;S2;ALG;2026-11-24;4;\r\n"
    )
    table = one(path)
    assert [row.cells["comment"] for row in table.rows] == [
        'first line\nsecond; with "quotes"',
        "",
    ]
    assert lines(table) == [2, 3]  # rows as a spreadsheet counts them


def test_a_quote_left_open_is_an_error_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,subject,date,value,comment\n"
        "M1,S1,ALG,2026-11-23,5,ok\n"
        'M2,S2,ALG,2026-11-24,4,"forgot to close\n'
        "M3,S2,ALG,2026-11-25,3,\n",
        encoding="utf-8",
    )
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [
        'marks.csv:3: a cell of this line opens a quote (") that is never closed'
    ]


def test_a_quote_inside_a_cell_is_taken_literally(tmp_path: Path) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text('id,name\nLIT,"Литература"  родная\nALG,Алгебра "7"\n', encoding="utf-8")
    assert [row.cells["name"] for row in one(path).rows] == ["Литература  родная", 'Алгебра "7"']


def test_cells_are_stripped_and_short_rows_padded(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        " id , student ,subject,date,value,comment\n  M1 ,\u00a0S1\u00a0,ALG,2026-11-23,5\n",
        encoding="utf-8",
    )
    assert rows(one(path)) == [MARK_ROWS[0] | {"comment": ""}]


@pytest.mark.parametrize(
    "data",
    [
        "id,student\n".encode("utf-16"),  # with its BOM
        "Фамилия,Имя\nИванов,Пётр\n".encode("utf-16-le"),  # without one
        "id,name\nS1,x\n".encode("utf-16-be"),
        random.Random(7).randbytes(4000),
        b"id,name\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12",
    ],
    ids=["utf16", "utf16le-cyrillic", "utf16be-ascii", "random", "control"],
)
def test_an_unreadable_encoding_is_a_problem_not_a_crash(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "students.csv"
    path.write_bytes(data)
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [
        "students.csv: cannot read the file's encoding: save it as UTF-8 or Windows-1251"
    ]


def test_a_utf8_file_with_a_broken_byte_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "students.csv"
    text = "id,last_name,first_name\n" + "".join(f"S{i},Иванов,Пётр\n" for i in range(5))
    data = text.encode()
    broken = data.index("Пётр".encode(), data.index(b"S3"))
    path.write_bytes(data[:broken] + b"\xd0" + data[broken + 2 :])  # half of "П"
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [
        "students.csv:5: the file is UTF-8, but this line holds bytes that are not: save it again"
    ]


def test_decode_reads_what_schools_save() -> None:
    assert decode("ид;Фамилия\n".encode("cp1251")) == ("ид;Фамилия\n", None)
    assert decode("\ufeffид,№ урока\n".encode()) == ("ид,№ урока\n", None)
    assert decode(b"") == ("", None)


def test_a_workbook_named_csv_is_recognised(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.save(tmp_path / "book.xlsx")
    path = tmp_path / "marks.csv"
    path.write_bytes((tmp_path / "book.xlsx").read_bytes())
    _, problems = read_path(path)
    assert rendered(problems) == [
        "marks.csv: this is a spreadsheet, not a CSV text: save it as CSV (UTF-8) or as .xlsx"
    ]


# --- headers ------------------------------------------------------------------------------------


def test_russian_headers_become_canonical_columns(tmp_path: Path) -> None:
    path = tmp_path / "ученики.csv"
    path.write_text(
        "Код;Фамилия;Имя;Отчество;Дата рождения;Класс;Телефон;Электронная почта;Выбыл\n"
        "S1;Иванов;Пётр;Ильич;01.02.2013;7А;8 (912) 345-67-89;a@b.ru;\n",
        encoding="utf-8",
    )
    table = one(path)
    assert table.table.name == "students"
    assert table.columns == (
        "id",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "class",
        "phone",
        "email",
        "left",
    )
    assert rows(table)[0]["phone"] == "8 (912) 345-67-89"


def test_a_substitution_sheet_is_guessed_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "Лист1.csv"
    path.write_text(SUBSTITUTIONS, encoding="utf-8")
    table = one(path)
    assert table.table.name == "timetable_changes"
    assert table.columns == (
        "date",
        "period",
        "class",
        "subject",
        "absent_teacher",
        "reason",
        "teacher",
        "room",
        "note",
    )
    assert rows(table)[0]["teacher"] == "Петров О.И."


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("marks.csv", "marks"),
        ("Оценки.csv", "marks"),
        ("замены.csv", "timetable_changes"),
        ("Расписание звонков.csv", "bells"),
        ("group_members.csv", "group_members"),
    ],
)
def test_the_file_name_says_the_table(tmp_path: Path, name: str, table: str) -> None:
    # The header fits several tables: the name says which.
    path = tmp_path / name
    path.write_text(
        "id,group,student,subject,date,value,period,class,shift,start,end\n", encoding="utf-8"
    )
    tables, problems = read_path(path)
    assert errors(problems) == []
    assert [t.table.name for t in tables] == [table]


def test_an_ambiguous_header_is_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "Лист1.csv"
    path.write_text("id,name\nX,Алгебра\n", encoding="utf-8")
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [
        "Лист1.csv: cannot tell which table this is: it could be school, subjects, work_types, "
        "classes; "
        "name the file or sheet after its table"
    ]


def test_a_header_of_no_table_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("колонка1,колонка2\n1,2\n", encoding="utf-8")
    tables, problems = read_path(path)
    assert tables == []
    assert [(p.source, p.line, p.severity) for p in problems] == [
        ("export.csv", None, Severity.ERROR)
    ]
    assert "cannot tell which table this is" in problems[0].render()


def test_an_unknown_column_is_a_warning_and_ignored(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,subject,Четверть,date,value\nM1,S1,ALG,2,2026-11-23,5\n", encoding="utf-8"
    )
    tables, problems = read_path(path)
    assert rendered(problems) == [
        "marks.csv:1: Четверть: warning: unknown column Четверть is ignored"
    ]
    assert problems[0].severity is Severity.WARNING
    assert rows(tables[0]) == [MARK_ROWS[0]]


def test_a_missing_required_column_is_an_error_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("id,student,subject,date\nM1,S1,ALG,2026-11-23\n", encoding="utf-8")
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == ["marks.csv:1: value: the required column is missing"]


def test_id_is_not_required_where_a_natural_key_stands_for_it(tmp_path: Path) -> None:
    path = tmp_path / "bells.csv"
    path.write_text("shift,period,start,end\n1,1,08:30,09:15\n", encoding="utf-8")
    assert one(path).columns == ("shift", "period", "start", "end")


def test_two_headers_for_one_column_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,Предмет,subject,date,value\nM1,S1,ALG,ALG,2026-11-23,5\n", encoding="utf-8"
    )
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [
        "marks.csv:1: subject: the columns 'Предмет' and 'subject' both mean subject"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "marks.csv: the file is empty"),
        (b" \r\n\n", "marks.csv: the file is empty"),
        (b",,,\nM1,S1,ALG,2026-11-23,5\n", "marks.csv:1: the header row is empty"),
        (b"\nid,student\n", "marks.csv:1: the header row is empty"),
    ],
)
def test_an_empty_file_or_header_is_an_error(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "marks.csv"
    path.write_bytes(data)
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == [expected]


def test_a_header_only_file_is_an_empty_table(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text("id,student,subject,date,value\n", encoding="utf-8")
    table = one(path)
    assert list(table.rows) == []


# --- rows ---------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_and_lines_still_count_them(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,subject,date,value\n"
        "\n"
        "M1,S1,ALG,2026-11-23,5\n"
        ",,,,\n"
        ' , ,"",,\n'
        "M2,S2,ALG,2026-11-24,зач\n",
        encoding="utf-8",
    )
    table = one(path)
    assert rows(table) == MARK_ROWS
    assert lines(table) == [3, 6]


def test_a_row_longer_than_the_header_is_an_error_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,subject,date,value\n"
        "M1,S1,ALG,2026-11-23,5,,\n"  # empty extra cells do no harm
        "M2,S2,ALG,2026-11-24,4,oops\n",
        encoding="utf-8",
    )
    tables, problems = read_path(path)
    assert rendered(problems) == [
        "marks.csv:3: the row has 6 cells, more than the 5 columns of the header"
    ]
    assert lines(tables[0]) == [2]


def test_cells_under_an_empty_header_are_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "id,student,,subject,date,value\nM1,S1,,ALG,2026-11-23,5\nM2,S2,x,ALG,2026-11-24,зач\n"
        "M3,S2,y,ALG,2026-11-25,4\n",
        encoding="utf-8",
    )
    tables, problems = read_path(path)
    assert rendered(problems) == [
        "marks.csv:3: warning: column 3 has no header: its cells are ignored"
    ]
    assert rows(tables[0])[:2] == MARK_ROWS


# --- paths --------------------------------------------------------------------------------------


def test_a_directory_reads_every_table_sorted_by_name(tmp_path: Path) -> None:
    (tmp_path / "marks.csv").write_text(MARKS, encoding="utf-8")
    (tmp_path / "Лист1.CSV").write_text(SUBSTITUTIONS, encoding="utf-8")
    (tmp_path / "Оценки.csv").write_text(MARKS, encoding="utf-8")
    (tmp_path / "readme.txt").write_text("notes", encoding="utf-8")
    (tmp_path / "~$journal.xlsx").write_bytes(b"lock")  # Excel's lock file
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "students.csv").write_text("broken", encoding="utf-8")
    tables, problems = read_path(tmp_path)
    assert [(t.source, t.table.name) for t in tables] == [
        ("marks.csv", "marks"),
        ("Лист1.CSV", "timetable_changes"),
        ("Оценки.csv", "marks"),  # a second source of a table: the importer merges them
    ]
    assert rendered(problems) == [
        "readme.txt: warning: the file is ignored: only .csv and .xlsx files are read"
    ]


def test_an_old_excel_file_in_a_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "marks.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    _, problems = read_path(tmp_path)
    assert rendered(problems) == [
        "marks.xls: cannot read a .xls file: save the table as .csv or .xlsx"
    ]


def test_a_directory_without_tables(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("notes", encoding="utf-8")
    _, problems = read_path(tmp_path)
    assert rendered(errors(problems)) == [f"{tmp_path.name}: no .csv or .xlsx files here"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.csv", "missing.csv: no such file or directory"),
        ("marks.txt", "marks.txt: cannot read a .txt file: save the table as .csv or .xlsx"),
        ("marks", "marks: cannot read a extensionless file: save the table as .csv or .xlsx"),
    ],
)
def test_unknown_paths_and_extensions(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    if name != "missing.csv":
        path.write_text(MARKS, encoding="utf-8")
    tables, problems = read_path(path)
    assert tables == []
    assert [p.render().replace(str(tmp_path) + os.sep, "") for p in problems] == [expected]


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads any file whatever its mode bits, so the refusal is simulated at the read itself.
    path = tmp_path / "marks.csv"
    path.write_text(MARKS, encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    _, problems = read_path(path)
    assert rendered(problems) == ["marks.csv: cannot read the file: Permission denied"]


# --- XLSX ---------------------------------------------------------------------------------------


def test_a_workbook_with_several_sheets_and_real_cell_types(tmp_path: Path) -> None:
    # Spreadsheet cells hold naive date-times: hence the DTZ001 exemptions.
    workbook = Workbook()
    marks = workbook.active
    marks.title = "Оценки"
    marks.append(["Код", "Ученик", "Предмет", "Дата", "Оценка", "Комментарий"])
    marks.append(["M1", "S1", "ALG", datetime(2026, 11, 23), 5, None])  # noqa: DTZ001
    marks.append([])  # a blank row
    marks.append([7, "S2", "ALG", date(2026, 11, 24), 4.0, 1.5])
    marks.append(["M3", "S2", "ALG", datetime(2026, 11, 25, 10, 15), "зач", True])  # noqa: DTZ001
    bells = workbook.create_sheet("звонки")
    bells.append(["Смена", "Урок", "Начало", "Конец", "Удалить"])
    bells.append([1, 1, time(8, 30), datetime(2026, 9, 1, 9, 15), False])  # noqa: DTZ001
    bells.append([1, 2, time(9, 25, 59), time(10, 10), None])
    workbook.create_sheet("Лист3")  # empty, as Excel leaves it
    changes = workbook.create_sheet("Лист4")
    changes.append([])
    changes.append([])  # the header is the first row with text: row 3
    for row in SUBSTITUTIONS.splitlines():
        changes.append(row.split(","))
    path = tmp_path / "journal.xlsx"
    workbook.save(path)

    tables, problems = read_path(path)
    assert problems == []
    by_source = {t.source: t for t in tables}
    assert list(by_source) == [
        "journal.xlsx[Оценки]",
        "journal.xlsx[звонки]",
        "journal.xlsx[Лист4]",
    ]
    marks_table = by_source["journal.xlsx[Оценки]"]
    assert marks_table.table.name == "marks"
    assert lines(marks_table) == [2, 4, 5]
    assert [(r["id"], r["date"], r["value"], r["comment"]) for r in rows(marks_table)] == [
        ("M1", "2026-11-23", "5", ""),
        ("7", "2026-11-24", "4", "1.5"),
        ("M3", "2026-11-25", "зач", "1"),
    ]
    bells_table = by_source["journal.xlsx[звонки]"]
    assert bells_table.table.name == "bells"
    assert rows(bells_table) == [
        {"shift": "1", "period": "1", "start": "08:30", "end": "09:15", "deleted": ""},
        {"shift": "1", "period": "2", "start": "09:25", "end": "10:10", "deleted": ""},
    ]
    assert by_source["journal.xlsx[Лист4]"].table.name == "timetable_changes"
    assert lines(by_source["journal.xlsx[Лист4]"]) == [4]


def test_the_header_of_a_sheet_is_its_first_non_empty_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "marks"
    sheet["C4"] = "id"  # header on row 4, starting in column C
    for column, text in zip("DEFG", ["student", "subject", "date", "value"], strict=True):
        sheet[f"{column}4"] = text
    for column, text in zip("CDEFG", ["M1", "S1", "ALG", "2026-11-23", "5"], strict=True):
        sheet[f"{column}9"] = text
    sheet["H9"] = "extra"
    path = tmp_path / "journal.xlsx"
    workbook.save(path)
    _, problems = read_path(path)
    assert rendered(problems) == [
        "journal.xlsx[marks]:9: the row has 8 cells, more than the 7 columns of the header"
    ]
    sheet["H9"] = None
    workbook.save(path)
    table = one(path)
    assert lines(table) == [9]
    assert rows(table) == [MARK_ROWS[0]]


def test_a_sheet_problem_is_located_on_the_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "marks"
    workbook.active.append(["id", "student", "subject", "date", "Балл"])
    path = tmp_path / "journal.xlsx"
    workbook.save(path)
    _, problems = read_path(path)
    assert rendered(problems) == [
        "journal.xlsx[marks]:1: Балл: warning: unknown column Балл is ignored",
        "journal.xlsx[marks]:1: value: the required column is missing",
    ]


def test_a_workbook_without_data(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == ["empty.xlsx: no sheet of the workbook has data"]


def _damaged(tmp_path: Path, change: dict[str, bytes | None]) -> Path:
    """A good workbook with some of its zip entries replaced (bytes) or left out (None)."""
    good = tmp_path / "good.xlsx"
    workbook = Workbook()
    workbook.active.title = "marks"
    workbook.active.append(["id", "student", "subject", "date", "value"])
    workbook.save(good)
    path = tmp_path / "journal.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = change.get(item.filename, source.read(item))
            if data is not None:
                target.writestr(item, data)
    return path


@pytest.mark.parametrize(
    ("damage", "source"),
    [
        ({"xl/workbook.xml": b"<workbook"}, "journal.xlsx"),
        ({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row r='1'><c"}, "journal.xlsx"),
        ({"[Content_Types].xml": None}, "journal.xlsx"),
    ],
    ids=["workbook-xml", "sheet-xml", "no-content-types"],
)
def test_a_corrupt_workbook_is_a_problem_not_a_crash(
    tmp_path: Path, damage: dict[str, bytes | None], source: str
) -> None:
    path = _damaged(tmp_path, damage)
    tables, problems = read_path(path)
    assert tables == []
    assert [(p.source, p.line) for p in problems] == [(source, None)]
    assert problems[0].render().startswith(f"{source}: cannot read the workbook (")
    assert problems[0].render().endswith("): save it again as .xlsx")


@pytest.mark.parametrize(
    "data",
    [b"this is not a zip file at all", b"PK\x03\x04" + b"\x00" * 100, b""],
    ids=["garbage", "broken-zip", "empty"],
)
def test_a_workbook_that_is_no_zip(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "journal.xlsx"
    path.write_bytes(data)
    tables, problems = read_path(path)
    assert tables == []
    assert len(problems) == 1
    assert problems[0].render().startswith("journal.xlsx: cannot read the workbook (")


def test_a_workbook_whose_sheet_is_missing_reads_as_empty(tmp_path: Path) -> None:
    # openpyxl silently drops a sheet whose part is gone.
    path = _damaged(tmp_path, {"xl/worksheets/sheet1.xml": None})
    tables, problems = read_path(path)
    assert tables == []
    assert rendered(problems) == ["journal.xlsx: no sheet of the workbook has data"]


def test_a_sheet_that_breaks_while_read_is_located_on_the_sheet(tmp_path: Path) -> None:
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        b'<row r="2"><c r="A2" t="n"><v>not a number</v></c></row></sheetData></worksheet>'
    )
    path = _damaged(tmp_path, {"xl/worksheets/sheet1.xml": sheet})
    tables, problems = read_path(path)
    assert tables == []
    assert [(p.source, p.line) for p in problems] == [("journal.xlsx[marks]", None)]
    assert "cannot read the workbook" in problems[0].render()
