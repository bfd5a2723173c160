"""Start the bot: Telegram (``BOT_TOKEN`` and/or schools' own bots, ``SCHOOL_BOTS``), MAX
(``MAX_BOT_TOKEN``) or both from one process.

Each messenger long-polls by default, or is served by one webhook server when its webhook URL
is set. ``BOT_API_URL`` and ``MAX_API_URL`` point the clients at other servers (a self-hosted Bot
API, the tests' fakes). Every mode stops cleanly on SIGTERM and SIGINT through the loop's signal
handlers. The notifier sends each account's pushes through the account's own messenger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.answer_budget import SharedBudgetMiddleware
from bot.answer_retry import RetryAfterMiddleware
from bot.app import BotConfig, create_dispatcher, create_i18n
from bot.commands import publish_commands
from bot.max.serve import MaxReceiver
from bot.max.session import MAX_PLACEHOLDER_TOKEN, MaxSession, max_api
from bot.metrics import metrics_handler
from bot.notifier.background import push_services
from bot.notifier.pacer import SharedBudget
from bot.school_bots import BotDirectory, school_ids
from bot.settings import Settings
from core.clock import Clock, SystemClock
from core.db import create_engine, create_sessionmaker
from core.models.enums import Messenger
from core.notify.deliveries import Route

logger = logging.getLogger(__name__)


def create_bot(token: str, api_url: str | None, *, answering: bool = True) -> Bot:
    """A Telegram bot; one that ``answering`` updates waits out a short 429 and tries again
    (bot/answer_retry.py), one for the notifier leaves a 429 to the notifier's pacer."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else None
    bot = Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    if answering:
        bot.session.middleware(RetryAfterMiddleware())
    return bot


def config_from(settings: Settings) -> BotConfig:
    return BotConfig(
        timezone=ZoneInfo(settings.school_timezone),
        default_locale=settings.default_locale,
        questions_open_per_recipient=settings.questions_open_per_recipient,
        questions_per_day=settings.questions_per_day,
        files_dir=settings.files_dir,
        redis_url=settings.redis_url,
        throttle_rate=settings.throttle_rate_per_second,
        throttle_burst=settings.throttle_burst,
    )


@dataclass(frozen=True)
class Telegram:
    """One dispatcher for every Telegram bot of the process: the shared one (key ``""``) and
    the schools' own (by school key); the account middleware tells them apart."""

    dispatcher: Dispatcher
    bots: Mapping[str, Bot]


@dataclass(frozen=True)
class Adapters:
    """The messengers this process serves: a dispatcher and its bots (MAX: its receiver)."""

    telegram: Telegram | None
    max: MaxReceiver | None

    def bots(self) -> dict[Route, Bot]:
        """Every bot pushes may leave by, each with a send budget of its own."""
        bots = {
            Route(Messenger.TELEGRAM, key): bot
            for key, bot in (self.telegram.bots.items() if self.telegram else ())
        }
        if self.max is not None:
            bots[Route(Messenger.MAX)] = self.max.bot
        return bots


def adapters_from(
    settings: Settings,
    config: BotConfig,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    i18n: I18n,
    directory: BotDirectory | None = None,
) -> Adapters:
    telegram = None
    bots = telegram_bots(settings)
    if bots:
        dp = create_dispatcher(config, sessions, clock, i18n=i18n, directory=directory)
        telegram = Telegram(dp, bots)
    receiver = None
    if settings.max_bot_token is not None:
        max_config = replace(config, messenger=Messenger.MAX)
        max_dp = create_dispatcher(max_config, sessions, clock, i18n=i18n)
        receiver = MaxReceiver(
            max_dp, max_bot_from(settings), settings.max_bot_token.get_secret_value()
        )
    return Adapters(telegram, receiver)


async def run(
    settings: Settings, clock: Clock | None = None, *, handle_signals: bool = True
) -> None:
    """Run until SIGTERM/SIGINT (or, with ``handle_signals=False``, until cancelled)."""
    if not settings.any_bot:
        raise ValueError(
            "BOT_TOKEN, SCHOOL_BOTS or MAX_BOT_TOKEN is required "
            "(the CLI opens the console without them)"
        )
    engine = create_engine(settings.database_url)
    config = config_from(settings)
    i18n = create_i18n(config.default_locale)
    sessions = create_sessionmaker(engine)
    clock = clock or SystemClock()
    try:
        directory = await school_directory(sessions, settings)
    except BaseException:
        await engine.dispose()
        raise
    adapters = adapters_from(settings, config, sessions, clock, i18n, directory)
    if adapters.telegram is not None:
        telegram_bots_ = list(adapters.telegram.bots.values())

        async def on_startup() -> None:
            for each in telegram_bots_:
                await publish_commands(each, i18n)

        adapters.telegram.dispatcher.startup.register(on_startup)
    max_bot = adapters.max.bot if adapters.max is not None else None
    pushing = push_bots(settings, max_bot) if settings.run_notifier else {}
    shared = share_budgets(adapters) if settings.run_notifier else {}
    try:
        async with contextlib.AsyncExitStack() as background:
            if settings.run_notifier:
                await background.enter_async_context(
                    push_services(settings, pushing, sessions, clock, i18n, shared=shared)
                )
            await _serve(
                settings, adapters, i18n, engine, clock=clock, handle_signals=handle_signals
            )
    finally:
        # The notifier's Telegram bots are its own; MAX's is the adapter's, closed with it.
        own = [bot for route, bot in pushing.items() if route.messenger == Messenger.TELEGRAM]
        for bot in [*adapters.bots().values(), *own]:
            await bot.session.close()
        await engine.dispose()


