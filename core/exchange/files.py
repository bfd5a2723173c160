"""Exchange files → rows of cell text under canonical column names, or problems.

`read_path` takes a directory of CSV and XLSX files, one CSV or one XLSX workbook. Each file
(or sheet) is one table, recognised by its name (`marks.csv`, `Оценки`, `замены`) or, failing
that, by its header. Nothing here parses a cell's value: that is `core.exchange.values`' job.
Line numbers are a spreadsheet's row numbers: the header is line 1 of a CSV.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from core.exchange.problems import Problem, Severity, problem
from core.exchange.spec import TABLES, Column, Kind, Table, column_for_header, table_for_name
from core.i18n import N_

SUFFIXES = (".csv", ".xlsx")
SEPARATORS = (";", ",", "\t")  # in order of preference when a header line is ambiguous
# Excel's lock files (`~$journal.xlsx`) and hidden files are not tables.
_SKIPPED_PREFIXES = ("~$", ".")
# Spreadsheets in a directory that the operator surely meant to import: an error, not a warning.
SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".ods", ".numbers")
# Magic numbers of files that are no text: a zip (.xlsx, .ods) and an OLE document (.xls).
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int  # 1-based line/row number in the file, the header being line 1
    cells: dict[str, str]  # canonical column name -> cell text, stripped; "" for empty


@dataclass(frozen=True, slots=True)
class SourceTable:
    table: Table  # from spec.TABLES
    source: str  # label used in problems: "marks.csv", or "journal.xlsx[Оценки]"
    columns: tuple[str, ...]  # canonical columns present in the header
    rows: Collection[SourceRow]  # a tuple, or rows read afresh on each pass (streamed)


def read_path(path: Path) -> tuple[list[SourceTable], list[Problem]]:
    """Every table in ``path`` (a directory, a .csv or a .xlsx) and every problem found."""
    tables: list[SourceTable] = []
    problems: list[Problem] = []
    if path.is_dir():
        files = sorted((child for child in path.iterdir() if child.is_file()), key=lambda p: p.name)
        readable = 0
        for child in files:
            if child.name.startswith(_SKIPPED_PREFIXES):
                continue
            suffix = child.suffix.lower()
            if suffix in SUFFIXES:
                readable += 1
                _read_file(child, tables, problems)
            elif suffix in SPREADSHEETS:
                problems.append(_unsupported(child))
            else:
                problems.append(
                    problem(
                        child.name,
                        None,
                        None,
                        N_("the file is ignored: only .csv and .xlsx files are read"),
                        Severity.WARNING,
                    )
                )
        if not readable and not any(p.severity is Severity.ERROR for p in problems):
            problems.append(
                problem(path.name or str(path), None, None, N_("no .csv or .xlsx files here"))
            )
    elif not path.exists():
        problems.append(problem(str(path), None, None, N_("no such file or directory")))
    elif path.suffix.lower() not in SUFFIXES:
        problems.append(_unsupported(path))
    else:
        _read_file(path, tables, problems)
    return tables, problems


def _unsupported(path: Path) -> Problem:
    return problem(
        path.name,
        None,
        None,
        N_("cannot read a {suffix} file: save the table as .csv or .xlsx"),
        suffix=path.suffix or "extensionless",
    )


def _read_file(path: Path, tables: list[SourceTable], problems: list[Problem]) -> None:
    if path.suffix.lower() == ".csv":
        found = _read_csv(path, problems)
        if found is not None:
            tables.append(found)
    else:
        tables.extend(_read_xlsx(path, problems))


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path, problems: list[Problem]) -> SourceTable | None:
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(
            problem(source, None, None, N_("cannot read the file: {error}"), error=error.strerror)
        )
        return None
    if not data.strip():
        problems.append(problem(source, None, None, N_("the file is empty")))
        return None
    if data.startswith(_SPREADSHEET_MAGIC):
        problems.append(
            problem(
                source,
                None,
                None,
                N_("this is a spreadsheet, not a CSV text: save it as CSV (UTF-8) or as .xlsx"),
            )
        )
        return None
    text, broken_line = decode(data)
    if broken_line is not None:
        problems.append(
            problem(
                source,
                broken_line,
                None,
                N_("the file is UTF-8, but this line holds bytes that are not: save it again"),
            )
        )
        return None
    if text is None:
        problems.append(
            problem(
                source,
                None,
                None,
                N_("cannot read the file's encoding: save it as UTF-8 or Windows-1251"),
            )
        )
        return None
    separator = detect_separator(text)
    del text  # the rows are read from the bytes as the importer asks for them
    encoding = _encoding(data)
    found: list[Problem] = []
    for strict in (True, False):
        found = []
        try:
            table = _build_streamed(
                path.stem, source, _CsvText(data, encoding, separator, strict), found
            )
        except _Lenient:
            continue
        except _BadQuotes as bad:
            problems.append(
                problem(source, bad.line, None, bad.message, Severity.ERROR, **bad.params)
            )
            return None
        problems.extend(found)
        return table
    return None  # not reached: the lenient reading raises _BadQuotes, not _Lenient


def _encoding(data: bytes) -> str:
    """The codec :func:`decode` read ``data`` with (it has: the text was plausible)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8-sig"


