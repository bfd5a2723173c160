"""Reports as the files an administration files: an XLSX workbook, or one CSV per section.

A report becomes a :class:`Document` - named sections (:class:`Table`), each with Russian
headings (the school files them in Russian whatever the reader's language, so they are not
translated) - and the document is written as:

* XLSX (openpyxl): one sheet per section («По предметам», «По обучающимся», «Посещаемость»,
  «Ведение журнала», «Движение»...), a one-line caption (class, period, source, N and СОУ
  rules) above bold headings, numbers as numbers, percentages as percent cells (``0.00%``:
  93.75 % is stored as 0.9375), columns as wide as their longest value;
* CSV: one file per section, UTF-8 with a BOM and ``;`` between cells, ``\\r\\n`` after each
  row - what Excel with Russian regional settings opens by a double click - with decimal
  commas (``93,75``, percent as a number of percent) and the headings as the first row. A text
  cell that starts like a formula gets a leading apostrophe (OWASP's CSV advice).

Pure: no database, no messenger. Writing a workbook is CPU work; the bot calls it off the
event loop.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.reports.attendance import AttendanceReport
from core.reports.by_marks import MarksReport
from core.reports.by_pupils import PupilsReport
from core.reports.keeping import KeepingReport
from core.reports.period import PeriodKind, ReportPeriod
from core.reports.roster import Pupil
from core.services.movement import Change, MovementReport

Cell = str | int | Decimal | None

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 60


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"  # a percentage (93.75 means 93.75 %)
    NUMBER = "number"  # a decimal such as an average mark


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Table:
    key: str  # ascii, for file names: "subjects", "pupils", "attendance", "movement"...
    title: str  # the sheet's name (≤ 31 characters)
    caption: str  # one line above the table in a workbook
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    stem: str  # file name without the extension
    sections: tuple[Table, ...]
    # What the printed version (core.reports.pdf) draws; None: the document has no PDF.
    marks: MarksReport | None = None
    pupils: PupilsReport | None = None
    title: str = ""
    keeping: KeepingReport | None = None


# Russian words for the report's choices --------------------------------------------------

SOURCES = {
    "attestation": "по итоговым отметкам",
    "averages": "по средним баллам за период",
    "mixed": "по итоговым отметкам и средним баллам",
    "none": "нет отметок",
}
N_RULES = {
    "marked": "N — обучающиеся с отметкой",
    "marked+na": "N — обучающиеся с отметкой и н/а",
    "marked+exempt": "N — обучающиеся с отметкой и освобождённые",
    "marked+na+exempt": "N — обучающиеся с отметкой, н/а и освобождённые",
}
SOU_RULES = {"7_on_1": "СОУ: вес 7 у отметки «1»", "7_on_na": "СОУ: вес 7 у н/а"}
CHANGES = {Change.ARRIVED: "прибыл", Change.MOVED: "переведён", Change.LEFT: "выбыл"}


def period_label(period: ReportPeriod) -> str:
    """``2-й учебный период`` (четверть or полугодие, by the class), ``учебный год``, or the
    dates of a range."""
    if period.kind == PeriodKind.TERM and period.running_on is not None:
        return f"учебный период, идущий {period.running_on:%d.%m.%Y}"
    if period.kind == PeriodKind.TERM:
        return f"{period.term_number}-й учебный период"
    if period.kind == PeriodKind.YEAR:
        return "учебный год"
    if period.starts_on is None or period.ends_on is None:
        raise ValueError("a date range needs both dates")
    return f"с {period.starts_on:%d.%m.%Y} по {period.ends_on:%d.%m.%Y}"


def _rules_line(report: MarksReport) -> str:
    return "; ".join(
        (
            SOURCES.get(report.source, report.source),
            N_RULES.get(report.n_rule, report.n_rule),
            SOU_RULES.get(report.sou_rule, report.sou_rule),
        )
    )


# Sections --------------------------------------------------------------------------------

MARKS_COLUMNS = (
    Column("Предмет"),
    Column("Источник"),
    Column("N", Kind.COUNT),
    Column("«5»", Kind.COUNT),
    Column("«4»", Kind.COUNT),
    Column("«3»", Kind.COUNT),
    Column("«2»", Kind.COUNT),
    Column("«1»", Kind.COUNT),
    Column("н/а", Kind.COUNT),
    Column("осв.", Kind.COUNT),
    Column("Качество", Kind.PERCENT),
    Column("Успеваемость", Kind.PERCENT),
    Column("СОУ", Kind.PERCENT),
    Column("Средний балл", Kind.NUMBER),
)


def marks_table(report: MarksReport, about: str) -> Table:
    """«По предметам»: the report by marks, one row per subject."""
    rows = tuple(
        (
            s.subject,
            SOURCES.get(s.source, s.source),
            s.n,
            s.counts.five,
            s.counts.four,
            s.counts.three,
            s.counts.two,
            s.counts.one,
            s.counts.not_attested,
            s.counts.exempt,
            s.quality,
            s.success,
            s.sou,
            s.average,
        )
        for s in report.subjects
    )
    caption = f"Отчёт по предметам: {about}, {period_label(report.period)}; {_rules_line(report)}"
    return Table("subjects", "По предметам", caption, MARKS_COLUMNS, rows)


def _names(pupils: Sequence[Pupil]) -> str:
    return ", ".join(p.name for p in pupils)


def pupils_table(report: PupilsReport) -> Table:
    """«По обучающимся»: the categories with their counts and names, then the percentages."""
    groups: tuple[tuple[str, Sequence[Pupil]], ...] = (
        ("Отличники", report.excellent),
        ("Хорошисты", report.good),
        ("из них с одной «4»", report.good_one_four),
        ("Троечники", report.satisfactory),
        ("из них с одной «3»", report.satisfactory_one_three),
        ("Неуспевающие", report.failing),
        ("Не аттестованы", report.not_attested),
        ("из них по болезни", report.not_attested_ill),
        ("Без результатов", report.without_results),
    )
    rows: list[tuple[Cell, ...]] = [("Обучающихся", report.pupils, None, None)]
    rows += [(label, len(found), None, _names(found)) for label, found in groups]
    rows += [
        ("Качество знаний", None, report.quality, None),
        ("Успеваемость", None, report.success, None),
    ]
    caption = (
        f"Отчёт по обучающимся: класс {report.class_name}, {period_label(report.period)}, "
        f"на {report.on:%d.%m.%Y}; {SOURCES.get(report.source, report.source)}"
    )
    columns = (
        Column("Показатель"),
        Column("Количество", Kind.COUNT),
        Column("%", Kind.PERCENT),
        Column("Обучающиеся"),
    )
    return Table("pupils", "По обучающимся", caption, columns, tuple(rows))


def attendance_table(report: AttendanceReport, class_name: str) -> Table:
    """«Посещаемость»: a row per pupil and the class's total."""
    rows: list[tuple[Cell, ...]] = [
        (p.pupil.name, p.lessons, p.absent, p.ill, p.excused, p.missed, p.late, p.attended)
        for p in report.pupils
    ]
    missed = report.absent + report.ill + report.excused
    rows.append(
        (
            "Итого",
            report.lessons,
            report.absent,
            report.ill,
            report.excused,
            missed,
            report.late,
            report.attended,
        )
    )
    columns = (
        Column("Обучающийся"),
        Column("Уроков", Kind.COUNT),
        Column("Пропущено без причины (Н)", Kind.COUNT),
        Column("По болезни (Б)", Kind.COUNT),
        Column("По уважительной причине (У)", Kind.COUNT),
        Column("Всего пропущено", Kind.COUNT),
        Column("Опозданий", Kind.COUNT),
        Column("Посещено", Kind.PERCENT),
    )
    caption = (
        f"Посещаемость: класс {class_name}, "
        f"с {report.starts_on:%d.%m.%Y} по {report.ends_on:%d.%m.%Y}"
    )
    return Table("attendance", "Посещаемость", caption, columns, tuple(rows))


