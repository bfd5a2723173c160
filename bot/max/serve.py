"""Receiving MAX's updates: long polling, or a webhook MAX posts to.

Long polling (``GET /updates`` with a marker) is for development and small schools; MAX calls
it unfit for production. With ``MAX_WEBHOOK_URL`` the bot subscribes (``POST /subscriptions``
with the secret) and MAX posts each update, with the secret in ``X-Max-Bot-Api-Secret``; a
request without it is refused. Either way each update is translated (bot.max.updates) and fed to
the MAX dispatcher, the same routers as Telegram's with ``messenger=max``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiohttp import web
from maxapi.enums.http_method import HTTPMethod

from bot.max.session import MaxSession
from bot.max.updates import UpdateTranslator

logger = logging.getLogger(__name__)

UPDATE_TYPES = ("message_created", "message_callback", "bot_started", "bot_stopped")
SECRET_HEADER = "X-Max-Bot-Api-Secret"  # noqa: S105 - a header name
POLL_TIMEOUT = 30  # seconds MAX holds a long poll open
_RETRY_CAP = 30.0


class MaxReceiver:
    """Feeds MAX updates to ``dp``; each update is handled in a task of its own."""

    def __init__(self, dp: Dispatcher, bot: Bot, token: str) -> None:
        if not isinstance(bot.session, MaxSession):
            raise TypeError("a MAX receiver needs a bot built on MaxSession")
        self.dp = dp
        self.bot = bot
        self.session = bot.session
        self._token = token
        self._translator: UpdateTranslator | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    async def translator(self) -> UpdateTranslator:
        if self._translator is None:
            me = await self.session.me()
            self._translator = UpdateTranslator(self.session.ids, self._token, me)
        return self._translator

    async def feed(self, raw: dict[str, Any]) -> None:
        update = (await self.translator()).translate(raw)
        if update is None:
            logger.debug("MAX update %s ignored", raw.get("update_type"))
            return
        task = asyncio.create_task(self.dp.feed_update(self.bot, update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a grace period
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    # -- long polling -----------------------------------------------------------------------

    async def poll(self) -> None:
        """Until cancelled: ask for updates, feed them; on failures wait and ask again."""
        await self._unsubscribe_all()
        marker: int | None = None
        failures = 0
        logger.info("MAX: starting long polling")
        while True:
            params: dict[str, Any] = {"timeout": POLL_TIMEOUT, "limit": 100}
            params["types"] = ",".join(UPDATE_TYPES)
            if marker is not None:
                params["marker"] = marker
            try:
                raw = await self.session.raw(HTTPMethod.GET, "/updates", params=params)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # network, 5xx, 429: the updates wait on MAX's side
                failures += 1
                delay = min(_RETRY_CAP, 0.5 * 2**failures)
                logger.warning(
                    "MAX polling failed (%s); again in %.1f s", type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in raw.get("updates") or []:
                try:
                    await self.feed(update)
                except Exception:
                    logger.exception("a MAX update could not be translated")
            if raw.get("marker") is not None:
                marker = int(raw["marker"])

    async def _unsubscribe_all(self) -> None:
        # Polling gets nothing while a webhook subscription exists.
        with contextlib.suppress(Exception):
            raw = await self.session.raw(HTTPMethod.GET, "/subscriptions")
            for subscription in raw.get("subscriptions") or []:
                await self.session.raw(
                    HTTPMethod.DELETE, "/subscriptions", params={"url": subscription["url"]}
                )

    # -- webhook ----------------------------------------------------------------------------

    async def subscribe(self, url: str, secret: str | None) -> None:
        body: dict[str, Any] = {"url": url, "update_types": list(UPDATE_TYPES)}
        if secret:
            body["secret"] = secret
        await self.session.raw(HTTPMethod.POST, "/subscriptions", json=body)
        logger.info("MAX: webhook subscribed")

    def register(self, app: web.Application, path: str, secret: str | None) -> None:
        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if secret and not hmac.compare_digest(given.encode(), secret.encode()):
                return web.json_response({"error": "unauthorized"}, status=401)
            try:
                raw = await request.json()
            except ValueError:
                return web.json_response({"error": "not JSON"}, status=400)
            if not isinstance(raw, dict):
                return web.json_response({"error": "not an update"}, status=400)
            try:
                await self.feed(raw)
            except Exception:
                # Answered 200 all the same: MAX would post a malformed update again for hours.
                logger.exception("a MAX update could not be translated")
            return web.json_response({"ok": True})

        app.router.add_post(path, receive)
