"""One injectable clock, so tests and the console can travel in time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved; for tests and time travel in the console."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def move_to(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class TravelClock:
    """The real clock moved by an offset: the console's time travel ("what comes at 19:00?")."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("time travel goes forward only: pushes already sent stay sent")
        self.offset += delta

    def move_to(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("TravelClock needs an aware datetime")
        self.advance(at - self.now())


def school_today(clock: Clock, timezone: ZoneInfo) -> date:
    """The school's local date: what "today" means to a family."""
    return clock.now().astimezone(timezone).date()