KEEPING_COLUMNS = (
    Column("Класс"),
    Column("Предмет"),
    Column("Уроков", Kind.COUNT),
    Column("С темой", Kind.COUNT),
    Column("Доля с темой, %", Kind.PERCENT),
    Column("Обучающихся", Kind.COUNT),
    Column("Отметок", Kind.COUNT),
    Column("Отметок на ученика в месяц", Kind.NUMBER),
    Column("Дней до отметки (медиана)", Kind.NUMBER),
    Column("Дней до отметки (макс.)", Kind.COUNT),
    Column("Меньше 3 отметок", Kind.COUNT),
    Column("Обучающиеся с менее чем 3 отметками"),
)


def keeping_table(report: KeepingReport, about: str) -> Table:
    """«Ведение журнала»: a row per class and subject (core.reports.keeping)."""
    rows = tuple(
        (
            r.class_name,
            r.subject,
            r.lessons,
            r.with_topic,
            r.topic_share,
            r.pupils,
            r.marks,
            r.marks_per_pupil_month,
            r.days_median,
            r.days_max,
            len(r.few_marks),
            _names(r.few_marks),
        )
        for r in report.rows
    )
    caption = (
        f"Ведение журнала: {about}, {period_label(report.period)}, на {report.on:%d.%m.%Y}; "
        "месяц — 30,44 дня; дни до отметки — по отметкам, выставленным в боте"
    )
    return Table("keeping", "Ведение журнала", caption, KEEPING_COLUMNS, rows)