def bot_from(settings: Settings, *, answering: bool = True) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required")
    api_url = str(settings.bot_api_url).rstrip("/") if settings.bot_api_url else None
    return create_bot(settings.bot_token.get_secret_value(), api_url, answering=answering)


def telegram_bots(settings: Settings, *, answering: bool = True) -> dict[str, Bot]:
    """The shared bot (BOT_TOKEN, key ``""``) and the schools' own (SCHOOL_BOTS), if set."""
    api_url = str(settings.bot_api_url).rstrip("/") if settings.bot_api_url else None
    bots = {"": bot_from(settings, answering=answering)} if settings.bot_token is not None else {}
    for key, token in settings.school_bots.items():
        bots[key] = create_bot(token.get_secret_value(), api_url, answering=answering)
    return bots


def share_budgets(adapters: Adapters) -> dict[Route, SharedBudget]:
    """Each Telegram bot's answers, reported to the notifier's pacer of the same bot, since
    Telegram's 30 messages a second are answers and pushes together (bot/answer_budget.py)."""
    shared: dict[Route, SharedBudget] = {}
    for key, bot in adapters.telegram.bots.items() if adapters.telegram else ():
        budget = shared[Route(Messenger.TELEGRAM, key)] = SharedBudget()
        bot.session.middleware(SharedBudgetMiddleware(budget))
    return shared


def push_bots(settings: Settings, max_bot: Bot | None = None) -> dict[Route, Bot]:
    """The notifier's own Telegram bots (a 429 is its pacer's business, not a retry's), and
    ``max_bot`` for MAX, which has no retry of its own."""
    bots: dict[Route, Bot] = {
        Route(Messenger.TELEGRAM, key): bot
        for key, bot in telegram_bots(settings, answering=False).items()
    }
    if max_bot is not None:
        bots[Route(Messenger.MAX)] = max_bot
    return bots


