"""``/report``: the pickers (period → form → class, grade, subject and its scope, teacher, or
the movement) and a compact table that fits a phone: per subject N, quality %, success %, СОУ
and the average in a ``<pre>`` block of at most 32 characters a line, then what the report
adds (a class's pupils by category, a teacher's keeping of the journal, the movement's changes
by name), and the buttons for the files (XLSX, PDF where the report has one, CSV as a ZIP).
A report is its lines, never cut: the handler pages them (a long table is several ``<pre>``
blocks under the same heading, and a page never splits a block).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date
from babel.numbers import format_decimal

from core.grading import round_half_up
from core.reports.by_marks import MarksReport
from core.reports.by_pupils import PupilsReport
from core.reports.period import PeriodKind, ReportPeriod
from core.reports.roster import Pupil
from core.reports.scope import ReportChoices
from core.services.movement import Change, MovementReport
from handlers.views.formatting import current_locale, esc

if TYPE_CHECKING:
    from core.reports.keeping import KeepingReport
    from core.reports.requests import SubjectReport
    from core.reports.teacher import TeacherReport

FORM_CLASS, FORM_PARALLEL, FORM_SUBJECT, FORM_TEACHER, FORM_MOVEMENT = "c", "p", "s", "e", "m"
FORMS = frozenset({FORM_CLASS, FORM_PARALLEL, FORM_SUBJECT, FORM_TEACHER, FORM_MOVEMENT})
XLSX, PDF, CSV = "x", "p", "c"
ACTS = frozenset({"", XLSX, PDF, CSV})
WHOLE_SCHOOL = "s"  # ReportPick.g for a subject over the whole school
_NAME_WIDTH = 9
_PER_ROW = 4
_PAGE = 24  # target buttons a page: MAX allows 30 rows, Telegram's keyboards stay readable
_PRE_ROWS = 40  # rows of a <pre> block: well within a page, escaped names included


class ReportPick(CallbackData, prefix="rp2"):
    """A step of the pickers: period ``per`` (t: this term, y: the year), form ``form`` (c: a
    class, p: a parallel, s: a subject, e: a teacher, m: the movement), the class id, grade,
    subject id or staff id ``id``, a subject's scope ``g`` (s: the school, else a grade), the
    page ``pg`` of a long list, ``act`` x / p / c: the XLSX, PDF or CSV. A wish only: the core
    checks the reader again on every press."""

    per: str = ""
    form: str = ""
    id: int = 0
    act: str = ""
    g: str = ""
    pg: int = 0


def _button(text: str, pick: ReportPick) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=pick.pack())


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def refusal() -> str:
    return _("Reports are for the school's administration and class teachers.")


def periods() -> tuple[str, InlineKeyboardMarkup]:
    keyboard = [
        [
            _button(_("This term"), ReportPick(per="t")),
            _button(_("The year"), ReportPick(per="y")),
        ]
    ]
    return _("<b>Report</b>: for which period?"), InlineKeyboardMarkup(inline_keyboard=keyboard)


def forms(
    period: str, choices: ReportChoices, staff_id: int | None
) -> tuple[str, InlineKeyboardMarkup]:
    """What the reader may ask about: a class, a parallel, a subject, a teacher (or their own
    load, "my subjects"), the movement."""
    buttons = []
    if choices.classes:
        buttons.append(_button(_("A class"), ReportPick(per=period, form=FORM_CLASS)))
    if choices.grades:
        buttons.append(_button(_("A parallel"), ReportPick(per=period, form=FORM_PARALLEL)))
    if choices.subjects:
        buttons.append(_button(_("A subject"), ReportPick(per=period, form=FORM_SUBJECT)))
    if choices.school_wide and choices.teachers:
        buttons.append(_button(_("A teacher"), ReportPick(per=period, form=FORM_TEACHER)))
    elif staff_id is not None and any(t == staff_id for t, _name in choices.teachers):
        own = ReportPick(per=period, form=FORM_TEACHER, id=staff_id)
        buttons.append(_button(_("My subjects"), own))
    if choices.movement:
        buttons.append(_button(_("🚶 Movement"), ReportPick(per=period, form=FORM_MOVEMENT)))
    keyboard = InlineKeyboardMarkup(inline_keyboard=_rows(buttons, 2))
    return _("<b>Report</b>: on what?"), keyboard


def _paged(
    buttons: list[InlineKeyboardButton], width: int, back: ReportPick
) -> list[list[InlineKeyboardButton]]:
    """Page ``back.pg`` of the buttons, ``_PAGE`` a page, and the row to the neighbours."""
    pages = max(1, -(-len(buttons) // _PAGE))
    page = min(max(back.pg, 0), pages - 1)
    rows = _rows(buttons[page * _PAGE : (page + 1) * _PAGE], width)
    moves = []
    if page > 0:
        earlier = back.model_copy(update={"pg": page - 1})
        moves.append(_button(_("◀ Page {page}").format(page=page), earlier))
    if page < pages - 1:
        later = back.model_copy(update={"pg": page + 1})
        moves.append(_button(_("Page {page} ▶").format(page=page + 2), later))
    return rows + ([moves] if moves else [])


def targets(pick: ReportPick, choices: ReportChoices) -> tuple[str, InlineKeyboardMarkup]:
    """The list for the form: classes, grades, subjects or teachers (paged when long)."""
    period, form = pick.per, pick.form
    back = ReportPick(per=period, form=form, pg=pick.pg)
    if form == FORM_PARALLEL:
        buttons = [
            _button(_("Grade {grade}").format(grade=g), ReportPick(per=period, form=form, id=g))
            for g in choices.grades
        ]
        question, width = _("<b>Report</b>: which parallel?"), _PER_ROW
    elif form == FORM_SUBJECT:
        buttons = [
            _button(name, ReportPick(per=period, form=form, id=subject_id))
            for subject_id, name in choices.subjects
        ]
        question, width = _("<b>Report</b>: which subject?"), 2
    elif form == FORM_TEACHER:
        buttons = [
            _button(name, ReportPick(per=period, form=form, id=staff_id))
            for staff_id, name in choices.teachers
        ]
        question, width = _("<b>Report</b>: which teacher?"), 2
    else:
        buttons = [
            _button(name, ReportPick(per=period, form=form, id=class_id))
            for class_id, name in choices.classes
        ]
        question, width = _("<b>Report</b>: which class?"), _PER_ROW
    return question, InlineKeyboardMarkup(inline_keyboard=_paged(buttons, width, back))


def subject_scopes(
    pick: ReportPick, subject: str, choices: ReportChoices
) -> tuple[str, InlineKeyboardMarkup]:
    """A subject's second tap: the whole school or one grade."""
    base = ReportPick(per=pick.per, form=FORM_SUBJECT, id=pick.id)
    school = _button(_("The whole school"), base.model_copy(update={"g": WHOLE_SCHOOL}))
    grades = [
        _button(_("Grade {grade}").format(grade=g), base.model_copy(update={"g": str(g)}))
        for g in choices.grades_of(pick.id)
    ]
    keyboard = [[school], *_rows(grades, _PER_ROW)]
    question = _("<b>Report</b>: {subject} over the school or a grade?").format(
        subject=esc(subject)
    )
    return question, InlineKeyboardMarkup(inline_keyboard=keyboard)