def movement_tables(report: MovementReport) -> tuple[Table, Table]:
    """«Движение»: each class's roll and what changed it; «Движение поимённо»: who and when."""
    period = f"с {report.start:%d.%m.%Y} по {report.end:%d.%m.%Y}"
    summary = Table(
        "movement",
        "Движение",
        f"Движение обучающихся {period}",
        (
            Column("Класс"),
            Column("На начало", Kind.COUNT),
            Column("Прибыло в школу", Kind.COUNT),
            Column("Переведено из других классов", Kind.COUNT),
            Column("Переведено в другие классы", Kind.COUNT),
            Column("Выбыло из школы", Kind.COUNT),
            Column("На конец", Kind.COUNT),
        ),
        tuple(
            (c.class_name, c.at_start, c.arrived, c.moved_in, c.moved_out, c.left, c.at_end)
            for c in report.classes
        ),
    )
    names = Table(
        "movement-pupils",
        "Движение поимённо",
        f"Прибытие, переводы и выбытие {period}",
        (
            Column("Дата"),
            Column("Обучающийся"),
            Column("Движение"),
            Column("Из класса"),
            Column("В класс"),
            Column("Приказ"),
        ),
        tuple(
            (
                f"{r.day:%d.%m.%Y}",
                r.student,
                CHANGES[r.change],
                r.from_class,
                r.to_class,
                r.order_ref,
            )
            for r in report.rows
        ),
    )
    return summary, names


# Documents -------------------------------------------------------------------------------


def class_document(
    marks: MarksReport,
    pupils: PupilsReport,
    attendance: AttendanceReport | None = None,
    *,
    stem: str | None = None,
) -> Document:
    """A class's report: by marks, by pupils and (when given) attendance."""
    sections = [marks_table(marks, f"класс {pupils.class_name}"), pupils_table(pupils)]
    if attendance is not None:
        sections.append(attendance_table(attendance, pupils.class_name))
    return Document(
        stem or f"отчёт-{pupils.class_name}",
        tuple(sections),
        marks=marks,
        pupils=pupils,
        title=f"{pupils.class_name} · {period_label(pupils.period)}",
    )


def marks_document(marks: MarksReport, about: str, *, stem: str) -> Document:
    """A report by marks over a parallel, a subject, a teacher's classes or the school;
    ``about`` names it in the caption (``7-е классы``, ``учитель Орлов П. И.``)."""
    return Document(
        stem,
        (marks_table(marks, about),),
        marks=marks,
        title=f"{about} · {period_label(marks.period)}",
    )


def teacher_document(marks: MarksReport, keeping: KeepingReport, about: str, stem: str) -> Document:
    """A teacher's analysis: the report by marks over their load and their journal keeping;
    ``about`` names the teacher (``учитель Крылова Н. П.``)."""
    return Document(
        stem,
        (marks_table(marks, about), keeping_table(keeping, about)),
        marks=marks,
        title=f"{about} · {period_label(marks.period)}",
        keeping=keeping,
    )


def movement_document(report: MovementReport, *, stem: str | None = None) -> Document:
    return Document(
        stem or f"движение-{report.start:%Y%m%d}-{report.end:%Y%m%d}", movement_tables(report)
    )


# Writers ---------------------------------------------------------------------------------


def to_pdf(document: Document) -> bytes | None:
    """The printed report (tables, a chart, the journal keeping of a teacher's analysis); None
    for a document without one (movement)."""
    if document.marks is None:
        return None
    from core.reports.pdf import report_pdf  # matplotlib, imported only when printing

    title = document.title[:1].upper() + document.title[1:]  # «учитель …» heads a page
    return report_pdf(title, document.marks, document.pupils, keeping=document.keeping)


def to_xlsx(document: Document) -> bytes:
    """The workbook's bytes: a sheet per section."""
    from openpyxl import Workbook  # imported when needed: most processes never write one
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in document.sections:
        sheet = workbook.create_sheet(table.title[:31])
        sheet.cell(row=1, column=1, value=_text(table.caption)).font = Font(italic=True)
        widths = [len(c.heading) for c in table.columns]
        for number, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=2, column=number, value=column.heading)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=False)
        for row_number, row in enumerate(table.rows, start=3):
            for number, (column, value) in enumerate(zip(table.columns, row, strict=True), 1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row=row_number, column=number)
                if column.kind == Kind.PERCENT and isinstance(value, Decimal):
                    cell.value = value / 100
                    cell.number_format = "0.00%"
                    shown = f"{value:.2f} %"
                elif column.kind == Kind.NUMBER and isinstance(value, Decimal):
                    cell.value = value
                    cell.number_format = "0.00"
                    shown = f"{value:.2f}"
                elif isinstance(value, int | Decimal):
                    cell.value = value
                    shown = str(value)
                else:
                    cell.value = _text(str(value))
                    cell.data_type = "s"  # text, even if it starts like a formula
                    shown = str(value)
                    if len(shown) > _MAX_WIDTH:  # a long list of names wraps in its column
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[number - 1] = max(widths[number - 1], len(shown))
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, _MAX_WIDTH)
        sheet.freeze_panes = "A3"
    if not workbook.worksheets:
        workbook.create_sheet("Отчёт")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(document: Document) -> dict[str, bytes]:
    """``{file name: bytes}``, one ``<stem>-<section key>.csv`` per section."""
    files = {}
    for table in document.sections:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.heading for c in table.columns])
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
        files[f"{document.stem}-{table.key}.csv"] = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return files


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text(value: str) -> str:
    """Control characters have no place in a workbook."""
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
