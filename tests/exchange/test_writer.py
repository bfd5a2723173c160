"""Writing exchange files: canonical layout, byte-stable output, and a lossless round trip."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.exchange.files import read_path
from core.exchange.spec import ORDER, TABLES, TABLES_BY_NAME
from core.exchange.writer import header, write_csv_dir, write_xlsx

Rows = dict[str, list[dict[str, str]]]

TRICKY = [
    "Иванова Мария Петровна",
    "a, b; c",
    'he said "hi"',
    "line one\nline two",
    "=SUM(A1:A2)",
    "+7 912 345-67-89",
    "007",
    "1.50",
    "2026-11-28",
    "зач",
    "ё Ё № «»",
    "\ttabbed inside",
]


def every_table() -> Rows:
    """Three rows for each table: tricky text in every column, and gaps."""
    tables: Rows = {}
    for t, table in enumerate(TABLES):
        columns = header(table.name)
        rows = []
        for r in range(3):
            row = {}
            for c, column in enumerate(columns):
                if (r + c) % 4 == 3:
                    continue  # left out: written as an empty cell
                row[column] = f"{TRICKY[(t + r + c) % len(TRICKY)]} {r}".strip()
            rows.append(row)
        tables[table.name] = rows
    return tables


def full(name: str, row: dict[str, str]) -> dict[str, str]:
    return {column: row.get(column, "") for column in header(name)}


def read_back(path: Path) -> Rows:
    sources, problems = read_path(path)
    assert problems == []
    result: Rows = {}
    for source in sources:
        assert source.table.name not in result
        assert source.columns == header(source.table.name)
        result[source.table.name] = [row.cells for row in source.rows]
    return result


def test_header_is_every_column_but_deleted() -> None:
    for table in TABLES:
        expected = [c.name for c in table.columns if c.name != "deleted"]
        assert list(header(table.name)) == expected


def test_csv_files_are_plain_utf8_with_commas_and_minimal_quotes(tmp_path: Path) -> None:
    tables = {
        "subjects": [
            {"id": "ALG", "name": "Алгебра", "short_name": "алг"},
            {"id": "RUS", "name": 'Русский язык, "родной"'},
            {"id": "LIT", "name": "Литература\nи чтение", "short_name": "лит; чт"},
        ],
        "bells": [],
    }
    written = write_csv_dir(tables, tmp_path / "out")
    assert written == [tmp_path / "out" / "bells.csv", tmp_path / "out" / "subjects.csv"]
    assert (tmp_path / "out" / "subjects.csv").read_bytes() == (
        "id,name,short_name\n"
        "ALG,Алгебра,алг\n"
        'RUS,"Русский язык, ""родной""",\n'
        'LIT,"Литература\nи чтение",лит; чт\n'
    ).encode()
    assert (tmp_path / "out" / "bells.csv").read_bytes() == (
        b"id,shift,period,start,end,grades,weekdays,valid_from,valid_to\n"
    )


def test_csv_round_trip(tmp_path: Path) -> None:
    tables = every_table()
    written = write_csv_dir(tables, tmp_path / "out")
    assert [p.name for p in written] == [f"{name}.csv" for name in ORDER]
    back = read_back(tmp_path / "out")
    assert back == {name: [full(name, row) for row in rows] for name, rows in tables.items()}


def test_xlsx_round_trip(tmp_path: Path) -> None:
    tables = every_table()
    path = tmp_path / "journal.xlsx"
    write_xlsx(tables, path)
    back = read_back(path)
    assert list(back) == list(ORDER)
    assert back == {name: [full(name, row) for row in rows] for name, rows in tables.items()}


def test_xlsx_has_a_sheet_per_table_and_only_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "journal.xlsx"
    write_xlsx(
        {
            "marks": [{"id": "M1", "value": "5", "date": "2026-11-28", "comment": "=1+1"}],
            "bells": [],
        },
        path,
    )
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["bells", "marks"]
    assert [c.value for c in workbook["bells"][1]] == list(header("bells"))
    assert workbook["bells"].max_row == 1
    cells = [c for row in workbook["marks"].iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}
    assert workbook["marks"]["E2"].value == "5"
    assert workbook["marks"]["I2"].value == "=1+1"  # text, not a formula


def test_empty_tables_round_trip_as_empty_tables(tmp_path: Path) -> None:
    tables: Rows = {name: [] for name in ORDER}
    write_csv_dir(tables, tmp_path / "out")
    write_xlsx(tables, tmp_path / "journal.xlsx")
    assert read_back(tmp_path / "out") == tables
    assert read_back(tmp_path / "journal.xlsx") == tables


def test_writes_are_identical_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = every_table()
    write_csv_dir(tables, tmp_path / "a")
    write_xlsx(tables, tmp_path / "a.xlsx")
    later = time.time() + 3 * 86400  # another day: zip entries would date themselves
    monkeypatch.setattr(time, "time", lambda: later)
    write_csv_dir(tables, tmp_path / "b")
    write_xlsx(tables, tmp_path / "b.xlsx")
    for name in ORDER:
        first = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_rows_are_written_in_the_order_given(tmp_path: Path) -> None:
    rows = [{"id": key, "name": key} for key in ("B", "A", "C")]
    write_csv_dir({"subjects": rows}, tmp_path / "out")
    write_xlsx({"subjects": rows}, tmp_path / "j.xlsx")
    for path in (tmp_path / "out", tmp_path / "j.xlsx"):
        assert [row["id"] for row in read_back(path)["subjects"]] == ["B", "A", "C"]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"pupils": []}, "not tables of the exchange format: pupils"),
        (
            {"subjects": [{"id": "A", "colour": "red"}]},
            "subjects row 1: columns not written: colour",
        ),
        (
            {"subjects": [{"id": "A", "deleted": "1"}]},
            "subjects row 1: columns not written: deleted",
        ),
    ],
)
def test_what_cannot_be_written_is_refused(tmp_path: Path, tables: Rows, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_csv_dir(tables, tmp_path / "out")
    with pytest.raises(ValueError, match=message):
        write_xlsx(tables, tmp_path / "journal.xlsx")


def test_a_control_character_cannot_go_into_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="subjects row 1: name: "):
        write_xlsx({"subjects": [{"id": "A", "name": "bad\x07bell"}]}, tmp_path / "j.xlsx")


def test_every_spec_table_fits_a_sheet_name() -> None:
    assert all(len(name) <= 31 for name in TABLES_BY_NAME)  # Excel's limit on sheet names
