"""`journal invites issue` and `journal invites revoke`: one-time linking codes for families."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.settings import Settings
from core import migrate
from core.clock import SystemClock, school_today
from core.db import create_engine, create_sessionmaker
from core.i18n import N_, gettext_for
from core.linking.invites import DEFAULT_TTL, InviteTargetError, issue_invites, revoke_invites
from core.linking.sheet import BotNames, write_sheets
from core.models.enums import Role

# Every staff role selects the staff table; the code then carries the person's own first role.
ROLES = {"guardian": Role.GUARDIAN, "student": Role.STUDENT, "staff": Role.TEACHER}


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("use a whole number of days, 1 or more")
    return int(text)


def _targets(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--class", dest="class_name", metavar="CLASS", help="a class, e.g. 7А")
    who.add_argument("--person", metavar="ID", help="the school's id of one person")
    parser.add_argument(
        "--role",
        choices=tuple(ROLES),
        help="whose codes: guardian (default with --class), student, or staff (the class "
        "teacher with --class); with --person it settles an id several kinds share",
    )
    parser.add_argument("--school", metavar="ID", help="the school's id (several in one database)")


def add_commands(commands: Any) -> None:
    invites = commands.add_parser("invites", help="one-time codes that link a family's chat")
    actions = invites.add_subparsers(dest="invites_command", required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="issue codes: a CSV list and a printable sheet")
    _targets(issue)
    issue.add_argument("--days", type=_days, default=DEFAULT_TTL.days, help="valid for (30)")
    issue.add_argument("--out", type=Path, default=Path(), help="directory (default: here)")
    issue.set_defaults(handler=_issue)
    revoke = actions.add_parser("revoke", help="revoke the unused codes of a class or a person")
    _targets(revoke)
    revoke.set_defaults(handler=_revoke)


async def _ask_telegram(token: str, settings: Settings) -> str | None:
    # aiogram takes seconds to import: only when Telegram must be asked. Not bot.runtime's
    # create_bot, which would load every handler for one getMe.
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    api_url = str(settings.bot_api_url).rstrip("/") if settings.bot_api_url else None
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    bot = Bot(token=token, session=session)
    try:
        me = await bot.get_me()
    finally:
        await bot.session.close()
    return me.username


def _fail(line: str) -> None:
    print(f"journal invites: {line}", file=sys.stderr)


def _bot_name(
    configured: str | None,
    token: SecretStr | None,
    ask: Callable[[str], Coroutine[Any, Any, str | None]],
    *,
    messenger: str,
    setting: str,
    fallback: str,
) -> str | None:
    """The configured name, else the one the messenger gives for the token; None and a line."""
    if configured:
        return configured
    if token is None:
        _fail(f"set {setting} (or {fallback}, to ask {messenger}) for the links")
        return None
    try:
        username: str | None = asyncio.run(ask(token.get_secret_value()))
    except Exception as exc:  # any network or API failure ends in the same advice
        _fail(f"{messenger} did not tell the bot's name ({type(exc).__name__}); set {setting}")
        return None
    if not username:
        _fail(f"the {messenger} bot has no name; set {setting}")
    return username


def school_bot_token(settings: Settings, school: str | None) -> SecretStr | None:
    """The token of the school's own bot (SCHOOL_BOTS), whose link its sheets must carry: the
    ``--school`` named, or the only school bot when there is no shared one."""
    if school is not None:
        return settings.school_bots.get(school)
    if settings.bot_token is None and len(settings.school_bots) == 1:
        return next(iter(settings.school_bots.values()))
    return None


def bot_username(settings: Settings, school: str | None = None) -> str | None:
    """The school's own bot's name (asked of Telegram), else BOT_USERNAME, else the name
    Telegram gives for BOT_TOKEN; None (and a line) if none."""
    own = school_bot_token(settings, school)
    if own is not None:
        return _bot_name(
            None,
            own,
            lambda token: _ask_telegram(token, settings),
            messenger="Telegram",
            setting="SCHOOL_BOTS",
            fallback="SCHOOL_BOTS",
        )
    return _bot_name(
        settings.bot_username,
        settings.bot_token,
        lambda token: _ask_telegram(token, settings),
        messenger="Telegram",
        setting="BOT_USERNAME",
        fallback="BOT_TOKEN",
    )


async def _ask_max(token: str, settings: Settings) -> str | None:
    # Like aiogram above: the MAX client is imported only when MAX must be asked (GET /me).
    from bot.max.session import max_api

    bot = max_api(token, str(settings.max_api_url).rstrip("/") if settings.max_api_url else None)
    try:
        me = await bot.get_me()
    finally:
        await bot.close_session()
    return me.username


def max_bot_username(settings: Settings) -> str | None:
    """MAX_BOT_USERNAME, else the name MAX gives for MAX_BOT_TOKEN; None (and a line) if neither."""
    return _bot_name(
        settings.max_bot_username,
        settings.max_bot_token,
        lambda token: _ask_max(token, settings),
        messenger="MAX",
        setting="MAX_BOT_USERNAME",
        fallback="MAX_BOT_TOKEN",
    )


def bot_names(settings: Settings, school: str | None = None) -> BotNames | None:
    """The bots the links open: each messenger with a name or a token set (Telegram: the
    school's own bot where it has one); None (and one line) when neither is, or when a
    configured bot's name cannot be found out."""
    telegram = (
        bool(settings.bot_username)
        or settings.bot_token is not None
        or school_bot_token(settings, school) is not None
    )
    max_bot = bool(settings.max_bot_username) or settings.max_bot_token is not None
    if not (telegram or max_bot):
        _fail(
            "set BOT_USERNAME or BOT_TOKEN (Telegram) and/or MAX_BOT_USERNAME or MAX_BOT_TOKEN "
            "(MAX) for the links"
        )
        return None
    # A configured bot whose name is unknown stops the run: a sheet without it would be wrong.
    telegram_name = bot_username(settings, school) if telegram else None
    if telegram and telegram_name is None:
        return None
    max_name = max_bot_username(settings) if max_bot else None
    if max_bot and max_name is None:
        return None
    return BotNames(telegram=telegram_name, max=max_name)


def _label(args: argparse.Namespace) -> str:
    return "-".join(part for part in (args.class_name or args.person, args.role) if part)


def _issue(args: argparse.Namespace, settings: Settings) -> int:
    bots = bot_names(settings, args.school)
    if bots is None:
        return 2
    migrate.upgrade(settings.database_url)
    gettext = gettext_for(settings.default_locale)
    clock = SystemClock()

    async def run() -> tuple[Path, Path, int]:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                now = clock.now()
                issued = await issue_invites(
                    session,
                    now=now,
                    today=school_today(clock, settings.timezone),
                    class_name=args.class_name,
                    person=args.person,
                    role=ROLES[args.role] if args.role else None,
                    ttl=timedelta(days=args.days),
                    school=args.school,
                )
                # Files first, commit after: codes nobody can hand out are never stored.
                paths = write_sheets(
                    issued,
                    directory=args.out,
                    label=_label(args),
                    bots=bots,
                    timezone=settings.timezone,
                    now=now,
                    gettext=gettext,
                    locale=settings.default_locale,
                )
                await session.commit()
                return *paths, len(issued)
        finally:
            await engine.dispose()

    try:
        csv_path, html_path, count = asyncio.run(run())
    except InviteTargetError as bad:
        print(f"journal invites: {gettext(bad.message).format(**bad.params)}", file=sys.stderr)
        return 2
    print(csv_path)
    print(html_path)
    print(gettext(N_("invite codes issued: {count}")).format(count=count))
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    gettext = gettext_for(settings.default_locale)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                count = await revoke_invites(
                    session,
                    now=SystemClock().now(),
                    class_name=args.class_name,
                    person=args.person,
                    role=ROLES[args.role] if args.role else None,
                    school=args.school,
                )
                await session.commit()
                return count
        finally:
            await engine.dispose()

    try:
        count = asyncio.run(run())
    except InviteTargetError as bad:
        print(f"journal invites: {gettext(bad.message).format(**bad.params)}", file=sys.stderr)
        return 2
    print(gettext(N_("invite codes revoked: {count}")).format(count=count))
    return 0
