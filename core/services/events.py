"""Upcoming school and class events for a student.

A student sees the school-wide events (no class) and the events of the class they are in on
``since``; staff-only events never. An event is upcoming while it has not ended: it ends on
``ends_on``, or on ``starts_on`` when it has no end date. Ordered by start date, all-day events
before timed ones, then by time. Audited as ``read_events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.models import EventAudience, SchoolEvent
from core.reader import Reader
from core.services.school_data import load_history


@dataclass(frozen=True, slots=True)
class EventItem:
    id: int
    title: str
    description: str | None
    starts_on: date
    ends_on: date | None
    starts_at: time | None  # school-local wall time; None: all day
    place: str | None
    class_event: bool


async def upcoming_events(
    session: AsyncSession, student_id: int, since: date, reader: Reader, *, limit: int = 10
) -> tuple[EventItem, ...]:
    await authorize(
        session,
        reader,
        Permission.EVENTS,
        student_id,
        action="read_events",
        details={"since": since.isoformat(), "limit": limit},
        period=(since, since),  # the day the pupil's class is taken on
    )
    history = await load_history(session, student_id)
    class_id = history.class_on(since)
    audience: ColumnElement[bool] = SchoolEvent.class_id.is_(None) & (
        SchoolEvent.audience == EventAudience.SCHOOL
    )
    if class_id is not None:
        audience = or_(
            audience,
            and_(SchoolEvent.class_id == class_id, SchoolEvent.audience != EventAudience.STAFF),
        )
    rows = await session.scalars(
        select(SchoolEvent)
        .where(
            SchoolEvent.school_id == history.school_id,
            func.coalesce(SchoolEvent.ends_on, SchoolEvent.starts_on) >= since,
            audience,
        )
        .order_by(
            SchoolEvent.starts_on,
            SchoolEvent.starts_at.is_not(None),
            SchoolEvent.starts_at,
            SchoolEvent.id,
        )
        .limit(limit)
    )
    events = tuple(
        EventItem(
            e.id,
            e.title,
            e.description,
            e.starts_on,
            e.ends_on,
            e.starts_at,
            e.place,
            e.class_id is not None,
        )
        for e in rows
    )
    return events
