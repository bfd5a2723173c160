"""Schools' own Telegram bots (``SCHOOL_BOTS``) beside the shared one (``BOT_TOKEN``).

A district's schools share one database; each may have a bot of its own, and one shared bot can
serve families with children in several schools. A chat belongs to one bot, so an account is a
user *at a bot* (``accounts.bot``: ``""`` for the shared bot, else the school's key). A school's
bot links that school's people only; every bot has its own send budget in the notifier,
Telegram's 30 messages a second being per bot.

The bots are told apart by their id (a token's numeric part, the same in every update aiogram
hands over), so one dispatcher serves them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aiogram import Bot
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import School


class UnknownSchoolError(Exception):
    """SCHOOL_BOTS names a school the database does not hold."""


@dataclass(frozen=True, slots=True)
class SchoolBot:
    key: str  # the school's id in the exchange files, as SCHOOL_BOTS names it
    school_id: int


@dataclass(frozen=True)
class BotDirectory:
    """The school of each of the process's own school bots, by the bot's id."""

    schools: Mapping[int, SchoolBot] = field(default_factory=dict)

    def of(self, bot: Bot | None) -> SchoolBot | None:
        """``bot``'s school, or None for the shared bot (and for MAX, the console, tests)."""
        return None if bot is None else self.schools.get(bot.id)


def bot_id(token: str) -> int:
    """A Telegram bot's id: the numeric part of its token (what ``Bot.id`` reads)."""
    return int(token.split(":", 1)[0])


async def school_ids(
    sessions: async_sessionmaker[AsyncSession], keys: Mapping[str, str]
) -> BotDirectory:
    """The directory for ``keys`` (school key → token); every key must name a school."""
    if not keys:
        return BotDirectory()
    async with sessions() as session:
        rows = await session.execute(
            select(School.external_id, School.id).where(School.external_id.in_(set(keys)))
        )
        found = {key: school_id for key, school_id in rows if key is not None}
    missing = sorted(set(keys) - set(found))
    if missing:
        raise UnknownSchoolError(
            "SCHOOL_BOTS names schools the database does not have: "
            + ", ".join(missing)
            + " (use the `id` of the `school` table of the exchange files)"
        )
    return BotDirectory({bot_id(token): SchoolBot(key, found[key]) for key, token in keys.items()})
