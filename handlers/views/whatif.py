"""``/whatif``: the marks still needed for a 5 or a 4, and the average with hypothetical marks."""

from __future__ import annotations

from decimal import Decimal

from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.whatif import WhatIf
from handlers.views.formatting import average, child_line, esc

# Typed marks shown one by one up to this many; more are counted by value ("5×30, 4×2"), so
# the answer stays one short message however many are typed (the needed marks are at most
# 20 a target: core.grading.marks_needed).
_MARKS_LISTED = 20


def _typed(marks: tuple[int, ...]) -> str:
    if len(marks) <= _MARKS_LISTED:
        return " ".join(str(m) for m in marks)
    return ", ".join(f"{v}×{marks.count(v)}" for v in sorted(set(marks), reverse=True))


def _needed(marks: tuple[tuple[int, Decimal], ...] | None) -> str:
    if marks is None:
        return _("out of reach this term")
    if not marks:
        return _("already there")
    return ", ".join(
        _("{value} (weight {weight})").format(value=value, weight=weight.normalize())
        for value, weight in marks
    )


def whatif_view(
    child: ChildRef, subject: str, result: WhatIf, hypothetical: tuple[int, ...]
) -> str:
    current = _("avg. {average}").format(average=average(result.average))
    if result.suggested_mark is not None:
        current += f" → {result.suggested_mark}"
    lines = [
        _("<b>{subject}: what is needed</b>").format(subject=esc(subject)),
        child_line(child),
        "",
        _("Now: {current}").format(current=current),
    ]
    for target in (5, 4):
        lines.append(
            _("For a {target}: {marks}").format(target=target, marks=_needed(result.needed[target]))
        )
    if hypothetical:
        marks = _typed(hypothetical)
        outcome = _("avg. {average}").format(average=average(result.hypothetical_average))
        if result.hypothetical_mark is not None:
            outcome += f" → {result.hypothetical_mark}"
        lines.append(_("With {marks} more: {outcome}").format(marks=marks, outcome=outcome))
    else:
        lines += [
            "",
            _("To try marks, send for example: /whatif {subject} 5 5 4").format(
                subject=esc(subject.split()[0].lower())
            ),
        ]
    return "\n".join(lines)  # short by construction: never cut, nothing to page