async def school_directory(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> BotDirectory:
    """Which school each of SCHOOL_BOTS' bots is (a school the database lacks stops start-up)."""
    tokens = {key: token.get_secret_value() for key, token in settings.school_bots.items()}
    return await school_ids(sessions, tokens)


def max_bot_from(settings: Settings) -> Bot:
    """An aiogram ``Bot`` whose calls go to MAX (bot.max.session)."""
    if settings.max_bot_token is None:
        raise ValueError("MAX_BOT_TOKEN is required")
    api_url = str(settings.max_api_url).rstrip("/") if settings.max_api_url else None
    session = MaxSession(max_api(settings.max_bot_token.get_secret_value(), api_url))
    # aiogram wants a token of Telegram's shape; the real one is in the session's client.
    return Bot(
        token=MAX_PLACEHOLDER_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


async def run_notifier(
    settings: Settings, clock: Clock | None = None, *, handle_signals: bool = True
) -> None:
    """Only the notifier and the scheduled jobs (``journal notifier``), until SIGTERM/SIGINT."""
    if not settings.any_bot:
        raise ValueError("BOT_TOKEN, SCHOOL_BOTS or MAX_BOT_TOKEN is required")
    engine = create_engine(settings.database_url)
    try:
        # Pushes leave only by a school bot the database knows (as `journal run` checks).
        await school_directory(create_sessionmaker(engine), settings)
    except BaseException:
        await engine.dispose()
        raise
    bots = push_bots(
        settings, max_bot_from(settings) if settings.max_bot_token is not None else None
    )
    i18n = create_i18n(settings.default_locale)
    stop = _stop_on_signals(handle_signals)
    clock = clock or SystemClock()
    try:
        async with (
            push_services(settings, bots, create_sessionmaker(engine), clock, i18n),
            metrics_server(settings, engine, clock),
        ):
            await stop.wait()
    finally:
        for bot in bots.values():
            await bot.session.close()
        await engine.dispose()


async def _serve(
    settings: Settings,
    adapters: Adapters,
    i18n: I18n,
    engine: AsyncEngine,
    *,
    clock: Clock,
    handle_signals: bool,
) -> None:
    """Polling and/or one webhook server for every messenger configured, until stopped."""
    stop = _stop_on_signals(handle_signals)
    app: web.Application | None = None
    tasks: list[asyncio.Task[Any]] = []
    telegram, receiver = adapters.telegram, adapters.max
    if telegram is not None and settings.webhook_url is not None:
        app = webhook_app(settings, telegram.dispatcher, telegram.bots, engine, clock)
    if receiver is not None:
        await _publish_max_commands(receiver, i18n)
        if settings.max_webhook_url is not None:
            app = app or health_app(engine, clock)
            _add_max_webhook(app, settings, receiver)
        else:
            tasks.append(asyncio.create_task(receiver.poll(), name="max-polling"))
    runner = None
    if app is not None:
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        logger.info("webhook server listening on port %s", settings.webhook_port)
    polling = None
    if telegram is not None and settings.webhook_url is None:
        polling = await _start_telegram_polling(telegram.dispatcher, list(telegram.bots.values()))
    stopped = asyncio.create_task(stop.wait())
    try:
        async with metrics_server(settings, engine, clock):
            waiters = [stopped, *([polling] if polling else []), *tasks]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()  # cancelled from outside, the stop never came: no task left pending
        for task in tasks:
            task.cancel()
        if polling is not None and telegram is not None:
            await _stop_telegram_polling(telegram.dispatcher, polling)
        if runner is not None:
            await runner.cleanup()
        if receiver is not None:
            await receiver.drain()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _start_telegram_polling(dp: Dispatcher, bots: list[Bot]) -> asyncio.Task[None]:
    for bot in bots:
        await bot.delete_webhook(drop_pending_updates=False)
    logger.info("starting long polling (%s Telegram bot(s))", len(bots))
    return asyncio.create_task(
        dp.start_polling(
            *bots,
            allowed_updates=dp.resolve_used_update_types(),
            handle_signals=False,  # _serve's own handlers stop every messenger together
            close_bot_session=False,  # the notifier still sends while it stops
        )
    )


async def _stop_telegram_polling(dp: Dispatcher, polling: asyncio.Task[None]) -> None:
    # Cancelling start_polling leaves aiogram's own polling tasks running (it waits on them
    # with asyncio.wait); its stop signal ends them.
    with contextlib.suppress(RuntimeError):
        await dp.stop_polling()
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await asyncio.wait_for(polling, timeout=10)


async def _publish_max_commands(receiver: MaxReceiver, i18n: I18n) -> None:
    try:
        await publish_commands(receiver.bot, i18n)
    except TelegramAPIError as exc:  # the menu is a convenience; answering matters more
        logger.warning("MAX: the command menu was not published (%s)", exc.message)


def _add_max_webhook(app: web.Application, settings: Settings, receiver: MaxReceiver) -> None:
    secret = settings.max_webhook_secret.get_secret_value() if settings.max_webhook_secret else None
    receiver.register(app, settings.max_webhook_path, secret)
    url = str(settings.max_webhook_url).rstrip("/") + settings.max_webhook_path

    async def subscribe(_app: web.Application) -> None:
        await receiver.subscribe(url, secret)

    app.on_startup.append(subscribe)


def health_app(engine: AsyncEngine, clock: Clock | None = None) -> web.Application:
    """A web application that answers ``GET /health`` with the database's state and
    ``GET /metrics`` with the process's Prometheus metrics (bot/metrics.py)."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(engine, clock))

    async def health(_request: web.Request) -> web.Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return web.json_response({"status": "database unavailable"}, status=503)
        return web.json_response({"status": "ok"})

    app.router.add_get("/health", health)
    return app


def webhook_path(settings: Settings, key: str) -> str:
    """Where Telegram posts a bot's updates: WEBHOOK_PATH for the shared bot, WEBHOOK_PATH/<school
    key> for a school's own."""
    return settings.webhook_path if not key else f"{settings.webhook_path}/{quote(key, safe='')}"


def webhook_app(
    settings: Settings,
    dp: Dispatcher,
    bot: Bot | Mapping[str, Bot],
    engine: AsyncEngine,
    clock: Clock | None = None,
) -> web.Application:
    """The webhook server: one path per Telegram bot (``bot``: the shared one, or every bot by
    key as :func:`telegram_bots` gives them), all into one dispatcher, ``GET /health`` and
    ``GET /metrics``."""
    bots = {"": bot} if isinstance(bot, Bot) else dict(bot)
    app = health_app(engine, clock)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    for key, each in bots.items():
        # Requests without the right X-Telegram-Bot-Api-Secret-Token header are refused (401).
        SimpleRequestHandler(dispatcher=dp, bot=each, secret_token=secret).register(
            app, path=webhook_path(settings, key)
        )

    async def set_webhooks(_app: web.Application) -> None:
        for key, each in bots.items():
            url = str(settings.webhook_url).rstrip("/") + webhook_path(settings, key)
            await each.set_webhook(
                url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
            )

    app.on_startup.append(set_webhooks)
    setup_application(app, dp, bot=next(iter(bots.values())))
    return app


@contextlib.asynccontextmanager
async def metrics_server(
    settings: Settings, engine: AsyncEngine, clock: Clock
) -> AsyncIterator[None]:
    """With METRICS_PORT: ``GET /metrics`` (and ``/health``) on that port on WEBHOOK_HOST, for
    the processes no webhook server serves (long polling, ``journal notifier``)."""
    if settings.metrics_port is None:
        yield
        return
    runner = web.AppRunner(health_app(engine, clock), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.metrics_port).start()
        logger.info("metrics on port %s", settings.metrics_port)
        yield
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
