"""`:time` in the console: where a typed target lands on the school's clock."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_STEP = re.compile(r"^\+(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def travel_target(argument: str, now: datetime, timezone: ZoneInfo) -> datetime | None:
    """``+30m``, ``+2h``, ``+1d``, ``19:00`` (its next occurrence) or ``2026-12-01 07:00``
    (school time); None when the argument is none of those or lies in the past."""
    text = argument.strip()
    step = _STEP.match(text)
    if step:
        return now + timedelta(**{_UNITS[step.group(2)]: int(step.group(1))})
    local = now.astimezone(timezone)
    try:
        if len(text) <= 5:
            clock_time = time.fromisoformat(text)  # "19:00"
            target = datetime.combine(local.date(), clock_time, tzinfo=timezone)
            if target <= local:
                target += timedelta(days=1)
        else:
            target = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=timezone)
    except ValueError:
        return None
    return target if target >= local else None
