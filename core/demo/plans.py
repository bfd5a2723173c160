"""Calendar-thematic plans (КТП) for a few courses: every lesson's topic of the year, in order.

The topics are the ones the journal's lessons get (:func:`core.demo.topics.lesson_text`), so a
lesson given counts its plan's topic as taken; 7А's algebra (3 hours a week: 102 topics) and
geometry show in ``/plan`` as soon as the demo school is loaded.
"""

from __future__ import annotations

from core.demo.classes import Klass
from core.demo.curriculum import HOURS, WEEKS
from core.demo.timetable import Timetable
from core.demo.topics import lesson_text

PLANNED: tuple[tuple[str, str], ...] = (("7А", "ALG"), ("7А", "GEOM"))


def plan_rows(classes: list[Klass], timetable: Timetable) -> list[dict[str, str]]:
    """The `plan` rows of the :data:`PLANNED` courses the school has."""
    rows: list[dict[str, str]] = []
    by_name = {klass.name: klass for klass in classes}
    for class_name, subject in PLANNED:
        klass = by_name.get(class_name)
        course = timetable.courses.get((klass.id, subject, 0)) if klass else None
        if klass is None or course is None:
            continue
        for number in range(1, HOURS[klass.grade][subject] * WEEKS + 1):
            rows.append(
                {
                    "id": f"KTP-{klass.id}-{subject}-{number:03d}",
                    "class": klass.id,
                    "subject": subject,
                    "teacher": course.teacher,
                    "number": str(number),
                    "topic": lesson_text(subject, klass.grade, number).topic,
                    "hours": "1",
                }
            )
    return rows
