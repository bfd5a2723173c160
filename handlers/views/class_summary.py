"""The class teacher's summary of their class with the term's figures and the pupils at risk,
and its absences still without a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.numbers import format_decimal

from core.analytics.warnings import RiskLine
from core.models.enums import AttendanceCode
from core.reports.roster import Pupil
from core.services.class_summary import ClassSummary, SubjectFigures
from core.services.class_term import ClassTerm, PupilAtRisk
from core.teaching.dto import Refusal
from core.teaching.reasons import DayWithoutReason, ReasonSet
from handlers.labels import ATTENDANCE_LETTERS
from handlers.views.formatting import average, current_locale, day_month, esc
from handlers.views.risk import risk_reason
from handlers.views.timetable import weekday_and_date


def _figures(figures: tuple[SubjectFigures, ...]) -> list[str]:
    return [
        f"• {esc(f.subject)}: "
        + ngettext("{n} mark", "{n} marks", f.marks).format(n=f.marks)
        + ", "
        + _("avg. {average}").format(average=average(f.average))
        for f in figures
    ]


def summary_view(summary: ClassSummary, term: ClassTerm | None = None) -> str:
    lines = [
        _("<b>{name}: class summary</b>").format(name=esc(summary.class_name)),
        weekday_and_date(summary.on),
        ngettext("{n} student", "{n} students", summary.students).format(n=summary.students),
        "",
        _("<b>Absent or late today</b>"),
    ]
    for entry in summary.absent:
        when = (
            _("lesson {period}").format(period=entry.period)
            if entry.period is not None
            else _("the whole day")
        )
        lines.append(f"• {esc(entry.name)}: {when}, {_(ATTENDANCE_LETTERS[entry.code])}")
    if not summary.absent:
        lines.append(_("Everyone is present."))
    lines += ["", _("<b>Marks this week</b>")]
    lines += _figures(summary.week) or [_("No marks yet.")]
    if summary.term is not None:
        lines += ["", _("<b>Averages over {term}</b>").format(term=esc(summary.term.name))]
        lines += _figures(summary.term_averages) or [_("No marks yet.")]
    if term is not None:
        lines += ["", *term_lines(term)]
    return "\n".join(lines)  # paged by the handler, never cut


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value, "0.00", locale=current_locale())


def _names(pupils: tuple[Pupil, ...]) -> str:
    return esc(", ".join(p.name for p in pupils))


def _at_risk_line(pupil: PupilAtRisk) -> str:
    cases = "; ".join(
        f"{esc(case.subject)}: "
        + esc(risk_reason(RiskLine(pupil.name, "", case.subject, case.kind, case.detail)))
        for case in pupil.cases
    )
    return f"• <b>{esc(pupil.name)}</b> — {cases}"


def term_lines(term: ClassTerm) -> list[str]:
    """The term's figures, the source when not term marks, and the pupils at risk."""
    report = term.figures
    good = ngettext("{n} good pupil", "{n} good pupils", len(report.good)).format(
        n=len(report.good)
    )
    if report.good_one_four:
        good += " (" + _("with one 4: {names}").format(names=_names(report.good_one_four)) + ")"
    satisfactory = ngettext(
        "{n} satisfactory pupil", "{n} satisfactory pupils", len(report.satisfactory)
    ).format(n=len(report.satisfactory))
    if report.satisfactory_one_three:
        satisfactory += (
            " ("
            + _("with one 3: {names}").format(names=_names(report.satisfactory_one_three))
            + ")"
        )
    counts = [
        ngettext("{n} excellent pupil", "{n} excellent pupils", len(report.excellent)).format(
            n=len(report.excellent)
        ),
        good,
        satisfactory,
        ngettext("{n} failing pupil", "{n} failing pupils", len(report.failing)).format(
            n=len(report.failing)
        ),
    ]
    if report.not_attested:
        counts.append(_("not attested: {n}").format(n=len(report.not_attested)))
    lines = [
        _("<b>{term}</b>: quality {quality} %, success {success} %").format(
            term=esc(term.term.name),
            quality=_percent(report.quality),
            success=_percent(report.success),
        ),
        "; ".join(counts),
    ]
    if report.source == "averages":
        lines.append(
            _("Computed {source}.").format(source=_("on the averages of the period's marks"))
        )
    elif report.source == "mixed":
        lines.append(
            _("Computed {source}.").format(source=_("on term marks where given, else on averages"))
        )
    elif report.source == "none":
        lines.append(_("No marks yet."))
    lines.append("")
    if not term.at_risk:
        lines.append(_("Nobody is at risk this term."))
        return lines
    lines.append(_("⚠ At risk ({n}):").format(n=len(term.at_risk)))
    lines.extend(_at_risk_line(pupil) for pupil in term.at_risk)
    return lines


