"""Term, year, exam and final marks per subject: quarters or halves, as the class has them."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.models.enums import TermKind
from core.services.attestation import Attestation, AttestationValue
from core.services.school_data import TermInfo
from handlers.views.formatting import child_line, esc

_TERM_LABELS = {
    TermKind.QUARTER: lambda n: _("Q{n}").format(n=n),
    TermKind.TRIMESTER: lambda n: _("T{n}").format(n=n),
    TermKind.HALF: lambda n: _("H{n}").format(n=n),
}


def _term_label(term: TermInfo) -> str:
    return _TERM_LABELS[term.kind](term.number)


def _value(value: AttestationValue | None) -> str:
    return f"<b>{esc(value.value)}</b>" if value is not None else "—"


def attestation_view(child: ChildRef, attestation: Attestation) -> str:
    lines = [_("<b>Term and year marks: {child}</b>").format(child=child_line(child)), ""]
    if not attestation.subjects:
        lines.append(_("No term marks yet."))
    for subject in attestation.subjects:
        cells = [
            f"{_term_label(term)} {_value(value)}"
            for term, value in zip(attestation.terms, subject.terms, strict=True)
        ]
        cells.append(_("year {mark}").format(mark=_value(subject.year)))
        for exam in subject.exams:
            score = (
                " " + _("({score} points)").format(score=exam.score)
                if exam.score is not None
                else ""
            )
            name = esc(exam.exam_name) if exam.exam_name else _("exam")
            cells.append(f"{name} <b>{esc(exam.value)}</b>{score}")
        if subject.final is not None:
            cells.append(_("final {mark}").format(mark=_value(subject.final)))
        lines.append(f"{esc(subject.subject)}: " + " · ".join(cells))
    return "\n".join(lines)  # paged by the handler