class _Lenient(Exception):  # noqa: N818 - a signal: read the file again, leniently
    pass


@dataclass(frozen=True, slots=True)
class _CsvText:
    """A CSV file's bytes, read as numbered records (a spreadsheet's numbers) on each pass.

    Read strictly first, which notices a quote left open (the non-strict reader would take the
    rest of the file for one cell); a file with a stray quote elsewhere (`"5"б`, which Excel
    takes literally) is then read leniently.
    """

    data: bytes
    encoding: str
    separator: str
    strict: bool

    def records(self) -> Iterator[tuple[int, list[str]]]:
        stream = io.TextIOWrapper(io.BytesIO(self.data), encoding=self.encoding, newline="")
        number = 0
        try:
            for number, cells in enumerate(
                csv.reader(stream, delimiter=self.separator, quotechar='"', strict=self.strict),
                start=1,
            ):
                yield number, cells
        except csv.Error as error:
            if not self.strict:
                raise _BadQuotes(
                    number + 1, N_("malformed CSV: {error}"), error=str(error)
                ) from None
            if any(sign in str(error) for sign in ("unexpected end of data", "field larger")):
                raise _BadQuotes(
                    number + 1, N_('a cell of this line opens a quote (") that is never closed')
                ) from None
            raise _Lenient from None


@dataclass(frozen=True, slots=True)
class _StreamedRows(Collection[SourceRow]):
    """A CSV table's rows, made afresh from its bytes on each pass: the file was checked once,
    when it was read, and only one row at a time is held."""

    text: _CsvText
    shape: _Shape
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[SourceRow]:
        records = self.text.records()
        next(records, None)  # the header
        return _source_rows(self.shape, records, None)

    def __contains__(self, item: object) -> bool:
        return any(item == row for row in self)


def _build_streamed(
    name: str, source: str, text: _CsvText, problems: list[Problem]
) -> SourceTable | None:
    records = text.records()
    first = next(records, None)
    if first is None or not any(_text(cell) for cell in first[1]):
        # A file of blank lines still has to be read to its end for its quotes.
        for _ in records:
            pass
        problems.append(problem(source, 1, None, N_("the header row is empty")))
        return None
    shape = _shape(name, source, first[0], first[1], problems)
    if shape is None:
        for _ in records:
            pass
        return None
    count = _check_rows(shape, records, problems)
    return SourceTable(
        table=shape.table,
        source=source,
        columns=shape.column_names,
        rows=_StreamedRows(text, shape, count),
    )


class _BadQuotes(Exception):  # noqa: N818 - carries a problem, not a failure of the program
    def __init__(self, line: int, message: str, **params: str) -> None:
        super().__init__(message)
        self.line, self.message, self.params = line, message, params


def decode(data: bytes) -> tuple[str | None, int | None]:
    """The text of a CSV file: UTF-8 (with or without a BOM), else Windows-1251.

    Returns (text, None); (None, line) for a UTF-8 file with a few broken bytes (from the line
    of the first); (None, None) for UTF-16 and binary files, which are refused rather than read
    as nonsense: their decoding is full of control characters no school's table contains.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, None  # UTF-16: decodes "successfully" as cp1251, into garbage
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _mostly_utf8(data):
            return None, data.count(b"\n", 0, error.start) + 1
    else:
        return (text if _plausible(text, strict=False) else None), None
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:  # 0x98 is the one byte cp1251 leaves undefined
        return None, None
    return (text if _plausible(text, strict=True) else None), None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes (an editor's accident), rather than another encoding?"""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    decoded = sum(1 for char in text if ord(char) > 0x7F and char != "\ufffd")
    return decoded >= 10 * broken


# Characters no typed table holds: controls (but tab and line ends) and private or broken code
# points. Windows-1251 decodes every byte but 0x98, so a misread file shows instead its symbols.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff"
_CP1251_SYMBOLS = "".join(
    char
    for char in bytes(range(0x80, 0x100)).decode("cp1251", errors="ignore")
    if unicodedata.category(char) == "So"
)
_ODD = re.compile(f"[{_CONTROLS}]")
_ODD_CP1251 = re.compile(f"[{_CONTROLS}{re.escape(_CP1251_SYMBOLS)}]")


