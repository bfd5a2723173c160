"""Quiet hours: when a push may go out, in the school's time zone.

A window ``from``–``to`` is half-open (``from`` inclusive, ``to`` exclusive) and may cross
midnight (21:00–07:00). Equal ends, or no window at all, mean no quiet hours. A push that falls
inside the window waits until the window ends, so the night's pushes go out together in the
morning.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, quiet_from: time | None, quiet_to: time | None) -> bool:
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return False
    if quiet_from < quiet_to:
        return quiet_from <= local < quiet_to
    return local >= quiet_from or local < quiet_to


def release_time(
    now: datetime, quiet_from: time | None, quiet_to: time | None, timezone: ZoneInfo
) -> datetime:
    """``now`` when a push may go out now, else the end of the quiet hours (aware, UTC)."""
    if now.tzinfo is None:
        raise ValueError("release_time needs an aware datetime")
    local = now.astimezone(timezone)
    if quiet_to is None or not in_quiet_hours(local.time(), quiet_from, quiet_to):
        return now
    end = datetime.combine(local.date(), quiet_to, tzinfo=timezone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet_to, tzinfo=timezone)
    return end.astimezone(now.tzinfo)
