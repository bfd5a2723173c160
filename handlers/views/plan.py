"""What a teacher sees of their calendar-thematic plans: one compact line a class and subject,
sized for a phone — «7А · Алгебра: 12 из 102 тем, отстаём на 2 темы; следующая: …»."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.teaching.plan import PlanProgress
from handlers.views.formatting import esc

# A topic is cut to this on the list: the line should stay one or two lines on a phone.
TOPIC_SHOWN = 80


def _course(plan: PlanProgress) -> str:
    parts = [plan.class_name, *([plan.group] if plan.group else []), plan.subject]
    return " · ".join(parts)


def _short(topic: str) -> str:
    return topic if len(topic) <= TOPIC_SHOWN else topic[: TOPIC_SHOWN - 1].rstrip() + "…"


def plan_line(plan: PlanProgress) -> str:
    done = ngettext(
        "{covered} of {total} topic", "{covered} of {total} topics", plan.topics
    ).format(covered=plan.covered, total=plan.topics)
    pace = (
        ngettext("behind by {count} topic", "behind by {count} topics", plan.behind).format(
            count=plan.behind
        )
        if plan.behind
        else _("on schedule")
    )
    upcoming = (
        _("next: {topic}").format(topic=esc(_short(plan.next_topic.topic)))
        if plan.next_topic is not None
        else _("every topic is covered")
    )
    return f"<b>{esc(_course(plan))}</b>: {done}, {pace}; {upcoming}"


def plans(found: tuple[PlanProgress, ...]) -> str:
    if not found:
        return _(
            "You have no calendar-thematic plan this year. The school loads plans with its "
            "journal files (the «plan» table)."
        )
    lines = [_("<b>Calendar-thematic plans</b>"), ""]
    lines += [plan_line(plan) for plan in found]
    return "\n".join(lines)  # paged by the handler
