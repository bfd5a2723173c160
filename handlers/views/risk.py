"""Early warning: the day's new risk cases for staff, the what-if for a guardian who asked.

The class teacher's message lists their class's cases by pupil; the social pedagogue's only the
attendance cases, with lessons missed of lessons had - never the reason of an absence (the
report carries none). A guardian's says, gently, each subject's average and which marks would
lift the term mark one step ("Algebra: average 2.80; 2 marks of 4 would lift it to 3").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.analytics.warnings import ChildOutlook, RiskLine, RiskReport, SubjectOutlook
from core.models.enums import RiskKind
from handlers.views.formatting import average, day_month, esc
from handlers.views.limits import fit


def risk_reason(line: RiskLine) -> str:
    detail = line.detail or ""
    if line.kind == RiskKind.FAILING:
        if detail == "н/а":
            return _("no marks yet: the term mark would be н/а")
        return _("projected term mark 2 (average {average})").format(
            average=average(Decimal(detail))
        )
    if line.kind == RiskKind.FALLING:
        before, _arrow, after = detail.partition("→")
        return _("average fell from {before} to {after} in three weeks").format(
            before=average(Decimal(before)), after=average(Decimal(after))
        )
    if line.kind == RiskKind.MISSED_CONTROL:
        return _("no mark for the control work of {day}").format(
            day=day_month(date.fromisoformat(detail))
        )
    if line.kind == RiskKind.FEW_MARKS:
        count = int(detail)
        return ngettext(
            "only {n} mark and less than three weeks left",
            "only {n} marks and less than three weeks left",
            count,
        ).format(n=count)
    missed, _slash, lessons = detail.partition("/")
    return _("missed {missed} of {lessons} lessons").format(missed=missed, lessons=lessons)


def risk_view(report: RiskReport, class_teacher: bool) -> str:
    title = (
        _("Early warning: new cases in your class")
        if class_teacher
        else _("Early warning: pupils missing many lessons")
    )
    lines = [f"<b>{title}</b> · {day_month(report.day)}"]
    pupil: tuple[str, str] | None = None
    for line in report.lines:
        if (line.class_name, line.student) != pupil:
            pupil = (line.class_name, line.student)
            lines += ["", f"<b>{esc(line.student)}</b>, {esc(line.class_name)}"]
        lines.append(f"• {esc(line.subject)}: {esc(risk_reason(line))}")
    # A push is one message; the class teacher's /class lists every pupil at risk, paged.
    more = (
        _("… the rest does not fit into one message; /class shows every pupil at risk.")
        if class_teacher
        else None
    )
    return fit(lines, more)


def _needed(values: tuple[int, ...]) -> str:
    parts = []
    for value in sorted(set(values), reverse=True):
        count = values.count(value)
        parts.append(
            ngettext("{n} mark of {value}", "{n} marks of {value}", count).format(
                n=count, value=value
            )
        )
    return _(" and ").join(parts)


def _outlook_line(subject: SubjectOutlook) -> str:
    name = esc(subject.subject)
    if subject.average is None:
        return _("{subject}: no marks yet this term").format(subject=name)
    shown = average(subject.average)
    if subject.target is None or subject.needed == ():
        return _("{subject}: average {average}").format(subject=name, average=shown)
    if subject.needed is None:
        return _("{subject}: average {average}; a word with the teacher may help").format(
            subject=name, average=shown
        )
    return _("{subject}: average {average}; {marks} would lift it to {target}").format(
        subject=name, average=shown, marks=_needed(subject.needed), target=subject.target
    )


def guardian_risk_view(children: Sequence[ChildOutlook]) -> str:
    lines = ["<b>{}</b>".format(_("A gentle heads-up about marks"))]
    for child in children:
        lines += ["", f"<b>{esc(child.name)}</b>"]
        lines.extend(f"• {_outlook_line(subject)}" for subject in child.subjects)
    lines += ["", _("You turned these messages on in /settings; you can turn them off there.")]
    return fit(lines, _("… the rest does not fit into one message; /whatif shows each subject."))
