"""The movement rule: which class a pupil was in on a date, from their movement rows.

It sits below both the access policy and the services (like :mod:`core.reader` and
:mod:`core.audit`): the class teacher's reach and every dated read follow the same rule. The
latest movement row with ``happened_on <= day`` decides (enrolled/transferred: its class; left:
not in the school); a day before the first row is "not in the school" too. Without rows the
current class holds from ``enrolled_on`` on. ``left_on`` is the first day out of the school.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.models.enums import MovementKind


@dataclass(frozen=True, slots=True)
class Movement:
    happened_on: date
    kind: MovementKind
    class_id: int | None


def class_on(
    day: date,
    *,
    current: int | None,
    enrolled_on: date | None,
    left_on: date | None,
    movements: Sequence[Movement],
) -> int | None:
    """The pupil's class on ``day`` (None: not in the school); ``movements`` in the order they
    happened."""
    if left_on is not None and day >= left_on:
        return None
    if movements:
        latest = None
        for movement in movements:
            if movement.happened_on > day:
                break
            latest = movement
        if latest is None or latest.kind == MovementKind.LEFT:
            return None
        return latest.class_id
    if enrolled_on is not None and day < enrolled_on:
        return None
    return current
