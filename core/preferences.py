"""What each account wants pushed and when: notification kinds, privacy level, quiet hours.

Read by the notifier (a later issue) and edited from the chat. Times are school-local. An
account without a row has the defaults of :class:`NotificationPreference`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import NotificationPreference
from core.models.enums import PrivacyLevel

KINDS = ("marks", "absences", "timetable_changes", "homework", "evening_digest", "weekly_summary")
QUIET_HOURS = {"21-07": (time(21), time(7)), "22-07": (time(22), time(7)), "off": (None, None)}
# Menu values travel in callback data, where ":" is the separator: hours and minutes as HHMM.
DIGEST_TIMES = ("1800", "1900", "2000", "2100")


@dataclass(frozen=True, slots=True)
class Preferences:
    kinds: dict[str, bool]
    privacy: PrivacyLevel
    quiet_from: time | None
    quiet_to: time | None
    digest_at: time


async def _row(session: AsyncSession, account_id: int) -> NotificationPreference:
    row = (
        await session.execute(
            select(NotificationPreference).where(NotificationPreference.account_id == account_id)
        )
    ).scalar_one_or_none()
    if row is None:
        row = NotificationPreference(account_id=account_id)
        session.add(row)
        await session.flush()
    return row


async def load_preferences(session: AsyncSession, account_id: int) -> Preferences:
    row = await _row(session, account_id)
    return Preferences(
        kinds={kind: bool(getattr(row, kind)) for kind in KINDS},
        privacy=PrivacyLevel(row.privacy),
        quiet_from=row.quiet_from,
        quiet_to=row.quiet_to,
        digest_at=row.digest_at,
    )


class BadPreference(ValueError):  # noqa: N818 - a value the chat sent that we do not offer
    pass


async def change_preference(session: AsyncSession, account_id: int, key: str, value: str) -> None:
    """Apply one choice from the settings menu; anything not on the menu is refused."""
    row = await _row(session, account_id)
    if key == "kind" and value in KINDS:
        setattr(row, value, not getattr(row, value))
    elif key == "privacy" and value in {p.value for p in PrivacyLevel}:
        row.privacy = PrivacyLevel(value)
    elif key == "quiet" and value in QUIET_HOURS:
        row.quiet_from, row.quiet_to = QUIET_HOURS[value]
    elif key == "digest" and value in DIGEST_TIMES:
        row.digest_at = time(int(value[:2]), int(value[2:]))
    else:
        raise BadPreference(f"{key}={value}")
    await session.flush()