# Absences without a reason (core.teaching.reasons): the class teacher gives Б or У per pupil
# and day, or sets it back to Н. The buttons name a pupil and a day; the core judges each press.
LIST_DAYS = 14  # how far back the list looks (reasons may be set up to REASON_DAYS back)
_LIST_ROWS = 20
REASON_CHOICES = {
    "ill": AttendanceCode.ILL,
    "excused": AttendanceCode.EXCUSED,
    "absent": AttendanceCode.ABSENT,
}


class ReasonTap(CallbackData, prefix="rs1"):
    """The list of class ``cls`` (``st`` 0), or reason ``code`` for pupil ``st`` on ``day``."""

    cls: int
    st: int = 0
    day: int = 0
    code: str = ""


def reasons_button(class_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("🩺 Absences without a reason"),
                    callback_data=ReasonTap(cls=class_id).pack(),
                )
            ]
        ]
    )


def _letter(code: AttendanceCode) -> str:
    return _(ATTENDANCE_LETTERS[code])


def reasons_list(
    class_id: int, days: tuple[DayWithoutReason, ...], since: date
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [_("<b>Absences without a reason since {day}</b>").format(day=day_month(since))]
    if not days:
        lines.append(_("Every absence has a reason."))
        return "\n".join(lines), None
    lines.append(
        _("Tap {ill} (ill) or {excused} (a valid reason) for the whole day.").format(
            ill=_letter(AttendanceCode.ILL), excused=_letter(AttendanceCode.EXCUSED)
        )
    )
    rows = []
    for number, entry in enumerate(days[:_LIST_ROWS], 1):
        lessons = [_("lesson {period}").format(period=p) for p in entry.periods]
        if entry.whole_day:
            lessons.insert(0, _("the whole day"))
        lines.append(f"{number}. {esc(entry.name)}, {day_month(entry.day)}: {', '.join(lessons)}")
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"{number}. {_letter(code)}",
                    callback_data=ReasonTap(
                        cls=class_id, st=entry.student_id, day=entry.day.toordinal(), code=key
                    ).pack(),
                )
                for key, code in REASON_CHOICES.items()
                if code != AttendanceCode.ABSENT
            ]
        )
    if len(days) > _LIST_ROWS:
        lines.append(_("… and {count} more: set these first.").format(count=len(days) - _LIST_ROWS))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def reason_set(class_id: int, done: ReasonSet) -> tuple[str, InlineKeyboardMarkup | None]:
    letter = _letter(done.code)
    if done.code == AttendanceCode.ABSENT:
        text = _("Back to {letter}: {name}, {day}.").format(
            letter=letter, name=esc(done.name), day=day_month(done.day)
        )
        return text, None
    text = _("{letter} set: {name}, {day}. Families are not notified of reasons.").format(
        letter=letter, name=esc(done.name), day=day_month(done.day)
    )
    undo = ReasonTap(
        cls=class_id, st=done.student_id, day=done.day.toordinal(), code="absent"
    ).pack()
    back = _("↩ Back to {letter}").format(letter=_letter(AttendanceCode.ABSENT))
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=back, callback_data=undo)]]
    )
    return text, keyboard


def reason_refused(refusal: Refusal) -> str:
    if refusal == Refusal.OUTSIDE_WINDOW:
        return _("This day is outside the days reasons may still be given; ask the head teacher.")
    if refusal == Refusal.NOT_YOURS:
        return _("Reasons are given by the pupil's class teacher.")
    return _("This absence is no longer in the journal.")
