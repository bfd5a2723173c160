"""What each account wants pushed and when: notification kinds, privacy level, quiet hours.

Read by the notifier and edited from the chat. Times are school-local. An
account without a row has the defaults of :class:`NotificationPreference`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import NotificationPreference
from core.models.enums import PrivacyLevel

KINDS = (
    "marks",
    "absences",
    "timetable_changes",
    "homework",
    "evening_digest",
    "weekly_summary",
    "announcements",
    "risk_warnings",
)
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


def _preferences(row: NotificationPreference) -> Preferences:
    return Preferences(
        kinds={kind: bool(getattr(row, kind)) for kind in KINDS},
        privacy=PrivacyLevel(row.privacy),
        quiet_from=row.quiet_from,
        quiet_to=row.quiet_to,
        digest_at=row.digest_at,
    )


def _column_default(name: str) -> object:
    default = NotificationPreference.__table__.c[name].default
    return getattr(default, "arg", None)


# What an account without a row gets: the column defaults, read from the model, never repeated.
DEFAULTS = Preferences(
    kinds={kind: bool(_column_default(kind)) for kind in KINDS},
    privacy=PrivacyLevel(str(_column_default("privacy"))),
    quiet_from=_column_default("quiet_from"),  # type: ignore[arg-type]
    quiet_to=_column_default("quiet_to"),  # type: ignore[arg-type]
    digest_at=_column_default("digest_at"),  # type: ignore[arg-type]
)


async def preferences_of(
    session: AsyncSession, account_ids: Collection[int]
) -> dict[int, Preferences]:
    """Every listed account's preferences in one statement; the defaults where none are stored."""
    found = {account_id: DEFAULTS for account_id in account_ids}
    if found:
        rows = await session.execute(
            select(NotificationPreference).where(
                NotificationPreference.account_id.in_(set(account_ids))
            )
        )
        for row in rows.scalars():
            found[row.account_id] = _preferences(row)
    return found


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
    return _preferences(await _row(session, account_id))


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
