"""The bell schedule of a class's shift (not personal data: no audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession

from core.services.class_data import load_class
from core.services.timetable_data import load_bells


@dataclass(frozen=True, slots=True)
class BellTime:
    period: int
    starts_at: time
    ends_at: time


@dataclass(frozen=True, slots=True)
class ClassBells:
    class_name: str
    shift: int
    periods: tuple[BellTime, ...]


async def class_bells(session: AsyncSession, class_id: int) -> ClassBells:
    info = await load_class(session, class_id)
    bells = await load_bells(session, info.school_id, {info.shift})
    periods = tuple(
        BellTime(period, start, end) for (_shift, period), (start, end) in sorted(bells.items())
    )
    return ClassBells(info.name, info.shift, periods)