def _plausible(text: str, *, strict: bool) -> bool:
    """Does ``text`` look like a table somebody typed, rather than a misread encoding?

    Control characters betray binary data and UTF-16; a Windows-1251 reading (``strict``) of a
    file in yet another encoding also turns up symbols (№, ©, ™, °…) in numbers no table has.
    """
    if "\x00" in text:
        return False
    odd = len((_ODD_CP1251 if strict else _ODD).findall(text))
    return odd <= max(2, len(text) // 100)


def detect_separator(text: str) -> str:
    """`;`, `,` or tab: whichever occurs most often outside quotes in the header line."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    # max() keeps the first of equal counts, and SEPARATORS lists `;` first.
    return max(SEPARATORS, key=lambda sep: counts[sep])


# --- XLSX --------------------------------------------------------------------------------------


def _read_xlsx(path: Path, problems: list[Problem]) -> list[SourceTable]:
    from openpyxl import load_workbook  # imported when needed: the bot never reads workbooks

    tables: list[SourceTable] = []
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged file fails anywhere in zip, XML or openpyxl
        problems.append(_corrupt(path.name, error))
        return tables
    try:
        for sheet in workbook.worksheets:
            source = f"{path.name}[{sheet.title}]"
            try:
                sheet.reset_dimensions()  # a wrong <dimension> would cut rows off
                # Missing rows come back as empty ones, so counting gives the sheet's row numbers.
                records = [
                    (number, list(values))
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                    if any(_text(value) for value in values)
                ]
            except Exception as error:  # as above: a damaged sheet
                problems.append(_corrupt(source, error))
                continue
            if not records:
                continue  # Excel's empty Лист2 and Лист3
            header_line, header = records[0]
            found = _build(sheet.title, source, header_line, header, records[1:], problems)
            if found is not None:
                tables.append(found)
    finally:
        workbook.close()
    if not tables and not any(p.source.startswith(path.name) for p in problems):
        problems.append(problem(path.name, None, None, N_("no sheet of the workbook has data")))
    return tables


def _corrupt(source: str, error: Exception) -> Problem:
    return problem(
        source,
        None,
        None,
        N_("cannot read the workbook ({error}): save it again as .xlsx"),
        error=str(error) or type(error).__name__,
    )


def _text(value: Any, kind: Kind = Kind.TEXT) -> str:
    """A cell's text: a CSV cell as it is, an XLSX value the way the exchange format writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, datetime):
        if kind is Kind.TIME and value.time() != time(0, 0):
            return f"{value:%H:%M}"
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):  # a duration format such as [h]:mm
        minutes = int(value.total_seconds()) // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


# --- both --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a header says: the table, its columns by position, and the cells' kinds."""

    table: Table
    source: str
    headers: list[str]
    columns: dict[int, Column]
    kinds: list[Kind]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns.values())


def _shape(
    name: str, source: str, header_line: int, header: Sequence[Any], problems: list[Problem]
) -> _Shape | None:
    """The table of a header and its columns, or None (with the problem) if it has none."""
    headers = [_text(cell) for cell in header]
    while headers and not headers[-1]:
        headers.pop()
    table = table_for_name(name)
    if table is None:
        table = _guess(source, headers, problems)
        if table is None:
            return None
    columns = _columns(table, source, header_line, headers, problems)
    if columns is None:
        return None
    # Only XLSX date-times need a column's kind (a time column reads 08:30 from a date-time).
    kinds = [columns[i].kind if i in columns else Kind.TEXT for i in range(len(headers))]
    return _Shape(table, source, headers, columns, kinds)


def _build(
    name: str,
    source: str,
    header_line: int,
    header: Sequence[Any],
    records: Sequence[tuple[int, Sequence[Any]]],
    problems: list[Problem],
) -> SourceTable | None:
    """The table of a header and its rows, once the header says which table and columns."""
    shape = _shape(name, source, header_line, header, problems)
    if shape is None:
        return None
    return SourceTable(
        table=shape.table,
        source=source,
        columns=shape.column_names,
        rows=tuple(_source_rows(shape, iter(records), problems)),
    )


def _headless(source: str, line: int, index: int) -> Problem:
    return problem(
        source,
        line,
        None,
        N_("column {number} has no header: its cells are ignored"),
        Severity.WARNING,
        number=index + 1,
    )


