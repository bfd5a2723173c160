"""``/progress``: the chart's texts and its caption - the term and each subject's average now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.progress import Progress
from handlers.views.formatting import average, child_line, esc
from handlers.views.limits import visible_length

if TYPE_CHECKING:  # core.charts imports matplotlib: about 55 MiB the bot need not hold at start
    from core.charts.progress import ChartTexts

# Telegram's limit for a photo's caption (MAX's message limit is larger).
CAPTION_LIMIT = 1024


def chart_texts(child: ChildRef, found: Progress) -> ChartTexts:
    """Plain text (the chart is an image, not HTML)."""
    from core.charts.progress import ChartTexts  # matplotlib, imported on the first chart

    who = f"{child.name}, {child.class_name}" if child.class_name else child.name
    term = found.term.name if found.term else ""
    return ChartTexts(
        title=f"{who} · {term}" if term else who,
        child_line=child.name.split()[0] if child.name.strip() else _("Average"),
        class_line=_("Class average"),
    )


def caption(child: ChildRef, found: Progress) -> str:
    lines = [_("<b>Progress: {child}</b>").format(child=child_line(child))]
    if found.term is not None:
        lines.append(_("Running averages by week, {term}").format(term=esc(found.term.name)))
    for subject in found.subjects:
        suggested = f" → {subject.suggested_mark}" if subject.suggested_mark is not None else ""
        line = f"{esc(subject.subject)}: {average(subject.average)}{suggested}"
        if visible_length("\n".join([*lines, line])) > CAPTION_LIMIT - 2:
            lines.append("…")
            break
        lines.append(line)
    return "\n".join(lines)


def no_marks(child: ChildRef) -> str:
    title = _("<b>Progress: {child}</b>").format(child=child_line(child))
    return "\n".join([title, _("No marks this term yet: the chart appears with the first mark.")])
