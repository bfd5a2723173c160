"""What the operator commands share: a session per command and one-line refusals.

A refusal is an N_-marked template with its parameters, shown in ``DEFAULT_LOCALE`` as
``journal: ...`` on stderr with exit code 2, so scripts can tell a wrong word from a crash.
People are named by the school's own ids (the exchange files' ``id``) or ``#<db id>``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from core import migrate
from core.db import create_engine, create_sessionmaker
from core.i18n import gettext_for
from core.linking.targets import InviteTargetError
from core.models import Staff, Student

Gettext = Callable[[str], str]


class CommandError(Exception):
    """One line for the operator, exit code 2: an N_-marked template and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(message.format(**self.params))


def run_in_session(
    settings: Settings, work: Callable[[AsyncSession, Gettext], Awaitable[None]]
) -> int:
    """Migrate, run ``work`` in one session and commit it; a refusal changes nothing."""
    gettext = gettext_for(settings.default_locale)
    migrate.upgrade(settings.database_url)

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                await work(session, gettext)
                await session.commit()
        finally:
            await engine.dispose()

    try:
        asyncio.run(go())
    except (CommandError, InviteTargetError) as bad:
        return refuse(settings, bad)
    return 0


def refuse(settings: Settings, bad: CommandError | InviteTargetError) -> int:
    gettext = gettext_for(settings.default_locale)
    sys.stderr.write(f"journal: {gettext(bad.message).format(**bad.params)}\n")
    return 2


async def person_id(
    session: AsyncSession,
    model: type[Student] | type[Staff],
    school_id: int,
    key: str,
    missing: str,
) -> int:
    """The db id of the school's student or staff member ``key``; ``missing`` (N_, ``{key}``)."""
    query = select(model.id).where(model.school_id == school_id)
    if key.startswith("#") and key[1:].isdigit():
        query = query.where(model.id == int(key[1:]))
    else:
        query = query.where(model.external_id == key)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise CommandError(missing, key=key)
    return int(found)
