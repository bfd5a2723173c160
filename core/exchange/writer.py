"""Rows of the exchange format → CSV files or one XLSX workbook, identical byte for byte each time.

Every table gets every column of its spec (but `deleted`: an export holds only live rows), in
the spec's order, so the files read back through `core.exchange.files.read_path` unchanged.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from core.exchange.spec import ORDER, TABLES_BY_NAME

# A workbook records when it was made; a fixed moment keeps two exports of the same data equal.
WORKBOOK_TIME = datetime(2000, 1, 1)  # noqa: DTZ001 - naive UTC is what the XLSX format stores
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_CREATOR = "school-journal-bot"

Tables = Mapping[str, Sequence[Mapping[str, str]]]


def header(table_name: str) -> tuple[str, ...]:
    """The columns an exported file of ``table_name`` has, in order."""
    return tuple(c for c in TABLES_BY_NAME[table_name].column_names if c != "deleted")


def _ordered(tables: Tables) -> list[str]:
    unknown = sorted(set(tables) - set(ORDER))
    if unknown:
        raise ValueError(f"not tables of the exchange format: {', '.join(unknown)}")
    return [name for name in ORDER if name in tables]


def _cells(name: str, columns: tuple[str, ...], number: int, row: Mapping[str, str]) -> list[str]:
    stray = sorted(set(row) - set(columns))
    if stray:
        raise ValueError(f"{name} row {number}: columns not written: {', '.join(stray)}")
    return [row.get(column, "") for column in columns]


def write_csv_dir(tables: Tables, directory: Path) -> list[Path]:
    """One `<table>.csv` per table in ``directory`` (created if missing); the paths written.

    UTF-8 without a BOM, `,` between cells, `\\n` after each row, quotes only where needed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in _ordered(tables):
        columns = header(name)
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=",", lineterminator="\n")
        writer.writerow(columns)
        for number, row in enumerate(tables[name], start=1):
            writer.writerow(_cells(name, columns, number, row))
        path = directory / f"{name}.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        written.append(path)
    return written


def write_xlsx(tables: Tables, path: Path) -> None:
    """One workbook, a sheet per table named after it, every cell a text string."""
    from openpyxl import Workbook  # imported when needed: the bot never writes workbooks
    from openpyxl.utils.exceptions import IllegalCharacterError
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = _CREATOR
    workbook.properties.created = WORKBOOK_TIME
    workbook.properties.modified = WORKBOOK_TIME
    for name in _ordered(tables):
        sheet = workbook.create_sheet(name)
        columns = header(name)
        rows = [list(columns)]
        rows += [_cells(name, columns, n, row) for n, row in enumerate(tables[name], start=1)]
        for row_number, row in enumerate(rows, start=1):
            for column_number, text in enumerate(row, start=1):
                if not text:
                    continue
                try:
                    cell = sheet.cell(row=row_number, column=column_number, value=text)
                except IllegalCharacterError as error:  # control characters have no place in XLSX
                    raise ValueError(
                        f"{name} row {row_number - 1}: {columns[column_number - 1]}: {error}"
                    ) from None
                cell.data_type = "s"  # text, even if it starts with "=" like a formula
    if not workbook.worksheets:
        workbook.create_sheet("school")  # a workbook needs a sheet; an empty one reads as nothing
    # `Workbook.save` stamps the time into the workbook: ExcelWriter is what it calls, without
    # the stamp. The zip it makes still dates each entry, so the entries are copied with one date.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    path.write_bytes(_fixed_zip(raw.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The zip ``data`` again, with every entry's date, permissions and origin fixed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever the export runs
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