def _check_rows(
    shape: _Shape, records: Iterator[tuple[int, list[str]]], problems: list[Problem]
) -> int:
    """How many rows :func:`_source_rows` will make of CSV ``records``; the problems it would
    find go to ``problems``. Cheaper than making them: this pass only reads."""
    width = len(shape.headers)
    headless = [i for i, header in enumerate(shape.headers) if not header]
    warned: set[int] = set()
    count = 0
    for line, values in records:
        if len(values) > width and any(value.strip() for value in values[width:]):
            if any(value.strip() for value in values):
                # What _source_rows reports, the way it reports it.
                list(_source_rows(shape, iter([(line, values)]), problems))
            continue
        if not any(value.strip() for value in values):
            continue  # a blank row
        count += 1
        for index in headless:
            if index < len(values) and values[index].strip() and index not in warned:
                warned.add(index)
                problems.append(_headless(shape.source, line, index))
    return count


def _source_rows(
    shape: _Shape,
    records: Iterator[tuple[int, Sequence[Any]]],
    problems: list[Problem] | None,
) -> Iterator[SourceRow]:
    """The rows under a header; a row's problems go to ``problems`` (None: found already, and
    the row is skipped again)."""
    source, headers, columns, kinds = shape.source, shape.headers, shape.columns, shape.kinds
    headless: set[int] = set()
    for line, values in records:
        texts = [
            value.strip() if type(value) is str and "\r" not in value else _text(value, kind)
            for value, kind in zip(values, _kinds(kinds, len(values)), strict=True)
        ]
        if not any(texts):
            continue  # a blank row
        if any(texts[len(headers) :]):
            if problems is None:
                continue
            problems.append(
                problem(
                    source,
                    line,
                    None,
                    N_("the row has {count} cells, more than the {columns} columns of the header"),
                    count=len(texts) - _trailing_blanks(texts),
                    columns=len(headers),
                )
            )
            continue
        if problems is not None:
            for index, text in enumerate(texts[: len(headers)]):
                if text and not headers[index] and index not in headless:
                    headless.add(index)
                    problems.append(_headless(source, line, index))
        cells = {column.name: "" for column in columns.values()}
        for index, column in columns.items():
            if index < len(texts):
                cells[column.name] = texts[index]
        yield SourceRow(line=line, cells=cells)


def _kinds(kinds: list[Kind], count: int) -> list[Kind]:
    return kinds[:count] if count <= len(kinds) else kinds + [Kind.TEXT] * (count - len(kinds))


def _trailing_blanks(texts: list[str]) -> int:
    count = 0
    for text in reversed(texts):
        if text:
            break
        count += 1
    return count


def _columns(
    table: Table, source: str, line: int, headers: list[str], problems: list[Problem]
) -> dict[int, Column] | None:
    """Header position → column; None when the header makes the file unreadable."""
    columns: dict[int, Column] = {}
    seen: dict[str, str] = {}
    fatal = False
    for index, text in enumerate(headers):
        if not text:
            continue
        column = column_for_header(table, text)
        if column is None:
            problems.append(
                problem(
                    source,
                    line,
                    text,
                    N_("unknown column {name} is ignored"),
                    Severity.WARNING,
                    name=text,
                )
            )
            continue
        if column.name in seen:
            problems.append(
                problem(
                    source,
                    line,
                    column.name,
                    N_("the columns {first!r} and {second!r} both mean {meaning}"),
                    first=seen[column.name],
                    second=text,
                    meaning=column.name,
                )
            )
            fatal = True
            continue
        seen[column.name] = text
        columns[index] = column
    for column in table.columns:
        if _required(table, column) and column.name not in seen:
            problems.append(
                problem(source, line, column.name, N_("the required column is missing"))
            )
            fatal = True
    return None if fatal else columns


def _required(table: Table, column: Column) -> bool:
    return column.required and not (column.name == "id" and table.natural_key)


def _guess(source: str, headers: list[str], problems: list[Problem]) -> Table | None:
    """The table whose required columns are all in the header and which knows most of it."""
    best: list[Table] = []
    best_score = 0
    for table in TABLES:
        known = [column_for_header(table, text) for text in headers if text]
        found = {column.name for column in known if column is not None}
        if not all(c.name in found for c in table.columns if _required(table, c)):
            continue
        score = sum(1 for column in known if column is not None)
        if score > best_score:
            best, best_score = [table], score
        elif score == best_score and score:
            best.append(table)
    if len(best) == 1:
        return best[0]
    if best:
        problems.append(
            problem(
                source,
                None,
                None,
                N_(
                    "cannot tell which table this is: it could be {tables}; "
                    "name the file or sheet after its table"
                ),
                tables=", ".join(t.name for t in best),
            )
        )
    else:
        problems.append(
            problem(
                source,
                None,
                None,
                N_(
                    "cannot tell which table this is: name the file or sheet after its table "
                    "(marks.csv, Оценки) or give it the table's column names"
                ),
            )
        )
    return None
