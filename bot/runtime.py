"""Start the bot against Telegram: long polling (default) or a webhook server.

``BOT_API_URL`` points the client at a self-hosted Bot API server. Both modes stop cleanly on
SIGTERM and SIGINT: polling through aiogram's own signal handling, the webhook server through
the loop's signal handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotConfig, create_dispatcher, create_i18n
from bot.commands import publish_commands
from bot.notifier.background import push_services
from bot.settings import Settings
from core.clock import Clock, SystemClock
from core.db import create_engine, create_sessionmaker

logger = logging.getLogger(__name__)


def create_bot(token: str, api_url: str | None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    return Bot(
        token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )


def config_from(settings: Settings) -> BotConfig:
    return BotConfig(
        timezone=ZoneInfo(settings.school_timezone),
        default_locale=settings.default_locale,
        questions_open_per_recipient=settings.questions_open_per_recipient,
        questions_per_day=settings.questions_per_day,
    )


async def run(
    settings: Settings, clock: Clock | None = None, *, handle_signals: bool = True
) -> None:
    """Run until SIGTERM/SIGINT (or, with ``handle_signals=False``, until cancelled)."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required (the CLI opens the console without it)")
    engine = create_engine(settings.database_url)
    config = config_from(settings)
    i18n = create_i18n(config.default_locale)
    sessions = create_sessionmaker(engine)
    clock = clock or SystemClock()
    dp = create_dispatcher(config, sessions, clock, i18n=i18n)
    bot = bot_from(settings)

    async def on_startup(bot: Bot) -> None:
        await publish_commands(bot, i18n)

    dp.startup.register(on_startup)
    try:
        async with contextlib.AsyncExitStack() as background:
            if settings.run_notifier:
                await background.enter_async_context(
                    push_services(settings, bot, sessions, clock, i18n)
                )
            await _serve(settings, dp, bot, engine, handle_signals=handle_signals)
    finally:
        await bot.session.close()
        await engine.dispose()


def bot_from(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required")
    api_url = str(settings.bot_api_url).rstrip("/") if settings.bot_api_url else None
    return create_bot(settings.bot_token.get_secret_value(), api_url)


async def run_notifier(
    settings: Settings, clock: Clock | None = None, *, handle_signals: bool = True
) -> None:
    """Only the notifier and the scheduled jobs (``journal notifier``), until SIGTERM/SIGINT."""
    engine = create_engine(settings.database_url)
    bot = bot_from(settings)
    i18n = create_i18n(settings.default_locale)
    stop = _stop_on_signals(handle_signals)
    try:
        async with push_services(
            settings, bot, create_sessionmaker(engine), clock or SystemClock(), i18n
        ):
            await stop.wait()
    finally:
        await bot.session.close()
        await engine.dispose()


async def _serve(
    settings: Settings, dp: Dispatcher, bot: Bot, engine: AsyncEngine, *, handle_signals: bool
) -> None:
    if settings.webhook_url is None:
        await bot.delete_webhook(drop_pending_updates=False)
        logger.info("starting long polling")
        polling = asyncio.create_task(
            dp.start_polling(
                bot,
                allowed_updates=dp.resolve_used_update_types(),
                handle_signals=handle_signals,
                close_bot_session=False,  # the notifier still sends while it stops
            )
        )
        try:
            await asyncio.shield(polling)
        except asyncio.CancelledError:
            # Cancelling start_polling leaves aiogram's own polling tasks running (it waits
            # on them with asyncio.wait); its stop signal ends them.
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(polling, timeout=10)
            raise
    else:
        await _serve_webhook(settings, dp, bot, engine, handle_signals=handle_signals)


def webhook_app(
    settings: Settings, dp: Dispatcher, bot: Bot, engine: AsyncEngine
) -> web.Application:
    app = web.Application()
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    # Requests without the right X-Telegram-Bot-Api-Secret-Token header are refused (401).
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )

    async def health(_request: web.Request) -> web.Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get("/health", health)

    async def on_startup(bot: Bot) -> None:
        url = str(settings.webhook_url).rstrip("/") + settings.webhook_path
        await bot.set_webhook(
            url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
        )

    dp.startup.register(on_startup)
    setup_application(app, dp, bot=bot)
    return app


async def _serve_webhook(
    settings: Settings, dp: Dispatcher, bot: Bot, engine: AsyncEngine, *, handle_signals: bool
) -> None:
    runner = web.AppRunner(webhook_app(settings, dp, bot, engine))
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    logger.info("webhook server listening on port %s", settings.webhook_port)
    stop = _stop_on_signals(handle_signals)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _stop_on_signals(handle_signals: bool) -> asyncio.Event:
    """An event SIGTERM and SIGINT set (with ``handle_signals``; else only cancellation stops)."""
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    return stop