def file_buttons(pick: ReportPick, *, pdf: bool) -> InlineKeyboardMarkup:
    """ "📄 XLSX", "📄 PDF" (when the report has a printed version), "📄 CSV"."""
    acts = [(_("📄 XLSX"), XLSX)] + ([(_("📄 PDF"), PDF)] if pdf else []) + [(_("📄 CSV"), CSV)]
    row = [_button(text, pick.model_copy(update={"act": act, "pg": 0})) for text, act in acts]
    return InlineKeyboardMarkup(inline_keyboard=[row])


def _number(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    pattern = "0" if places == 0 else "0." + "#" * places
    return format_decimal(round_half_up(value, places), pattern, locale=current_locale())


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else _number(value, 0) + " %"


def _period(period: ReportPeriod) -> str:
    if period.kind == PeriodKind.YEAR:
        return _("the year")
    if period.term_number is None:  # each class's own term running today
        return _("this term")
    return _("term {number}").format(number=period.term_number)


def _source_line(source: str) -> str:
    """Which marks the figures come from, as one sentence; nothing when there are no marks (the
    table says so)."""
    found = {
        "attestation": _("on term or year marks"),
        "averages": _("on the averages of the period's marks"),
        "mixed": _("on term marks where given, else on averages"),
    }.get(source)
    return "" if found is None else _("Computed {source}.").format(source=found)


def _pre(lines: list[str]) -> list[str]:
    """``lines`` (the first one the heading) as ``<pre>`` blocks of ``_PRE_ROWS`` rows, each
    under the heading: a page holds whole blocks, so a long table reads the same on each."""
    head, rows = lines[0], lines[1:]
    chunks = [rows[i : i + _PRE_ROWS] for i in range(0, len(rows), _PRE_ROWS)] or [[]]
    return ["<pre>" + esc("\n".join([head, *chunk])) + "</pre>" for chunk in chunks]


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _table(report: MarksReport) -> list[str]:
    """Monospace lines of 31 characters: subject, N, quality %, success %, СОУ (whole
    percents), average (two places)."""
    # Column headings: quality %, success %, СОУ, average; three letters each, for a phone.
    quality, success, sou, avg = _("Q%"), _("S%"), _("SOU"), _("Avg")
    head = _cell(_("Subject"), _NAME_WIDTH).ljust(_NAME_WIDTH)
    lines = [f"{head}{'N':>4}{quality[:3]:>4}{success[:3]:>4}{sou[:4]:>5}{avg[:4]:>5}"]
    for row in report.subjects:
        lines.append(
            f"{_cell(row.subject, _NAME_WIDTH).ljust(_NAME_WIDTH)}{row.n:>4}"
            f"{_number(row.quality, 0):>4}{_number(row.success, 0):>4}"
            f"{_number(row.sou, 0):>5}{_number(row.average):>5}"
        )
    if not report.subjects:
        lines.append(_("No marks yet."))
    return _pre(lines)


def _legend() -> str:
    return _("Q: quality, S: success, in whole percents; the files give two places.")


def _lines(lines: list[str]) -> list[str]:
    """The report's lines without the empty ones (a source line may be empty)."""
    return [line for line in lines if line]


def _names(pupils: tuple[Pupil, ...]) -> str:
    if not pupils:
        return "—"
    return esc(", ".join(p.name for p in pupils))


def class_view(marks: MarksReport, pupils: PupilsReport) -> list[str]:
    lines = [
        _("<b>{name}</b>, {period}").format(
            name=esc(pupils.class_name), period=_period(marks.period)
        ),
        _source_line(marks.source),
        *_table(marks),
        _legend(),
        _("<b>Pupils: {n}</b>").format(n=pupils.pupils),
        _("Excellent (only 5): {n}").format(n=len(pupils.excellent)),
        _("Good (4 and 5): {n}").format(n=len(pupils.good)),
        "  " + _("with one 4: {names}").format(names=_names(pupils.good_one_four)),
        _("Satisfactory (a 3): {n}").format(n=len(pupils.satisfactory)),
        "  " + _("with one 3: {names}").format(names=_names(pupils.satisfactory_one_three)),
        _("Failing: {n}").format(n=len(pupils.failing)),
        _("Not attested: {n}").format(n=len(pupils.not_attested)),
        _("Quality {quality} %, success {success} %").format(
            quality=_number(pupils.quality), success=_number(pupils.success)
        ),
    ]
    return _lines(lines)


def parallel_view(grade: int, marks: MarksReport) -> list[str]:
    lines = [
        _("<b>Grade {grade}, all classes</b>, {period}").format(
            grade=grade, period=_period(marks.period)
        ),
        _source_line(marks.source),
        *_table(marks),
        _legend(),
    ]
    return _lines(lines)


def subject_view(found: SubjectReport) -> list[str]:
    where = (
        _("the whole school")
        if found.grade is None
        else _("grade {grade}").format(grade=found.grade)
    )
    lines = [
        _("<b>{subject}</b>, {where}, {period}").format(
            subject=esc(found.subject), where=where, period=_period(found.marks.period)
        ),
        _source_line(found.marks.source),
        *_table(found.marks),
        _legend(),
    ]
    return _lines(lines)


def teacher_view(found: TeacherReport) -> list[str]:
    lines = [
        _("<b>{teacher}</b>: the classes and subjects they teach, {period}").format(
            teacher=esc(found.teacher_name), period=_period(found.marks.period)
        ),
        _source_line(found.marks.source),
        *_table(found.marks),
        _legend(),
        *_keeping(found.keeping),
    ]
    return _lines(lines)


def _keeping(keeping: KeepingReport) -> list[str]:
    """A few lines on how the teacher keeps the journal (core.reports.keeping): per class and
    subject the lessons held, the share with a topic, marks a pupil a month, and how many
    pupils have fewer than the minimum of marks."""
    if not keeping.rows:
        return []
    lines = [_("<b>Keeping the journal</b>")]
    for row in keeping.rows:
        lines.append(
            _(
                "{name}: lessons {lessons}, with a topic {topics}, "
                "marks a pupil a month {marks}, under {minimum} marks: {few}"
            ).format(
                name=esc(f"{row.class_name} {row.subject}"),
                lessons=row.lessons,
                topics=_percent(row.topic_share),
                marks=_number(row.marks_per_pupil_month, 1),
                minimum=keeping.minimum_marks,
                few=len(row.few_marks),
            )
        )
    return lines


def _day(day: date) -> str:
    return format_date(day, "dd.MM", locale=current_locale())


def _change(day: str, pupil: str, change: Change, was: str, now: str) -> str:
    if change == Change.ARRIVED:
        return _("{day} {pupil}: arrived in {to}").format(day=day, pupil=pupil, to=now)
    if change == Change.LEFT:
        return _("{day} {pupil}: left {source}").format(day=day, pupil=pupil, source=was)
    return _("{day} {pupil}: moved from {source} to {to}").format(
        day=day, pupil=pupil, source=was, to=now
    )


def _changes(report: MovementReport) -> list[str]:
    """Who arrived, moved and left, by day."""
    lines = [
        _change(
            _day(row.day),
            esc(row.student),
            row.change,
            esc(row.from_class or "—"),
            esc(row.to_class or "—"),
        )
        for row in report.rows
    ]
    return lines or [_("Nobody arrived, moved or left.")]


def movement_view(report: MovementReport) -> list[str]:
    """Each class's roll (30 characters a line) and the changes by name."""
    # Six column headings of at most three letters, separated by spaces: on the day before,
    # arrived in the school, moved in from another class, moved out to another class, left
    # the school, on the last day.
    heads = (_("Was New In Out Lft Now").split() + [""] * 6)[:6]
    lines = [_cell(_("Class"), 6).ljust(6) + "".join(f"{h[:3]:>4}" for h in heads)]
    for c in report.classes:
        figures = (c.at_start, c.arrived, c.moved_in, c.moved_out, c.left, c.at_end)
        lines.append(_cell(c.class_name, 6).ljust(6) + "".join(f"{n:>4}" for n in figures))
    if not report.classes:
        lines.append(_("No pupils."))
    text = [
        _("<b>Student movement</b>, {start} – {end}").format(
            start=format_date(report.start, "dd.MM.yyyy", locale=current_locale()),
            end=format_date(report.end, "dd.MM.yyyy", locale=current_locale()),
        ),
        *_pre(lines),
        _(
            "Was: on the day before; New: arrived in the school; In, Out: moved between "
            "classes; Lft: left the school; Now: on the last day."
        ),
        *_changes(report),
    ]
    return _lines(text)


def file_caption(act: str, *, movement: bool = False, class_report: bool = False) -> str:
    if act == CSV:
        return _("The report as CSV files in one ZIP archive, a file per table (Excel: ';').")
    if act == PDF:
        return _("The printed report: tables and a chart.")
    if class_report:
        return _("The report as a workbook: by subjects, by pupils, attendance.")
    if movement:
        return _("The student movement as a workbook: by class and by name.")
    return _("The report as a workbook, by subjects.")
