"""School and class events on the calendar."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, SchoolFedMixin, TimestampsMixin, fk, str_enum
from core.models.enums import EventAudience


class SchoolEvent(TimestampsMixin, SchoolFedMixin, Base):
    __tablename__ = "school_events"

    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[EventAudience] = mapped_column(
        str_enum(EventAudience, "event_audience"), default=EventAudience.SCHOOL
    )
    class_id: Mapped[int | None] = fk("school_classes.id", nullable=True)  # a class event
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    starts_at: Mapped[time | None]  # school-local wall time; NULL for all-day events
    place: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        Index(None, "school_id", "starts_on"),
    )
